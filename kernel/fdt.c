// Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
// Every read is bounds-checked against the blob size: the same code parses the DTB
// handed over by firmware and, in user space, a DTB from an untrusted boot-info page.
#include "fdt.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u
#define MAX_DEPTH      16

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t fdt_totalsize(const void *blob)
{
    return be32((const uint8_t *)blob + 4);
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static size_t strlen_bounded(const char *s)
{
    size_t n = 0;
    while (n < FDT_COMPAT_LEN && s[n])
        n++;
    return n;
}

// Node names compare up to the unit address: "memory@80000000" is a "memory".
static bool name_is(const char *name, const char *base)
{
    while (*base && *name == *base) {
        name++;
        base++;
    }
    return *base == 0 && (*name == 0 || *name == '@');
}

static void copy_str(char *dst, const char *src, size_t src_len, size_t cap)
{
    size_t i = 0;
    for (; i + 1 < cap && i < src_len && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

// Copies a list of NUL-terminated strings, keeping only whole strings and ending with
// an empty one.
static void copy_str_list(char *dst, const char *src, size_t src_len, size_t cap)
{
    size_t out = 0;
    for (size_t i = 0; i < src_len;) {
        size_t len = 0;
        while (i + len < src_len && src[i + len])
            len++;
        if (i + len >= src_len || out + len + 2 > cap)
            break;
        for (size_t k = 0; k <= len; k++)
            dst[out++] = src[i + k];
        i += len + 1;
    }
    dst[out] = 0;
    if (out + 1 < cap)
        dst[out + 1] = 0;
}

struct cursor {
    const uint8_t *blob;
    uint32_t pos;       // offset into the structure block
    uint32_t end;       // end of the structure block
    uint32_t strings;   // start of the strings block
    uint32_t strings_end;
};

// Per-node state: the properties a node contributes, seen before its first child.
struct node {
    const char *name;
    uint32_t addr_cells, size_cells;  // this node's, for its children
    const uint8_t *reg;
    uint32_t reg_len;
    const char *compatible;
    uint32_t compatible_len;
    const char *device_type;
    uint32_t irq;
    bool disabled;
    bool no_map;  // a /reserved-memory child the OS must not map (seL4 keeps it out of RAM)
    bool done;    // classified already
};

static bool read_u32(struct cursor *c, uint32_t *v)
{
    if (c->pos + 4 > c->end)
        return false;
    *v = be32(c->blob + c->pos);
    c->pos += 4;
    return true;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = v << 32 | be32(p + 4 * i);
    return v;
}

// Reads reg entry i; false when there is none (or the cell counts are silly).
static bool reg_entry(const struct node *parent, const struct node *n, uint32_t i,
                      struct fdt_region *r)
{
    uint32_t ac = parent->addr_cells, sc = parent->size_cells;
    if (ac < 1 || ac > 2 || sc > 2)
        return false;
    uint32_t entry = 4 * (ac + sc);
    if (!n->reg || (uint64_t)(i + 1) * entry > n->reg_len)
        return false;
    const uint8_t *p = n->reg + i * entry;
    r->base = read_cells(p, ac);
    r->size = sc ? read_cells(p + 4 * ac, sc) : 0;
    return true;
}

static int add_regions(const struct node *parent, const struct node *n,
                       struct fdt_region *arr, int *count, int max)
{
    struct fdt_region r;
    for (uint32_t i = 0; reg_entry(parent, n, i, &r); i++) {
        if (r.size == 0)
            continue;
        if (*count >= max)
            return FDT_ERR_FULL;
        arr[(*count)++] = r;
    }
    return FDT_OK;
}

// Decides what a node is once all its properties are known.
static int classify(struct node *stack, int depth, struct fdt_info *out)
{
    struct node *n = &stack[depth];
    if (n->done || depth == 0)
        return FDT_OK;
    n->done = true;
    struct node *parent = &stack[depth - 1];
    bool is_memory = n->device_type && str_eq(n->device_type, "memory");
    if (is_memory && !n->disabled)
        return add_regions(parent, n, out->mem, &out->n_mem, FDT_MAX_MEM);
    if (depth == 2 && name_is(parent->name, "reserved-memory")) {
        int first = out->n_resv, err = add_regions(parent, n, out->resv, &out->n_resv, FDT_MAX_RESV);
        for (int i = first; n->no_map && i < out->n_resv; i++)
            out->resv_nomap |= 1u << i;
        return err;
    }
    if (depth == 2 && name_is(parent->name, "cpus") && n->device_type &&
        str_eq(n->device_type, "cpu")) {
        struct fdt_region r;
        if (n->disabled || !reg_entry(parent, n, 0, &r))
            return FDT_OK;
        if (out->n_harts >= FDT_MAX_HARTS)
            return FDT_ERR_FULL;
        out->harts[out->n_harts++] = r.base;
        return FDT_OK;
    }
    struct fdt_region r;
    if (n->compatible && !n->disabled && reg_entry(parent, n, 0, &r) && r.size) {
        if (out->n_dev >= FDT_MAX_DEVS)
            return FDT_ERR_FULL;
        struct fdt_device *d = &out->dev[out->n_dev++];
        copy_str(d->name, n->name, FDT_NAME_LEN, FDT_NAME_LEN);
        copy_str_list(d->compatible, n->compatible, n->compatible_len, FDT_COMPAT_LEN);
        d->reg = r;
        d->irq = n->irq;
    }
    return FDT_OK;
}

static void take_prop(struct node *n, int depth, const char *pname, const uint8_t *val,
                      uint32_t len, struct fdt_info *out)
{
    bool terminated = len > 0 && val[len - 1] == 0;
    if (str_eq(pname, "#address-cells") && len == 4)
        n->addr_cells = be32(val);
    else if (str_eq(pname, "#size-cells") && len == 4)
        n->size_cells = be32(val);
    else if (str_eq(pname, "reg")) {
        n->reg = val;
        n->reg_len = len;
    } else if (str_eq(pname, "compatible") && terminated) {
        n->compatible = (const char *)val;
        n->compatible_len = len;
    } else if (str_eq(pname, "device_type") && terminated)
        n->device_type = (const char *)val;
    else if (str_eq(pname, "status") && terminated)
        n->disabled = !(str_eq((const char *)val, "okay") || str_eq((const char *)val, "ok"));
    else if (str_eq(pname, "no-map"))
        n->no_map = true;
    else if (str_eq(pname, "interrupts") && len >= 4)
        n->irq = be32(val);
    else if (str_eq(pname, "bootargs") && terminated && depth == 1 &&
             name_is(n->name, "chosen"))
        out->bootargs = (const char *)val;
    else if (str_eq(pname, "timebase-frequency") && depth == 1 && name_is(n->name, "cpus"))
        out->timebase_hz = len == 8 ? read_cells(val, 2) : len == 4 ? be32(val) : 0;
}

static int parse_memreserve(const uint8_t *b, uint32_t size, uint32_t off,
                            struct fdt_info *out)
{
    for (;; off += 16) {
        // Written so that no sum can wrap: the offset comes from the blob.
        if (off > size || size - off < 16)
            return FDT_ERR_TRUNCATED;
        uint64_t base = (uint64_t)be32(b + off) << 32 | be32(b + off + 4);
        uint64_t len = (uint64_t)be32(b + off + 8) << 32 | be32(b + off + 12);
        if (base == 0 && len == 0)
            return FDT_OK;
        if (out->n_resv >= FDT_MAX_RESV)
            return FDT_ERR_FULL;
        out->resv[out->n_resv++] = (struct fdt_region){base, len};
    }
}

int fdt_parse(const void *blob, uint64_t blob_size, struct fdt_info *out)
{
    const uint8_t *b = blob;
    *out = (struct fdt_info){0};
    if (blob_size < 40 || be32(b) != FDT_MAGIC)
        return FDT_ERR_MAGIC;
    uint32_t total = be32(b + 4);
    if (total > blob_size || total < 40)
        return FDT_ERR_TRUNCATED;
    if (be32(b + 20) < 16)
        return FDT_ERR_VERSION;
    uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings)
        return FDT_ERR_TRUNCATED;
    int err = parse_memreserve(b, total, be32(b + 16), out);
    if (err)
        return err;

    struct cursor c = {b, off_struct, off_struct + size_struct, off_strings,
                       off_strings + size_strings};
    struct node stack[MAX_DEPTH];
    int depth = -1;
    for (;;) {
        uint32_t tok;
        if (!read_u32(&c, &tok))
            return FDT_ERR_TRUNCATED;
        switch (tok) {
        case FDT_BEGIN_NODE: {
            if (depth >= 0 && (err = classify(stack, depth, out)))
                return err;
            if (++depth >= MAX_DEPTH)
                return FDT_ERR_STRUCTURE;
            const char *name = (const char *)b + c.pos;
            uint32_t len = 0;
            while (c.pos + len < c.end && name[len])
                len++;
            if (c.pos + len >= c.end)
                return FDT_ERR_TRUNCATED;
            c.pos = (c.pos + len + 1 + 3) & ~3u;
            // Defaults from the spec: 2 address cells and 1 size cell.
            stack[depth] = (struct node){.name = name, .addr_cells = 2, .size_cells = 1};
            break;
        }
        case FDT_END_NODE:
            if (depth < 0)
                return FDT_ERR_STRUCTURE;
            if ((err = classify(stack, depth, out)))
                return err;
            depth--;
            break;
        case FDT_PROP: {
            uint32_t len, nameoff;
            if (depth < 0)
                return FDT_ERR_STRUCTURE;
            if (!read_u32(&c, &len) || !read_u32(&c, &nameoff))
                return FDT_ERR_TRUNCATED;
            if (len > c.end - c.pos || nameoff >= c.strings_end - c.strings)
                return FDT_ERR_TRUNCATED;
            const char *pname = (const char *)b + c.strings + nameoff;
            // The property name must end inside the strings block.
            uint32_t i = 0;
            while (c.strings + nameoff + i < c.strings_end && pname[i])
                i++;
            if (c.strings + nameoff + i >= c.strings_end)
                return FDT_ERR_TRUNCATED;
            take_prop(&stack[depth], depth, pname, b + c.pos, len, out);
            c.pos = (c.pos + len + 3) & ~3u;
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            return depth == -1 ? FDT_OK : FDT_ERR_STRUCTURE;
        default:
            return FDT_ERR_STRUCTURE;
        }
    }
}

const struct fdt_device *fdt_find_compatible(const struct fdt_info *info, const char *compat)
{
    for (int i = 0; i < info->n_dev; i++)
        for (const char *c = info->dev[i].compatible; *c; c += strlen_bounded(c) + 1)
            if (str_eq(c, compat))
                return &info->dev[i];
    return NULL;
}
