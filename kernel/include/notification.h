// Notifications: badge words that threads signal and wait on (seL4's notification.c).
#pragma once
#include "object.h"
#include "tcb.h"
#include "tcb_queue.h"
#include "printf.h"

// The queue of threads blocked on n; inline, as the notification fastpath uses them.
static inline void ntfn_queue_append(struct notification *n, struct tcb *t)
{
    ntfn_set(n, tq_append(ntfn_head(n), &n->tail, t), NTFN_WAITING);
}

static inline void ntfn_queue_remove(struct notification *n, struct tcb *t)
{
    struct tcb *head = tq_remove(ntfn_head(n), &n->tail, t);
    ntfn_set(n, head, head ? NTFN_WAITING : NTFN_IDLE);
}

// The same for the head of the queue (no predecessor to unlink): the Signal fastpath
// wakes the head.
static inline void ntfn_queue_remove_head(struct notification *n, struct tcb *t)
{
    struct tcb *next = t->ep_next;
    assert(ntfn_head(n) == t && !t->ep_prev);
    if (next)
        next->ep_prev = NULL;
    else
        n->tail = NULL;
    t->ep_next = NULL;
    ntfn_set(n, next, next ? NTFN_WAITING : NTFN_IDLE);
}

void send_signal(struct notification *n, word_t badge);
void complete_signal(struct notification *n, struct tcb *t);
void receive_signal(struct tcb *t, struct cap cap, bool blocking);
// t (the caller, nothing pending for it) blocks on n: receive_signal's blocking half,
// shared with the notification fastpath.
void ntfn_block(struct notification *n, struct tcb *t);
// The same for the running thread, which heads its ready queue (the Wait fastpath):
// tcb_set_state's case known, sched_dequeue_head.
void ntfn_block_running(struct notification *n, struct tcb *t);
// A signal pending on n (its word and, registered, its UINTC entry's bits) goes to t:
// true if there was one (t has it in a0). Wait, Poll and a bound Recv all look here.
bool take_signal(struct notification *n, struct tcb *t);
void cancel_signal(struct tcb *t, struct notification *n);
void cancel_all_signals(struct notification *n);
void notification_unbind(struct notification *n);
void notification_bind(struct notification *n, struct tcb *t);
