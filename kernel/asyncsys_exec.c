// The executor of asynchronous-system-call handlers (kernel/include/asyncsys.h): one per
// hart, a priority bitmap over 64 levels and a FIFO per level. The caller holds the
// kernel lock; nothing here touches a process's frame.
#include "asyncsys.h"
#include "hart.h"
#include "tcb.h"
#include "printf.h"

void asyncsys_enqueue(struct hart *h, struct asyncsys_handler *hd, unsigned prio)
{
    assert(hd->state == ASYNCSYS_IDLE);
    struct asyncsys_exec *ex = &h->async;
    unsigned level = asyncsys_level(prio);
    struct asyncsys_queue *q = &ex->queue[level];
    hd->next = NULL;
    hd->prev = q->tail;
    if (q->tail)
        q->tail->next = hd;
    else
        q->head = hd;
    q->tail = hd;
    ex->ready |= 1ull << level;
    hd->state = ASYNCSYS_QUEUED;
    hd->level = level;
    hd->hart = h->index;
}

void asyncsys_unlink(struct asyncsys_handler *hd)
{
    if (hd->state != ASYNCSYS_QUEUED)
        return;
    struct asyncsys_exec *ex = &harts[hd->hart].async;
    struct asyncsys_queue *q = &ex->queue[hd->level];
    if (hd->prev)
        hd->prev->next = hd->next;
    else
        q->head = hd->next;
    if (hd->next)
        hd->next->prev = hd->prev;
    else
        q->tail = hd->prev;
    if (!q->head)
        ex->ready &= ~(1ull << hd->level);
    hd->next = hd->prev = NULL;
    hd->state = ASYNCSYS_IDLE;
}

// The first handler of the highest ready level, still queued (the caller unlinks it
// once it has nothing left to serve, so that a wake meanwhile finds it queued).
struct asyncsys_handler *asyncsys_next(struct hart *h)
{
    struct asyncsys_exec *ex = &h->async;
    if (!ex->ready)
        return NULL;
    unsigned level = msb(ex->ready);  // no libgcc call on every way out to user mode
    return ex->queue[level].head;
}

void asyncsys_relevel(struct tcb *t)
{
    struct asyncsys_handler *hd = &t->async;
    if (hd->state != ASYNCSYS_QUEUED)
        return;
    struct hart *h = &harts[hd->hart];
    asyncsys_unlink(hd);
    asyncsys_enqueue(h, hd, t->prio);
}

void asyncsys_thread_gone(struct tcb *t)
{
    asyncsys_unlink(&t->async);
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++) {
        if (harts[i].async.running == &t->async)
            harts[i].async.running = NULL;
        if (harts[i].async.lingering == &t->async)
            harts[i].async.lingering = NULL;
    }
}
