// Sets of physical address ranges, used at boot to find free memory, allocate the root
// task's objects and cut what is left into untyped blocks. Pure code: the host unit
// tests compile this file as it is.
#pragma once
#include "types.h"

#define MAX_REGIONS 64

struct region {
    paddr_t start, end;  // [start, end)
};

struct region_list {
    struct region r[MAX_REGIONS];
    int n;  // sorted by start, disjoint, never touching (merged)
};

struct block {
    paddr_t paddr;
    unsigned bits;
};

bool region_list_add(struct region_list *l, paddr_t start, paddr_t end);
bool region_list_remove(struct region_list *l, paddr_t start, paddr_t end);
bool region_list_alloc(struct region_list *l, unsigned bits, paddr_t *out);
uint64_t region_list_bytes(const struct region_list *l);

// Cuts [start, end) into the fewest naturally aligned power-of-two blocks of at least
// 2^min_bits and at most 2^max_bits bytes. Returns the number of blocks it wanted to
// write (more than max means some were dropped).
int carve_blocks(paddr_t start, paddr_t end, unsigned min_bits, unsigned max_bits,
                 struct block *out, int max);
