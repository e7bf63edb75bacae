// TCB invocations (seL4's decodeTCBInvocation and invokeTCB_*).
#include "decode.h"
#include "objecttype.h"
#include "cdt.h"
#include "sched.h"
#include "asyncsys.h"
#include "notification.h"
#include "hart.h"
#include "printf.h"
#include "smp.h"
#include "fpu.h"
#include <sel4/invocation.h>
#include <sel4/constants.h>

// seL4_UserContext order -> saved context index. Index 0 ("pc") is the restart pc.
static const unsigned user_context_regs[32] = {
    CTX_FAULT_PC, CTX_RA, CTX_SP, CTX_GP,
    CTX_S0, CTX_S1, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,  // s2..s11
    CTX_A0, CTX_A1, CTX_A2, CTX_A3, CTX_A4, CTX_A5, CTX_A6, CTX_A7,
    CTX_T0, CTX_T1, CTX_T2, 28, 29, 30, 31,  // t3..t6
    CTX_TP,
};
#define N_USER_REGS 32

static struct tcb *target(struct invocation *inv)
{
    return cap_ptr(inv->cap);
}

static word_t truncated(struct invocation *inv, const char *op)
{
    user_error("TCB %s: Truncated message.", op);
    return refuse(inv, seL4_TruncatedMessage);
}

static word_t read_registers(struct invocation *inv)
{
    if (inv->length < 2)
        return truncated(inv, "ReadRegisters");
    word_t flags = inv_arg(inv, 0), n = inv_arg(inv, 1);
    struct tcb *t = target(inv);
    if (n < 1 || n > N_USER_REGS) {
        user_error("TCB ReadRegisters: Attempted to read an invalid number of registers (%lu).", n);
        return refuse_range(inv, 1, N_USER_REGS);
    }
    if (t == inv->thread) {
        user_error("TCB ReadRegisters: Attempted to read our own registers.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (flags & 1)
        tcb_suspend(t);
    if (inv->is_call) {
        for (word_t i = 0; i < n; i++)
            inv_reply_mr(inv, i, t->ctx[user_context_regs[i]]);
        inv_reply_done(inv, tcb_ipc_buffer(inv->thread, true) ? n : MIN(n, 4ul));
    }
    return seL4_NoError;
}

static word_t write_registers(struct invocation *inv)
{
    if (inv->length < 2)
        return truncated(inv, "WriteRegisters");
    word_t flags = inv_arg(inv, 0), n = inv_arg(inv, 1);
    struct tcb *t = target(inv);
    if (inv->length - 2 < n) {
        user_error("TCB WriteRegisters: Message too short for requested write size (%lu/%lu).",
                   inv->length - 2, n);
        return refuse(inv, seL4_TruncatedMessage);
    }
    if (t == inv->thread) {
        user_error("TCB WriteRegisters: Attempted to write our own registers.");
        return refuse(inv, seL4_IllegalOperation);
    }
    for (word_t i = 0; i < n && i < N_USER_REGS; i++)
        t->ctx[user_context_regs[i]] = inv_arg(inv, i + 2);
    t->ctx[CTX_PC] = t->ctx[CTX_FAULT_PC];
    if (flags & 1)
        tcb_restart(t);
    return seL4_NoError;
}

static word_t copy_registers(struct invocation *inv)
{
    if (inv->length < 1 || inv->n_extra < 1)
        return truncated(inv, "CopyRegisters");
    word_t flags = inv_arg(inv, 0);
    struct cap src_cap = inv->extra[0]->cap;
    if (cap_get_tag(src_cap) != cap_thread) {
        user_error("TCB CopyRegisters: Invalid source TCB.");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    struct tcb *src = cap_ptr(src_cap), *dst = target(inv);
    // seL4 stalls only the target (decode_tcb has); a source running on another hart
    // is stalled too, so that its registers are read as they are, not as they were.
    smp_stall(src);
    if (flags & 1)
        tcb_suspend(src);
    if (flags & 2)
        tcb_restart(dst);
    // Frame registers are the first 16 of seL4_UserContext, the integer ones the rest.
    for (unsigned i = 0; i < N_USER_REGS; i++) {
        bool frame = i < 16;
        if ((frame && (flags & 4)) || (!frame && (flags & 8)))
            dst->ctx[user_context_regs[i]] = src->ctx[user_context_regs[i]];
    }
    if (flags & 4)
        dst->ctx[CTX_PC] = dst->ctx[CTX_FAULT_PC];
    return seL4_NoError;
}

static word_t check_prio(struct invocation *inv, word_t prio, struct cte *auth_slot)
{
    struct cap auth = auth_slot->cap;
    if (cap_get_tag(auth) != cap_thread) {
        user_error("TCB SetPriority: authority cap not a TCB.");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    struct tcb *a = cap_ptr(auth);
    if (prio > a->mcp) {
        user_error("TCB SetPriority: Requested priority %lu too high (max %u).", prio, a->mcp);
        return refuse_range(inv, seL4_MinPrio, a->mcp);
    }
    return seL4_NoError;
}

// A thread running on another hart was stalled (decode_tcb): it moves to the back of
// its new queue, and a running thread must head its queue (the fastpath relies on it).
static void set_priority(struct tcb *t, unsigned prio)
{
    if (tcb_runnable(t)) {
        sched_dequeue(t);
        t->prio = prio;
        sched_enqueue(t);
        smp_reschedule(t->hart);
    } else {
        t->prio = prio;
    }
    asyncsys_relevel(t);
}

static word_t set_sched(struct invocation *inv)
{
    bool both = inv->label == TCBSetSchedParams;
    if (inv->length < (both ? 2u : 1u) || inv->n_extra < 1)
        return truncated(inv, "SetPriority/SetMCPriority/SetSchedParams");
    word_t st;
    word_t mcp = inv_arg(inv, 0), prio = both ? inv_arg(inv, 1) : inv_arg(inv, 0);
    bool set_mcp = inv->label != TCBSetPriority, set_prio = inv->label != TCBSetMCPriority;
    if (set_mcp && (st = check_prio(inv, mcp, inv->extra[0])))
        return st;
    if (set_prio && (st = check_prio(inv, prio, inv->extra[0])))
        return st;
    struct tcb *t = target(inv);
    if (set_mcp)
        t->mcp = mcp;
    if (set_prio)
        set_priority(t, prio);
    return seL4_NoError;
}

// RISC-V's checkValidIPCBuffer.
static word_t check_ipc_buffer(struct invocation *inv, vptr_t addr, struct cap c)
{
    if (cap_get_tag(c) != cap_frame) {
        user_error("Requested IPC Buffer is not a frame cap.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (cap_frame_is_device(c)) {
        user_error("Specifying a device frame as an IPC buffer is not permitted.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (!IS_ALIGNED(addr, seL4_IPCBufferSizeBits)) {
        user_error("Requested IPC Buffer location 0x%lx is not aligned.", addr);
        return refuse(inv, seL4_AlignmentError);
    }
    return seL4_NoError;
}

struct space_update {
    bool space, buffer;
    word_t fault_ep;
    struct cap croot, vroot, buf;
    struct cte *croot_src, *vroot_src, *buf_src;
    vptr_t buf_addr;
};

static word_t decode_buffer(struct invocation *inv, struct space_update *u, vptr_t addr,
                            struct cte *slot)
{
    u->buffer = true;
    u->buf_addr = addr;
    u->buf_src = NULL;
    if (addr == 0)
        return seL4_NoError;
    word_t st = derive_cap(slot, slot->cap, &u->buf, &inv->err);
    if (st)
        return st;
    if ((st = check_ipc_buffer(inv, addr, u->buf)))
        return st;
    u->buf_src = slot;
    return seL4_NoError;
}

// seL4's slotCapLongRunningDelete: deleting the last cap to a CNode, a TCB or a
// zombie may take any number of steps (a whole CSpace), which thread_control cannot
// do in one kernel entry.
static bool long_running_delete(const struct cte *slot)
{
    switch (cap_get_tag(slot->cap)) {
    case cap_cnode:
    case cap_thread:
    case cap_zombie:
        return cte_is_final(slot);
    default:
        return false;
    }
}

// Configure and SetSpace replace the target's CTable and VTable caps: refused while
// deleting the old ones would be long, so that what thread_control deletes is a cap
// that is not the last to its CNode (or a page table cap, final or not): bounded.
static word_t check_space_deletable(struct invocation *inv, const char *op)
{
    struct tcb *t = target(inv);
    if (long_running_delete(tcb_slot(t, TCB_CTABLE)) ||
        long_running_delete(tcb_slot(t, TCB_VTABLE))) {
        user_error("TCB %s: CSpace or VSpace currently being deleted.", op);
        return refuse(inv, seL4_IllegalOperation);
    }
    return seL4_NoError;
}

static word_t decode_space(struct invocation *inv, struct space_update *u, word_t fault_ep,
                           word_t croot_data, word_t vroot_data, struct cte *cslot,
                           struct cte *vslot, const char *op)
{
    u->space = true;
    u->fault_ep = fault_ep;
    struct cap c = cslot->cap, v = vslot->cap;
    if (croot_data)
        c = update_cap_data(false, croot_data, c);
    word_t st = derive_cap(cslot, c, &u->croot, &inv->err);
    if (st)
        return st;
    if (cap_get_tag(u->croot) != cap_cnode) {
        user_error("TCB %s: CSpace cap is invalid.", op);
        return refuse(inv, seL4_IllegalOperation);
    }
    if (vroot_data)
        v = update_cap_data(false, vroot_data, v);
    if ((st = derive_cap(vslot, v, &u->vroot, &inv->err)))
        return st;
    if (cap_get_tag(u->vroot) != cap_page_table || !cap_page_table_is_mapped(u->vroot)) {
        user_error("TCB %s: VSpace cap is invalid.", op);
        return refuse(inv, seL4_IllegalOperation);
    }
    u->croot_src = cslot;
    u->vroot_src = vslot;
    return seL4_NoError;
}

// seL4's invokeTCB_ThreadControl for the space and IPC buffer parts. The new caps
// are installed only if their sources still hold them after the deletions (which may
// have removed them). The deletions are bounded: check_space_deletable refused a
// long CTable or VTable deletion, and the buffer slot holds a frame cap or nothing.
static void thread_control(struct invocation *inv, const struct space_update *u)
{
    struct tcb *t = target(inv);
    struct cap tcap = inv->cap;
    if (u->space) {
        t->fault_handler = u->fault_ep;
        cte_delete(tcb_slot(t, TCB_CTABLE));
        if (same_object_as(u->croot, u->croot_src->cap) && same_object_as(tcap, inv->slot->cap))
            cte_insert(u->croot, u->croot_src, tcb_slot(t, TCB_CTABLE));
        cte_delete(tcb_slot(t, TCB_VTABLE));
        if (same_object_as(u->vroot, u->vroot_src->cap) && same_object_as(tcap, inv->slot->cap))
            cte_insert(u->vroot, u->vroot_src, tcb_slot(t, TCB_VTABLE));
    }
    if (u->buffer) {
        cte_delete(tcb_slot(t, TCB_BUFFER));
        t->ipc_buffer = u->buf_addr;
        if (u->buf_src && same_object_as(u->buf, u->buf_src->cap) &&
            same_object_as(tcap, inv->slot->cap))
            cte_insert(u->buf, u->buf_src, tcb_slot(t, TCB_BUFFER));
    }
}

static word_t configure(struct invocation *inv)
{
    if (inv->length < 4 || inv->n_extra < 3)
        return truncated(inv, "Configure");
    struct space_update u = {0};
    word_t st = decode_buffer(inv, &u, inv_arg(inv, 3), inv->extra[2]);
    if (st || (st = check_space_deletable(inv, "Configure")))
        return st;
    if ((st = decode_space(inv, &u, inv_arg(inv, 0), inv_arg(inv, 1), inv_arg(inv, 2),
                           inv->extra[0], inv->extra[1], "Configure")))
        return st;
    thread_control(inv, &u);
    return seL4_NoError;
}

static word_t set_space(struct invocation *inv)
{
    if (inv->length < 3 || inv->n_extra < 2)
        return truncated(inv, "SetSpace");
    struct space_update u = {0};
    word_t st = check_space_deletable(inv, "SetSpace");
    if (st || (st = decode_space(inv, &u, inv_arg(inv, 0), inv_arg(inv, 1), inv_arg(inv, 2),
                                 inv->extra[0], inv->extra[1], "SetSpace")))
        return st;
    thread_control(inv, &u);
    return seL4_NoError;
}

static word_t set_ipc_buffer(struct invocation *inv)
{
    if (inv->length < 1 || inv->n_extra < 1)
        return truncated(inv, "SetIPCBuffer");
    struct space_update u = {0};
    word_t st = decode_buffer(inv, &u, inv_arg(inv, 0), inv->extra[0]);
    if (st)
        return st;
    thread_control(inv, &u);
    return seL4_NoError;
}

static word_t bind_notification(struct invocation *inv)
{
    struct tcb *t = target(inv);
    if (inv->n_extra < 1)
        return truncated(inv, "BindNotification");
    if (t->bound_ntfn) {
        user_error("TCB BindNotification: TCB already has a bound notification.");
        return refuse(inv, seL4_IllegalOperation);
    }
    struct cap c = inv->extra[0]->cap;
    if (cap_get_tag(c) != cap_notification) {
        user_error("TCB BindNotification: Notification is invalid.");
        return refuse(inv, seL4_IllegalOperation);
    }
    struct notification *n = cap_ptr(c);
    if (!(cap_rights(c) & RIGHT_READ)) {
        user_error("TCB BindNotification: Insufficient access rights");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (ntfn_head(n) || n->bound) {
        user_error("TCB BindNotification: Notification cannot be bound.");
        return refuse(inv, seL4_IllegalOperation);
    }
    notification_bind(n, t);
    return seL4_NoError;
}

static word_t unbind_notification(struct invocation *inv)
{
    struct tcb *t = target(inv);
    if (!t->bound_ntfn) {
        user_error("TCB UnbindNotification: TCB already has no bound Notification.");
        return refuse(inv, seL4_IllegalOperation);
    }
    notification_unbind(t->bound_ntfn);
    return seL4_NoError;
}

// seL4's decodeSetFlags/invokeSetFlags: clear, then set the known flags; the reply
// is the resulting flags. Setting fpuDisabled (again or not) takes the FPU from the
// thread with its registers saved; clearing it lets the next floating-point
// instruction load them back (fpu_take).
static word_t set_flags(struct invocation *inv)
{
    if (inv->length < 2)
        return truncated(inv, "SetFlags");
    struct tcb *t = target(inv);
    t->flags = (t->flags & ~inv_arg(inv, 0)) | (inv_arg(inv, 1) & seL4_TCBFlag_MASK);
    if (t->flags & seL4_TCBFlag_fpuDisabled)
        fpu_disable(t);
    if (inv->is_call) {
        inv_reply_mr(inv, 0, t->flags);
        inv_reply_done(inv, 1);
    }
    return seL4_NoError;
}

word_t decode_tcb(struct invocation *inv)
{
    struct tcb *t = target(inv);
    // As seL4's decodeTCBInvocation (remoteTCBStall): whatever the invocation, a
    // target running on another hart is stopped there first, so that it resumes with
    // what the invocation changed (registers, VSpace, FPU access) and never runs on
    // state changed under it; the hart also gives up the target's FPU registers.
    smp_stall(t);
    switch (inv->label) {
    case TCBReadRegisters:
        return read_registers(inv);
    case TCBWriteRegisters:
        return write_registers(inv);
    case TCBCopyRegisters:
        return copy_registers(inv);
    case TCBSuspend:
        tcb_suspend(t);
        return seL4_NoError;
    case TCBResume:
        tcb_restart(t);
        return seL4_NoError;
    case TCBConfigure:
        return configure(inv);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams:
        return set_sched(inv);
    case TCBSetIPCBuffer:
        return set_ipc_buffer(inv);
    case TCBSetSpace:
        return set_space(inv);
    case TCBBindNotification:
        return bind_notification(inv);
    case TCBUnbindNotification:
        return unbind_notification(inv);
    case TCBSetTLSBase:
        if (inv->length < 1)
            return truncated(inv, "SetTLSBase");
        t->ctx[CTX_TP] = inv_arg(inv, 0);
        return seL4_NoError;
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    case TCBSetAffinity:
        if (inv->length < 1)
            return truncated(inv, "SetAffinity");
        if (inv_arg(inv, 0) >= num_nodes) {
            user_error("TCB SetAffinity: Requested CPU does not exist.");
            return refuse(inv, seL4_IllegalOperation);
        }
        tcb_migrate(t, inv_arg(inv, 0));
        return seL4_NoError;
#endif
    case TCBSetFlags:
        return set_flags(inv);
    default:
        user_error("TCB: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
}
