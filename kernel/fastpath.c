// The IPC fastpath: a straight line of checks, each falling back to the slow path,
// then the transfer and a direct switch to the other thread. Only messages that fit
// in registers (length <= 4, no caps) between threads of this hart qualify, and the
// thread switched to must be the one the scheduler would run. trap.S enters here
// straight from the ecall, so the common case runs in one flattened function with no
// frame to speak of; every failed check leaves through syscall_slowpath().
//
// Two fastpaths live here and two in fastpath_signal.c, with the checks they share in
// fastpath_common.h:
// - Call and ReplyRecv (here): a register message through an endpoint. They never
//   switch to a thread that takes part in U-notification (its cached VSpace fails
//   vs_cache_valid), so the user-interrupt switch is one test.
// - Signal and Wait on a notification (fastpath_signal.c, docs/unotify.md "The
//   notification fastpath"): the kernel half of asynchronous IPC on one hart. A Signal
//   whose waiter on this hart outranks the sender switches to it, the sender keeping
//   its place at the head of its queue; a Wait that blocks (nothing in the word or
//   the UINTC entry) switches to the head of the highest ready queue. Both switch the
//   user-interrupt state in full, since both threads usually take part.
// All four honour fastpath_enabled (al4_set_fastpath), take the kernel lock on entry if
// it is free at once (else the call goes the slow path's way in, fastpath_syscall_enter)
// and drop it on the way out, and switch only between threads bound to this hart; each
// counts its direct switches per hart (al4/debug.h).
#include "fastpath_common.h"
#include "cspace.h"
#include "cdt.h"
#include "endpoint.h"
#include "notification.h"
#include "sched.h"
#include "hart.h"
#include "vspace.h"
#include "fpu.h"
#include "uintr.h"
#include "smp.h"
#include "trap.h"
#include "printf.h"
#include <sel4/syscall.h>

#ifdef CONFIG_FASTPATH
bool fastpath_enabled = true;

static inline void copy_mrs(struct tcb *from, struct tcb *to, word_t badge, word_t info)
{
    word_t len = info & 0x7f;
    for (word_t i = 0; i < len; i++)
        to->ctx[CTX_A2 + i] = from->ctx[CTX_A2 + i];
    to->ctx[CTX_A0] = badge;
    to->ctx[CTX_A1] = info & ~(word_t)0xe00;  // capsUnwrapped = 0
}

// `from` stops running and `to` runs in its place, in its cached address space: at
// the same priority `to` simply takes `from`'s place at the front of the queue.
NORETURN static void switch_to(struct hart *h, struct tcb *from, enum thread_state from_state,
                               struct tcb *to)
{
    from->state = from_state;
    to->state = THREAD_RUNNING;
    if (likely(from->prio == to->prio)) {
        sched_replace(from, to);
    } else {
        sched_dequeue(from);
        sched_enqueue_front(to);
    }
    fastpath_enter(h, to, false);
}

__attribute__((flatten)) void c_handle_fastpath_call(word_t cptr, word_t info)
{
    struct hart *h = this_hart();
    struct tcb *cur = fastpath_syscall_enter(h, seL4_SysCall);
    if (unlikely(!cur))
        syscall_slowpath(seL4_SysCall);
    struct cte *slot = fast_slot(cur, cptr, info);
    if (unlikely(!slot))
        syscall_slowpath(seL4_SysCall);
    struct cap ep_cap = slot->cap;
    word_t rights = cap_rights(ep_cap);
    if (unlikely(cap_get_tag(ep_cap) != cap_endpoint || !(rights & RIGHT_WRITE) ||
                 !(rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))))
        syscall_slowpath(seL4_SysCall);
    struct endpoint *ep = cap_ptr(ep_cap);
    if (unlikely(ep_state(ep) != EP_RECV))
        syscall_slowpath(seL4_SysCall);
    struct tcb *dest = ep_head(ep);
    if (unlikely(!same_hart(h, dest) || dest->prio < cur->prio || fast_outranked(h, dest->prio)))
        syscall_slowpath(seL4_SysCall);
    struct cte *caller_slot = tcb_slot(dest, TCB_CALLER);
    if (unlikely(cap_get_tag(caller_slot->cap) != cap_null))
        syscall_slowpath(seL4_SysCall);
    // A thread that runs has its reply master: restart (and boot) set it up.
    struct cte *reply_master = tcb_slot(cur, TCB_REPLY);
    assert(cap_get_tag(reply_master->cap) == cap_reply);
    if (unlikely(!vs_cache_valid(dest)))
        syscall_slowpath(seL4_SysCall);

    ep_dequeue(ep, dest);
    // The caller waits for the reply; the receiver gets the cap to send it.
    cte_insert_leaf(cap_reply_new(pptr_to_paddr(cur), false, dest->blocking_grant), reply_master,
                    caller_slot);
    copy_mrs(cur, dest, cap_badge(ep_cap), info);
    h->fastpath_call++;
    switch_to(h, cur, THREAD_BLOCKED_ON_REPLY, dest);
}

__attribute__((flatten)) void c_handle_fastpath_reply_recv(word_t cptr, word_t info)
{
    struct hart *h = this_hart();
    struct tcb *cur = fastpath_syscall_enter(h, seL4_SysReplyRecv);
    if (unlikely(!cur))
        syscall_slowpath(seL4_SysReplyRecv);
    struct cte *slot = fast_slot(cur, cptr, info);
    if (unlikely(!slot))
        syscall_slowpath(seL4_SysReplyRecv);
    struct cap ep_cap = slot->cap;
    if (unlikely(cap_get_tag(ep_cap) != cap_endpoint || !(cap_rights(ep_cap) & RIGHT_READ)))
        syscall_slowpath(seL4_SysReplyRecv);
    struct endpoint *ep = cap_ptr(ep_cap);
    if (unlikely(ep_state(ep) == EP_SEND))
        syscall_slowpath(seL4_SysReplyRecv);
    // A registered notification may hold bits in its UINTC entry: the slow path looks.
    struct notification *bound = cur->bound_ntfn;
    if (unlikely(bound && (ntfn_state(bound) == NTFN_ACTIVE || cur->uintr.rx)))
        syscall_slowpath(seL4_SysReplyRecv);
    struct cte *caller_slot = tcb_slot(cur, TCB_CALLER);
    struct cap reply = caller_slot->cap;
    if (unlikely(cap_get_tag(reply) != cap_reply || cap_reply_master(reply)))
        syscall_slowpath(seL4_SysReplyRecv);
    struct tcb *caller = cap_ptr(reply);
    if (unlikely(caller->fault.type != seL4_NoFault || !same_hart(h, caller)))
        syscall_slowpath(seL4_SysReplyRecv);
    // After this thread blocks, the caller must be the best thread to run: it is if
    // it is not below this thread, the highest runnable one.
    if (unlikely(caller->prio < cur->prio || fast_outranked(h, caller->prio)))
        syscall_slowpath(seL4_SysReplyRecv);
    if (unlikely(!vs_cache_valid(caller)))
        syscall_slowpath(seL4_SysReplyRecv);

    // Wait on the endpoint, then answer the caller with the registers' message.
    ep_enqueue_receiver(ep, cur, cap_rights(ep_cap) & RIGHT_GRANT);
    cte_unlink(caller_slot, ~0ul);
    copy_mrs(cur, caller, 0, info);
    h->fastpath_reply_recv++;
    switch_to(h, cur, THREAD_BLOCKED_ON_RECEIVE, caller);
}
#endif
