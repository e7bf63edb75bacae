// The untyped list against seL4 15.0.0's rules (docs/boot.md), on the DTB fixtures:
// kernel/boot/untyped_list.c (with regions.c and fdt.c) gives the list; a model
// written here from seL4's boot code, sharing no code with it, says what seL4 would
// hand out for the same DTB and images. The two must agree entry by entry.
#include "host_test.h"
#include "fdt_fixture.h"
#include "untyped_list.h"

#define WINDOW_TOP 0x3F80000000ul  // seL4's PADDR_TOP on Sv39: 254 GiB
#define MAXPTS 4096

// --- The model -------------------------------------------------------------------
// Every address below 2^39 is one of: free RAM, device space, or kept (the kernel's
// images, its devices). Boundaries of every input region cut the address space into
// pieces of one kind each.

enum kind { KEPT, RAM, DEVICE };

struct model_in {
    const struct fdt_info *fdt;
    struct region images[3];  // kernel, user image, DTB
};

static bool inside(paddr_t a, paddr_t start, paddr_t end)
{
    return a >= start && a < end;
}

// seL4's avail_p_regs: memory nodes, minus no-map reserved memory, minus the SBI's
// first 2 MiB of the lowest node, below the kernel window's end.
static bool model_avail(const struct fdt_info *f, paddr_t a)
{
    paddr_t lowest = ~0ul;
    bool mem = false;
    for (int i = 0; i < f->n_mem; i++) {
        lowest = f->mem[i].base < lowest ? f->mem[i].base : lowest;
        mem |= inside(a, f->mem[i].base, f->mem[i].base + f->mem[i].size);
    }
    for (int i = 0; i < f->n_resv; i++)
        if (f->resv_nomap >> i & 1)
            mem &= !inside(a, f->resv[i].base, f->resv[i].base + f->resv[i].size);
    return mem && !inside(a, lowest, lowest + 0x200000) && a < WINDOW_TOP;
}

// hardware.yml: the PLIC (riscv,plic0, at most 64 MiB) and the CLINT, each in whole
// 2 MiB frames from its base.
static bool model_kernel_device(const struct fdt_info *f, paddr_t a)
{
    for (int i = 0; i < f->n_dev; i++) {
        const struct fdt_device *d = &f->dev[i];
        const char *c = d->compatible;
        bool plic = false, clint = false;
        for (const char *s = c; s < c + sizeof(d->compatible) && *s; s += strlen(s) + 1) {
            plic |= !strcmp(s, "riscv,plic0") || !strcmp(s, "sifive,plic-1.0.0");
            clint |= !strcmp(s, "riscv,clint0") || !strcmp(s, "sifive,clint0");
        }
        paddr_t size = plic ? (d->reg.size < 0x4000000 ? d->reg.size : 0x4000000) : 0x200000;
        paddr_t start = d->reg.base & ~0x1ffffful, end = (d->reg.base + size + 0x1fffff) & ~0x1ffffful;
        if ((plic || clint) && inside(a, start, end))
            return true;
    }
    return false;
}

static enum kind model_kind(const struct model_in *in, paddr_t a)
{
    for (int i = 0; i < 3; i++)
        if (inside(a, in->images[i].start, in->images[i].end))
            return KEPT;
    if (model_avail(in->fdt, a))
        return RAM;
    return model_kernel_device(in->fdt, a) ? KEPT : DEVICE;
}

static int add_pt(paddr_t *pts, int n, paddr_t p)
{
    if (p > BIT(39))
        p = BIT(39);
    assert_true(n < MAXPTS);
    pts[n] = p;
    return n + 1;
}

static int cmp_paddr(const void *a, const void *b)
{
    paddr_t x = *(const paddr_t *)a, y = *(const paddr_t *)b;
    return x < y ? -1 : x > y;
}

// seL4's create_untypeds_for_region: the largest block the start's alignment and the
// remaining size allow, at most 2^38; pieces under 16 bytes are skipped.
static int model_carve(paddr_t start, paddr_t end, bool device, seL4_UntypedDesc *out, int n)
{
    while (start < end) {
        unsigned bits = 63 - __builtin_clzl(end - start);
        bits = bits > 38 ? 38 : bits;
        if (start && (unsigned)__builtin_ctzl(start) < bits)
            bits = __builtin_ctzl(start);
        if (bits >= 4) {
            assert_true(n < 4096);
            out[n++] = (seL4_UntypedDesc){.paddr = start, .sizeBits = bits, .isDevice = device};
        }
        start += BIT(bits);
    }
    return n;
}

// All device runs in address order, then all RAM runs (seL4's create_untypeds).
static int model_untypeds(const struct model_in *in, seL4_UntypedDesc *out)
{
    paddr_t pts[MAXPTS];
    int np = 0;
    const struct fdt_info *f = in->fdt;
    np = add_pt(pts, np, 0);
    np = add_pt(pts, np, BIT(39));
    np = add_pt(pts, np, WINDOW_TOP);
    for (int i = 0; i < f->n_mem; i++) {
        np = add_pt(pts, np, f->mem[i].base);
        np = add_pt(pts, np, f->mem[i].base + f->mem[i].size);
        np = add_pt(pts, np, f->mem[i].base + 0x200000);
    }
    for (int i = 0; i < f->n_resv; i++) {
        np = add_pt(pts, np, f->resv[i].base);
        np = add_pt(pts, np, f->resv[i].base + f->resv[i].size);
    }
    for (int i = 0; i < f->n_dev; i++)
        for (paddr_t p = f->dev[i].reg.base & ~0x1ffffful; p <= f->dev[i].reg.base + 0x4000000;
             p += 0x200000)
            np = add_pt(pts, np, p);
    for (int i = 0; i < 3; i++) {
        np = add_pt(pts, np, in->images[i].start);
        np = add_pt(pts, np, in->images[i].end);
    }
    qsort(pts, np, sizeof(pts[0]), cmp_paddr);
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        enum kind want = pass == 0 ? DEVICE : RAM;
        paddr_t run = 0;
        bool in_run = false;
        for (int i = 0; i + 1 < np; i++) {
            if (pts[i] == pts[i + 1])
                continue;
            bool match = model_kind(in, pts[i]) == want;
            if (match && !in_run) {
                run = pts[i];
                in_run = true;
            } else if (!match && in_run) {
                n = model_carve(run, pts[i], want == DEVICE, out, n);
                in_run = false;
            }
        }
        if (in_run)
            n = model_carve(run, pts[np - 1], want == DEVICE, out, n);
    }
    return n;
}

// --- aL4 ---------------------------------------------------------------------------

static int al4_untypeds(const struct model_in *in, seL4_UntypedDesc *out, int max, int *dropped)
{
    struct boot_images img = {in->images[0], in->images[1], in->images[2]};
    struct region_list avail, ram, dev;
    assert_true(avail_ram(in->fdt, WINDOW_TOP, &avail));
    assert_true(free_ram(&avail, &img, &ram));
    assert_true(device_regions(in->fdt, &avail, &img, &dev));
    return build_untyped_list(&ram, &dev, out, max, dropped);
}

static void print_list(const char *what, const seL4_UntypedDesc *l, int n)
{
    print_error("%s: %d untypeds\n", what, n);
    for (int i = 0; i < n; i++)
        print_error("  %#14lx %2u %s\n", (unsigned long)l[i].paddr, l[i].sizeBits,
                    l[i].isDevice ? "device" : "RAM");
}

// The rules, checked on the list itself (a mistake shared by model and code would
// still have to pass these).
static void check_rules(const struct model_in *in, const seL4_UntypedDesc *l, int n)
{
    bool ram_seen = false;
    for (int i = 0; i < n; i++) {
        paddr_t s = l[i].paddr, e = s + BIT(l[i].sizeBits);
        assert_in_range(l[i].sizeBits, seL4_MinUntypedBits, seL4_MaxUntypedBits);
        assert_int_equal(s % BIT(l[i].sizeBits), 0);
        assert_true(e <= BIT(39));
        if (i > 0 && l[i].isDevice == l[i - 1].isDevice)
            assert_true(s >= l[i - 1].paddr + BIT(l[i - 1].sizeBits));
        ram_seen |= !l[i].isDevice;
        assert_false(l[i].isDevice && ram_seen);  // devices first
        for (int k = 0; k < 3; k++)
            assert_false(s < in->images[k].end && in->images[k].start < e);
        // Both ends are of the untyped's own kind.
        enum kind want = l[i].isDevice ? DEVICE : RAM;
        assert_int_equal(model_kind(in, s), want);
        assert_int_equal(model_kind(in, e - 1), want);
        if (!l[i].isDevice)
            assert_true(e <= WINDOW_TOP);
    }
}

static void compare(const struct model_in *in)
{
    static seL4_UntypedDesc want[4096], have[4096];
    int nw = model_untypeds(in, want), dropped;
    int nh = al4_untypeds(in, have, 4096, &dropped);
    assert_int_equal(dropped, 0);
    bool same = nw == nh;
    for (int i = 0; same && i < nw; i++)
        same = want[i].paddr == have[i].paddr && want[i].sizeBits == have[i].sizeBits &&
               want[i].isDevice == have[i].isDevice;
    if (!same) {
        print_list("seL4's rules", want, nw);
        print_list("aL4", have, nh);
        fail_msg("the untyped lists differ");
    }
    check_rules(in, have, nh);
}

static const seL4_UntypedDesc *find(const seL4_UntypedDesc *l, int n, paddr_t p)
{
    for (int i = 0; i < n; i++)
        if (l[i].paddr == p)
            return &l[i];
    return NULL;
}

// QEMU virt, 1 GiB, laid out as aL4's loader and seL4's elfloader do: kernel at
// 0x80200000, DTB and user image after it (sizes not page multiples, as handed over).
static void test_qemu_virt(void **state)
{
    (void)state;
    struct fdt_info *f = parse_fixture("virt.dtb");
    struct model_in in = {f, {{0x80200000, 0x8025a000}, {0x8025c000, 0x8037c000},
                              {0x8025a000, 0x8025a000 + 0x1a3d}}};
    compare(&in);
    static seL4_UntypedDesc l[4096];
    int dropped, n = al4_untypeds(&in, l, 4096, &dropped);
    assert_in_range(n, 1, seL4_MaxUntypedBootInfo);
    // The SBI's 2 MiB is a device untyped, the CLINT's and PLIC's frames are nobody's,
    // the bytes after the DTB up to the next 16-byte boundary are lost.
    const seL4_UntypedDesc *sbi = find(l, n, 0x80000000);
    assert_non_null(sbi);
    assert_true(sbi->isDevice && sbi->sizeBits == 21);
    assert_null(find(l, n, 0x2000000));
    assert_non_null(find(l, n, 0x2200000));
    assert_null(find(l, n, 0xc000000));
    assert_non_null(find(l, n, 0xc600000));
    assert_non_null(find(l, n, 0x8025ba40));
    // Reserved memory that is not no-map, and /memreserve/, stay RAM (seL4 reads
    // neither).
    const seL4_UntypedDesc *top = find(l, n, 0x80000000 + 0x20000000);
    assert_non_null(top);
    assert_false(top->isDevice);
    assert_int_equal(top->sizeBits, 29);
    free(f);
}

static void test_two_memory_nodes(void **state)
{
    (void)state;
    struct fdt_info *f = parse_fixture("twomem.dtb");
    struct model_in in = {f, {{0x80200000, 0x80300000}, {0x80400000, 0x80500000},
                              {0x80300000, 0x80301000}}};
    compare(&in);
    free(f);
}

static void test_high_memory(void **state)
{
    (void)state;
    struct fdt_info *f = parse_fixture("highmem.dtb");
    assert_int_equal(f->resv_nomap, 0x2);  // memreserve, firmware (no-map), pool
    struct model_in in = {f, {{0x80400000, 0x80500000}, {0x80600000, 0x80700000},
                              {0x80500000, 0x80500100}}};
    compare(&in);
    static seL4_UntypedDesc l[4096];
    int dropped, n = al4_untypeds(&in, l, 4096, &dropped);
    // RAM past the kernel window's end is device memory, RAM above 2^39 nothing.
    const seL4_UntypedDesc *d = find(l, n, WINDOW_TOP);
    assert_non_null(d);
    assert_true(d->isDevice);
    assert_null(find(l, n, 0x8000000000));
    // The PLIC keeps 64 MiB, the rest of its reg is device space.
    assert_non_null(find(l, n, 0x44000000));
    assert_true(find(l, n, 0x44000000)->isDevice);
    // No-map memory is device memory, in 4 KiB pieces here.
    assert_non_null(find(l, n, 0xa0001000));
    assert_true(find(l, n, 0xa0001000)->isDevice);
    free(f);
}

// Random machines: RAM banks, no-map holes, a PLIC and a CLINT anywhere, images at
// unaligned places.
static void test_random(void **state)
{
    (void)state;
    srand(7);
    for (int iter = 0; iter < 300; iter++) {
        struct fdt_info f = {0};
        paddr_t base = 0x80000000ul + ((paddr_t)(rand() % 64) << 20);
        f.n_mem = 1 + rand() % 3;
        for (int i = 0; i < f.n_mem; i++) {
            f.mem[i] = (struct fdt_region){base, (paddr_t)(1 + rand() % 4096) << 16};
            base += f.mem[i].size + ((paddr_t)(rand() % 3) << 28);
        }
        f.n_resv = rand() % 4;
        for (int i = 0; i < f.n_resv; i++) {
            f.resv[i] = (struct fdt_region){0x80000000ul + ((paddr_t)rand() % 0x40000000 & ~0xffful),
                                            (paddr_t)(1 + rand() % 64) << 12};
            if (rand() % 2)
                f.resv_nomap |= 1u << i;
        }
        f.n_dev = 2;
        strcpy(f.dev[0].compatible, "riscv,plic0");
        f.dev[0].reg = (struct fdt_region){(paddr_t)(rand() % 64) << 24, (paddr_t)(1 + rand() % 128) << 20};
        strcpy(f.dev[1].compatible, "riscv,clint0");
        f.dev[1].reg = (struct fdt_region){(paddr_t)(rand() % 1024) << 16, 0x10000};
        paddr_t k = f.mem[0].base + 0x200000, u = k + ((paddr_t)(1 + rand() % 64) << 12);
        paddr_t d = u + ((paddr_t)(1 + rand() % 64) << 12);
        struct model_in in = {&f, {{k, u}, {u, d}, {d, d + 1 + rand() % 20000}}};
        compare(&in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_virt),
        cmocka_unit_test(test_two_memory_nodes),
        cmocka_unit_test(test_high_memory),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
