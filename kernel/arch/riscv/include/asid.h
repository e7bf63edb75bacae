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
// Counts the times an ASID stopped naming its root (a root's last cap deleted, a pool
// deleted): a thread's cached satp (struct tcb's vs_cache) is trusted only while this
// has not moved.
extern word_t asid_epoch;

// The VSpace root of an ASID, or NULL. Inline: every address-space switch asks.
static inline pte_t *find_vspace_for_asid(word_t asid)
{
    struct asid_pool *pool = asid_table[asid >> seL4_ASIDPoolIndexBits];
    return pool ? pool->entries[asid & MASK(seL4_ASIDPoolIndexBits)] : NULL;
}
void asid_flush(word_t asid);
