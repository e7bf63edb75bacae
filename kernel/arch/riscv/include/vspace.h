#pragma once
#include "types.h"
#include "pte.h"
#include "fdt.h"
#include "cap.h"
#include "asid.h"
#include "csr.h"
#include "hart.h"

struct tcb;

extern pte_t kernel_root_pt[PT_ENTRIES];

paddr_t kpptr_to_paddr(const void *p);
void vspace_leave_loader(void);
void vspace_map_kernel_window(void);
void vspace_copy_kernel(pte_t *root);
void vspace_map_boot(pte_t *root, vptr_t v, paddr_t p, word_t flags, pte_t *(*alloc_pt)(void));
void vspace_activate(struct tcb *t);
// The hart leaves every user VSpace for the kernel's own table (an idle hart): a VSpace
// root deleted meanwhile must not stay in its satp, where the next fetch of kernel text
// after the root's memory is reused would walk whatever was written there.
void vspace_activate_kernel(void);
// The VSpace of `asid` loses its root table: this hart and every other one that has it
// active move to the kernel's table at once (their threads find no VSpace when they
// next go to user mode, and a thread already there faults at its next access).
void vspace_drop(word_t asid);
void *vspace_lookup(struct tcb *t, vptr_t v);

static inline word_t vspace_satp(paddr_t root, word_t asid)
{
    return SATP_MODE_SV39 | asid << 44 | root >> 12;
}

// The satp value of a VSpace root cap, or 0 if the cap is not one: a VSpace root is a
// page table that its ASID still names (seL4's setVMRoot check), so a mapped non-root
// table, or a root whose pool is gone, is not one. Inline for the fastpath, which
// checks its target's VSpace before committing to the switch.
static inline word_t vspace_root_satp(struct cap c)
{
    if (cap_get_tag(c) != cap_page_table || !cap_page_table_is_mapped(c))
        return 0;
    word_t asid = cap_page_table_asid(c);
    if (find_vspace_for_asid(asid) != cap_ptr(c))
        return 0;
    return vspace_satp(cap_paddr(c), asid);
}
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

// Switches hart h (this one) to an address space. Every satp change is followed by a
// full fence: the TLB may not tag entries by ASID (Rocket's does not). Inline for the
// fastpath.
static inline void vspace_activate_satp(struct hart *h, word_t satp)
{
    if (csr_read(satp) != satp) {
        csr_write(satp, satp);
        sfence_vma();
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        h->active_asid = satp >> 44 & 0xffff;  // for tlb_shootdown
#else
        (void)h;
#endif
    }
}
