// The scheduler: one ready queue per priority, a two-level bitmap to find the highest
// non-empty one in two count-leading-zeros, round robin inside a priority (as seL4).
#include "sched.h"
#include "hart.h"
#include "printf.h"

struct ready_queues {
    struct tcb *head[NUM_PRIORITIES], *tail[NUM_PRIORITIES];
    word_t l1;                          // bit i: some priority in [64i, 64i+63] ready
    word_t l2[NUM_PRIORITIES / 64];
};

static struct ready_queues queues;

void sched_enqueue(struct tcb *t)
{
    unsigned p = t->prio;
    t->sched_next = NULL;
    t->sched_prev = queues.tail[p];
    if (queues.tail[p])
        queues.tail[p]->sched_next = t;
    else
        queues.head[p] = t;
    queues.tail[p] = t;
    queues.l2[p / 64] |= BIT(p % 64);
    queues.l1 |= BIT(p / 64);
}

void sched_dequeue(struct tcb *t)
{
    unsigned p = t->prio;
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        queues.head[p] = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        queues.tail[p] = t->sched_prev;
    t->sched_next = t->sched_prev = NULL;
    if (!queues.head[p]) {
        queues.l2[p / 64] &= ~BIT(p % 64);
        if (!queues.l2[p / 64])
            queues.l1 &= ~BIT(p / 64);
    }
}

static struct tcb *highest(void)
{
    if (!queues.l1)
        return NULL;
    unsigned hi = 63 - __builtin_clzl(queues.l1);
    unsigned p = hi * 64 + 63 - __builtin_clzl(queues.l2[hi]);
    return queues.head[p];
}

// The caller goes to the back of its priority's queue.
void sched_yield(void)
{
    struct tcb *t = this_hart()->cur;
    if (t->state == THREAD_RUNNING || t->state == THREAD_RESTART) {
        sched_dequeue(t);
        sched_enqueue(t);
    }
}

void sched_prefer(struct tcb *t)
{
    struct hart *h = this_hart();
    if (!h->candidate)
        h->candidate = t;
}

// Highest priority with a runnable thread; 0 when none is (idle).
unsigned sched_highest_prio(void)
{
    if (!queues.l1)
        return 0;
    unsigned hi = 63 - __builtin_clzl(queues.l1);
    return hi * 64 + 63 - __builtin_clzl(queues.l2[hi]);
}

// Moves t to the front of its queue so that it is the next picked at its priority.
void sched_to_front(struct tcb *t)
{
    sched_dequeue(t);
    unsigned p = t->prio;
    t->sched_prev = NULL;
    t->sched_next = queues.head[p];
    if (queues.head[p])
        queues.head[p]->sched_prev = t;
    else
        queues.tail[p] = t;
    queues.head[p] = t;
    queues.l2[p / 64] |= BIT(p % 64);
    queues.l1 |= BIT(p / 64);
}

// The running thread stays at the front of its queue; a woken candidate that outranks
// it, or replaces a thread that blocked (IPC hand-off), runs next if no other priority
// is higher, as seL4's SwitchToThread does. An equal-priority candidate waits its turn.
void schedule(void)
{
    struct hart *h = this_hart();
    struct tcb *cand = h->candidate, *cur = h->cur;
    h->candidate = NULL;
    if (cand && tcb_runnable(cand) && cand->hart == h->index) {
        bool cur_runs = cur && tcb_runnable(cur);
        if ((!cur_runs || cand->prio > cur->prio) && cand->prio >= sched_highest_prio())
            sched_to_front(cand);
    }
    struct tcb *next = highest();
    h->cur = next;  // NULL: nothing to run, the hart idles in the kernel
    h->ctx = next ? next->ctx : NULL;
}

void sched_dump(void)
{
    kprintf("Dumping all tcbs!\nName | State | IP | Prio | Core\n");
    kprintf("--------------------------------------------------\n");
    for (struct tcb *t = debug_tcbs; t; t = t->dbg_next)
        kprintf("%s | %s | 0x%lx | %u | %u\n", t->name, thread_state_name(t->state),
                t->ctx[CTX_PC], t->prio, t->hart);
}
