// Comparing a region list with the ranges a test expects (regions.c and the untyped
// carving tests both need it).
#pragma once
#include "host_test.h"
#include "regions.h"

static inline void expect_regions(const struct region_list *l, int n, const paddr_t *pairs)
{
    if (l->n != n) {
        for (int i = 0; i < l->n; i++)
            print_error("  have [%#lx, %#lx)\n", (unsigned long)l->r[i].start,
                        (unsigned long)l->r[i].end);
        fail_msg("%d regions, want %d", l->n, n);
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(l->r[i].start, pairs[2 * i]);
        assert_int_equal(l->r[i].end, pairs[2 * i + 1]);
    }
}

// CHECK_REGIONS(list, start0, end0, start1, end1, ...)
#define CHECK_REGIONS(l, ...)                                           \
    do {                                                                \
        const paddr_t pairs_[] = {__VA_ARGS__};                         \
        expect_regions((l), (int)(ARRAY_SIZE(pairs_) / 2), pairs_);     \
    } while (0)
