// Timers (al4/co.h): a binary min-heap of caller-owned timers in a caller-sized array,
// ordered by (deadline, seq). seq is the arming order, so timers with equal deadlines
// fire in the order they were armed; each timer knows its slot, so cancelling is
// O(log n) without a search. Only the executor's thread touches the heap.
#include <al4/co.h>

static bool before(const struct co_timer *a, const struct co_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(struct co_exec *ex, struct co_timer *t, uint32_t i)
{
    ex->heap[i] = t;
    t->slot = i;
}

static void sift_up(struct co_exec *ex, uint32_t i)
{
    struct co_timer *t = ex->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(t, ex->heap[parent]))
            break;
        place(ex, ex->heap[parent], i);
        i = parent;
    }
    place(ex, t, i);
}

static void sift_down(struct co_exec *ex, uint32_t i)
{
    struct co_timer *t = ex->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= ex->heap_len)
            break;
        if (c + 1 < ex->heap_len && before(ex->heap[c + 1], ex->heap[c]))
            c++;
        if (!before(ex->heap[c], t))
            break;
        place(ex, ex->heap[c], i);
        i = c;
    }
    place(ex, t, i);
}

// Takes the timer in slot i out of the heap.
static void remove_at(struct co_exec *ex, uint32_t i)
{
    ex->heap[i]->armed = false;
    struct co_timer *last = ex->heap[--ex->heap_len];
    if (i == ex->heap_len)
        return;
    place(ex, last, i);
    // The moved timer may belong above or below slot i.
    if (i > 0 && before(last, ex->heap[(i - 1) / 2]))
        sift_up(ex, i);
    else
        sift_down(ex, i);
}

bool co_timer_cancel(struct co_exec *ex, struct co_timer *t)
{
    if (!t->armed)
        return false;
    remove_at(ex, t->slot);
    return true;
}

bool co_timer_start(struct co_exec *ex, struct co_timer *t, struct co *co, uint64_t deadline)
{
    co_timer_cancel(ex, t);
    t->fired = false;
    if (ex->heap_len == ex->heap_cap)
        return false;
    t->co = co;
    t->deadline = deadline;
    t->seq = ex->timer_seq++;
    t->armed = true;
    place(ex, t, ex->heap_len++);
    sift_up(ex, t->slot);
    return true;
}

uint64_t co_timer_next(const struct co_exec *ex)
{
    return ex->heap_len ? ex->heap[0]->deadline : CO_NEVER;
}

void co_timer_expire(struct co_exec *ex, uint64_t now)
{
    while (ex->heap_len && ex->heap[0]->deadline <= now) {
        struct co_timer *t = ex->heap[0];
        remove_at(ex, 0);
        t->fired = true;
        if (t->co)
            co_wake(t->co);
    }
}
