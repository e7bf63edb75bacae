// Host unit tests for kernel/boot/regions.c: sets of physical ranges (add, remove,
// aligned allocation) and cutting a range into naturally aligned blocks. Ends with
// randomized comparisons against simple models (a bitmap, a block-by-block check).
#include "host_test.h"
#include "region_check.h"

// Sorted, disjoint, never touching, nonempty.
static void check_invariants(const struct region_list *l)
{
    assert_in_range(l->n, 0, MAX_REGIONS);
    for (int i = 0; i < l->n; i++) {
        assert_true(l->r[i].start < l->r[i].end);
        if (i > 0)
            assert_true(l->r[i - 1].end < l->r[i].start);
    }
}

// Expects exactly the n regions given as start, end pairs.
static void check_list(const struct region_list *l, int n, const paddr_t *pairs)
{
    check_invariants(l);
    expect_regions(l, n, pairs);
}

#define CHECK_LIST(l, ...)                                              \
    do {                                                                \
        const paddr_t pairs_[] = {__VA_ARGS__};                         \
        check_list((l), (int)(ARRAY_SIZE(pairs_) / 2), pairs_);         \
    } while (0)

#define CHECK_EMPTY(l) check_list((l), 0, NULL)

static void same_list(const struct region_list *a, const struct region_list *b)
{
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->r, b->r, sizeof(a->r[0]) * (size_t)a->n);
}

// 64 regions [k * 0x10000, k * 0x10000 + 0x8000): a full list.
static void fill_list(struct region_list *l)
{
    l->n = 0;
    for (int k = 0; k < MAX_REGIONS; k++)
        assert_true(region_list_add(l, 0x10000 * (paddr_t)k, 0x10000 * (paddr_t)k + 0x8000));
    assert_int_equal(l->n, MAX_REGIONS);
    check_invariants(l);
}

// --- add ----------------------------------------------------------------------------

static void test_add_basic(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    assert_true(region_list_add(&l, 0x1000, 0x2000));
    CHECK_LIST(&l, 0x1000, 0x2000);
    // Empty and inverted ranges change nothing.
    assert_true(region_list_add(&l, 0x5000, 0x5000));
    assert_true(region_list_add(&l, 0x6000, 0x5000));
    assert_true(region_list_add(&l, 0, 0));
    CHECK_LIST(&l, 0x1000, 0x2000);
    // Out of order: kept sorted.
    assert_true(region_list_add(&l, 0x8000, 0x9000));
    assert_true(region_list_add(&l, 0x100, 0x200));
    assert_true(region_list_add(&l, 0x4000, 0x5000));
    CHECK_LIST(&l, 0x100, 0x200, 0x1000, 0x2000, 0x4000, 0x5000, 0x8000, 0x9000);
    assert_int_equal(region_list_bytes(&l), 0x100 + 0x1000 * 3);
}

static void test_add_merge(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    assert_true(region_list_add(&l, 0x1000, 0x2000));
    // Touching on the right and on the left: one region.
    assert_true(region_list_add(&l, 0x2000, 0x3000));
    CHECK_LIST(&l, 0x1000, 0x3000);
    assert_true(region_list_add(&l, 0x800, 0x1000));
    CHECK_LIST(&l, 0x800, 0x3000);
    // Overlapping either end.
    assert_true(region_list_add(&l, 0x2800, 0x3800));
    CHECK_LIST(&l, 0x800, 0x3800);
    assert_true(region_list_add(&l, 0x400, 0x900));
    CHECK_LIST(&l, 0x400, 0x3800);
    // Contained: nothing changes. Containing: replaces.
    assert_true(region_list_add(&l, 0x1000, 0x1100));
    CHECK_LIST(&l, 0x400, 0x3800);
    assert_true(region_list_add(&l, 0x0, 0x4000));
    CHECK_LIST(&l, 0x0, 0x4000);
    // One byte apart: not merged.
    assert_true(region_list_add(&l, 0x4001, 0x5000));
    CHECK_LIST(&l, 0x0, 0x4000, 0x4001, 0x5000);
    // Filling the gap exactly merges both sides.
    assert_true(region_list_add(&l, 0x4000, 0x4001));
    CHECK_LIST(&l, 0x0, 0x5000);
}

static void test_add_bridges_several(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    for (paddr_t a = 0x10000; a < 0x80000; a += 0x10000)
        assert_true(region_list_add(&l, a, a + 0x1000));
    assert_int_equal(l.n, 7);
    // Spans regions 2..5 partially at both ends: they become one, 1 and 6..7 stay.
    assert_true(region_list_add(&l, 0x20800, 0x50800));
    CHECK_LIST(&l, 0x10000, 0x11000, 0x20000, 0x51000, 0x60000, 0x61000, 0x70000, 0x71000);
    // Touches 0x11000 on the left and 0x60000 on the right.
    assert_true(region_list_add(&l, 0x11000, 0x60000));
    CHECK_LIST(&l, 0x10000, 0x61000, 0x70000, 0x71000);
    // Covers everything.
    assert_true(region_list_add(&l, 0x0, 0x100000));
    CHECK_LIST(&l, 0x0, 0x100000);
}

static void test_add_list_full(void **state)
{
    (void)state;
    struct region_list l, before;
    fill_list(&l);
    before = l;
    // A 65th disjoint region does not fit: refused, list unchanged.
    assert_false(region_list_add(&l, 0x10000 * MAX_REGIONS, 0x10000 * MAX_REGIONS + 1));
    same_list(&l, &before);
    assert_false(region_list_add(&l, 0x9000, 0xa000));  // between the first two
    same_list(&l, &before);
    // Merging with one (or several) still works when full.
    assert_true(region_list_add(&l, 0x8000, 0x9000));
    assert_int_equal(l.n, MAX_REGIONS);
    assert_int_equal(l.r[0].end, 0x9000);
    // Touches regions 1 and 3, covers 2: three become one.
    assert_true(region_list_add(&l, 0x18000, 0x30000));
    assert_int_equal(l.n, MAX_REGIONS - 2);
    check_invariants(&l);
    assert_int_equal(l.r[1].start, 0x10000);
    assert_int_equal(l.r[1].end, 0x38000);
    // Now there is room again, for two.
    assert_true(region_list_add(&l, 0x10000 * MAX_REGIONS, 0x10000 * MAX_REGIONS + 1));
    assert_true(region_list_add(&l, 0x10000 * MAX_REGIONS + 2, 0x10000 * MAX_REGIONS + 3));
    assert_int_equal(l.n, MAX_REGIONS);
    check_invariants(&l);
    assert_false(region_list_add(&l, 0x10000 * MAX_REGIONS + 4, 0x10000 * MAX_REGIONS + 5));
}

// --- remove -------------------------------------------------------------------------

static void test_remove(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    assert_true(region_list_add(&l, 0x1000, 0x9000));
    // Empty or inverted: nothing.
    assert_true(region_list_remove(&l, 0x2000, 0x2000));
    assert_true(region_list_remove(&l, 0x3000, 0x2000));
    CHECK_LIST(&l, 0x1000, 0x9000);
    // Outside, and merely touching either end: nothing.
    assert_true(region_list_remove(&l, 0x0, 0x1000));
    assert_true(region_list_remove(&l, 0x9000, 0xa000));
    assert_true(region_list_remove(&l, 0x20000, 0x30000));
    CHECK_LIST(&l, 0x1000, 0x9000);
    // Split in the middle.
    assert_true(region_list_remove(&l, 0x4000, 0x5000));
    CHECK_LIST(&l, 0x1000, 0x4000, 0x5000, 0x9000);
    // Partial: the front, the back (ranges reaching past the region).
    assert_true(region_list_remove(&l, 0x0, 0x1800));
    CHECK_LIST(&l, 0x1800, 0x4000, 0x5000, 0x9000);
    assert_true(region_list_remove(&l, 0x8000, 0x10000));
    CHECK_LIST(&l, 0x1800, 0x4000, 0x5000, 0x8000);
    // Exactly the front, exactly the back.
    assert_true(region_list_remove(&l, 0x1800, 0x2000));
    assert_true(region_list_remove(&l, 0x7000, 0x8000));
    CHECK_LIST(&l, 0x2000, 0x4000, 0x5000, 0x7000);
    // A whole region, exactly.
    assert_true(region_list_remove(&l, 0x2000, 0x4000));
    CHECK_LIST(&l, 0x5000, 0x7000);
    // A whole region and more.
    assert_true(region_list_remove(&l, 0x0, 0x100000));
    CHECK_EMPTY(&l);
    assert_true(region_list_remove(&l, 0x0, 0x100000));
    CHECK_EMPTY(&l);
    assert_int_equal(region_list_bytes(&l), 0);
}

static void test_remove_across_several(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    for (paddr_t a = 0x10000; a < 0x80000; a += 0x10000)
        assert_true(region_list_add(&l, a, a + 0x1000));
    // Trims region 2 and 5, drops 3 and 4.
    assert_true(region_list_remove(&l, 0x20800, 0x50800));
    CHECK_LIST(&l, 0x10000, 0x11000, 0x20000, 0x20800, 0x50800, 0x51000, 0x60000, 0x61000,
               0x70000, 0x71000);
    // Drops several consecutive whole regions, including the first.
    assert_true(region_list_remove(&l, 0x0, 0x60000));
    CHECK_LIST(&l, 0x60000, 0x61000, 0x70000, 0x71000);
    // The last one, in a range starting inside the one before.
    assert_true(region_list_remove(&l, 0x60800, 0x71000));
    CHECK_LIST(&l, 0x60000, 0x60800);
}

static void test_remove_list_full(void **state)
{
    (void)state;
    struct region_list l;
    fill_list(&l);
    // Trimming or dropping works when full.
    assert_true(region_list_remove(&l, 0x0, 0x1000));
    assert_int_equal(l.r[0].start, 0x1000);
    assert_true(region_list_remove(&l, 0x10000, 0x18000));
    assert_int_equal(l.n, MAX_REGIONS - 1);
    assert_true(region_list_remove(&l, 0x20000, 0x21000));
    // Refill and split one: one region too many, refused.
    fill_list(&l);
    struct region_list before = l;
    assert_false(region_list_remove(&l, 0x31000, 0x32000));
    check_invariants(&l);
    // Callers (init_free_memory) ignore the result, so a failed remove must still
    // leave the range out of the free list (it does, at the cost of the rest of the
    // split region), and must not add anything that was not free.
    for (int i = 0; i < l.n; i++) {
        assert_true(l.r[i].end <= 0x31000 || l.r[i].start >= 0x32000);
        bool inside = false;
        for (int j = 0; j < before.n; j++)
            inside |= l.r[i].start >= before.r[j].start && l.r[i].end <= before.r[j].end;
        assert_true(inside);
    }
}

// --- alloc --------------------------------------------------------------------------

static void test_alloc_alignment(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    paddr_t p = 0;
    assert_true(region_list_add(&l, 0x1001, 0x10000));
    // 4 KiB aligned: the first aligned address in the region.
    assert_true(region_list_alloc(&l, 12, &p));
    assert_int_equal(p, 0x2000);
    CHECK_LIST(&l, 0x1001, 0x2000, 0x3000, 0x10000);
    // 8 KiB: 0x3000 is not aligned, 0x4000 is.
    assert_true(region_list_alloc(&l, 13, &p));
    assert_int_equal(p, 0x4000);
    CHECK_LIST(&l, 0x1001, 0x2000, 0x3000, 0x4000, 0x6000, 0x10000);
    // Byte granularity: the very start.
    assert_true(region_list_alloc(&l, 0, &p));
    assert_int_equal(p, 0x1001);
    CHECK_LIST(&l, 0x1002, 0x2000, 0x3000, 0x4000, 0x6000, 0x10000);
    // 16 bytes: the first region has room at 0x1010.
    assert_true(region_list_alloc(&l, 4, &p));
    assert_int_equal(p, 0x1010);
    CHECK_LIST(&l, 0x1002, 0x1010, 0x1020, 0x2000, 0x3000, 0x4000, 0x6000, 0x10000);
    // The exact size of a region removes it.
    assert_true(region_list_alloc(&l, 12, &p));
    assert_int_equal(p, 0x3000);
    CHECK_LIST(&l, 0x1002, 0x1010, 0x1020, 0x2000, 0x6000, 0x10000);
}

static void test_alloc_first_fit(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    paddr_t p = 0;
    assert_true(region_list_add(&l, 0x80000000, 0xc0000000));
    assert_true(region_list_add(&l, 0x10000, 0x12000));  // too small for 16 KiB
    assert_true(region_list_add(&l, 0x21000, 0x25000));  // 16 KiB, but misaligned
    assert_true(region_list_add(&l, 0x40000, 0x48000));  // fits
    assert_true(region_list_alloc(&l, 14, &p));
    assert_int_equal(p, 0x40000);
    CHECK_LIST(&l, 0x10000, 0x12000, 0x21000, 0x25000, 0x44000, 0x48000, 0x80000000,
               0xc0000000);
    // The lowest region that fits, not the best one.
    assert_true(region_list_alloc(&l, 12, &p));
    assert_int_equal(p, 0x10000);
    // Something only the big region can hold.
    assert_true(region_list_alloc(&l, 21, &p));
    assert_int_equal(p, 0x80000000);
    CHECK_LIST(&l, 0x11000, 0x12000, 0x21000, 0x25000, 0x44000, 0x48000, 0x80200000,
               0xc0000000);
    assert_int_equal(region_list_bytes(&l), 0x1000 + 0x4000 + 0x4000 + 0x3fe00000);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    struct region_list l = {.n = 0}, before;
    paddr_t p = 0x1234;
    assert_false(region_list_alloc(&l, 0, &p));  // empty
    assert_int_equal(p, 0x1234);
    assert_true(region_list_add(&l, 0x1000, 0x3000));
    assert_true(region_list_add(&l, 0x5000, 0x7fff));
    before = l;
    // 8 KiB: the first region is 8 KiB but not 8 KiB aligned; the second is too short.
    assert_false(region_list_alloc(&l, 13, &p));
    same_list(&l, &before);
    // Larger than any region.
    assert_false(region_list_alloc(&l, 20, &p));
    same_list(&l, &before);
    assert_int_equal(p, 0x1234);
    // Rounding up to the alignment would wrap around the top of the address space.
    l.n = 0;
    assert_true(region_list_add(&l, 0xfffffffffffff001, 0xffffffffffffffff));
    assert_false(region_list_alloc(&l, 12, &p));
    l.n = 0;
    assert_true(region_list_add(&l, 0xffffffffffffe000, 0xffffffffffffffff));
    assert_false(region_list_alloc(&l, 13, &p));  // p + size wraps to 0
    assert_true(region_list_alloc(&l, 12, &p));   // one byte short of the top: fits
    assert_int_equal(p, 0xffffffffffffe000);
}

static void test_alloc_list_full(void **state)
{
    (void)state;
    struct region_list l;
    paddr_t p = 0;
    // When the block starts a region, no split is needed: works when full.
    fill_list(&l);
    assert_true(region_list_alloc(&l, 12, &p));
    assert_int_equal(p, 0x0);
    assert_int_equal(l.n, MAX_REGIONS);
    assert_int_equal(l.r[0].start, 0x1000);
    // A block in the middle of a region needs one more entry: refused.
    fill_list(&l);
    assert_true(region_list_remove(&l, 0x0, 0x800));  // region 0 is [0x800, 0x8000)
    assert_false(region_list_alloc(&l, 12, &p));
    check_invariants(&l);
}

static void test_bytes(void **state)
{
    (void)state;
    struct region_list l = {.n = 0};
    assert_int_equal(region_list_bytes(&l), 0);
    assert_true(region_list_add(&l, 0x80000000, 0xc0000000));
    assert_int_equal(region_list_bytes(&l), 0x40000000);
    assert_true(region_list_add(&l, 0x1000000000, 0x3000000000));
    assert_int_equal(region_list_bytes(&l), 0x40000000 + 0x2000000000);
    assert_true(region_list_remove(&l, 0x80000000, 0x80080000));
    assert_int_equal(region_list_bytes(&l), 0x40000000 - 0x80000 + 0x2000000000);
    fill_list(&l);
    assert_int_equal(region_list_bytes(&l), MAX_REGIONS * 0x8000);
}

// --- carve_blocks -------------------------------------------------------------------

// Expects exactly the blocks given as paddr, bits pairs.
static void check_carve(paddr_t start, paddr_t end, unsigned min_bits, unsigned max_bits,
                        int n, const paddr_t *pairs)
{
    struct block out[128];
    int got = carve_blocks(start, end, min_bits, max_bits, out, (int)ARRAY_SIZE(out));
    if (got != n) {
        for (int i = 0; i < got && i < (int)ARRAY_SIZE(out); i++)
            print_error("  have %#lx/%u\n", (unsigned long)out[i].paddr, out[i].bits);
        fail_msg("carve [%#lx, %#lx) %u..%u: %d blocks, want %d", (unsigned long)start,
                 (unsigned long)end, min_bits, max_bits, got, n);
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(out[i].paddr, pairs[2 * i]);
        assert_int_equal(out[i].bits, pairs[2 * i + 1]);
    }
}

#define CHECK_CARVE(start, end, min, max, ...)                                    \
    do {                                                                          \
        const paddr_t pairs_[] = {__VA_ARGS__};                                   \
        check_carve((start), (end), (min), (max), (int)(ARRAY_SIZE(pairs_) / 2), pairs_); \
    } while (0)

static void test_carve_aligned(void **state)
{
    (void)state;
    // One naturally aligned power of two: one block.
    CHECK_CARVE(0x80000000, 0xc0000000, 4, 38, 0x80000000, 30);
    CHECK_CARVE(0x1000, 0x2000, 4, 38, 0x1000, 12);
    // Growing then shrinking: the largest aligned block at each step.
    CHECK_CARVE(0x1000, 0x10000, 4, 38, 0x1000, 12, 0x2000, 13, 0x4000, 14, 0x8000, 15);
    CHECK_CARVE(0x3000, 0xd000, 4, 38, 0x3000, 12, 0x4000, 14, 0x8000, 14, 0xc000, 12);
    // QEMU virt free RAM after OpenSBI: 0x80080000 .. 0xc0000000.
    CHECK_CARVE(0x80080000, 0xc0000000, 4, 38, 0x80080000, 19, 0x80100000, 20,
                0x80200000, 21, 0x80400000, 22, 0x80800000, 23, 0x81000000, 24,
                0x82000000, 25, 0x84000000, 26, 0x88000000, 27, 0x90000000, 28,
                0xa0000000, 29);
    // Empty and inverted ranges.
    CHECK_CARVE(0x1000, 0x1000, 4, 38);
    CHECK_CARVE(0x2000, 0x1000, 4, 38);
}

static void test_carve_start_zero(void **state)
{
    (void)state;
    CHECK_CARVE(0x0, 0x3000, 4, 38, 0x0, 13, 0x2000, 12);
    CHECK_CARVE(0x0, 0x80000000, 4, 38, 0x0, 31);
    CHECK_CARVE(0x0, 0x10, 4, 38, 0x0, 4);
    CHECK_CARVE(0x0, 0xf, 4, 38);
    // Capped at max_bits.
    CHECK_CARVE(0x0, 1ul << 40, 4, 38, 0x0, 38, 1ul << 38, 38, 2ul << 38, 38, 3ul << 38, 38);
    // 1 << 39 = phys_top: device memory below RAM and above it.
    CHECK_CARVE(0x0, 0x80000000, 4, 38, 0x0, 31);
    CHECK_CARVE(0xc0000000, 1ul << 39, 4, 38, 0xc0000000, 30, 1ul << 32, 32, 1ul << 33, 33,
                1ul << 34, 34, 1ul << 35, 35, 1ul << 36, 36, 1ul << 37, 37, 1ul << 38, 38);
}

static void test_carve_min_max_bits(void **state)
{
    (void)state;
    // max_bits splits a large aligned block.
    CHECK_CARVE(0x0, 0x10000, 4, 14, 0x0, 14, 0x4000, 14, 0x8000, 14, 0xc000, 14);
    CHECK_CARVE(0x4000, 0x10000, 12, 12, 0x4000, 12, 0x5000, 12, 0x6000, 12, 0x7000, 12,
                0x8000, 12, 0x9000, 12, 0xa000, 12, 0xb000, 12, 0xc000, 12, 0xd000, 12,
                0xe000, 12, 0xf000, 12);
    // min_bits 12: the ends are rounded inwards to 4 KiB.
    CHECK_CARVE(0x1800, 0x5800, 12, 38, 0x2000, 13, 0x4000, 12);
    CHECK_CARVE(0x1001, 0x2fff, 12, 38);
    // min_bits 0: byte blocks at the ends.
    CHECK_CARVE(0x7, 0x11, 0, 38, 0x7, 0, 0x8, 3, 0x10, 0);
}

static void test_carve_unaligned(void **state)
{
    (void)state;
    // Rounded inwards to 16 bytes: 0x1010 .. 0x2000.
    CHECK_CARVE(0x1003, 0x2009, 4, 38, 0x1010, 4, 0x1020, 5, 0x1040, 6, 0x1080, 7, 0x1100, 8,
                0x1200, 9, 0x1400, 10, 0x1800, 11);
    // Less than 16 bytes after rounding: nothing.
    CHECK_CARVE(0x10, 0x1f, 4, 38);
    CHECK_CARVE(0x11, 0x2f, 4, 38);
    CHECK_CARVE(0x1001, 0x100f, 4, 38);  // rounds to start > end
    // Exactly 16 bytes after rounding.
    CHECK_CARVE(0x11, 0x30, 4, 38, 0x20, 4);
}

static void test_carve_truncated(void **state)
{
    (void)state;
    struct block out[8];
    for (int i = 0; i < 8; i++)
        out[i] = (struct block){0xdead, 99};
    // Wants 4 blocks, room for 2: returns 4, writes only 2.
    assert_int_equal(carve_blocks(0x1000, 0x10000, 4, 38, out, 2), 4);
    assert_int_equal(out[0].paddr, 0x1000);
    assert_int_equal(out[0].bits, 12);
    assert_int_equal(out[1].paddr, 0x2000);
    assert_int_equal(out[1].bits, 13);
    assert_int_equal(out[2].paddr, 0xdead);
    assert_int_equal(out[2].bits, 99);
    // Room for none: only the count (out is never touched).
    assert_int_equal(carve_blocks(0x1000, 0x10000, 4, 38, NULL, 0), 4);
    assert_int_equal(carve_blocks(0x0, 1ul << 40, 4, 38, NULL, 0), 4);
    // Exactly enough room.
    assert_int_equal(carve_blocks(0x1000, 0x10000, 4, 38, out, 4), 4);
    assert_int_equal(out[3].paddr, 0x8000);
    assert_int_equal(out[3].bits, 15);
    assert_int_equal(out[4].paddr, 0xdead);
}

// Known bug (kernel/boot/regions.c, carve_blocks): ROUND_UP(start, min_bits) wraps to 0
// for a start within 2^min_bits of 2^64, and the range then carved is [0, end): nearly
// the whole address space instead of nothing.
static void test_carve_top_of_address_space(void **state)
{
    (void)state;
    struct block out[4];
    assert_int_equal(carve_blocks(0xfffffffffffffff1, 0xffffffffffffffff, 4, 38, out, 4), 0);
    CHECK_CARVE(0xffffffffffffffd1, 0xffffffffffffffff, 4, 38, 0xffffffffffffffe0, 4);
}

// Random ranges: the blocks cover [ROUND_UP(start), ROUND_DOWN(end)) exactly, in order,
// each naturally aligned and between min and max bits, and each as large as it could
// be (doubling it would break alignment, pass the end or exceed max_bits), which makes
// the cover the one with the fewest blocks.
static void test_carve_random(void **state)
{
    (void)state;
    uint64_t rng = 0xca4e0001;
    struct block out[256];
    for (int it = 0; it < 20000; it++) {
        unsigned min_bits = (unsigned)rng_below(&rng, 13);
        unsigned max_bits = min_bits + (unsigned)rng_below(&rng, 40 - min_bits);
        // Addresses of varied alignment below 2^44, lengths up to 2^(max_bits + 6)
        // (so at most about 2 * (max_bits - min_bits) + 64 blocks).
        paddr_t start = rng_next(&rng) & MASK(rng_below(&rng, 45));
        if (rng_below(&rng, 4) == 0)
            start &= ~MASK(rng_below(&rng, 20));
        paddr_t end = start + (rng_next(&rng) & MASK(rng_below(&rng, max_bits + 7)));
        if (rng_below(&rng, 4) == 0)
            end &= ~MASK(rng_below(&rng, 20));  // may also make it empty or inverted
        int n = carve_blocks(start, end, min_bits, max_bits, out, (int)ARRAY_SIZE(out));
        assert_in_range(n, 0, ARRAY_SIZE(out));
        paddr_t lo = ROUND_UP(start, min_bits), hi = ROUND_DOWN(end, min_bits);
        paddr_t at = lo;
        for (int i = 0; i < n; i++) {
            const struct block *b = &out[i];
            assert_int_equal(b->paddr, at);
            assert_in_range(b->bits, min_bits, max_bits);
            assert_true(IS_ALIGNED(b->paddr, b->bits));
            assert_true(b->paddr + BIT(b->bits) <= hi);
            bool maximal = b->bits == max_bits || !IS_ALIGNED(b->paddr, b->bits + 1) ||
                           b->paddr + BIT(b->bits + 1) > hi;
            if (!maximal)
                fail_msg("[%#lx, %#lx) %u..%u: block %d %#lx/%u could be doubled",
                         (unsigned long)start, (unsigned long)end, min_bits, max_bits, i,
                         (unsigned long)b->paddr, b->bits);
            at += BIT(b->bits);
        }
        assert_int_equal(at, lo < hi ? hi : lo);
        // The count alone (no room) agrees.
        assert_int_equal(carve_blocks(start, end, min_bits, max_bits, NULL, 0), n);
    }
}

// --- Randomized: region lists against a bitmap ---------------------------------------

#define SPACE 2048                 // bytes modelled, one bool each
#define SPACE_BASE 0x80000000ul     // aligned far beyond the largest block

struct model {
    bool b[SPACE];
};

static int model_runs(const struct model *m, struct region *out)
{
    int n = 0;
    for (int i = 0; i < SPACE;) {
        if (!m->b[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < SPACE && m->b[j])
            j++;
        if (out && n < MAX_REGIONS * 4)
            out[n] = (struct region){SPACE_BASE + (paddr_t)i, SPACE_BASE + (paddr_t)j};
        n++;
        i = j;
    }
    return n;
}

static void check_model(const struct region_list *l, const struct model *m)
{
    struct region want[MAX_REGIONS * 4];
    int n = model_runs(m, want);
    check_invariants(l);
    assert_int_equal(l->n, n);
    assert_memory_equal(l->r, want, sizeof(want[0]) * (size_t)n);
    uint64_t bytes = 0;
    for (int i = 0; i < SPACE; i++)
        bytes += m->b[i];
    assert_int_equal(region_list_bytes(l), bytes);
}

static void model_set(struct model *m, int s, int e, bool v)
{
    for (int i = s; i < e; i++)
        m->b[i] = v;
}

// The lowest 2^bits-aligned offset whose block is all free, or -1.
static int model_alloc(const struct model *m, unsigned bits)
{
    int size = 1 << bits;
    for (int p = 0; p + size <= SPACE; p += size) {
        bool all = true;
        for (int i = p; i < p + size && all; i++)
            all = m->b[i];
        if (all)
            return p;
    }
    return -1;
}

static void test_random_vs_bitmap(void **state)
{
    (void)state;
    uint64_t rng = 0xb17a9001;
    struct region_list l = {.n = 0};
    struct model *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    int n_full = 0, n_alloc = 0, n_alloc_fail = 0, add_bias = 4, max_n = 0;
    for (int it = 0; it < 30000; it++) {
        // Restart now and then, from empty or from everything.
        if (rng_below(&rng, 2000) == 0) {
            bool all = rng_below(&rng, 2);
            l.n = 0;
            if (all)
                assert_true(region_list_add(&l, SPACE_BASE, SPACE_BASE + SPACE));
            model_set(m, 0, SPACE, all);
        }
        // Phases that favour adding or removing, so that the list is sometimes nearly
        // empty and sometimes full of small fragments (more than MAX_REGIONS).
        if (it % 500 == 0)
            add_bias = 2 + (int)rng_below(&rng, 5);
        int op = (int)rng_below(&rng, 10);
        op = op < 2 ? 8 + op : op - 2 < add_bias ? 0 : 4;  // 20% alloc, else add/remove
        int s = (int)rng_below(&rng, SPACE + 1);
        int len = rng_below(&rng, 10) ? 1 + (int)rng_below(&rng, 8) : (int)rng_below(&rng, 600);
        int e = MIN(SPACE, s + len);
        if (rng_below(&rng, 20) == 0)
            e = s - (int)rng_below(&rng, 3);  // empty or inverted
        paddr_t ps = SPACE_BASE + (paddr_t)s, pe = SPACE_BASE + (paddr_t)MAX(e, 0);
        struct model next = *m;
        if (op < 4) {  // add
            if (e > s)
                model_set(&next, s, e, true);
            if (model_runs(&next, NULL) > MAX_REGIONS) {
                struct region_list before = l;
                assert_false(region_list_add(&l, ps, pe));
                same_list(&l, &before);
                n_full++;
                continue;
            }
            assert_true(region_list_add(&l, ps, pe));
        } else if (op < 8) {  // remove
            if (e > s)
                model_set(&next, s, e, false);
            if (model_runs(&next, NULL) > MAX_REGIONS) {
                struct region_list copy = l;
                assert_false(region_list_remove(&copy, ps, pe));
                n_full++;
                continue;
            }
            assert_true(region_list_remove(&l, ps, pe));
        } else {  // alloc
            unsigned bits = (unsigned)rng_below(&rng, 8);
            int p = model_alloc(m, bits);
            paddr_t got = 0xdeadbeef;
            if (p < 0) {
                struct region_list before = l;
                assert_false(region_list_alloc(&l, bits, &got));
                same_list(&l, &before);
                n_alloc_fail++;
                continue;
            }
            model_set(&next, p, p + (1 << bits), false);
            if (model_runs(&next, NULL) > MAX_REGIONS) {
                struct region_list copy = l;
                assert_false(region_list_alloc(&copy, bits, &got));
                n_full++;
                continue;
            }
            assert_true(region_list_alloc(&l, bits, &got));
            assert_int_equal(got, SPACE_BASE + (paddr_t)p);
            n_alloc++;
        }
        *m = next;
        check_model(&l, m);
        max_n = MAX(max_n, l.n);
    }
    // Every path was taken.
    print_message("# up to %d regions, %d ops refused as the list was full, %d allocs, "
                  "%d failed\n", max_n, n_full, n_alloc, n_alloc_fail);
    assert_int_equal(max_n, MAX_REGIONS);
    assert_true(n_full > 0);
    assert_true(n_alloc > 0);
    assert_true(n_alloc_fail > 0);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_basic),
        cmocka_unit_test(test_add_merge),
        cmocka_unit_test(test_add_bridges_several),
        cmocka_unit_test(test_add_list_full),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_remove_across_several),
        cmocka_unit_test(test_remove_list_full),
        cmocka_unit_test(test_alloc_alignment),
        cmocka_unit_test(test_alloc_first_fit),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_alloc_list_full),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_carve_aligned),
        cmocka_unit_test(test_carve_start_zero),
        cmocka_unit_test(test_carve_min_max_bits),
        cmocka_unit_test(test_carve_unaligned),
        cmocka_unit_test(test_carve_truncated),
        cmocka_unit_test(test_carve_top_of_address_space),
        cmocka_unit_test(test_carve_random),
        cmocka_unit_test(test_random_vs_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
