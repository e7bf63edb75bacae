// The client's end (al4/aipc.h): calls get an id for as long as they are in flight, at
// most one per ring slot, so the request ring never overflows; the ring item's
// coroutine id is the id with its generation (al4_aipc_client_tag), so a reply names the
// call it answers and no later one of the same id. The reply dispatcher trusts nothing
// in a reply but what it checks: the item's shape, and that its tag is in flight.
#include <al4/aipc.h>

static inline void finish(struct al4_aipc_call *call, int status)
{
    call->status = status;
    call->done = true;
    co_wake(call->co);
}

void al4_aipc_client_fail(struct al4_aipc_client *c)
{
    c->link.broken = true;
    for (uint32_t id = 0; id < c->link.capacity; id++)
        if (c->slot[id]) {
            if (c->slot[id] != &c->gone)  // an abandoned call has ended already
                finish(c->slot[id], AL4_AIPC_EBROKEN);
            c->slot[id] = NULL;
        }
    while (c->wait_head) {
        struct al4_aipc_call *w = c->wait_head;
        c->wait_head = w->next;
        w->next = NULL;  // not waiting: what the submit's debug check looks at
        finish(w, AL4_AIPC_EBROKEN);
    }
    c->wait_tail = NULL;
}

void al4_aipc_submit_slow(struct al4_aipc_client *c, struct al4_aipc_call *call)
{
    if (!al4_ring_info_fits(call->info.words[0])) {
        call->status = AL4_AIPC_ELENGTH;
        call->done = true;
        return;
    }
    if (c->link.broken) {
        call->status = AL4_AIPC_EBROKEN;
        call->done = true;
        return;
    }
    if (call->owner) {
        al4_aipc_send_id(c, call, call->id, call->tag);
        return;
    }
    if (c->n_free) {
        al4_aipc_send_now(c, call);
        return;
    }
    call->next = NULL;
    if (c->wait_tail)
        c->wait_tail->next = call;
    else
        c->wait_head = call;
    c->wait_tail = call;
}

// Id `id` is free: the first call waiting for one takes it, or it goes to the pool.
static inline void give_id(struct al4_aipc_client *c, size_t id)
{
    c->free_ids[c->n_free++] = id;
    if (c->wait_head) {
        struct al4_aipc_call *w = c->wait_head;
        if (!(c->wait_head = w->next))
            c->wait_tail = NULL;
        w->next = NULL;  // not waiting: what the submit's debug check looks at
        al4_aipc_send_now(c, w);
    }
}

// Whether an unbound call is in flight or waiting for an id: binding such a call would
// leak the id it holds (its reply would not give it back) or bind it twice. An unbound
// call in flight holds the id its send recorded in call->id (masked: a call never sent
// may hold anything there); the waiters are looked at one by one (binding is rare).
static bool call_pending(const struct al4_aipc_client *c, const struct al4_aipc_call *call)
{
    if (c->slot[call->id & (c->link.capacity - 1)] == call)
        return true;
    for (const struct al4_aipc_call *w = c->wait_head; w; w = w->next)
        if (w == call)
            return true;
    return false;
}

bool al4_aipc_call_bind(struct al4_aipc_client *c, struct al4_aipc_call *call)
{
    if (call->owner || c->link.broken || !c->n_free || call_pending(c, call))
        return false;
    call->id = c->free_ids[--c->n_free];
    call->tag = c->tag[call->id];  // the id's tag lives in the call while bound
    call->owner = c;
    return true;
}

bool al4_aipc_call_unbind(struct al4_aipc_client *c, struct al4_aipc_call *call)
{
    if (call->owner != c || c->slot[call->id] == call)
        return false;
    call->owner = NULL;
    c->tag[call->id] = (uint32_t)call->tag;  // the id's generation goes on where the call left it
    // A dead connection sends nothing more: the id only goes back to the pool.
    if (c->link.broken)
        c->free_ids[c->n_free++] = call->id;
    else
        give_id(c, call->id);
    return true;
}

bool al4_aipc_call_abandon(struct al4_aipc_client *c, struct al4_aipc_call *call)
{
    size_t id = call->id & (c->link.capacity - 1);
    if (c->slot[id] == call) {
        // In flight: the placeholder takes the slot; the reply is checked against the
        // id's tag, which for a bound call was the call's own until now.
        if (call->owner) {
            c->tag[id] = (uint32_t)call->tag;
            call->owner = NULL;
        }
        c->slot[id] = &c->gone;
    } else {
        struct al4_aipc_call **p = &c->wait_head, *prev = NULL;
        while (*p && *p != call)
            p = &(prev = *p)->next;
        if (!*p)
            return false;
        *p = call->next;
        if (c->wait_tail == call)
            c->wait_tail = prev;
        call->next = NULL;
    }
    call->status = AL4_AIPC_EABANDONED;
    call->done = true;
    return true;
}

// A reply that names no call in flight: an abandoned call's (its id is free again), or
// one refused. Out of line, off the path of every reply.
__attribute__((noinline)) static void not_in_flight(struct al4_aipc_client *c, size_t id,
                                                    uint64_t w0, uint64_t info)
{
    // The abandoned call's tag is the id's (c->tag), not the placeholder's.
    if (c->slot[id] == &c->gone && w0 == c->tag[id] && al4_ring_info_fits(info)) {
        c->slot[id] = NULL;
        c->tag[id] = (uint32_t)al4_aipc_next_tag(w0);
        give_id(c, id);
        return;
    }
    c->link.st.refused++;  // malformed, or a tag not in flight: not trusted
}

// One reply, read in place (al4_aipc_link_peek_seen): its header copied and checked, matched to
// its call, its payload copied into the call, and its slot freed before anything else
// (the caller's next call may bring the server's next reply at once, from another
// hart: a slot still held would make the honest server find the ring full). Then its
// id is reused under the next generation (by the first call waiting for one, if any),
// and last the call's coroutine is woken, which usually runs at once (co_wake_run) and
// finds its id free for the call it makes next.
static inline void take_reply(struct al4_aipc_client *c, const volatile uint64_t *slot)
{
    uint64_t w0 = slot[0], info = slot[1];
    // The id masked to the capacity: a word 0 whose id bits say more names no tag below.
    size_t id = w0 & c->link.rx.mask;
    struct al4_aipc_call *call;
    // al4_ring_header_check's tests, in fewer steps: an info that fits has no caps and
    // at most AL4_RING_MRS words; word 0 equal to a tag in flight has reserved 0 and a
    // coroutine id that names a call. The tag in flight is the call's own copy
    // (call->tag: the id's tag at the send, or a bound call's), in private memory as
    // the table is, and one load where the table takes an index computation.
    if (!al4_ring_info_fits(info) || !(call = c->slot[id]) || w0 != call->tag) {
        al4_aipc_link_release(&c->link);
        not_in_flight(c, id, w0, info);
        return;
    }
    al4_ring_copy_out_all(call->mr, slot + 2);
    al4_aipc_link_release(&c->link);
    c->slot[id] = NULL;
    call->info.words[0] = info;
    call->status = seL4_MessageInfo_get_label(call->info) == AL4_AIPC_LABEL_REFUSED
                       ? AL4_AIPC_EREFUSED : AL4_AIPC_OK;
    call->done = true;
    // A bound call keeps its id and its tag (nothing freed, so nobody waiting can take
    // it); an unbound one's id goes back with the next generation's tag.
    if (call->owner) {
        // Stepped from word 0, which the check found equal to its tag: no second load.
        call->tag = al4_aipc_next_tag(w0);
    } else {
        // From the id's own tag, not from word 0: equal for a call (its tag is the
        // id's), but an abandoned call's placeholder can be answered by a lying
        // server, whose word 0 (all ones) would step to a tag the abandoned call's
        // real reply may carry (the last id's first one), handing that reply to the
        // call that reuses the id. The id's tag is the abandoned call's: its real
        // reply names nothing in flight after this step.
        c->tag[id] = (uint32_t)al4_aipc_next_tag(c->tag[id]);
        give_id(c, id);
    }
    co_wake_run(call->co);
}

static enum co_status reply_dispatcher(struct co *co)
{
    struct al4_aipc_client *c = (struct al4_aipc_client *)((char *)co - offsetof(struct al4_aipc_client, dispatcher));
    const volatile uint64_t *slot;
    // What is left of the resume's batch (a local starts again at each resume), across
    // its rounds: a server that keeps the recheck finding items cannot hold the thread
    // past a batch. (The server's dispatcher counts up instead; each form is the
    // cheaper one where it is.)
    unsigned n, budget = AL4_AIPC_BATCH;
    CO_BEGIN(co);
    for (;;) {
        // A batch per resume: a server that refills the ring as fast as it is drained
        // would otherwise keep this resume from ever returning.
        al4_aipc_link_look(&c->link);
        for (n = 0; n < budget && (slot = al4_aipc_link_peek_seen(&c->link)); n++) {
            take_reply(c, slot);  // frees the slot
        }
        if (c->link.broken)
            break;
        if (!(budget -= n)) {
            CO_YIELD(co);  // still marked running: the server does not signal meanwhile
            continue;
        }
        if (!al4_aipc_link_idle(&c->link))
            continue;
        CO_SUSPEND(co);
        al4_aipc_link_running(&c->link);
    }
    al4_aipc_client_fail(c);
    CO_END(co);
}

seL4_Error al4_aipc_client_open(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_client *c,
                                unsigned prio)
{
    seL4_Error e = al4_aipc_link_open(rt, i, AL4_AIPC_CLIENT, &c->link);
    if (e)
        return e;
    for (uint32_t id = 0; id < c->link.capacity; id++) {
        c->slot[id] = NULL;
        c->tag[id] = id;
        c->free_ids[id] = c->link.capacity - 1 - id;  // ids handed out from 0 up
    }
    c->n_free = c->link.capacity;
    c->wait_head = c->wait_tail = NULL;
    // Its tag is no id's: only a lying server's word 0 can equal it, which then frees
    // that id early (its tag stepped from the id's own, so the abandoned call's real
    // reply is refused: take_reply); the call's coroutine is the dispatcher, which such
    // a reply wakes while it runs, harmlessly.
    c->gone = (struct al4_aipc_call){.co = &c->dispatcher, .tag = UINT64_MAX};
    co_init(&c->dispatcher, &rt->ex, reply_dispatcher, prio);
    co_exec_bind(&rt->ex, rt->boot.conn[i].own_bit, &c->dispatcher);
    co_wake(&c->dispatcher);
    return seL4_NoError;
}
