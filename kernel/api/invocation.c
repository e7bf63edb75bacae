// Invocation decoding: which object a cap names, then that object's decode function.
// Refusals are explained by user_error() and returned as seL4 errors.
#include "invocation.h"
#include "endpoint.h"
#include "notification.h"
#include "hart.h"
#include "cspace.h"
#include "printf.h"

// The three invocations below leave the caller in the Restart state handle_invocation
// put it in, as seL4's decodeInvocation does: a Call that does not block (a signal, a
// reply) then gets seL4's empty reply, not its own message back.
static word_t invoke_endpoint(struct invocation *inv, bool blocking)
{
    struct cap c = inv->cap;
    word_t r = cap_rights(c);
    if (!(r & RIGHT_WRITE)) {
        user_error("Attempted to invoke a read-only endpoint cap %lu.", inv->cptr);
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    send_ipc(blocking, inv->is_call, cap_badge(c), r & RIGHT_GRANT, r & RIGHT_GRANT_REPLY,
             inv->thread, cap_ptr(c));
    return seL4_NoError;
}

static word_t invoke_notification(struct invocation *inv)
{
    if (!(cap_rights(inv->cap) & RIGHT_WRITE)) {
        user_error("Attempted to invoke a read-only notification cap %lu.", inv->cptr);
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    send_signal(cap_ptr(inv->cap), cap_badge(inv->cap));
    return seL4_NoError;
}

static word_t invoke_reply(struct invocation *inv)
{
    if (cap_reply_master(inv->cap)) {
        user_error("Attempted to invoke an invalid reply cap %lu.", inv->cptr);
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    do_reply_transfer(inv->thread, cap_ptr(inv->cap), inv->slot, cap_reply_grant(inv->cap));
    return seL4_NoError;
}

word_t decode_invocation(struct invocation *inv, bool blocking)
{
    switch (cap_get_tag(inv->cap)) {
    case cap_null:
    case cap_zombie:
        user_error("Attempted to invoke a null cap #%lu.", inv->cptr);
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    case cap_endpoint:
        return invoke_endpoint(inv, blocking);
    case cap_notification:
        return is_unotify_invocation(inv) ? decode_unotify(inv) : invoke_notification(inv);
    case cap_reply:
        return invoke_reply(inv);
    case cap_thread:
        return decode_tcb(inv);
    case cap_cnode:
        return decode_cnode(inv);
    case cap_untyped:
        return decode_untyped(inv);
    case cap_domain:
        return decode_domain(inv);
    case cap_irq_control:
        return decode_irq_control(inv);
    case cap_irq_handler:
        return decode_irq_handler(inv);
    default:
        return arch_decode_invocation(inv);
    }
}

int invocation_lookup(struct invocation *inv, word_t n_extra, const word_t *extra_cptrs,
                      struct lookup_fault *lf)
{
    struct lookup lu = lookup_slot(inv->thread, inv->cptr);
    if (!lu.slot) {
        user_error("Invocation of invalid cap #%lu.", inv->cptr);
        *lf = lu.fault;
        return 0;
    }
    inv->slot = lu.slot;
    inv->cap = lu.slot->cap;
    for (word_t i = 0; i < n_extra; i++) {
        struct lookup e = lookup_slot(inv->thread, extra_cptrs[i]);
        if (!e.slot) {
            user_error("Lookup of extra caps failed.");
            *lf = e.fault;
            return (int)i + 1;
        }
        inv->extra[inv->n_extra++] = e.slot;
    }
    return INV_LOOKUP_OK;
}

unsigned syscall_error_mrs(const struct syscall_error *e, word_t mr[SYSCALL_ERROR_MAX_MRS])
{
    unsigned n = 0;
    switch (e->type) {
    case seL4_InvalidArgument:
    case seL4_InvalidCapability:
    case seL4_NotEnoughMemory:
        mr[n++] = e->arg0;
        break;
    case seL4_RangeError:
        mr[n++] = e->arg0;
        mr[n++] = e->arg1;
        break;
    case seL4_FailedLookup:
        mr[n++] = e->was_source;
        mr[n++] = e->lf.type;
        if (e->lf.type == seL4_MissingCapability) {
            mr[n++] = e->lf.bits_left;
        } else if (e->lf.type == seL4_DepthMismatch) {
            mr[n++] = e->lf.bits_left;
            mr[n++] = e->lf.bits_found;
        } else if (e->lf.type == seL4_GuardMismatch) {
            mr[n++] = e->lf.bits_left;
            mr[n++] = e->lf.bits_found;
            mr[n++] = e->lf.guard_size;
        }
        break;
    default:
        break;
    }
    return n;
}
