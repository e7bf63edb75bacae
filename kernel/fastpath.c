// The IPC fastpath: a straight line of checks, each falling back to the slow path,
// then the transfer and a direct switch to the other thread. Only messages that fit
// in registers (length <= 4, no caps) between threads of this hart qualify, and the
// thread switched to must be the one the scheduler would run.
#include "fastpath.h"
#include "cspace.h"
#include "cdt.h"
#include "endpoint.h"
#include "notification.h"
#include "sched.h"
#include "hart.h"
#include "vspace.h"
#include "fpu.h"
#include "smp.h"

#ifdef CONFIG_FASTPATH
NORETURN void restore_user_context(void);

bool fastpath_enabled = true;

static bool fast_message(word_t info)
{
    // length bits 0-6 <= 4 and extraCaps bits 7-8 == 0.
    return (info & 0x1ff) <= seL4_FastMessageRegisters;
}

static inline void copy_mrs(struct tcb *from, struct tcb *to, word_t badge, word_t info)
{
    word_t len = info & 0x7f;
    for (word_t i = 0; i < len; i++)
        to->ctx[CTX_A2 + i] = from->ctx[CTX_A2 + i];
    to->ctx[CTX_A0] = badge;
    to->ctx[CTX_A1] = info & ~(word_t)0xe00;  // capsUnwrapped = 0
}

NORETURN static void switch_to(struct hart *h, struct tcb *t)
{
    t->state = THREAD_RUNNING;
    sched_enqueue(t);
    sched_to_front(t);
    h->cur = t;
    h->ctx = t->ctx;
    vspace_activate(t);
    fpu_switch_to(t);
    kernel_unlock();
    restore_user_context();
}

void fastpath_call(word_t cptr, word_t info)
{
    struct hart *h = this_hart();
    struct tcb *cur = h->cur;
    if (unlikely(!fast_message(info) || !fastpath_enabled))
        return;
    struct lookup lu = lookup_slot(cur, cptr);
    if (unlikely(!lu.slot))
        return;
    struct cap ep_cap = lu.slot->cap;
    word_t rights = cap_rights(ep_cap);
    if (unlikely(cap_get_tag(ep_cap) != cap_endpoint || !(rights & RIGHT_WRITE) ||
                 !(rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))))
        return;
    struct endpoint *ep = cap_ptr(ep_cap);
    if (unlikely(ep_state(ep) != EP_RECV))
        return;
    struct tcb *dest = ep_head(ep);
    if (unlikely(dest->hart != h->index || dest->prio < cur->prio))
        return;
    struct cte *caller_slot = tcb_slot(dest, TCB_CALLER);
    struct cte *reply_master = tcb_slot(cur, TCB_REPLY);
    if (unlikely(cap_get_tag(caller_slot->cap) != cap_null ||
                 cap_get_tag(reply_master->cap) != cap_reply))
        return;

    ep_dequeue(ep, dest);
    bool reply_grant = dest->blocking_grant;
    // The caller waits for the reply; the receiver gets the cap to send it.
    cur->state = THREAD_BLOCKED_ON_REPLY;
    sched_dequeue(cur);
    cte_insert(cap_reply_new(pptr_to_paddr(cur), false, reply_grant), reply_master, caller_slot);
    copy_mrs(cur, dest, cap_badge(ep_cap), info);
    h->fastpath_call++;
    switch_to(h, dest);
}

void fastpath_reply_recv(word_t cptr, word_t info)
{
    struct hart *h = this_hart();
    struct tcb *cur = h->cur;
    if (unlikely(!fast_message(info) || !fastpath_enabled))
        return;
    struct lookup lu = lookup_slot(cur, cptr);
    if (unlikely(!lu.slot))
        return;
    struct cap ep_cap = lu.slot->cap;
    if (unlikely(cap_get_tag(ep_cap) != cap_endpoint || !(cap_rights(ep_cap) & RIGHT_READ)))
        return;
    struct endpoint *ep = cap_ptr(ep_cap);
    if (unlikely(ep_state(ep) == EP_SEND))
        return;
    struct notification *bound = cur->bound_ntfn;
    if (unlikely(bound && ntfn_state(bound) == NTFN_ACTIVE))
        return;
    struct cte *caller_slot = tcb_slot(cur, TCB_CALLER);
    struct cap reply = caller_slot->cap;
    if (unlikely(cap_get_tag(reply) != cap_reply || cap_reply_master(reply)))
        return;
    struct tcb *caller = cap_ptr(reply);
    if (unlikely(caller->fault.type != seL4_NoFault || caller->hart != h->index))
        return;
    // After this thread blocks, the caller must be the best thread to run.
    sched_dequeue(cur);
    if (unlikely(caller->prio < sched_highest_prio())) {
        sched_enqueue(cur);
        sched_to_front(cur);
        return;
    }

    // Wait on the endpoint, then answer the caller with the registers' message.
    cur->state = THREAD_RUNNING;  // ep_block's state change does the dequeue accounting
    sched_enqueue(cur);
    ep_block(cur, ep, THREAD_BLOCKED_ON_RECEIVE, 0, cap_rights(ep_cap) & RIGHT_GRANT, false, false);
    cte_unlink(caller_slot, ~0ul);
    copy_mrs(cur, caller, 0, info);
    h->fastpath_reply_recv++;
    switch_to(h, caller);
}
#endif
