// The server's end (al4/aipc.h): the default dispatcher drains a connection's requests,
// hands each checked copy to the handler, and replies at once or lets the handler
// reply later. A client that breaks the ring protocol only loses its own connection.
#include <al4/aipc.h>

bool al4_aipc_reply(struct al4_aipc_server *s, uint32_t id, seL4_MessageInfo_t info,
                    const seL4_Word *mr)
{
    if (seL4_MessageInfo_get_length(info) > AL4_RING_MRS)
        info = seL4_MessageInfo_set_length(info, AL4_RING_MRS);
    struct al4_ring_item it = {.co = id, .info = seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 0, 0,
                                                                      seL4_MessageInfo_get_length(info)).words[0]};
    for (unsigned i = 0; i < seL4_MessageInfo_get_length(info); i++)
        it.mr[i] = mr[i];
    // An honest client has at most `capacity` calls in flight, so replies always fit:
    // a full reply ring means it sent more than that (or stopped reading): drop it.
    if (!al4_aipc_link_put(&s->link, &it)) {
        s->link.broken = true;
        return false;
    }
    return true;
}

static void take_request(struct al4_aipc_server *s, const struct al4_ring_item *it)
{
    if (al4_ring_item_check(it, AL4_RING_CO_ANY) != AL4_RING_OK) {
        s->link.st.refused++;
        // Answer it, so the call ends instead of hanging; an id the check refused
        // (the one reserved value) names no call and gets nothing.
        if (it->co != UINT32_MAX)
            al4_aipc_reply(s, it->co, seL4_MessageInfo_new(AL4_AIPC_LABEL_REFUSED, 0, 0, 0), NULL);
        return;
    }
    // Not zero-filled: only the words the lengths name are ever read.
    struct al4_aipc_req req, reply;
    req.id = reply.id = it->co;
    req.info = (seL4_MessageInfo_t){{it->info}};
    reply.info = seL4_MessageInfo_new(0, 0, 0, 0);
    for (unsigned i = 0; i < seL4_MessageInfo_get_length(req.info); i++)
        req.mr[i] = it->mr[i];
    s->handled++;
    if (s->handle(s, &req, &reply, s->arg))
        al4_aipc_reply(s, reply.id, reply.info, reply.mr);
}

static enum co_status dispatcher(struct co *co)
{
    struct al4_aipc_server *s = (struct al4_aipc_server *)((char *)co - offsetof(struct al4_aipc_server, dispatcher));
    struct al4_ring_item it;
    unsigned n;
    CO_BEGIN(co);
    while (!s->link.broken) {
        // At most a batch per resume, so that one busy client cannot keep the other
        // connections' dispatchers (same priority) from running.
        for (n = 0; n < AL4_AIPC_BATCH && al4_aipc_link_get(&s->link, &it); n++)
            take_request(s, &it);
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
