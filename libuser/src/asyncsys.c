// Asynchronous system calls, the process's side (al4/asyncsys.h, docs/asyncsys.md).
// The marks follow aipc's co_status protocol (docs/aipc-protocol.md): publish, full
// fence, then read the peer's mark; clear one's own mark, full fence, then look again.
#include <al4/asyncsys.h>

bool al4_asyncsys_init(struct al4_asyncsys *as, void *frame, unsigned frame_bits)
{
    *as = (struct al4_asyncsys){.sh = frame, .slots = al4_asyncsys_slots(frame_bits)};
    if (!as->slots)
        return false;
    __atomic_store_n(&as->sh->user.client_running, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&as->sh->user.rep_head, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&as->sh->user.req_tail, 0, __ATOMIC_RELEASE);
    return true;
}

void al4_asyncsys_kick(struct al4_asyncsys *as)
{
    as->kicked_tail = as->req_tail;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);  // the request published before the mark is read
    if (!__atomic_load_n(&as->sh->kern.handler_running, __ATOMIC_ACQUIRE)) {
        as->wakes++;
        al4_asyncsys_wake();
    }
}

static unsigned take_replies(struct al4_asyncsys *as, bool handoff);

bool al4_asyncsys_make_room(struct al4_asyncsys *as)
{
    if (as->broken)
        return false;
    // Full: the batch so far must reach the kernel, and the replies it has given must
    // be taken, or the submitters would yield to each other for ever.
    al4_asyncsys_flush(as);
    // No hand-off: the caller is in the middle of a submit.
    take_replies(as, false);
    return !as->broken && al4_asyncsys_room(as);
}

// al4_asyncsys_submit's way when the ring is full: room made (flush and poll), then
// the inline submit again.
bool al4_asyncsys_submit_full(struct al4_async *c, seL4_CPtr service, seL4_MessageInfo_t info,
                              const seL4_CPtr *caps, const seL4_Word *mr)
{
    return al4_asyncsys_make_room(c->as) && al4_asyncsys_submit(c, service, info, caps, mr);
}

uint64_t al4_asyncsys_flush(void *arg)
{
    struct al4_asyncsys *as = arg;
    if (as->kicked_tail != as->req_tail)
        al4_asyncsys_kick(as);
    return 0;
}

// Each reply is taken (copied, rep_head moved on) before its coroutine is
// woken. With `handoff` that coroutine runs at once when it would be next anyway
// (co_wake_run), inside this loop: it may submit, or poll itself, so the loop keeps no
// index of its own and stops at the tail it read even if a nested poll went past it.
static unsigned take_replies(struct al4_asyncsys *as, bool handoff)
{
    unsigned n = 0;
    // Fixed at init: kept in registers across the hand-offs.
    struct al4_asyncsys_shared *const sh = as->sh;
    const uint32_t slots = as->slots;
    uint32_t tail = __atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE);
    if (!al4_asyncsys_index_ok(tail, as->rep_head, slots)) {
        as->broken = true;
        return 0;
    }
    while ((int32_t)(tail - as->rep_head) > 0) {
        const struct al4_asyncsys_rep *r = al4_asyncsys_rep_slot(sh, slots, as->rep_head);
        struct al4_async *c = (struct al4_async *)(uintptr_t)r->tag;
        c->info = (seL4_MessageInfo_t){{r->info}};
        c->error = (seL4_Error)seL4_MessageInfo_get_label(c->info);
        // Only the words the reply carries (the kernel writes no more than that).
        unsigned len = seL4_MessageInfo_get_length(c->info);
        for (unsigned i = 0; i < len && i < AL4_ASYNCSYS_REPLY_MRS; i++)
            c->mr[i] = r->mr[i];
        as->rep_head++;
        c->done = true;
        n++;
        if (c->co) {
            if (handoff)
                co_wake_run(c->co);
            else
                co_wake(c->co);
        }
    }
    // The slots are free again once every reply is copied out: published once a poll.
    if (n)
        __atomic_store_n(&as->sh->user.rep_head, as->rep_head, __ATOMIC_RELEASE);
    // Room again: the submitters that found the ring full try again.
    for (struct al4_async *w = n ? as->waiters : NULL, *next; w; w = next) {
        next = w->next_waiter;
        w->waiting = false;
        if (w->co)
            co_wake(w->co);
    }
    if (n)
        as->waiters = NULL;
    // Requests left behind a reply ring the kernel found full: it cleared its mark.
    if (n && as->req_tail != __atomic_load_n(&as->sh->kern.req_head, __ATOMIC_ACQUIRE))
        al4_asyncsys_kick(as);
    return n;
}

unsigned al4_asyncsys_poll(struct al4_asyncsys *as)
{
    return take_replies(as, true);
}

void al4_asyncsys_wait_room(struct al4_async *c)
{
    if (c->waiting)
        return;
    c->waiting = true;
    c->next_waiter = c->as->waiters;
    c->as->waiters = c;
}

void al4_asyncsys_busy(struct al4_asyncsys *as)
{
    __atomic_store_n(&as->sh->user.client_running, 1, __ATOMIC_RELAXED);
}

bool al4_asyncsys_idle(struct al4_asyncsys *as)
{
    if (as->broken)
        return true;  // nothing more can be taken: not "poll again" for ever
    __atomic_store_n(&as->sh->user.client_running, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&as->sh->kern.rep_tail, __ATOMIC_ACQUIRE) != as->rep_head) {
        al4_asyncsys_busy(as);
        return false;
    }
    return true;
}
