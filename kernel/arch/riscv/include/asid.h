// ASIDs: 2^7 pools of 2^9 entries, each entry a VSpace root (seL4's riscvKSASIDTable).
#pragma once
#include "types.h"
#include "pte.h"
#include <sel4/constants.h>

#define ASID_POOL_ENTRIES BIT(seL4_ASIDPoolIndexBits)
#define ASID_POOLS        BIT(seL4_NumASIDPoolsBits)

struct asid_pool {
    pte_t *entries[ASID_POOL_ENTRIES];
};
_Static_assert(sizeof(struct asid_pool) == BIT(seL4_ASIDPoolBits), "ASID pool is one page");

extern struct asid_pool *asid_table[ASID_POOLS];

// The VSpace root of an ASID, or NULL.
pte_t *find_vspace_for_asid(word_t asid);
void asid_flush(word_t asid);
