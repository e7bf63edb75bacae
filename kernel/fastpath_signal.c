// The notification fastpath: Signal and Wait between two threads of one hart, the
// kernel half of asynchronous IPC at low load (docs/unotify.md, "The notification
// fastpath"). A client signals its server's notification, the server (higher
// priority, blocked in Wait) preempts it; later the server waits with nothing
// pending and the client runs again. Both threads usually take part in
// U-notification, so the Call fastpath's cheap user-interrupt switch does not apply:
// these paths switch that state in full (uintr_switch_inline).
//
// Same shape as fastpath.c: a straight line of checks, each leaving through
// syscall_slowpath() before anything changed, then the slow path's effects done
// directly and a direct switch. The result must equal the slow path's in every
// register, thread state and queue position.
#include "fastpath_common.h"
#include "notification.h"
#include "unotify.h"
#include "sched.h"
#include "trap.h"
#include "printf.h"
#include <sel4/syscall.h>

#ifdef CONFIG_FASTPATH
// The rest of the slow path once the Wait's own work is done. Out of line, so that
// flattening (and LTO) leaves the scheduler out of the fastpath's body.
NOINLINE NORETURN static void wait_slow_schedule(void)
{
    return_to_user();
}

// seL4_Signal: a Send on a notification cap. Taken when a thread of this hart waits on
// the notification and outranks the sender, so that the slow path's scheduler would
// switch to it at once (possible_switch_to, then schedule()).
__attribute__((flatten)) void c_handle_fastpath_signal(word_t cptr, word_t info)
{
    struct hart *h = this_hart();
    struct tcb *cur = fastpath_syscall_enter(h, seL4_SysSend);
    if (unlikely(!cur))
        syscall_slowpath(seL4_SysSend);
    // No extra caps: the slow path would look them up (and fault on a bad one) first.
    struct cte *slot = fast_slot(cur, cptr, info);
    if (unlikely(!slot))
        syscall_slowpath(seL4_SysSend);
    struct cap cap = slot->cap;
    if (unlikely(cap_get_tag(cap) != cap_notification || !(cap_rights(cap) & RIGHT_WRITE)))
        syscall_slowpath(seL4_SysSend);
    struct notification *n = cap_ptr(cap);
    if (unlikely(ntfn_state(n) != NTFN_WAITING))
        syscall_slowpath(seL4_SysSend);
    struct tcb *dest = ntfn_head(n);
    // Strictly higher: at the sender's priority the woken thread waits its turn
    // (schedule() keeps the running thread), below it it simply becomes ready. Like the
    // Call fastpath, the running thread is taken to be the highest ready one here.
    if (unlikely(!same_hart(h, dest) || dest->prio <= cur->prio || fast_outranked(h, dest->prio)))
        syscall_slowpath(seL4_SysSend);
    if (unlikely(!vs_cache_valid_any(dest)))
        syscall_slowpath(seL4_SysSend);
    // Only schedule() clears a woken candidate, and every exit but a fastpath's runs it.
    assert(!h->candidate);

    // send_signal's NTFN_WAITING case: the waiter gets the badge with the bits its
    // UINTC entry gathered while it slept (unotify_take, as take_signal).
    ntfn_queue_remove_head(n, dest);
    dest->ctx[CTX_A0] = cap_badge(cap) | unotify_take(n);
    // wake() and schedule(): the woken thread goes to its queue and then to its front;
    // the sender, still runnable, keeps its place at the head of its own queue, so it
    // is the first of its priority to run again (seL4 enqueues a preempted current
    // thread at the head). No stall: dest is bound here and waits in the kernel, so no
    // other hart holds its registers.
    dest->state = THREAD_RUNNING;
    sched_enqueue_front(dest);
    h->fastpath_signal++;
    fastpath_enter(h, dest, true);
}

// seL4_Wait: a Recv on a notification cap. Taken when nothing is pending (the word is
// not active and the kernel's recheck of the UINTC entry finds no bits), so the thread
// blocks, and the thread schedule() would then pick is found cheaply.
__attribute__((flatten)) void c_handle_fastpath_wait(word_t cptr)
{
    struct hart *h = this_hart();
    struct tcb *cur = fastpath_syscall_enter(h, seL4_SysRecv);
    if (unlikely(!cur || !fastpath_enabled))
        syscall_slowpath(seL4_SysRecv);
    struct cte *slot = lookup_slot(cur, cptr).slot;
    if (unlikely(!slot))
        syscall_slowpath(seL4_SysRecv);
    struct cap cap = slot->cap;
    if (unlikely(cap_get_tag(cap) != cap_notification || !(cap_rights(cap) & RIGHT_READ)))
        syscall_slowpath(seL4_SysRecv);
    struct notification *n = cap_ptr(cap);
    if (unlikely(n->bound && n->bound != cur))
        syscall_slowpath(seL4_SysRecv);

    // From here on this is the system call's own work (receive_signal), so nothing
    // leaves through the slow path, which would do it again: the rest of the slow path
    // is return_to_user(), the full scheduler (wait_slow_schedule).
    // The recheck under the kernel lock (docs/unotify-protocol.md): a signal there is
    // the result, and the thread keeps running.
    if (unlikely(take_signal(n, cur)))
        wait_slow_schedule();
    ntfn_block_running(n, cur);
    // schedule() with no woken candidate runs the head of the highest ready queue; one
    // that must restart, or whose address space must be looked up, goes through it.
    struct tcb *next = sched_best(h->index);
    if (unlikely(!next || next->state != THREAD_RUNNING || !vs_cache_valid_any(next)))
        wait_slow_schedule();
    // Asynchronous system calls queued on this hart at the next thread's level or above
    // run on the way out before it (serve_async): the slow path does that.
    if (unlikely(h->async.ready) && asyncsys_ahead_of(&h->async, asyncsys_level(next->prio)))
        wait_slow_schedule();
    assert(!h->candidate);
    h->fastpath_wait++;
    fastpath_enter(h, next, true);
}
#endif
