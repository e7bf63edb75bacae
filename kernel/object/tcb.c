// Thread control blocks: state, naming, the IPC buffer, and the thread operations the
// invocations (tcb_invoke.c) and IPC paths share.
#include "tcb.h"
#include "csr.h"
#include "sched.h"
#include "cdt.h"
#include "endpoint.h"
#include "notification.h"
#include "hart.h"
#include "string.h"
#include "fpu.h"
#include "unotify.h"
#include "timer.h"
#include "smp.h"
#include "uintr.h"
#include "printf.h"

struct tcb *debug_tcbs;

void tcb_init(struct tcb *t, const char *name)
{
    memset(t, 0, sizeof(*t));
    // User mode, interrupts on when it runs. The FPU is usable (seL4 threads get one)
    // but off until the first floating-point instruction loads it (fpu_take): a thread
    // has sstatus.FS on only while it owns its hart's FPU (fpu_switch_to).
    t->ctx[CTX_SSTATUS] = SSTATUS_SPIE;
    t->state = THREAD_INACTIVE;
    t->timeslice = TIME_SLICE_TICKS;
    tcb_set_name(t, name, TCB_NAME_LEN);
    t->dbg_next = debug_tcbs;
    if (debug_tcbs)
        debug_tcbs->dbg_prev = t;
    debug_tcbs = t;
}

// The thread's memory is about to be reused: take it off the debug list.
void tcb_forget(struct tcb *t)
{
    smp_stall(t);
    if (t->dbg_prev)
        t->dbg_prev->dbg_next = t->dbg_next;
    else
        debug_tcbs = t->dbg_next;
    if (t->dbg_next)
        t->dbg_next->dbg_prev = t->dbg_prev;
    t->dbg_next = t->dbg_prev = NULL;
    fpu_release(t);
    unotify_thread_gone(t);
    asyncsys_thread_gone(t);
    // A thread woken while it was being deleted (a signal its unbinding delivered)
    // must not be picked as a candidate from freed memory.
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++) {
        if (harts[i].cur == t)
            harts[i].cur = NULL;
        if (harts[i].candidate == t)
            harts[i].candidate = NULL;
    }
}

void tcb_set_name(struct tcb *t, const char *name, size_t max)
{
    size_t n = strnlen(name, MIN(max, (size_t)TCB_NAME_LEN - 1));
    memcpy(t->name, name, n);
    t->name[n] = 0;
}

bool tcb_runnable(const struct tcb *t)
{
    return t->state == THREAD_RUNNING || t->state == THREAD_RESTART;
}

// A thread that stops being runnable while another hart runs it is stalled there
// first; one that becomes runnable for another hart makes that hart reschedule.
void tcb_set_state(struct tcb *t, enum thread_state s)
{
    bool was = tcb_runnable(t);
    if (was && s != THREAD_RUNNING && s != THREAD_RESTART)
        smp_stall(t);
    t->state = s;
    if (tcb_runnable(t) && !was) {
        sched_enqueue(t);
        smp_reschedule(t->hart);
    } else if (!tcb_runnable(t) && was) {
        sched_dequeue(t);
    }
}

// Binds t to another hart (seL4's TCB SetAffinity): its FPU state goes to memory and
// it leaves the old hart's queues for the new one's.
void tcb_migrate(struct tcb *t, unsigned hart)
{
    smp_stall(t);
    if (this_hart()->fpu_owner == t)
        fpu_flush(this_hart());
    bool runnable = tcb_runnable(t);
    if (runnable)
        sched_dequeue(t);
    t->hart = hart;
    uintr_unaim(t);  // its receiver entry names the old hart until it runs on the new one
    if (runnable) {
        sched_enqueue(t);
        smp_reschedule(hart);
    }
}

// A woken thread runs next if it may preempt the current one (seL4's possibleSwitchTo).
void possible_switch_to(struct tcb *t)
{
    sched_prefer(t);
}

void tcb_suspend(struct tcb *t)
{
    // Stalled first: a thread on another hart that has just trapped gets its pc put
    // back to the trapping instruction before it is read here (seL4 stalls in decode).
    smp_stall(t);
    cancel_ipc(t);
    if (t->state == THREAD_RUNNING)
        t->ctx[CTX_FAULT_PC] = t->ctx[CTX_PC];  // resume where it stopped
    tcb_set_state(t, THREAD_INACTIVE);
}

void tcb_setup_reply_master(struct tcb *t)
{
    struct cte *slot = tcb_slot(t, TCB_REPLY);
    if (cap_get_tag(slot->cap) == cap_null)
        cte_set_original(slot, cap_reply_new(pptr_to_paddr(t), true, true));
}

// Resume: a blocked or inactive thread starts again at its restart pc.
void tcb_restart(struct tcb *t)
{
    if (t->state == THREAD_INACTIVE || t->state == THREAD_BLOCKED_ON_RECEIVE ||
        t->state == THREAD_BLOCKED_ON_SEND || t->state == THREAD_BLOCKED_ON_REPLY ||
        t->state == THREAD_BLOCKED_ON_NOTIFICATION) {
        cancel_ipc(t);
        tcb_setup_reply_master(t);
        tcb_set_state(t, THREAD_RESTART);
        possible_switch_to(t);
    }
}

void tcb_unbind_notification(struct tcb *t)
{
    if (t->bound_ntfn)
        notification_unbind(t->bound_ntfn);
}

const char *thread_state_name(enum thread_state s)
{
    static const char *const names[] = {
        [THREAD_INACTIVE] = "inactive",
        [THREAD_RUNNING] = "running",
        [THREAD_RESTART] = "restart",
        [THREAD_BLOCKED_ON_RECEIVE] = "blocked on recv",
        [THREAD_BLOCKED_ON_SEND] = "blocked on send",
        [THREAD_BLOCKED_ON_REPLY] = "blocked on reply",
        [THREAD_BLOCKED_ON_NOTIFICATION] = "blocked on ntfn",
        [THREAD_IDLE] = "idle",
    };
    return s < ARRAY_SIZE(names) ? names[s] : "?";
}

// The kernel window address of the thread's IPC buffer, or NULL when the thread has
// none usable (no frame cap, a device frame, or read-only when writing is needed).
word_t *tcb_ipc_buffer(struct tcb *t, bool writable)
{
    struct cap c = tcb_slot(t, TCB_BUFFER)->cap;
    if (cap_get_tag(c) != cap_frame || cap_frame_is_device(c))
        return NULL;
    enum vm_rights r = cap_frame_rights(c);
    if (r == VM_KERNEL_ONLY || (writable && r != VM_READ_WRITE))
        return NULL;
    word_t size_bits = 12 + 9 * cap_frame_size(c);
    return (word_t *)((uint8_t *)cap_ptr(c) + (t->ipc_buffer & MASK(size_bits)));
}

word_t get_mr(struct tcb *t, word_t *buffer, word_t i)
{
    if (i < seL4_FastMessageRegisters)
        return t->ctx[CTX_A2 + i];
    return buffer ? buffer[1 + i] : 0;
}

word_t set_mr(struct tcb *t, word_t *buffer, word_t i, word_t v)
{
    if (i < seL4_FastMessageRegisters) {
        t->ctx[CTX_A2 + i] = v;
        return i + 1;
    }
    if (!buffer)
        return seL4_FastMessageRegisters;
    buffer[1 + i] = v;
    return i + 1;
}
