#pragma once
#include "types.h"
#include "pte.h"
#include "fdt.h"
#include "cap.h"

struct tcb;

extern pte_t kernel_root_pt[PT_ENTRIES];
extern word_t boot_trampoline_satp;

paddr_t kpptr_to_paddr(const void *p);
void vspace_init_kernel(const struct fdt_info *fdt);
void vspace_init_trampoline(void);
void vspace_copy_kernel(pte_t *root);
void vspace_map_boot(pte_t *root, vptr_t v, paddr_t p, word_t flags, pte_t *(*alloc_pt)(void));
void vspace_activate(struct tcb *t);
word_t vspace_satp(paddr_t root, word_t asid);
void *vspace_lookup(struct tcb *t, vptr_t v);

// seL4's lookupPTSlot: the entry for `v`, walking down from `root` while entries are
// tables; bits_left is the size (in bits) of what that entry maps or could map.
struct pt_slot {
    pte_t *pte;
    word_t bits_left;
};
struct pt_slot vspace_lookup_slot(pte_t *root, vptr_t v);
// Remove a frame of 2^bits bytes at paddr from `v` in the ASID's VSpace, or a table
// from wherever it hangs on the path to `v`; both do nothing when the mapping is gone.
void vspace_unmap_page(word_t asid, vptr_t v, paddr_t paddr, word_t bits);
void vspace_unmap_table(word_t asid, vptr_t v, pte_t *pt);

// The address a mapped page table cap records (cap.h keeps frames' alongside).
static inline vptr_t cap_page_table_vaddr(struct cap c) { return (c.w1 >> 16) << 12; }
