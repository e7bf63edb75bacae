// What every decode function calls to read its arguments, write its reply and explain
// a refusal (seL4's syscall_error_t helpers and lookupSlotForCNodeOp). They sit here,
// below the dispatch in kernel/api/, so that object code never calls up into it.
#include "decode.h"
#include "cspace.h"
#include "printf.h"
#include <al4/asyncsys_ring.h>

// An asynchronous request's registers are the kernel's copy of the item, which holds
// only the `length` words the request names: a word past them reads 0 (a system call's
// reads a stale register), never anything the process rewrites meanwhile.
word_t inv_arg(const struct invocation *inv, unsigned i)
{
    if (inv->msg)
        return i < inv->length ? inv->msg[i] : 0;
    return get_mr(inv->thread, inv->buffer, i);
}

// Only the TCB register invocations reply with more than a reply item holds, and the
// asynchronous path refuses them before decoding (docs/asyncsys.md).
void inv_reply_mr(struct invocation *inv, unsigned i, word_t v)
{
    if (inv->reply) {
        assert(i < AL4_ASYNCSYS_REPLY_MRS);
        if (i < AL4_ASYNCSYS_REPLY_MRS)
            inv->reply[i] = v;
        return;
    }
    set_mr(inv->thread, tcb_ipc_buffer(inv->thread, true), i, v);
}

void inv_reply_done(struct invocation *inv, unsigned length)
{
    inv->replied = true;
    if (inv->reply) {
        inv->reply_length = MIN(length, AL4_ASYNCSYS_REPLY_MRS);
        return;
    }
    inv->thread->ctx[CTX_A0] = 0;
    inv->thread->ctx[CTX_A1] = seL4_MessageInfo_new(0, 0, 0, length).words[0];
}

word_t refuse(struct invocation *inv, word_t type)
{
    inv->err.type = type;
    return type;
}

word_t refuse_arg(struct invocation *inv, word_t type, word_t arg0)
{
    inv->err.arg0 = arg0;
    return refuse(inv, type);
}

word_t refuse_range(struct invocation *inv, word_t min, word_t max)
{
    inv->err.arg0 = min;
    inv->err.arg1 = max;
    return refuse(inv, seL4_RangeError);
}

word_t refuse_lookup(struct invocation *inv, bool was_source, struct lookup_fault lf)
{
    inv->err.was_source = was_source;
    inv->err.lf = lf;
    return refuse(inv, seL4_FailedLookup);
}

// seL4's lookupSlotForCNodeOp: the slot `index` names at exactly `depth` bits.
word_t inv_lookup_slot(struct invocation *inv, bool is_source, struct cap root, word_t index,
                             word_t depth, struct cte **out)
{
    if (cap_get_tag(root) != cap_cnode)
        return refuse_lookup(inv, is_source, (struct lookup_fault){.type = seL4_InvalidRoot});
    if (depth < 1 || depth > seL4_WordBits)
        return refuse_range(inv, 1, seL4_WordBits);
    struct lookup lu = resolve_address_bits(root, index, depth);
    if (!lu.slot)
        return refuse_lookup(inv, is_source, lu.fault);
    if (lu.bits_left)
        return refuse_lookup(inv, is_source, (struct lookup_fault){.type = seL4_DepthMismatch,
                                                                    .bits_left = lu.bits_left,
                                                                    .bits_found = 0});
    *out = lu.slot;
    return seL4_NoError;
}
