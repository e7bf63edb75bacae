// The scheduler: one ready queue per priority, a two-level bitmap to find the highest
// non-empty one in two count-leading-zeros, round robin inside a priority (as seL4).
#include "sched.h"
#include "hart.h"
#include "printf.h"

struct ready_queues {
    // Head and tail side by side: one base address reaches both.
    struct {
        struct tcb *head, *tail;
    } prio[NUM_PRIORITIES];
    word_t l1;                          // bit i: some priority in [64i, 64i+63] ready
    word_t l2[NUM_PRIORITIES / 64];
};

// One set of queues per hart: a thread waits in the queues of the hart it is bound to.
// A single-hart kernel has one set, found without indexing (the fastpath's queue
// update is then a handful of instructions).
#ifdef CONFIG_ENABLE_SMP_SUPPORT
static struct ready_queues hart_queues[CONFIG_MAX_HARTS];
#define QUEUES(hart) (&hart_queues[hart])
#else
static struct ready_queues hart_queues[1];
#define QUEUES(hart) ((void)(hart), &hart_queues[0])
#endif

static struct ready_queues *queues_of(const struct tcb *t)
{
    return QUEUES(t->hart);
}

static struct ready_queues *my_queues(void)
{
    return QUEUES(this_hart()->index);
}

void sched_enqueue(struct tcb *t)
{
    struct ready_queues *q = queues_of(t);
    unsigned p = t->prio;
    t->sched_next = NULL;
    t->sched_prev = q->prio[p].tail;
    if (q->prio[p].tail)
        q->prio[p].tail->sched_next = t;
    else
        q->prio[p].head = t;
    q->prio[p].tail = t;
    q->l2[p / 64] |= BIT(p % 64);
    q->l1 |= BIT(p / 64);
}

// What sched_enqueue and then sched_to_front leave, in one step: the fastpaths' way of
// making a woken thread the next one picked at its priority.
void sched_enqueue_front(struct tcb *t)
{
    struct ready_queues *q = queues_of(t);
    unsigned p = t->prio;
    t->sched_prev = NULL;
    t->sched_next = q->prio[p].head;
    if (q->prio[p].head)
        q->prio[p].head->sched_prev = t;
    else
        q->prio[p].tail = t;
    q->prio[p].head = t;
    q->l2[p / 64] |= BIT(p % 64);
    q->l1 |= BIT(p / 64);
}

// Queue p of q has emptied: its bits go.
static inline void mark_empty(struct ready_queues *q, unsigned p)
{
    q->l2[p / 64] &= ~BIT(p % 64);
    if (!q->l2[p / 64])
        q->l1 &= ~BIT(p / 64);
}

void sched_dequeue(struct tcb *t)
{
    struct ready_queues *q = queues_of(t);
    unsigned p = t->prio;
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        q->prio[p].head = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        q->prio[p].tail = t->sched_prev;
    t->sched_next = t->sched_prev = NULL;
    if (!q->prio[p].head)
        mark_empty(q, p);
}

// The running thread t leaves its queue, which it heads (see sched_replace): what
// sched_dequeue does, with the head's case known. The notification fastpath's Wait.
void sched_dequeue_head(struct tcb *t)
{
    struct ready_queues *q = queues_of(t);
    unsigned p = t->prio;
    struct tcb *next = t->sched_next;
    assert(q->prio[p].head == t && !t->sched_prev);
    q->prio[p].head = next;
    if (next) {
        next->sched_prev = NULL;
        t->sched_next = NULL;
    } else {
        q->prio[p].tail = NULL;
        mark_empty(q, p);
    }
}

// Highest priority with a runnable thread in q, or -1. l1 has a bit per 64
// priorities, so its msb is one lookup of msb()'s table.
_Static_assert(NUM_PRIORITIES / 64 <= 8, "l1 fits msb_byte");
static int highest_prio(const struct ready_queues *q)
{
    if (!q->l1)
        return -1;
    word_t hi = msb_byte[q->l1];
    return (int)(hi * 64 + msb(q->l2[hi]));
}

// What schedule() picks on `hart` when no candidate was woken: the head of the highest
// non-empty queue, or NULL (the hart would idle). The notification fastpath's Wait asks.
struct tcb *sched_best(unsigned hart)
{
    const struct ready_queues *q = QUEUES(hart);
    int top = highest_prio(q);
    return top < 0 ? NULL : q->prio[top].head;
}

bool sched_ready_from(unsigned hart, unsigned prio)
{
    if (prio >= NUM_PRIORITIES)
        return false;
    const struct ready_queues *q = QUEUES(hart);
    unsigned w = prio / 64;
    // Above prio's word, l1 says; within it, the word's bits from prio up.
    return (q->l1 >> w >> 1) != 0 || (q->l2[w] >> (prio % 64)) != 0;
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

// Moves t to the front of its queue so that it is the next picked at its priority.
void sched_to_front(struct tcb *t)
{
    struct ready_queues *q = queues_of(t);
    unsigned p = t->prio;
    if (q->prio[p].head == t)
        return;
    sched_dequeue(t);
    sched_enqueue_front(t);
}

// The fastpath's queue update. `from` is the running thread, so it heads its queue
// (schedule() runs only the head of a queue, and nothing moves it until the next
// schedule), and `to` takes that place.
void sched_replace(struct tcb *from, struct tcb *to)
{
    struct ready_queues *q = queues_of(from);
    unsigned p = from->prio;
    struct tcb *next = from->sched_next;
    assert(q->prio[p].head == from && !from->sched_prev);
    to->sched_prev = NULL;
    to->sched_next = next;
    q->prio[p].head = to;
    if (next)
        next->sched_prev = to;
    else
        q->prio[p].tail = to;
    from->sched_next = NULL;
}

// The running thread stays at the front of its queue; a woken candidate that outranks
// it, or replaces a thread that blocked (IPC hand-off), runs next if no other priority
// is higher, as seL4's SwitchToThread does. An equal-priority candidate waits its turn.
void schedule(void)
{
    struct hart *h = this_hart();
    struct ready_queues *q = my_queues();
    struct tcb *cand = h->candidate, *cur = h->cur, *next;
    h->candidate = NULL;
    int top = highest_prio(q);
    // A queued candidate is never above the top priority; at it, it goes first.
    if (cand && tcb_runnable(cand) && cand->hart == h->index && (int)cand->prio == top &&
        (!cur || !tcb_runnable(cur) || cand->prio > cur->prio)) {
        sched_to_front(cand);
        next = cand;
    } else {
        next = top < 0 ? NULL : q->prio[top].head;
    }
    h->cur = next;  // NULL: nothing to run, the hart idles in the kernel
    h->ctx = next ? next->ctx : NULL;
}

#ifdef CONFIG_DEBUG_BUILD
void sched_view(unsigned hart, unsigned p, struct sched_view *v)
{
    struct ready_queues *q = QUEUES(hart);
    v->head = q->prio[p].head;
    v->tail = q->prio[p].tail;
    v->l1 = q->l1 >> (p / 64) & 1;
    v->l2 = q->l2[p / 64] >> (p % 64) & 1;
}
#endif

void sched_dump(void)
{
    kprintf("Dumping all tcbs!\nName | State | IP | Prio | Core\n");
    kprintf("--------------------------------------------------\n");
    for (struct tcb *t = debug_tcbs; t; t = t->dbg_next)
        kprintf("%s | %s | 0x%lx | %u | %u\n", t->name, thread_state_name(t->state),
                t->ctx[CTX_PC], t->prio, t->hart);
}
