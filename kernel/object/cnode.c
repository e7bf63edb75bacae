// CNode invocations (seL4's decodeCNodeInvocation and the invoke functions).
#include "decode.h"
#include "objecttype.h"
#include "cspace.h"
#include "cdt.h"
#include "endpoint.h"
#include "hart.h"
#include "printf.h"
#include <sel4/invocation.h>

static word_t ensure_empty(struct invocation *inv, struct cte *slot, const char *op)
{
    if (cap_get_tag(slot->cap) != cap_null) {
        user_error("CNode %s: Destination not empty.", op);
        return refuse(inv, seL4_DeleteFirst);
    }
    return seL4_NoError;
}

static word_t missing_source(struct invocation *inv, bool was_source, word_t depth)
{
    return refuse_lookup(inv, was_source,
                         (struct lookup_fault){.type = seL4_MissingCapability, .bits_left = depth});
}

static word_t decode_copy_like(struct invocation *inv, struct cte *dest)
{
    if (inv->length < 4 || inv->n_extra < 1) {
        user_error("CNode Copy/Mint/Move/Mutate: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t src_index = inv_arg(inv, 2), src_depth = inv_arg(inv, 3);
    word_t st = ensure_empty(inv, dest, "Copy/Mint/Move/Mutate");
    if (st)
        return st;
    struct cte *src;
    if ((st = inv_lookup_slot(inv, true, inv->extra[0]->cap, src_index, src_depth, &src)))
        return st;
    if (cap_get_tag(src->cap) == cap_null) {
        user_error("CNode Copy/Mint/Move/Mutate: Source slot invalid or empty.");
        return missing_source(inv, true, src_depth);
    }
    struct cap new_cap;
    bool is_move = false;
    switch (inv->label) {
    case CNodeCopy:
    case CNodeMint: {
        word_t need = inv->label == CNodeCopy ? 5 : 6;
        if (inv->length < need) {
            user_error("Truncated message for CNode Copy/Mint operation.");
            return refuse(inv, seL4_TruncatedMessage);
        }
        seL4_CapRights_t rights = {{inv_arg(inv, 4)}};
        struct cap c = mask_cap_rights(rights, src->cap);
        if (inv->label == CNodeMint)
            c = update_cap_data(false, inv_arg(inv, 5), c);
        if ((st = derive_cap(src, c, &new_cap, &inv->err)))
            return st;
        break;
    }
    case CNodeMove:
        new_cap = src->cap;
        is_move = true;
        break;
    default:  // CNodeMutate
        if (inv->length < 5) {
            user_error("Truncated message for CNode Mutate operation.");
            return refuse(inv, seL4_TruncatedMessage);
        }
        new_cap = update_cap_data(true, inv_arg(inv, 4), src->cap);
        is_move = true;
        break;
    }
    if (cap_get_tag(new_cap) == cap_null) {
        user_error("CNode Copy/Mint/Move/Mutate: Mutated cap would be invalid.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (is_move)
        cte_move(new_cap, src, dest);
    else
        cte_insert(new_cap, src, dest);
    return seL4_NoError;
}

static word_t decode_rotate(struct invocation *inv, struct cte *dest)
{
    if (inv->length < 8 || inv->n_extra < 2) {
        user_error("CNode Rotate: Target cap invalid.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t pivot_data = inv_arg(inv, 2), pivot_index = inv_arg(inv, 3), pivot_depth = inv_arg(inv, 4);
    word_t src_data = inv_arg(inv, 5), src_index = inv_arg(inv, 6), src_depth = inv_arg(inv, 7);
    struct cte *src, *pivot;
    word_t st;
    if ((st = inv_lookup_slot(inv, true, inv->extra[1]->cap, src_index, src_depth, &src)))
        return st;
    if ((st = inv_lookup_slot(inv, true, inv->extra[0]->cap, pivot_index, pivot_depth, &pivot)))
        return st;
    if (pivot == src || pivot == dest) {
        user_error("CNode Rotate: Pivot slot the same as source or dest slot.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (src != dest && (st = ensure_empty(inv, dest, "Rotate")))
        return st;
    if (cap_get_tag(src->cap) == cap_null)
        return missing_source(inv, true, src_depth);
    if (cap_get_tag(pivot->cap) == cap_null)
        return missing_source(inv, false, pivot_depth);
    struct cap new_src = update_cap_data(true, src_data, src->cap);
    struct cap new_pivot = update_cap_data(true, pivot_data, pivot->cap);
    if (cap_get_tag(new_src) == cap_null || cap_get_tag(new_pivot) == cap_null) {
        user_error("CNode Rotate: Source or pivot cap invalid.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (src == dest) {
        cte_swap(new_src, src, new_pivot, pivot);
    } else {
        cte_move(new_pivot, pivot, dest);
        cte_move(new_src, src, pivot);
    }
    return seL4_NoError;
}

static word_t save_caller(struct invocation *inv, struct cte *dest)
{
    word_t st = ensure_empty(inv, dest, "SaveCaller");
    if (st)
        return st;
    struct cte *src = tcb_slot(inv->thread, TCB_CALLER);
    if (cap_get_tag(src->cap) == cap_reply && !cap_reply_master(src->cap))
        cte_move(src->cap, src, dest);
    else
        user_error("CNode SaveCaller: Reply cap not present.");
    return seL4_NoError;
}

static word_t cancel_badged(struct invocation *inv, struct cte *dest)
{
    struct cap c = dest->cap;
    word_t all = RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT | RIGHT_GRANT_REPLY;
    if (cap_get_tag(c) != cap_endpoint || (cap_rights(c) & all) != all) {
        user_error("CNode CancelBadgedSends: Target cap invalid.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (cap_badge(c))
        cancel_badged_sends(cap_ptr(c), cap_badge(c));
    return seL4_NoError;
}

word_t decode_cnode(struct invocation *inv)
{
    if (inv->label < CNodeRevoke || inv->label > CNodeSaveCaller) {
        user_error("CNodeCap: Illegal Operation attempted.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (inv->length < 2) {
        user_error("CNode operation: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    struct cte *dest;
    word_t st = inv_lookup_slot(inv, false, inv->cap, inv_arg(inv, 0), inv_arg(inv, 1), &dest);
    if (st)
        return st;
    switch (inv->label) {
    case CNodeCopy:
    case CNodeMint:
    case CNodeMove:
    case CNodeMutate:
        return decode_copy_like(inv, dest);
    case CNodeRevoke:
        return cte_revoke(dest) ? seL4_NoError : INV_PREEMPTED;
    case CNodeDelete:
        return cte_delete_preemptible(dest) ? seL4_NoError : INV_PREEMPTED;
    case CNodeSaveCaller:
        return save_caller(inv, dest);
    case CNodeCancelBadgedSends:
        return cancel_badged(inv, dest);
    default:  // CNodeRotate
        return decode_rotate(inv, dest);
    }
}
