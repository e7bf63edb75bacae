// Host unit tests for kernel/fdt.c: DTBs compiled by dtc from tests/host/fixtures,
// blobs written token by token (host_test.h) for what dtc will not produce, and
// truncated or corrupted blobs in buffers of exact size so that AddressSanitizer
// catches any read past the end.
#include "host_test.h"
#include "fdt.h"

#define FDT_TOK_BEGIN_NODE 1u
#define FDT_TOK_END_NODE   2u
#define FDT_TOK_PROP       3u
#define FDT_TOK_NOP        4u
#define FDT_TOK_END        9u

static void check_region(struct fdt_region r, uint64_t base, uint64_t size)
{
    assert_int_equal(r.base, base);
    assert_int_equal(r.size, size);
}

static void check_dev(const struct fdt_device *d, const char *name, const char *compat,
                      uint64_t base, uint64_t size, uint32_t irq)
{
    assert_string_equal(d->name, name);
    assert_string_equal(d->compatible, compat);
    check_region(d->reg, base, size);
    assert_int_equal(d->irq, irq);
}

// What any result must satisfy, whatever the input: counts within the arrays, strings
// terminated, bootargs inside the blob.
static void check_sane(const struct fdt_info *info, const uint8_t *blob, size_t size)
{
    assert_in_range(info->n_mem, 0, FDT_MAX_MEM);
    assert_in_range(info->n_resv, 0, FDT_MAX_RESV);
    assert_in_range(info->n_harts, 0, FDT_MAX_HARTS);
    assert_in_range(info->n_dev, 0, FDT_MAX_DEVS);
    for (int i = 0; i < info->n_dev; i++) {
        assert_non_null(memchr(info->dev[i].name, 0, FDT_NAME_LEN));
        assert_non_null(memchr(info->dev[i].compatible, 0, FDT_COMPAT_LEN));
    }
    if (info->bootargs) {
        const uint8_t *p = (const uint8_t *)info->bootargs;
        assert_true(p >= blob && p < blob + size);
        assert_non_null(memchr(p, 0, (size_t)(blob + size - p)));
    }
}

// Parses a copy of blob[0, size) held in a buffer of exactly size bytes. bootargs,
// which points into the blob, is redirected to a copy that outlives it.
static int parse_exact(const void *blob, size_t size, struct fdt_info *info)
{
    static char bootargs[4096];
    uint8_t *copy = exact_copy(blob, size);
    int err = fdt_parse(copy, size, info);
    if (err == FDT_OK)
        check_sane(info, copy, size);
    if (info->bootargs) {
        snprintf(bootargs, sizeof(bootargs), "%s", info->bootargs);
        info->bootargs = bootargs;
    }
    free(copy);
    return err;
}

// --- The QEMU-virt-like fixture --------------------------------------------------------

static void test_virt_fixture(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    struct fdt_info *info = malloc(sizeof(*info));
    assert_non_null(info);
    memset(info, 0xa5, sizeof(*info));  // fdt_parse must not rely on a zeroed output

    assert_int_equal(fdt_totalsize(blob), size);
    assert_int_equal(fdt_parse(blob, size, info), FDT_OK);
    check_sane(info, blob, size);

    // RAM: /memory@80000000.
    assert_int_equal(info->n_mem, 1);
    check_region(info->mem[0], 0x80000000, 0x40000000);

    // /memreserve/ entries first, then /reserved-memory children in tree order (the one
    // with a compatible is reserved memory, not a device).
    assert_int_equal(info->n_resv, 4);
    check_region(info->resv[0], 0x87e00000, 0x200000);
    check_region(info->resv[1], 0x100000000, 0x1000);
    check_region(info->resv[2], 0x80000000, 0x80000);
    check_region(info->resv[3], 0x90000000, 0x1000000);
    // Only OpenSBI's node is no-map: the CMA pool is reusable RAM.
    assert_int_equal(info->resv_nomap, 0x4);

    // cpu@2 is disabled; cpu@3 has no status, so it is enabled.
    assert_int_equal(info->n_harts, 3);
    assert_int_equal(info->harts[0], 0);
    assert_int_equal(info->harts[1], 1);
    assert_int_equal(info->harts[2], 3);

    assert_int_equal(info->timebase_hz, 10000000);
    assert_non_null(info->bootargs);
    assert_string_equal(info->bootargs, "console=ttyS0 al4.test=1");
    // It points into the blob, not at a copy.
    assert_true((const uint8_t *)info->bootargs > blob &&
                (const uint8_t *)info->bootargs < blob + size);

    // Devices in tree order: nodes with a compatible and a first reg entry of nonzero
    // size, not disabled, not memory, cpus or reserved memory. Not devices: /pmu and
    // /soc/localbus (no reg), the cpu interrupt controllers (no reg), the disabled
    // virtio_mmio@10002000, mailbox@40003000 (reg size 0).
    assert_int_equal(info->n_dev, 12);
    check_dev(&info->dev[0], "fw-cfg@10100000", "qemu,fw-cfg-mmio", 0x10100000, 0x18, 0);
    check_dev(&info->dev[1], "flash@20000000", "cfi-flash", 0x20000000, 0x2000000, 0);
    check_dev(&info->dev[2], "rtc@101000", "google,goldfish-rtc", 0x101000, 0x1000, 11);
    check_dev(&info->dev[3], "serial@10000000", "ns16550a", 0x10000000, 0x100, 10);
    check_dev(&info->dev[4], "test@100000", "sifive,test1", 0x100000, 0x1000, 0);
    check_dev(&info->dev[5], "virtio_mmio@10001000", "virtio,mmio", 0x10001000, 0x1000, 1);
    check_dev(&info->dev[6], "virtio_mmio@10003000", "virtio,mmio", 0x10003000, 0x1000, 3);
    check_dev(&info->dev[7], "plic@c000000", "sifive,plic-1.0.0", 0xc000000, 0x600000, 0);
    check_dev(&info->dev[8], "clint@2000000", "sifive,clint0", 0x2000000, 0x10000, 0);
    // Under the bus with #address-cells = #size-cells = 1.
    check_dev(&info->dev[9], "gpio@40001000", "acme,gpio", 0x40001000, 0x100, 33);
    check_dev(&info->dev[10], "accel@1200000000", "acme,accel", 0x1200000000,
              0x100000000, 40);
    // The name is cut to FDT_NAME_LEN - 1 characters; compatible strings are kept
    // whole while they fit in FDT_COMPAT_LEN.
    check_dev(&info->dev[11], "a-very-long-node-name-for-testi",
              "vendor-with-a-long-name,device-with-a-long-name", 0x50000000, 0x1000, 0);

    free(info);
    free(blob);
}

static void test_find_compatible(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    struct fdt_info *info = malloc(sizeof(*info));
    assert_non_null(info);
    assert_int_equal(fdt_parse(blob, size, info), FDT_OK);

    const struct fdt_device *uart = fdt_find_compatible(info, "ns16550a");
    assert_ptr_equal(uart, &info->dev[3]);
    assert_int_equal(uart->reg.base, 0x10000000);
    assert_int_equal(uart->irq, 10);
    // The first of several matches.
    assert_ptr_equal(fdt_find_compatible(info, "virtio,mmio"), &info->dev[5]);
    assert_ptr_equal(fdt_find_compatible(info, "sifive,plic-1.0.0"), &info->dev[7]);
    assert_ptr_equal(fdt_find_compatible(info, "acme,gpio"), &info->dev[9]);
    // Exact match only: no prefix, no longer string.
    assert_null(fdt_find_compatible(info, "ns16550"));
    assert_null(fdt_find_compatible(info, "ns16550a0"));
    assert_null(fdt_find_compatible(info, "NS16550A"));
    // Every compatible string of a node counts, not only the first.
    const struct fdt_device *plic = fdt_find_compatible(info, "riscv,plic0");
    assert_non_null(plic);
    assert_ptr_equal(plic, fdt_find_compatible(info, "sifive,plic-1.0.0"));
    // Not devices.
    assert_null(fdt_find_compatible(info, "acme,mailbox"));
    assert_null(fdt_find_compatible(info, "riscv,pmu"));
    assert_null(fdt_find_compatible(info, "riscv,cpu-intc"));
    assert_null(fdt_find_compatible(info, "shared-dma-pool"));
    assert_null(fdt_find_compatible(info, "simple-bus"));

    struct fdt_info empty = {0};
    assert_null(fdt_find_compatible(&empty, "ns16550a"));
    free(info);
    free(blob);
}

static void test_two_memory_nodes(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("twomem.dtb", &size);
    struct fdt_info info;
    assert_int_equal(parse_exact(blob, size, &info), FDT_OK);

    // Tree order; every reg entry of a node; the disabled node and size 0 skipped.
    assert_int_equal(info.n_mem, 3);
    check_region(info.mem[0], 0x100000000, 0x40000000);
    check_region(info.mem[1], 0x80000000, 0x20000000);
    check_region(info.mem[2], 0xa0000000, 0x10000000);

    // Tree order, not sorted; "fail" is not enabled, "ok" is.
    assert_int_equal(info.n_harts, 3);
    assert_int_equal(info.harts[0], 0x20);
    assert_int_equal(info.harts[1], 0x5);
    assert_int_equal(info.harts[2], 0x6);

    assert_int_equal(info.timebase_hz, 0x123456789);  // 64-bit property
    assert_null(info.bootargs);                        // no /chosen
    assert_int_equal(info.n_resv, 0);
    assert_int_equal(info.n_dev, 0);
    free(blob);
}

static void test_too_many_memory_nodes(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("toomanymem.dtb", &size);
    struct fdt_info info;
    assert_int_equal(parse_exact(blob, size, &info), FDT_ERR_FULL);
    free(blob);
}

// --- Header checks ------------------------------------------------------------------

static void test_bad_magic(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    struct fdt_info info;
    for (int byte = 0; byte < 4; byte++) {
        uint8_t *copy = exact_copy(blob, size);
        copy[byte] ^= 0x01;
        assert_int_equal(fdt_parse(copy, size, &info), FDT_ERR_MAGIC);
        free(copy);
    }
    // Little-endian magic is not a DTB either.
    uint8_t *copy = exact_copy(blob, size);
    put_be32(copy, 0xedfe0dd0);
    assert_int_equal(fdt_parse(copy, size, &info), FDT_ERR_MAGIC);
    free(copy);
    free(blob);
}

static void test_version(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    struct fdt_info info;
    put_be32(blob + FDTH_VERSION, 15);
    assert_int_equal(parse_exact(blob, size, &info), FDT_ERR_VERSION);
    put_be32(blob + FDTH_VERSION, 16);
    assert_int_equal(parse_exact(blob, size, &info), FDT_OK);
    assert_int_equal(info.n_harts, 3);
    free(blob);
}

// A valid blob followed by unrelated bytes: only totalsize bytes belong to it.
static void test_trailing_bytes(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    uint8_t *big = malloc(size + 4096);
    assert_non_null(big);
    memcpy(big, blob, size);
    memset(big + size, 0xff, 4096);
    struct fdt_info info;
    assert_int_equal(parse_exact(big, size + 4096, &info), FDT_OK);
    assert_int_equal(info.n_dev, 12);
    assert_int_equal(info.n_harts, 3);
    free(big);
    free(blob);
}

// Every prefix of a valid blob is rejected without reading past its end: once with the
// header's totalsize left as it is (larger than the buffer), once with totalsize
// rewritten to the truncated size (so the block offsets and sizes must be checked).
static void test_truncation(void **state)
{
    (void)state;
    const char *names[] = {"virt.dtb", "twomem.dtb"};
    for (size_t f = 0; f < ARRAY_SIZE(names); f++) {
        size_t size;
        uint8_t *blob = load_fixture(names[f], &size);
        // dtc puts the strings block last: cutting anything cuts into it.
        assert_int_equal(get_be32(blob + FDTH_OFF_STRINGS) + get_be32(blob + FDTH_SIZE_STRINGS),
                         size);
        struct fdt_info info;
        for (size_t n = 0; n < size; n++) {
            uint8_t *copy = exact_copy(blob, n);
            int err = fdt_parse(copy, n, &info);
            if (n < FDTH_SIZE)
                assert_int_equal(err, FDT_ERR_MAGIC);
            else
                assert_int_equal(err, FDT_ERR_TRUNCATED);
            if (n >= 8) {
                put_be32(copy + FDTH_TOTALSIZE, (uint32_t)n);
                err = fdt_parse(copy, n, &info);
                if (n < FDTH_SIZE)
                    assert_int_equal(err, FDT_ERR_MAGIC);
                else
                    assert_int_equal(err, FDT_ERR_TRUNCATED);
            }
            free(copy);
        }
        assert_int_equal(parse_exact(blob, size, &info), FDT_OK);
        free(blob);
    }
}

// A blob whose header fields point outside it.
static void test_header_offsets(void **state)
{
    (void)state;
    size_t size;
    uint8_t *blob = load_fixture("virt.dtb", &size);
    struct fdt_info info;
    const uint32_t total = (uint32_t)size;
    const uint32_t off_struct = get_be32(blob + FDTH_OFF_STRUCT);
    const uint32_t off_strings = get_be32(blob + FDTH_OFF_STRINGS);
    const struct {
        int field;
        uint32_t value;
    } cases[] = {
        {FDTH_TOTALSIZE, total + 1},
        {FDTH_TOTALSIZE, 0xffffffff},
        {FDTH_TOTALSIZE, 39},
        {FDTH_OFF_STRUCT, total + 1},
        {FDTH_OFF_STRUCT, 0xffffffff},
        {FDTH_SIZE_STRUCT, total - off_struct + 1},
        {FDTH_SIZE_STRUCT, 0xffffffff},
        {FDTH_OFF_STRINGS, total + 1},
        {FDTH_OFF_STRINGS, 0xffffffff},
        {FDTH_SIZE_STRINGS, total - off_strings + 1},
        {FDTH_SIZE_STRINGS, 0xfffffffc},
        {FDTH_OFF_MEMRSV, total - 8},    // the map runs past the end
        {FDTH_OFF_MEMRSV, total},
        {FDTH_OFF_MEMRSV, total + 64},
        {FDTH_SIZE_STRUCT, 8},           // ends before FDT_END
        {FDTH_SIZE_STRUCT, 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t *copy = exact_copy(blob, size);
        put_be32(copy + cases[i].field, cases[i].value);
        int err = fdt_parse(copy, size, &info);
        if (err != FDT_ERR_TRUNCATED)
            fail_msg("case %zu (field %d = %#x): got %d", i, cases[i].field,
                     cases[i].value, err);
        free(copy);
    }
    // The strings block shrunk so that a property name starts past its end.
    uint8_t *copy = exact_copy(blob, size);
    put_be32(copy + FDTH_SIZE_STRINGS, 1);
    assert_int_equal(fdt_parse(copy, size, &info), FDT_ERR_TRUNCATED);
    free(copy);
    free(blob);
}

// Known bug (kernel/fdt.c, parse_memreserve): `off + 16 > size` is computed in 32 bits,
// so an off_mem_rsvmap within 16 bytes of 2^32 wraps around, passes the check, and the
// entry is read about 4 GiB past the blob. Run in a child: the read crashes.
static int parse_memrsv_near_4g(void *arg)
{
    uint32_t off = *(uint32_t *)arg;
    struct fdtw *w = fdtw_new();
    fdtw_begin(w, "");
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    uint32_t size;
    uint8_t *blob = fdtw_finish(w, &size);
    put_be32(blob + FDTH_OFF_MEMRSV, off);
    struct fdt_info info;
    int err = fdt_parse(blob, size, &info);
    free(blob);
    return err == FDT_ERR_TRUNCATED ? 0 : 1;
}

static void test_memrsv_offset_overflow(void **state)
{
    (void)state;
    const uint32_t offsets[] = {0xfffffff0, 0xfffffff8, 0xfffffffc, 0xffffffff};
    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        uint32_t off = offsets[i];
        int status = run_in_child(parse_memrsv_near_4g, &off);
        if (status != 0)
            fail_msg("off_mem_rsvmap = %#x: child status %d (want FDT_ERR_TRUNCATED)", off,
                     status);
    }
}

// --- Structure block: written token by token ----------------------------------------

// A minimal valid tree: / { #address-cells = 2; #size-cells = 2; cpus { ... } }.
static void fdtw_root(struct fdtw *w)
{
    fdtw_begin(w, "");
    fdtw_prop_cells(w, "#address-cells", 1, 2);
    fdtw_prop_cells(w, "#size-cells", 1, 2);
}

static void fdtw_memory(struct fdtw *w, uint64_t base, uint64_t size)
{
    char name[48];
    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
    fdtw_begin(w, name);
    fdtw_prop_str(w, "device_type", "memory");
    fdtw_prop_cells(w, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
                    (uint32_t)(size >> 32), (uint32_t)size);
    fdtw_end(w);
}

static int parse_written(struct fdtw *w, struct fdt_info *info)
{
    uint32_t size;
    uint8_t *blob = fdtw_finish(w, &size);
    int err = parse_exact(blob, size, info);
    free(blob);
    return err;
}

static void test_writer_sanity(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_memreserve(w, 0x1000, 0x2000);
    fdtw_root(w);
    fdtw_memory(w, 0x80000000, 0x1000000);
    fdtw_begin(w, "chosen");
    fdtw_prop_str(w, "bootargs", "hello");
    fdtw_end(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_OK);
    assert_int_equal(info.n_mem, 1);
    check_region(info.mem[0], 0x80000000, 0x1000000);
    assert_int_equal(info.n_resv, 1);
    check_region(info.resv[0], 0x1000, 0x2000);
    assert_non_null(info.bootargs);
    assert_string_equal(info.bootargs, "hello");
}

static void test_nop_tokens(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_root(w);
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_memory(w, 0x80000000, 0x1000000);
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_begin(w, "cpus");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_prop_cells(w, "#size-cells", 1, 0);
    fdtw_begin(w, "cpu@4");
    fdtw_prop_str(w, "device_type", "cpu");
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_prop_cells(w, "reg", 1, 4);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_NOP);
    fdtw_token(w, FDT_TOK_END);
    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_OK);
    assert_int_equal(info.n_mem, 1);
    assert_int_equal(info.n_harts, 1);
    assert_int_equal(info.harts[0], 4);
}

static void test_unbalanced_end_node(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_memory(w, 0x80000000, 0x1000000);
    fdtw_end(w);
    fdtw_end(w);  // one too many
    fdtw_token(w, FDT_TOK_END);
    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_ERR_STRUCTURE);

    // END_NODE before any node.
    w = fdtw_new();
    fdtw_end(w);
    fdtw_root(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    assert_int_equal(parse_written(w, &info), FDT_ERR_STRUCTURE);
}

static void test_missing_end_node(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_begin(w, "soc");
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);  // the root is still open
    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_ERR_STRUCTURE);
}

static void test_bad_tokens(void **state)
{
    (void)state;
    struct fdt_info info;
    const uint32_t bad[] = {0, 5, 6, 7, 8, 10, 0x01000000, 0xffffffff};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct fdtw *w = fdtw_new();
        fdtw_root(w);
        fdtw_token(w, bad[i]);
        fdtw_end(w);
        fdtw_token(w, FDT_TOK_END);
        assert_int_equal(parse_written(w, &info), FDT_ERR_STRUCTURE);
    }
    // A property outside any node.
    struct fdtw *w = fdtw_new();
    fdtw_prop_str(w, "model", "x");
    fdtw_root(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    assert_int_equal(parse_written(w, &info), FDT_ERR_STRUCTURE);
}

static void test_nesting_depth(void **state)
{
    (void)state;
    struct fdt_info info;
    for (int levels = 1; levels <= 20; levels++) {
        struct fdtw *w = fdtw_new();
        for (int i = 0; i < levels; i++)
            fdtw_begin(w, i ? "n" : "");
        for (int i = 0; i < levels; i++)
            fdtw_end(w);
        fdtw_token(w, FDT_TOK_END);
        int err = parse_written(w, &info);
        // The parser keeps 16 levels (the root and 15 below it).
        assert_int_equal(err, levels <= 16 ? FDT_OK : FDT_ERR_STRUCTURE);
    }
}

// The structure block ends in the middle of a token, a name or a property.
static void test_struct_block_overruns(void **state)
{
    (void)state;
    struct fdt_info info;
    // No FDT_END at all.
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_end(w);
    assert_int_equal(parse_written(w, &info), FDT_ERR_TRUNCATED);

    // A node name without its NUL at the end of the block. No properties, so the
    // strings block is empty and the structure block ends the buffer.
    w = fdtw_new();
    fdtw_begin(w, "");
    fdtw_token(w, FDT_TOK_BEGIN_NODE);
    fdtw_bytes(w, "abcd", 4);
    assert_int_equal(parse_written(w, &info), FDT_ERR_TRUNCATED);

    // Properties longer than what is left of the block (and of the buffer), of the
    // kinds whose values are looked at.
    const char *props[] = {"model", "compatible", "bootargs", "status", "reg",
                           "interrupts", "#address-cells", "timebase-frequency"};
    const char *nodes[] = {"", "chosen", "cpus"};
    for (size_t n = 0; n < ARRAY_SIZE(nodes); n++)
        for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
            const uint32_t lens[] = {4, 8, 64, 0x7fffffff, 0xfffffff0, 0xffffffff};
            for (size_t j = 0; j < ARRAY_SIZE(lens); j++) {
                w = fdtw_new();
                fdtw_begin(w, "");
                if (*nodes[n])
                    fdtw_begin(w, nodes[n]);
                uint32_t nameoff = fdtw_string(w, props[i]);
                // The strings block goes after the structure block: put the string
                // first and the property last, so the value runs off the buffer.
                fdtw_token(w, FDT_TOK_PROP);
                fdtw_token(w, lens[j]);
                fdtw_token(w, nameoff);
                uint32_t size;
                uint8_t *blob = fdtw_finish(w, &size);
                // Move the strings block before the structure block (which must stay
                // 4-byte aligned).
                uint32_t off_struct = get_be32(blob + FDTH_OFF_STRUCT);
                uint32_t size_struct = get_be32(blob + FDTH_SIZE_STRUCT);
                uint32_t size_strings = get_be32(blob + FDTH_SIZE_STRINGS);
                uint32_t gap = (uint32_t)ROUND_UP(size_strings, 2);
                uint32_t total = off_struct + gap + size_struct;
                uint8_t *moved = calloc(1, total);
                assert_non_null(moved);
                memcpy(moved, blob, off_struct);
                memcpy(moved + off_struct, blob + off_struct + size_struct, size_strings);
                memcpy(moved + off_struct + gap, blob + off_struct, size_struct);
                put_be32(moved + FDTH_TOTALSIZE, total);
                put_be32(moved + FDTH_OFF_STRINGS, off_struct);
                put_be32(moved + FDTH_OFF_STRUCT, off_struct + gap);
                int err = fdt_parse(moved, total, &info);
                if (err != FDT_ERR_TRUNCATED)
                    fail_msg("%s in \"%s\", length %#x: %d", props[i], nodes[n], lens[j], err);
                free(moved);
                free(blob);
            }
        }

    // A property header cut short.
    w = fdtw_new();
    fdtw_root(w);
    fdtw_token(w, FDT_TOK_PROP);
    fdtw_token(w, 4);
    assert_int_equal(parse_written(w, &info), FDT_ERR_TRUNCATED);

    // Name offsets past the strings block, including ones that wrap around 2^32 when
    // added to the block's offset.
    for (int k = 0; k < 6; k++) {
        w = fdtw_new();
        fdtw_root(w);
        fdtw_token(w, FDT_TOK_PROP);
        fdtw_token(w, 0);
        uint32_t at = w->st_len;
        fdtw_token(w, 0);
        fdtw_end(w);
        fdtw_token(w, FDT_TOK_END);
        uint32_t size;
        uint8_t *blob = fdtw_finish(w, &size);
        uint32_t off_strings = get_be32(blob + FDTH_OFF_STRINGS);
        uint32_t size_strings = get_be32(blob + FDTH_SIZE_STRINGS);
        const uint32_t nameoffs[] = {size_strings, 0x10000, 0xffffffff, -off_strings,
                                     -off_strings + 1, -off_strings - 1};
        put_be32(blob + get_be32(blob + FDTH_OFF_STRUCT) + at, nameoffs[k]);
        assert_int_equal(parse_exact(blob, size, &info), FDT_ERR_TRUNCATED);
        free(blob);
    }
}

// A property name that runs to the end of the strings block without a NUL.
static void test_unterminated_property_name(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    uint32_t size;
    uint8_t *blob = fdtw_finish(w, &size);
    // The strings block is "#address-cells\0#size-cells\0": drop its final NUL.
    uint32_t strings = get_be32(blob + FDTH_SIZE_STRINGS);
    assert_int_equal(blob[get_be32(blob + FDTH_OFF_STRINGS) + strings - 1], 0);
    put_be32(blob + FDTH_SIZE_STRINGS, strings - 1);
    struct fdt_info info;
    assert_int_equal(parse_exact(blob, size, &info), FDT_ERR_TRUNCATED);
    free(blob);
}

// Properties with values of the wrong shape are ignored, never read past.
static void test_malformed_properties(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    // Not NUL-terminated: ignored.
    fdtw_begin(w, "chosen");
    fdtw_prop(w, "bootargs", "abc", 3);
    fdtw_end(w);
    fdtw_begin(w, "cpus");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 0);
    fdtw_prop(w, "timebase-frequency", "\1\2\3", 3);  // neither 4 nor 8 bytes
    fdtw_begin(w, "cpu@1");
    fdtw_prop_str(w, "device_type", "cpu");
    fdtw_prop(w, "reg", "\0\0", 2);  // shorter than one cell: no hart id
    fdtw_end(w);
    fdtw_begin(w, "cpu@2");
    fdtw_prop_str(w, "device_type", "cpu");
    fdtw_prop_cells(w, "reg", 1, 2);
    fdtw_prop(w, "status", "disabled", 8);  // no NUL: ignored, so enabled
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "bus");
    fdtw_prop_cells(w, "#address-cells", 1, 3);  // 3 address cells: reg not understood
    fdtw_prop_cells(w, "#size-cells", 1, 2);
    fdtw_begin(w, "dev@0");
    fdtw_prop_str(w, "compatible", "acme,three");
    fdtw_prop_cells(w, "reg", 5, 0, 0, 0x1000, 0, 0x1000);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "bus2");
    fdtw_prop(w, "#address-cells", "\0\0\0\1\0", 5);  // not 4 bytes: default 2 kept
    fdtw_prop_cells(w, "#size-cells", 1, 3);           // 3 size cells: not understood
    fdtw_begin(w, "dev@0");
    fdtw_prop_str(w, "compatible", "acme,bigsize");
    fdtw_prop_cells(w, "reg", 5, 0, 0x1000, 0, 0, 0x1000);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "dev@2000");
    fdtw_prop(w, "compatible", "acme,nonul", 10);  // no NUL: no compatible
    fdtw_prop_cells(w, "reg", 4, 0, 0x2000, 0, 0x100);
    fdtw_end(w);
    fdtw_begin(w, "dev@3000");
    fdtw_prop_str(w, "compatible", "acme,ok");
    fdtw_prop_cells(w, "reg", 3, 0, 0x3000, 0);  // shorter than one entry
    fdtw_end(w);
    fdtw_begin(w, "dev@4000");
    fdtw_prop_str(w, "compatible", "acme,ok");
    fdtw_prop_cells(w, "reg", 4, 0, 0x4000, 0, 0x100);
    fdtw_prop(w, "interrupts", "\0\0\7", 3);  // shorter than a cell: irq 0
    fdtw_end(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);

    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_OK);
    assert_null(info.bootargs);
    assert_int_equal(info.timebase_hz, 0);
    assert_int_equal(info.n_harts, 1);
    assert_int_equal(info.harts[0], 2);
    assert_int_equal(info.n_dev, 1);
    check_dev(&info.dev[0], "dev@4000", "acme,ok", 0x4000, 0x100, 0);
}

// Which node a fact comes from: timebase only in /cpus, hart
// ids only from /cpus/<device_type "cpu">, RAM by device_type (not by name), reserved
// memory only from direct children of /reserved-memory.
static void test_node_scoping(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_prop_cells(w, "timebase-frequency", 1, 111);
    fdtw_begin(w, "soc");  // default cells: 2 address, 1 size
    fdtw_begin(w, "cpus");
    fdtw_prop_cells(w, "timebase-frequency", 1, 222);
    fdtw_end(w);
    fdtw_begin(w, "reserved-memory");
    fdtw_begin(w, "r@1000");  // below /soc/reserved-memory: not reserved
    fdtw_prop_cells(w, "reg", 3, 0, 0x1000, 0x1000);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_end(w);
    // Named memory, but no device_type: not RAM (and no compatible: nothing).
    fdtw_begin(w, "memory@40000000");
    fdtw_prop_cells(w, "reg", 4, 0, 0x40000000, 0, 0x1000);
    fdtw_end(w);
    // device_type memory under another name, below a bus with 1+1 cells.
    fdtw_begin(w, "bus");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 1);
    fdtw_begin(w, "ram@90000000");
    fdtw_prop_str(w, "device_type", "memory");
    fdtw_prop_cells(w, "reg", 4, 0x90000000, 0x100000, 0x98000000, 0x200000);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "cpus");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 0);
    fdtw_prop_cells(w, "timebase-frequency", 1, 333);
    fdtw_begin(w, "cpu@9");
    fdtw_prop_str(w, "device_type", "cpu");
    fdtw_prop_cells(w, "reg", 1, 9);
    fdtw_end(w);
    fdtw_begin(w, "cpu@a");  // no device_type "cpu": not a hart
    fdtw_prop_cells(w, "reg", 1, 10);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "cluster");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 0);
    fdtw_begin(w, "cpu@b");  // device_type "cpu", but not under /cpus
    fdtw_prop_str(w, "device_type", "cpu");
    fdtw_prop_cells(w, "reg", 1, 11);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "reserved-memory");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 1);
    fdtw_begin(w, "a@2000");
    fdtw_prop_cells(w, "#address-cells", 1, 1);
    fdtw_prop_cells(w, "#size-cells", 1, 1);
    fdtw_prop_cells(w, "reg", 2, 0x2000, 0x100);
    fdtw_begin(w, "grandchild@3000");  // not a direct child
    fdtw_prop_cells(w, "reg", 2, 0x3000, 0x100);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);

    struct fdt_info info;
    assert_int_equal(parse_written(w, &info), FDT_OK);
    assert_int_equal(info.timebase_hz, 333);
    assert_int_equal(info.n_mem, 2);
    check_region(info.mem[0], 0x90000000, 0x100000);
    check_region(info.mem[1], 0x98000000, 0x200000);
    assert_int_equal(info.n_harts, 1);
    assert_int_equal(info.harts[0], 9);
    assert_int_equal(info.n_resv, 1);
    check_region(info.resv[0], 0x2000, 0x100);
    assert_int_equal(info.n_dev, 0);
}

static void test_bootargs_only_from_chosen(void **state)
{
    (void)state;
    struct fdtw *w = fdtw_new();
    fdtw_root(w);
    fdtw_prop_str(w, "bootargs", "root-level");
    fdtw_begin(w, "soc");
    fdtw_begin(w, "chosen");
    fdtw_prop_str(w, "bootargs", "nested chosen");
    fdtw_end(w);
    fdtw_end(w);
    fdtw_begin(w, "chosenx");
    fdtw_prop_str(w, "bootargs", "not chosen");
    fdtw_end(w);
    fdtw_begin(w, "chosen@0");
    fdtw_prop_str(w, "bootargs", "the real one");
    fdtw_end(w);
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    uint32_t size;
    uint8_t *blob = fdtw_finish(w, &size);
    struct fdt_info info;
    assert_int_equal(fdt_parse(blob, size, &info), FDT_OK);
    assert_non_null(info.bootargs);
    assert_string_equal(info.bootargs, "the real one");
    free(blob);
}

// Each table's capacity is usable, one more entry is FDT_ERR_FULL.
static int parse_with_n(int kind, int n)
{
    struct fdtw *w = fdtw_new();
    if (kind == 0)
        for (int i = 0; i < n; i++)
            fdtw_memreserve(w, 0x1000 * (uint64_t)(i + 1), 0x1000);
    fdtw_root(w);
    if (kind == 1)
        for (int i = 0; i < n; i++)
            fdtw_memory(w, 0x80000000 + 0x1000000 * (uint64_t)i, 0x1000000);
    if (kind == 2) {
        fdtw_begin(w, "cpus");
        fdtw_prop_cells(w, "#address-cells", 1, 1);
        fdtw_prop_cells(w, "#size-cells", 1, 0);
        for (int i = 0; i < n; i++) {
            fdtw_begin(w, "cpu");
            fdtw_prop_str(w, "device_type", "cpu");
            fdtw_prop_cells(w, "reg", 1, i);
            fdtw_end(w);
        }
        fdtw_end(w);
    }
    if (kind == 3)
        for (int i = 0; i < n; i++) {
            fdtw_begin(w, "dev");
            fdtw_prop_str(w, "compatible", "acme,dev");
            fdtw_prop_cells(w, "reg", 4, 0, 0x10000000 + 0x1000 * i, 0, 0x1000);
            fdtw_end(w);
        }
    if (kind == 4) {
        // Half in /memreserve/, half in /reserved-memory: one shared table.
        for (int i = 0; i < n / 2; i++)
            fdtw_memreserve(w, 0x1000 * (uint64_t)(i + 1), 0x1000);
        fdtw_begin(w, "reserved-memory");
        fdtw_prop_cells(w, "#address-cells", 1, 2);
        fdtw_prop_cells(w, "#size-cells", 1, 2);
        for (int i = n / 2; i < n; i++) {
            fdtw_begin(w, "r");
            fdtw_prop_cells(w, "reg", 4, 0, 0x1000 * (i + 1), 0, 0x1000);
            fdtw_end(w);
        }
        fdtw_end(w);
    }
    fdtw_end(w);
    fdtw_token(w, FDT_TOK_END);
    struct fdt_info info;
    int err = parse_written(w, &info);
    if (err == FDT_OK) {
        int got[] = {info.n_resv, info.n_mem, info.n_harts, info.n_dev, info.n_resv};
        assert_int_equal(got[kind], n);
        if (kind == 2)
            for (int i = 0; i < n; i++)
                assert_int_equal(info.harts[i], i);
    }
    return err;
}

static void test_tables_full(void **state)
{
    (void)state;
    const int cap[] = {FDT_MAX_RESV, FDT_MAX_MEM, FDT_MAX_HARTS, FDT_MAX_DEVS, FDT_MAX_RESV};
    for (int kind = 0; kind < 5; kind++) {
        assert_int_equal(parse_with_n(kind, cap[kind]), FDT_OK);
        assert_int_equal(parse_with_n(kind, cap[kind] + 1), FDT_ERR_FULL);
    }
}

// --- Corruption ---------------------------------------------------------------------

// Flips random bytes within [lo, hi) of a copy of the fixture, thousands of times. Any
// result is fine as long as the parser returns (no crash, no read past the buffer:
// AddressSanitizer) and a successful result is self-consistent.
static void fuzz_range(const char *fixture, uint64_t seed, int iterations, bool in_struct)
{
    size_t size;
    uint8_t *blob = load_fixture(fixture, &size);
    uint32_t lo = FDTH_SIZE, hi = (uint32_t)size;
    if (in_struct) {
        lo = get_be32(blob + FDTH_OFF_STRUCT);
        hi = lo + get_be32(blob + FDTH_SIZE_STRUCT);
    }
    uint64_t rng = seed;
    int ok = 0, failed = 0;
    struct fdt_info info;
    for (int it = 0; it < iterations; it++) {
        uint8_t *copy = exact_copy(blob, size);
        int flips = 1 + (int)rng_below(&rng, 4);
        for (int i = 0; i < flips; i++)
            copy[lo + rng_below(&rng, hi - lo)] ^= (uint8_t)(1 + rng_below(&rng, 255));
        int err = fdt_parse(copy, size, &info);
        if (err == FDT_OK) {
            check_sane(&info, copy, size);
            ok++;
        } else {
            assert_in_range(err, FDT_ERR_FULL, FDT_ERR_MAGIC);
            failed++;
        }
        free(copy);
    }
    // The corruption must have exercised both outcomes.
    assert_true(ok > 0);
    assert_true(failed > 0);
    free(blob);
}

static void test_fuzz_struct_block(void **state)
{
    (void)state;
    fuzz_range("virt.dtb", 0x5eed0001, 4000, true);
    fuzz_range("twomem.dtb", 0x5eed0002, 2000, true);
}

static void test_fuzz_whole_blob(void **state)
{
    (void)state;
    fuzz_range("virt.dtb", 0x5eed0003, 4000, false);
}

// --- The real thing ---------------------------------------------------------------

// With QEMU=/path/to/qemu-system-riscv64 in the environment, dumps QEMU's own virt DTB
// and checks what the kernel relies on.
static void test_qemu_virt_dtb(void **state)
{
    (void)state;
    const char *qemu = getenv("QEMU");
    if (!qemu || !*qemu)
        skip();
    char path[] = "/tmp/al4-virt-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char cmd[2048];
    // -bios none: QEMU would otherwise look for firmware it does not need for this.
    snprintf(cmd, sizeof(cmd),
             "'%s' -machine virt,dumpdtb=%s -smp 4 -m 1G -nographic -bios none "
             ">/dev/null 2>&1",
             qemu, path);
    int rc = system(cmd);
    size_t size = 0;
    uint8_t *blob = rc == 0 ? read_whole_file(path, &size) : NULL;
    unlink(path);
    if (!blob)
        fail_msg("`%s` failed (status %d)", cmd, rc);

    struct fdt_info *info = malloc(sizeof(*info));
    assert_non_null(info);
    assert_int_equal(fdt_parse(blob, size, info), FDT_OK);
    check_sane(info, blob, size);
    assert_int_equal(info->n_harts, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(info->harts[i], i);
    assert_int_equal(info->n_mem, 1);
    check_region(info->mem[0], 0x80000000, 1ull << 30);
    assert_int_equal(info->timebase_hz, 10000000);
    const struct fdt_device *uart = fdt_find_compatible(info, "ns16550a");
    assert_non_null(uart);
    check_region(uart->reg, 0x10000000, 0x100);
    assert_int_equal(uart->irq, 10);
    const struct fdt_device *plic = fdt_find_compatible(info, "sifive,plic-1.0.0");
    assert_non_null(plic);
    assert_int_equal(plic->reg.base, 0xc000000);
    const struct fdt_device *clint = fdt_find_compatible(info, "sifive,clint0");
    assert_non_null(clint);
    assert_int_equal(clint->reg.base, 0x2000000);
    free(info);
    free(blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virt_fixture),
        cmocka_unit_test(test_find_compatible),
        cmocka_unit_test(test_two_memory_nodes),
        cmocka_unit_test(test_too_many_memory_nodes),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_header_offsets),
        cmocka_unit_test(test_memrsv_offset_overflow),
        cmocka_unit_test(test_writer_sanity),
        cmocka_unit_test(test_nop_tokens),
        cmocka_unit_test(test_unbalanced_end_node),
        cmocka_unit_test(test_missing_end_node),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_nesting_depth),
        cmocka_unit_test(test_struct_block_overruns),
        cmocka_unit_test(test_unterminated_property_name),
        cmocka_unit_test(test_malformed_properties),
        cmocka_unit_test(test_node_scoping),
        cmocka_unit_test(test_bootargs_only_from_chosen),
        cmocka_unit_test(test_tables_full),
        cmocka_unit_test(test_fuzz_struct_block),
        cmocka_unit_test(test_fuzz_whole_blob),
        cmocka_unit_test(test_qemu_virt_dtb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
