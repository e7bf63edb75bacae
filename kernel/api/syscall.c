// System call dispatch (seL4's handleSyscall for the non-MCS kernel).
#include "syscall.h"
#include "cspace.h"
#include "sched.h"
#include "hart.h"
#include "printf.h"
#include <sel4/syscall.h>
#include <sel4/errors.h>

void set_mr(struct tcb *t, word_t *buffer, word_t i, word_t v)
{
    if (i < seL4_FastMessageRegisters)
        t->ctx[CTX_A2 + i] = v;
    else if (buffer)
        buffer[1 + i] = v;
}

// The reply a Call gets when its invocation is refused: label = error, MRs per error.
static void reply_error(struct tcb *t, const struct syscall_error *e)
{
    word_t *buf = tcb_ipc_buffer(t, true);
    word_t len = 0;
    switch (e->type) {
    case seL4_InvalidArgument:
    case seL4_InvalidCapability:
    case seL4_NotEnoughMemory:
        set_mr(t, buf, len++, e->arg0);
        break;
    case seL4_RangeError:
        set_mr(t, buf, len++, e->arg0);
        set_mr(t, buf, len++, e->arg1);
        break;
    case seL4_FailedLookup:
        set_mr(t, buf, len++, e->was_source);
        set_mr(t, buf, len++, e->lf.type);
        if (e->lf.type == seL4_MissingCapability) {
            set_mr(t, buf, len++, e->lf.bits_left);
        } else if (e->lf.type == seL4_DepthMismatch) {
            set_mr(t, buf, len++, e->lf.bits_left);
            set_mr(t, buf, len++, e->lf.bits_found);
        } else if (e->lf.type == seL4_GuardMismatch) {
            set_mr(t, buf, len++, e->lf.bits_left);
            set_mr(t, buf, len++, e->lf.bits_found);
            set_mr(t, buf, len++, e->lf.guard_size);
        }
        break;
    default:
        break;
    }
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
    word_t cptr = t->ctx[CTX_A0];
    struct lookup lu = lookup_slot(t, cptr);
    if (!lu.slot) {
        user_error("Invocation of invalid cap #%lu.", cptr);
        if (is_blocking)
            cap_fault(t, cptr, false, lu.fault);
        return;
    }
    word_t length = seL4_MessageInfo_get_length(info);
    if (length > seL4_MsgMaxLength)
        length = seL4_MsgMaxLength;
    if (length > seL4_FastMessageRegisters && !tcb_ipc_buffer(t, false))
        length = seL4_FastMessageRegisters;
    struct syscall_error err = {0};
    word_t status = decode_invocation(t, seL4_MessageInfo_get_label(info), length, cptr, lu.slot,
                                      &err);
    if (status != seL4_NoError && is_call)
        reply_error(t, &err);
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
    enum cap_tag tag = cap_get_tag(lu.slot->cap);
    if (tag == cap_endpoint || tag == cap_notification)
        user_error("Receive on %s caps is not implemented yet (issue 3)",
                   tag == cap_endpoint ? "endpoint" : "notification");
    else
        user_error("Receive: cap #%lu is not an endpoint or notification.", cptr);
    cap_fault(t, cptr, true, (struct lookup_fault){.type = seL4_MissingCapability});
    (void)is_blocking;
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
        // No caller is ever waiting on this kernel yet: a Reply with no caller does
        // nothing on seL4 either.
        break;
    case seL4_SysReplyRecv:
        handle_recv(true);
        break;
    case seL4_SysYield:
        sched_yield();
        break;
    default:
        if (!handle_debug_syscall(nr))
            handle_unknown_syscall(nr);
    }
}
