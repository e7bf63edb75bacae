// Sv39 page table entries (privileged spec v1.12, section 4.4).
#pragma once
#include "types.h"

typedef uint64_t pte_t;

#define PTE_V BIT(0)
#define PTE_R BIT(1)
#define PTE_W BIT(2)
#define PTE_X BIT(3)
#define PTE_U BIT(4)
#define PTE_G BIT(5)
#define PTE_A BIT(6)
#define PTE_D BIT(7)
#define PTE_PPN_SHIFT 10

#define PT_ENTRIES 512
#define PT_INDEX_BITS 9

static inline pte_t pte_leaf(paddr_t pa, word_t flags)
{
    return (pa >> 12) << PTE_PPN_SHIFT | flags | PTE_V | PTE_A | PTE_D;
}
static inline pte_t pte_table(paddr_t pa) { return (pa >> 12) << PTE_PPN_SHIFT | PTE_V; }
static inline paddr_t pte_paddr(pte_t p) { return (p >> PTE_PPN_SHIFT) << 12; }
static inline bool pte_is_table(pte_t p) { return (p & (PTE_V | PTE_R | PTE_W | PTE_X)) == PTE_V; }
// Index into the table of `level` (2 = root, 0 = leaf) for a virtual address.
static inline unsigned pt_index(vptr_t v, int level) { return (v >> (12 + 9 * level)) & 511; }
