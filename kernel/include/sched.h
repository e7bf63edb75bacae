// Priority scheduler: 256 priorities, a two-level bitmap, round robin within one.
#pragma once
#include "tcb.h"

void sched_enqueue(struct tcb *t);
// t, runnable and in no queue, goes to the front of its priority's queue.
void sched_enqueue_front(struct tcb *t);
void sched_dequeue(struct tcb *t);
// The running thread t, which heads its queue, leaves it (sched_dequeue, cheaper).
void sched_dequeue_head(struct tcb *t);
void sched_yield(void);
void schedule(void);
// A thread just made runnable that should run next if nothing outranks it.
void sched_prefer(struct tcb *t);
// Runnable t goes to the front of its priority's queue: it is the next picked there.
void sched_to_front(struct tcb *t);
// `to` (not queued) takes the place of the running `from` at the front of their queue;
// both have the same priority and hart.
void sched_replace(struct tcb *from, struct tcb *to);
// The thread schedule() would pick on `hart` with no woken candidate, or NULL.
struct tcb *sched_best(unsigned hart);
// Whether a thread of priority `prio` or above is ready (or running) on `hart`: a few
// loads, no bit search.
bool sched_ready_from(unsigned hart, unsigned prio);
void sched_dump(void);

// What the invariant checker (kernel/debug/, debug builds) reads of priority p's queue
// on `hart`: its ends and its bits in the two-level bitmap.
struct sched_view {
    struct tcb *head, *tail;
    bool l1, l2;
};
void sched_view(unsigned hart, unsigned p, struct sched_view *v);
