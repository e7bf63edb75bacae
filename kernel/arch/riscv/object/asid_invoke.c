// ASID control and ASID pool invocations (seL4's RISC-V ASIDControl MakePool and
// ASIDPool Assign). ASID control turns a 4 KiB untyped into the next free pool of
// 2^9 ASIDs; a pool gives a new root page table the first ASID it has free.
#include "vspace_invoke.h"
#include "vspace.h"
#include "asid.h"
#include "cdt.h"
#include "hart.h"
#include "printf.h"
#include "string.h"
#include <sel4/invocation.h>

// The pool cap goes below the untyped as an ordinary (not revocable) child, as seL4's
// cteInsert makes it: copies of it are its siblings, not its children.
static void invoke_make_pool(struct cte *untyped, struct cte *dest, word_t index)
{
    struct asid_pool *pool = cap_ptr(untyped->cap);
    untyped->cap.w1 = BIT(seL4_ASIDPoolBits);  // the untyped is used up
    memset(pool, 0, sizeof(*pool));
    cte_insert(cap_asid_pool_new(cap_paddr(untyped->cap), index << seL4_ASIDPoolIndexBits), untyped,
               dest);
    asid_table[index] = pool;
}

word_t decode_asid_control(struct invocation *inv)
{
    if (inv->label != RISCVASIDControlMakePool) {
        user_error("ASIDControl: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (inv->length < 2 || inv->n_extra < 2) {
        user_error("ASIDControlMakePool: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t index = inv_arg(inv, 0), depth = inv_arg(inv, 1);
    struct cte *untyped = inv->extra[0], *dest = NULL;
    struct cap ut = untyped->cap;
    word_t pool = 0;
    while (pool < ASID_POOLS && asid_table[pool])
        pool++;
    if (pool == ASID_POOLS) {
        user_error("ASIDControlMakePool: No free ASID pool.");
        return refuse(inv, seL4_DeleteFirst);
    }
    if (cap_get_tag(ut) != cap_untyped || cap_untyped_bits(ut) != seL4_ASIDPoolBits ||
        cap_untyped_is_device(ut)) {
        user_error("ASIDControlMakePool: Invalid untyped (needs a 4 KiB RAM untyped).");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    if (cte_has_children(untyped)) {
        user_error("ASIDControlMakePool: Untyped has children; revoke it first.");
        return refuse(inv, seL4_RevokeFirst);
    }
    // seL4's lookupTargetSlot, as every destination of a new cap is found.
    word_t st = inv_lookup_slot(inv, false, inv->extra[1]->cap, index, depth, &dest);
    if (st) {
        user_error("ASIDControlMakePool: Destination slot lookup failed.");
        return st;
    }
    if (cap_get_tag(dest->cap) != cap_null) {
        user_error("ASIDControlMakePool: Destination slot not empty.");
        return refuse(inv, seL4_DeleteFirst);
    }
    invoke_make_pool(untyped, dest, pool);
    return seL4_NoError;
}

static void invoke_assign(struct cte *vspace, struct asid_pool *pool, word_t asid)
{
    pte_t *root = cap_ptr(vspace->cap);
    vspace->cap = cap_page_table_new(cap_paddr(vspace->cap), true, asid, 0);
    vspace_copy_kernel(root);
    pool->entries[asid & MASK(seL4_ASIDPoolIndexBits)] = root;
}

word_t decode_asid_pool(struct invocation *inv)
{
    if (inv->label != RISCVASIDPoolAssign) {
        user_error("ASIDPool: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (inv->n_extra < 1) {
        user_error("ASIDPoolAssign: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    struct cte *vspace = inv->extra[0];
    struct cap v = vspace->cap;
    if (cap_get_tag(v) != cap_page_table || cap_page_table_is_mapped(v)) {
        user_error("RISCVASIDPool: Invalid vspace root.");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    word_t base = inv->cap.w1;
    struct asid_pool *pool = asid_table[base >> seL4_ASIDPoolIndexBits];
    if (!pool) {
        user_error("ASIDPoolAssign: The pool's ASIDs are not in use.");
        return refuse_lookup(inv, false, (struct lookup_fault){.type = seL4_InvalidRoot});
    }
    if (pool != cap_ptr(inv->cap)) {
        user_error("ASIDPoolAssign: Another pool owns these ASIDs.");
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    // ASID 0 is never given out: a frame or table cap with ASID 0 is unmapped.
    word_t i = 0;
    while (i < ASID_POOL_ENTRIES && (base + i == 0 || pool->entries[i]))
        i++;
    if (i == ASID_POOL_ENTRIES) {
        user_error("ASIDPoolAssign: No free ASID in the pool.");
        return refuse(inv, seL4_DeleteFirst);
    }
    invoke_assign(vspace, pool, base + i);
    return seL4_NoError;
}
