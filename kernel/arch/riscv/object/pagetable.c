// Page table invocations: Map and Unmap (seL4's decodeRISCVPageTableInvocation).
// A page table hangs at the level where the walk to its address ends: below the root
// for a 1 GiB region, below a level-1 table for a 2 MiB one.
#include "vspace_invoke.h"
#include "vspace.h"
#include "asid.h"
#include "cdt.h"
#include "hart.h"
#include "printf.h"
#include "string.h"
#include <sel4/invocation.h>

// Everything mapped through the table goes with it, as on seL4: its entries are
// cleared, and the caps of frames and tables below it find nothing to unmap later.
static void invoke_unmap(struct cte *slot)
{
    struct cap c = slot->cap;
    if (cap_page_table_is_mapped(c)) {
        vspace_unmap_table(cap_page_table_asid(c), cap_page_table_vaddr(c), cap_ptr(c));
        memset(cap_ptr(c), 0, BIT(seL4_PageTableBits));
    }
    slot->cap = cap_page_table_new(cap_paddr(c), false, 0, 0);
}

static void invoke_map(struct cte *slot, struct cap c, pte_t *pte, word_t asid)
{
    slot->cap = c;
    *pte = pte_table(cap_paddr(c));
    asid_flush(asid);
}

static word_t decode_unmap(struct invocation *inv)
{
    struct cap c = inv->cap;
    if (!cte_is_final(inv->slot)) {
        user_error("RISCVPageTableUnmap: cannot unmap if more than one cap exists.");
        return refuse(inv, seL4_RevokeFirst);
    }
    if (cap_page_table_is_mapped(c) && find_vspace_for_asid(cap_page_table_asid(c)) == cap_ptr(c)) {
        user_error("RISCVPageTableUnmap: cannot call unmap on top level PageTable.");
        return refuse(inv, seL4_RevokeFirst);
    }
    invoke_unmap(inv->slot);
    return seL4_NoError;
}

static word_t decode_map(struct invocation *inv)
{
    struct cap c = inv->cap;
    if (inv->length < 2 || inv->n_extra < 1) {
        user_error("RISCVPageTable: truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    if (cap_page_table_is_mapped(c)) {
        user_error("RISCVPageTable: PageTable is already mapped.");
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    word_t vaddr = inv_arg(inv, 0);
    struct cap root_cap = inv->extra[0]->cap;
    // seL4 checks the address after the cap's type and before its ASID.
    if (cap_get_tag(root_cap) == cap_page_table && cap_page_table_is_mapped(root_cap) &&
        vaddr >= USER_TOP) {
        user_error("RISCVPageTableMap: Virtual address cannot be in kernel window.");
        return refuse_arg(inv, seL4_InvalidArgument, 0);
    }
    pte_t *root;
    word_t asid, st = decode_vspace_root(inv, "RISCVPageTableMap", &root, &asid);
    if (st)
        return st;
    struct pt_slot s = vspace_lookup_slot(root, vaddr);
    if (s.bits_left == seL4_PageBits || (*s.pte & PTE_V)) {
        user_error("RISCVPageTableMap: All objects mapped at this address.");
        return refuse(inv, seL4_DeleteFirst);
    }
    invoke_map(inv->slot,
               cap_page_table_new(cap_paddr(c), true, asid, ROUND_DOWN(vaddr, s.bits_left)), s.pte,
               asid);
    return seL4_NoError;
}

word_t decode_page_table(struct invocation *inv)
{
    switch (inv->label) {
    case RISCVPageTableUnmap:
        return decode_unmap(inv);
    case RISCVPageTableMap:
        return decode_map(inv);
    default:
        user_error("RISCVPageTable: Illegal Operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
}
