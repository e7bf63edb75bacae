// The kernel's address space and the switch between user address spaces (Sv39).
#include "vspace.h"
#include "config.h"
#include "csr.h"
#include "cap.h"
#include "tcb.h"
#include "hart.h"
#include "asid.h"
#include "uintr.h"
#include "smp.h"

// The kernel's own root table; every user root table carries a copy of its upper half.
pte_t kernel_root_pt[PT_ENTRIES] ALIGNED(PAGE_SIZE);

paddr_t kpptr_to_paddr(const void *p)
{
    return (word_t)p - KERNEL_ELF_BASE + KERNEL_ELF_PADDR;
}

// Every hart, first thing: off the loader's tables, which live in memory the boot hart
// is about to hand out, onto the kernel's, where the kernel ELF's gigabyte is all a
// hart needs until the boot hart has built the rest. Each hart writes the same entry.
void vspace_leave_loader(void)
{
    kernel_root_pt[pt_index(KERNEL_ELF_BASE, 2)] =
        pte_leaf(ROUND_DOWN(KERNEL_ELF_PADDR, 30), PTE_R | PTE_W | PTE_X | PTE_G);
    csr_write(satp, vspace_satp(kpptr_to_paddr(kernel_root_pt), 0));
    sfence_vma();
}

// seL4's map_kernel_window: physical memory from 0 to PADDR_TOP in gigapages at
// PPTR_BASE, without needing the DTB (which is only readable through this window).
void vspace_map_kernel_window(void)
{
    for (paddr_t p = 0; p < PADDR_TOP; p += BIT(30))
        kernel_root_pt[pt_index(PPTR_BASE + p, 2)] = pte_leaf(p, PTE_R | PTE_W | PTE_G);
    sfence_vma();
}

void vspace_copy_kernel(pte_t *root)
{
    for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
        root[i] = kernel_root_pt[i];
}

// Boot-time mapping of one 4 KiB page, taking intermediate tables from alloc_pt.
void vspace_map_boot(pte_t *root, vptr_t v, paddr_t p, word_t flags, pte_t *(*alloc_pt)(void))
{
    pte_t *pt = root;
    for (int level = 2; level > 0; level--) {
        pte_t *e = &pt[pt_index(v, level)];
        if (!(*e & PTE_V))
            *e = pte_table(pptr_to_paddr(alloc_pt()));
        pt = paddr_to_pptr(pte_paddr(*e));
    }
    pt[pt_index(v, 0)] = pte_leaf(p, flags);
}

// A thread without a valid VSpace runs on the kernel's table: any user access faults.
void vspace_activate(struct tcb *t)
{
    struct cap c = tcb_slot(t, TCB_VTABLE)->cap;
    word_t satp = vspace_root_satp(c);
    if (satp)
        // A thread that takes part in U-notification is never switched to by the
        // Call/ReplyRecv fastpath: its cache never matches (uintr.h, uintr_poison).
        t->vs_cache = (typeof(t->vs_cache)){
            c.w0, c.w1, asid_epoch | (t->uintr.any ? VS_CACHE_TAKES_PART : 0), satp};
    else
        satp = vspace_satp(kpptr_to_paddr(kernel_root_pt), 0);
    vspace_activate_satp(this_hart(), satp);
}

void vspace_activate_kernel(void)
{
    vspace_activate_satp(this_hart(), vspace_satp(kpptr_to_paddr(kernel_root_pt), 0));
}

void vspace_drop(word_t asid)
{
    if ((csr_read(satp) >> 44 & 0xffff) == asid)
        vspace_activate_kernel();
    smp_drop_vspace(asid);
}

// The kernel window address behind a user virtual address, or NULL if unmapped.
void *vspace_lookup(struct tcb *t, vptr_t v)
{
    struct cap c = tcb_slot(t, TCB_VTABLE)->cap;
    if (!vspace_root_satp(c) || v >= USER_TOP)
        return NULL;
    pte_t *pt = cap_ptr(c);
    for (int level = 2; level >= 0; level--) {
        pte_t e = pt[pt_index(v, level)];
        if (!(e & PTE_V))
            return NULL;
        if (!pte_is_table(e))
            return (uint8_t *)paddr_to_pptr(pte_paddr(e)) + (v & MASK(12 + 9 * level));
        pt = paddr_to_pptr(pte_paddr(e));
    }
    return NULL;
}

struct pt_slot vspace_lookup_slot(pte_t *root, vptr_t v)
{
    int level = 2;
    pte_t *e = &root[pt_index(v, level)];
    while (pte_is_table(*e) && level > 0) {
        level--;
        e = (pte_t *)paddr_to_pptr(pte_paddr(*e)) + pt_index(v, level);
    }
    return (struct pt_slot){e, 12 + 9 * level};
}

void vspace_unmap_page(word_t asid, vptr_t v, paddr_t paddr, word_t bits)
{
    pte_t *root = find_vspace_for_asid(asid);
    if (!root)
        return;
    struct pt_slot s = vspace_lookup_slot(root, v);
    if (s.bits_left != bits || !(*s.pte & PTE_V) || pte_is_table(*s.pte) ||
        pte_paddr(*s.pte) != paddr)
        return;
    *s.pte = 0;
    asid_flush(asid);
}

void vspace_unmap_table(word_t asid, vptr_t v, pte_t *pt)
{
    pte_t *table = find_vspace_for_asid(asid), *e = NULL;
    // A root is never unmapped this way (it loses its ASID instead).
    for (int level = 2; table && level > 0 && table != pt; level--) {
        e = &table[pt_index(v, level)];
        if (!pte_is_table(*e))
            return;
        table = paddr_to_pptr(pte_paddr(*e));
    }
    if (!e || table != pt)
        return;
    *e = 0;
    asid_flush(asid);
}
