// The server's end (al4/aipc.h): the default dispatcher drains a connection's requests,
// hands each checked copy to the handler, and replies at once or lets the handler
// reply later. A client that breaks the ring protocol only loses its own connection.
#include <al4/aipc.h>

// A reply as the client may take it: no caps, at most AL4_RING_MRS words. Inline in
// the dispatcher: it is on every call's path.
static inline __attribute__((always_inline)) bool reply(struct al4_aipc_server *s, uint32_t id,
                                                        seL4_MessageInfo_t info, const seL4_Word *mr)
{
    // A reply that already fits needs no new info.
    if (!al4_ring_info_fits(info.words[0])) {
        seL4_Word len = seL4_MessageInfo_get_length(info);
        info = seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 0, 0,
                                    len < AL4_RING_MRS ? len : AL4_RING_MRS);
    }
    // An honest client has at most `capacity` calls in flight, so replies always fit:
    // a full reply ring means it sent more than that (or stopped reading): drop it.
    if (!al4_aipc_link_send(&s->link, id, info.words[0], mr)) {
        s->link.broken = true;
        return false;
    }
    return true;
}

bool al4_aipc_reply(struct al4_aipc_server *s, uint32_t id, seL4_MessageInfo_t info,
                    const seL4_Word *mr)
{
    return reply(s, id, info, mr);
}

// One request, read in place (al4_aipc_link_peek_seen): its header and payload copied into a
// private request and its slot freed before anything is answered (the client may reuse
// the slot for its next call as soon as it sees the reply, from another hart: a slot
// still held would make the honest client find the ring full); then checked and
// handed to the handler.
static inline void take_request(struct al4_aipc_server *s, const volatile uint64_t *slot)
{
    // The header in locals: the release below orders memory, not registers, so they
    // are checked without being read back.
    uint64_t w0 = slot[0], info = slot[1];
    // Not zero-filled: only the words the lengths name are ever read.
    struct al4_aipc_req req, out;
    al4_ring_copy_out_all(req.mr, slot + 2);
    al4_aipc_link_release(&s->link);
    // al4_ring_header_check's tests in two steps: reserved 0 and a coroutine id other
    // than AL4_RING_CO_ANY is word 0 below UINT32_MAX; no caps and at most AL4_RING_MRS
    // words is an info that fits.
    if (w0 >= UINT32_MAX || !al4_ring_info_fits(info)) {
        s->link.st.refused++;
        // Answer it, so the call ends instead of hanging; an id the check refused
        // (the one reserved value) names no call and gets nothing.
        if ((uint32_t)w0 != UINT32_MAX)
            reply(s, (uint32_t)w0, seL4_MessageInfo_new(AL4_AIPC_LABEL_REFUSED, 0, 0, 0), NULL);
        return;
    }
    req.info.words[0] = info;
    req.id = out.id = (uint32_t)w0;
    out.info = seL4_MessageInfo_new(0, 0, 0, 0);
    s->handled++;
    if (s->handle(s, &req, &out, s->arg))
        reply(s, out.id, out.info, out.mr);
}

static enum co_status dispatcher(struct co *co)
{
    struct al4_aipc_server *s = (struct al4_aipc_server *)((char *)co - offsetof(struct al4_aipc_server, dispatcher));
    const volatile uint64_t *slot;
    unsigned n;
    CO_BEGIN(co);
    while (!s->link.broken) {
        // At most a batch per resume, so that one busy client cannot keep the other
        // connections' dispatchers (same priority) from running.
        al4_aipc_link_look(&s->link);
        for (n = 0; n < AL4_AIPC_BATCH && (slot = al4_aipc_link_peek_seen(&s->link)); n++) {
            take_request(s, slot);  // frees the slot
        }
        if (n == AL4_AIPC_BATCH) {
            CO_YIELD(co);  // still marked running: producers do not signal meanwhile
            continue;
        }
        if (!al4_aipc_link_idle(&s->link))
            continue;
        CO_SUSPEND(co);
        al4_aipc_link_running(&s->link);
    }
    CO_END(co);
}

seL4_Error al4_aipc_serve(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                          al4_aipc_handler_fn handle, void *arg, unsigned prio)
{
    seL4_Error e = al4_aipc_link_open(rt, i, AL4_AIPC_SERVER, &s->link);
    if (e)
        return e;
    s->handle = handle;
    s->arg = arg;
    s->handled = 0;
    co_init(&s->dispatcher, &rt->ex, dispatcher, prio);
    co_exec_bind(&rt->ex, rt->boot.conn[i].own_bit, &s->dispatcher);
    co_wake(&s->dispatcher);
    return seL4_NoError;
}
