// RISC-V capability types (frames, page tables, ASID control and pools): comparison,
// derivation, rights, finalisation (unmapping) and creation.
#include "objecttype.h"
#include "asid.h"
#include "vspace.h"
#include "csr.h"
#include "smp.h"
#include <sel4/objecttype.h>

struct asid_pool *asid_table[ASID_POOLS];
word_t asid_epoch = 1;  // a new TCB's zeroed vs_cache never matches

// Every hart may hold translations of the ASID: its threads can run anywhere.
void asid_flush(word_t asid)
{
    asm volatile("sfence.vma zero, %0" : : "r"(asid) : "memory");
    tlb_shootdown(asid);
}

static word_t frame_bits(struct cap c)
{
    return 12 + 9 * cap_frame_size(c);
}

bool arch_same_region_as(struct cap a, struct cap b)
{
    switch (cap_get_tag(a)) {
    case cap_frame:
        if (cap_get_tag(b) != cap_frame)
            return false;
        {
            paddr_t a0 = cap_paddr(a), a1 = a0 + BIT(frame_bits(a)) - 1;
            paddr_t b0 = cap_paddr(b), b1 = b0 + BIT(frame_bits(b)) - 1;
            return a0 <= b0 && b1 <= a1 && b0 <= b1;
        }
    case cap_page_table:
    case cap_asid_pool:
        return cap_get_tag(b) == cap_get_tag(a) && cap_paddr(a) == cap_paddr(b);
    case cap_asid_control:
        return cap_get_tag(b) == cap_asid_control;
    default:
        return false;
    }
}

bool arch_same_object_as(struct cap a, struct cap b)
{
    if (cap_get_tag(a) == cap_frame && cap_get_tag(b) == cap_frame)
        return cap_paddr(a) == cap_paddr(b) && cap_frame_size(a) == cap_frame_size(b) &&
               cap_frame_is_device(a) == cap_frame_is_device(b);
    return arch_same_region_as(a, b);
}

word_t arch_derive_cap(struct cte *slot, struct cap cap, struct cap *out, struct syscall_error *err)
{
    (void)slot;
    switch (cap_get_tag(cap)) {
    case cap_page_table:
        // Only a mapped (or ASID-assigned) table may be copied, as seL4 on RISC-V.
        if (!cap_page_table_is_mapped(cap)) {
            err->type = seL4_IllegalOperation;
            return err->type;
        }
        *out = cap;
        return seL4_NoError;
    case cap_frame:
        // A copy of a frame cap starts unmapped.
        *out = cap_frame_new(cap_paddr(cap), cap_frame_size(cap), cap_frame_rights(cap),
                             cap_frame_is_device(cap), 0, 0);
        return seL4_NoError;
    default:
        *out = cap;
        return seL4_NoError;
    }
}

// seL4's maskVMRights: write needs read; kernel-only stays kernel-only.
struct cap arch_mask_cap_rights(seL4_CapRights_t rights, struct cap cap)
{
    word_t r = rights.words[0];
    enum vm_rights vm = cap_frame_rights(cap), out = VM_KERNEL_ONLY;
    if (vm == VM_READ_ONLY && (r & RIGHT_READ))
        out = VM_READ_ONLY;
    if (vm == VM_READ_WRITE && (r & RIGHT_READ))
        out = (r & RIGHT_WRITE) ? VM_READ_WRITE : VM_READ_ONLY;
    cap.w0 = (cap.w0 & ~(3ul << 7)) | (word_t)out << 7;
    return cap;
}

struct cap arch_finalise_cap(struct cap cap, bool final)
{
    switch (cap_get_tag(cap)) {
    case cap_frame:
        if (cap_frame_asid(cap))
            vspace_unmap_page(cap_frame_asid(cap), cap_frame_vaddr(cap), cap_paddr(cap),
                              frame_bits(cap));
        break;
    case cap_page_table:
        if (final && cap_page_table_is_mapped(cap)) {
            word_t asid = cap_page_table_asid(cap);
            pte_t *pt = cap_ptr(cap);
            if (find_vspace_for_asid(asid) == pt) {
                // A VSpace root: it loses its ASID.
                struct asid_pool *pool = asid_table[asid >> seL4_ASIDPoolIndexBits];
                pool->entries[asid & MASK(seL4_ASIDPoolIndexBits)] = NULL;
                asid_epoch++;
                vspace_drop(asid);
                asid_flush(asid);
            } else {
                vspace_unmap_table(asid, cap_page_table_vaddr(cap), pt);
            }
        }
        break;
    case cap_asid_pool:
        if (final) {
            struct asid_pool *pool = cap_ptr(cap);
            word_t base = cap.w1;
            if (asid_table[base >> seL4_ASIDPoolIndexBits] == pool) {
                asid_table[base >> seL4_ASIDPoolIndexBits] = NULL;
                asid_epoch++;
                for (word_t i = 0; i < ASID_POOL_ENTRIES; i++)
                    if (pool->entries[i]) {
                        vspace_drop(base + i);
                        asid_flush(base + i);
                    }
            }
        }
        break;
    default:
        break;
    }
    return cap_null_new();
}

bool arch_is_frame_type(word_t type)
{
    return type == seL4_RISCV_4K_Page || type == seL4_RISCV_Mega_Page ||
           type == seL4_RISCV_Giga_Page;
}

word_t arch_object_size_bits(word_t type)
{
    switch (type) {
    case seL4_RISCV_4K_Page: return seL4_PageBits;
    case seL4_RISCV_Mega_Page: return seL4_LargePageBits;
    case seL4_RISCV_Giga_Page: return seL4_HugePageBits;
    default: return seL4_PageTableBits;  // seL4_RISCV_PageTableObject
    }
}

struct cap arch_create_object(word_t type, void *region, bool device)
{
    paddr_t p = pptr_to_paddr(region);
    switch (type) {
    case seL4_RISCV_4K_Page:
        return cap_frame_new(p, FRAME_4K, VM_READ_WRITE, device, 0, 0);
    case seL4_RISCV_Mega_Page:
        return cap_frame_new(p, FRAME_2M, VM_READ_WRITE, device, 0, 0);
    case seL4_RISCV_Giga_Page:
        return cap_frame_new(p, FRAME_1G, VM_READ_WRITE, device, 0, 0);
    default:
        return cap_page_table_new(p, false, 0, 0);
    }
}
