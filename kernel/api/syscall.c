// System call dispatch (seL4's handleSyscall for the non-MCS kernel).
#include "syscall.h"
#include "invocation.h"
#include "cspace.h"
#include "cdt.h"
#include "endpoint.h"
#include "notification.h"
#include "sched.h"
#include "hart.h"
#include "printf.h"
#include <sel4/syscall.h>
#include <al4/syscall.h>

// The reply a Call gets when its invocation is refused: label = error, MRs per error.
static void reply_error(struct tcb *t, const struct syscall_error *e)
{
    word_t *buf = tcb_ipc_buffer(t, true);
    word_t mr[SYSCALL_ERROR_MAX_MRS];
    unsigned n = syscall_error_mrs(e, mr);
    word_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len = set_mr(t, buf, len, mr[i]);
    t->ctx[CTX_A0] = 0;
    t->ctx[CTX_A1] = seL4_MessageInfo_new(e->type, 0, 0, len).words[0];
}

static void cap_fault(struct tcb *t, word_t cptr, bool in_receive, struct lookup_fault lf)
{
    t->fault = (struct fault){.type = seL4_CapFault, .w = {cptr, in_receive}};
    t->lookup_fault = lf;
    handle_fault(t);
}

static void handle_invocation(bool is_call, bool is_blocking)
{
    struct tcb *t = this_hart()->cur;
    seL4_MessageInfo_t info = {{t->ctx[CTX_A1]}};
    // Field by field rather than `= {...}`: zeroing the whole structure (the extra
    // slots) costs more than the rest of a short invocation. Decoders read only the
    // first n_extra extra slots.
    struct invocation inv;
    inv.thread = t;
    inv.cptr = t->ctx[CTX_A0];
    inv.is_call = is_call;
    inv.replied = false;
    inv.n_extra = 0;
    inv.err = (struct syscall_error){0};
    inv.msg = NULL;
    inv.reply = NULL;
    inv.buffer = tcb_ipc_buffer(t, false);
    inv.label = seL4_MessageInfo_get_label(info);
    inv.length = MIN(seL4_MessageInfo_get_length(info), (word_t)seL4_MsgMaxLength);
    if (inv.length > seL4_FastMessageRegisters && !inv.buffer)
        inv.length = seL4_FastMessageRegisters;
    word_t extra = inv.buffer ? seL4_MessageInfo_get_extraCaps(info) : 0;
    const word_t *extra_cptrs = inv.buffer ? ((seL4_IPCBuffer *)inv.buffer)->caps_or_badges : NULL;
    struct lookup_fault lf;
    int bad = invocation_lookup(&inv, extra, extra_cptrs, &lf);
    if (bad != INV_LOOKUP_OK) {
        // A failed lookup is a cap fault, as seL4's lookupCapAndSlot/lookupExtraCaps.
        if (is_blocking)
            cap_fault(t, bad ? extra_cptrs[bad - 1] : inv.cptr, false, lf);
        return;
    }
    tcb_set_state(t, THREAD_RESTART);
    word_t status = decode_invocation(&inv, is_blocking);
    if (status == INV_PREEMPTED)
        return;
    if (status != seL4_NoError) {
        tcb_set_state(t, THREAD_RUNNING);
        if (is_call)
            reply_error(t, &inv.err);
        return;
    }
    if (t->state == THREAD_RESTART) {
        if (is_call && !inv.replied) {
            t->ctx[CTX_A0] = 0;
            t->ctx[CTX_A1] = 0;
        }
        tcb_set_state(t, THREAD_RUNNING);
    }
}

static void handle_recv(bool is_blocking)
{
    struct tcb *t = this_hart()->cur;
    word_t cptr = t->ctx[CTX_A0];
    struct lookup lu = lookup_slot(t, cptr);
    if (!lu.slot) {
        user_error("Receive: invalid cap #%lu.", cptr);
        cap_fault(t, cptr, true, lu.fault);
        return;
    }
    struct cap c = lu.slot->cap;
    struct lookup_fault missing = {.type = seL4_MissingCapability, .bits_left = 0};
    switch (cap_get_tag(c)) {
    case cap_endpoint:
        if (!(cap_rights(c) & RIGHT_READ)) {
            user_error("Receive: endpoint cap #%lu cannot receive.", cptr);
            cap_fault(t, cptr, true, missing);
            return;
        }
        receive_ipc(t, c, is_blocking);
        return;
    case cap_notification: {
        struct notification *n = cap_ptr(c);
        if (!(cap_rights(c) & RIGHT_READ) || (n->bound && n->bound != t)) {
            user_error("Receive: notification cap #%lu cannot be waited on.", cptr);
            cap_fault(t, cptr, true, missing);
            return;
        }
        receive_signal(t, c, is_blocking);
        return;
    }
    default:
        user_error("Receive: cap #%lu is not an endpoint or notification.", cptr);
        cap_fault(t, cptr, true, missing);
    }
}

static void handle_reply(void)
{
    struct tcb *t = this_hart()->cur;
    struct cte *slot = tcb_slot(t, TCB_CALLER);
    struct cap c = slot->cap;
    if (cap_get_tag(c) == cap_reply && !cap_reply_master(c))
        do_reply_transfer(t, cap_ptr(c), slot, cap_reply_grant(c));
}

void handle_unknown_syscall(word_t nr)
{
    struct tcb *t = this_hart()->cur;
    t->fault = (struct fault){.type = seL4_UnknownSyscall, .w = {nr}};
    handle_fault(t);
}

void handle_syscall(word_t nr)
{
    switch ((long)nr) {
    case seL4_SysSend:
        handle_invocation(false, true);
        break;
    case seL4_SysNBSend:
        handle_invocation(false, false);
        break;
    case seL4_SysCall:
        handle_invocation(true, true);
        break;
    case seL4_SysRecv:
        handle_recv(true);
        break;
    case seL4_SysNBRecv:
        handle_recv(false);
        break;
    case seL4_SysReply:
        handle_reply();
        break;
    case seL4_SysReplyRecv:
        handle_reply();
        handle_recv(true);
        break;
    case seL4_SysYield:
        sched_yield();
        break;
    case al4_SysAsyncSyscallWake:
        asyncsys_wake(this_hart()->cur);
        break;
    default:
        if (!handle_debug_syscall(nr))
            handle_unknown_syscall(nr);
    }
}
