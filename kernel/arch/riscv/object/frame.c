// Frame invocations: Map, Unmap, GetAddress (seL4's decodeRISCVFrameInvocation).
// A frame cap records the one place it is mapped (ASID and address); mapping it again
// is allowed only at that place, which updates its rights and attributes.
#include "vspace_invoke.h"
#include "objecttype.h"
#include "vspace.h"
#include "asid.h"
#include "hart.h"
#include "printf.h"
#include "smp.h"
#include <sel4/invocation.h>

static word_t frame_bits(struct cap c)
{
    return seL4_PageBits + seL4_PageTableIndexBits * cap_frame_size(c);
}

// seL4's makeUserPTE: no rights and no execution is no mapping at all.
static pte_t user_pte(paddr_t p, enum vm_rights rights, bool exec)
{
    word_t flags = PTE_U | (exec ? PTE_X : 0);
    if (rights != VM_KERNEL_ONLY)
        flags |= PTE_R;
    if (rights == VM_READ_WRITE)
        flags |= PTE_W;
    return flags == PTE_U ? 0 : pte_leaf(p, flags);
}

static void invoke_map(struct cte *slot, struct cap c, pte_t *pte, pte_t value, word_t asid)
{
    slot->cap = c;
    *pte = value;
    asid_flush(asid);
    // Code written through another mapping must be visible to instruction fetch on
    // every hart that may run it (RISC-V has no coherent instruction cache).
    if (value & PTE_X)
        icache_sync();
}

static void invoke_unmap(struct cte *slot)
{
    struct cap c = slot->cap;
    if (cap_frame_asid(c))
        vspace_unmap_page(cap_frame_asid(c), cap_frame_vaddr(c), cap_paddr(c), frame_bits(c));
    slot->cap = cap_frame_new(cap_paddr(c), cap_frame_size(c), cap_frame_rights(c),
                              cap_frame_is_device(c), 0, 0);
}

static void invoke_get_address(struct invocation *inv)
{
    if (!inv->is_call)
        return;
    inv_reply_mr(inv, 0, cap_paddr(inv->cap));
    inv_reply_done(inv, 1);
}

static word_t decode_map(struct invocation *inv)
{
    struct cap c = inv->cap;
    if (inv->length < 3 || inv->n_extra < 1) {
        user_error("RISCVPageMap: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t vaddr = inv_arg(inv, 0), rights_mask = inv_arg(inv, 1), attr = inv_arg(inv, 2);
    pte_t *root;
    word_t asid, st = decode_vspace_root(inv, "RISCVPageMap", &root, &asid);
    if (st)
        return st;
    word_t bits = frame_bits(c);
    // An aligned address cannot wrap here; an unaligned one is refused next.
    if (vaddr + BIT(bits) - 1 >= USER_TOP) {
        user_error("RISCVPageMap: Frame at 0x%lx does not end below seL4_UserTop.", vaddr);
        return refuse_arg(inv, seL4_InvalidArgument, 0);
    }
    if (!IS_ALIGNED(vaddr, bits)) {
        user_error("RISCVPageMap: Address 0x%lx is not aligned to the frame size.", vaddr);
        return refuse(inv, seL4_AlignmentError);
    }
    struct pt_slot s = vspace_lookup_slot(root, vaddr);
    if (s.bits_left != bits) {
        user_error("RISCVPageMap: No page table for a %lu-bit frame at 0x%lx.", bits, vaddr);
        return refuse_lookup(inv, false,
                             (struct lookup_fault){.type = seL4_MissingCapability,
                                                   .bits_left = s.bits_left});
    }
    if (cap_frame_asid(c)) {
        if (cap_frame_asid(c) != asid) {
            user_error("RISCVPageMap: Attempting to remap a frame that does not belong to the "
                       "passed address space.");
            return refuse_arg(inv, seL4_InvalidCapability, 1);
        }
        if (cap_frame_vaddr(c) != vaddr) {
            user_error("RISCVPageMap: attempting to map frame into multiple addresses.");
            return refuse_arg(inv, seL4_InvalidArgument, 0);
        }
        if (pte_is_table(*s.pte)) {
            user_error("RISCVPageMap: no mapping to remap.");
            return refuse(inv, seL4_DeleteFirst);
        }
    } else if (*s.pte & PTE_V) {
        user_error("RISCVPageMap: Virtual address 0x%lx already mapped.", vaddr);
        return refuse(inv, seL4_DeleteFirst);
    }
    // seL4's maskVMRights: the mapping gets the rights both the cap and the call allow.
    seL4_CapRights_t mask = {{rights_mask}};
    enum vm_rights rights = cap_frame_rights(arch_mask_cap_rights(mask, c));
    bool exec = !(attr & seL4_RISCV_ExecuteNever);
    invoke_map(inv->slot,
               cap_frame_new(cap_paddr(c), cap_frame_size(c), cap_frame_rights(c),
                             cap_frame_is_device(c), asid, vaddr),
               s.pte, user_pte(cap_paddr(c), rights, exec), asid);
    return seL4_NoError;
}

word_t decode_frame(struct invocation *inv)
{
    switch (inv->label) {
    case RISCVPageMap:
        return decode_map(inv);
    case RISCVPageUnmap:
        invoke_unmap(inv->slot);
        return seL4_NoError;
    case RISCVPageGetAddress:
        invoke_get_address(inv);
        return seL4_NoError;
    default:
        user_error("RISCVPage: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
}
