// The server's end (al4/aipc.h): the default dispatcher drains a connection's requests,
// hands each checked copy to the handler, and replies at once or lets the handler
// reply later. A client that breaks the ring protocol only loses its own connection.
#include <al4/aipc.h>

bool al4_aipc_reply(struct al4_aipc_server *s, uint32_t id, seL4_MessageInfo_t info,
                    const seL4_Word *mr)
{
    // Called from a handler inside a round too: al4_aipc_link_publish frees the
    // round's slots consumed so far before the reply is seen.
    if (!al4_aipc_write_reply(s, id, info, mr))
        return false;
    al4_aipc_link_publish(&s->link);
    return true;
}

// The handler al4_aipc_serve was given, called through its pointer: the default
// dispatcher is the inline one (al4/aipc.h) around this.
static inline __attribute__((always_inline)) bool call_handler(struct al4_aipc_server *s,
                                                               const struct al4_aipc_req *req,
                                                               struct al4_aipc_req *reply,
                                                               void *arg)
{
    return s->handle(s, req, reply, arg);
}

AL4_AIPC_DISPATCHER(dispatcher, call_handler)

static seL4_Error serve(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                        co_resume_fn dispatch, al4_aipc_handler_fn handle, void *arg,
                        unsigned prio)
{
    seL4_Error e = al4_aipc_link_open(rt, i, AL4_AIPC_SERVER, &s->link);
    if (e)
        return e;
    s->handle = handle;
    s->arg = arg;
    s->handled = 0;
    co_init(&s->dispatcher, &rt->ex, dispatch, prio);
    s->prio = s->yield_prio = s->dispatcher.prio;
    s->taken_seen = 0;  // nothing handled or refused yet (the link is new)
    co_exec_bind(&rt->ex, rt->boot.conn[i].own_bit, &s->dispatcher);
    co_wake(&s->dispatcher);
    return seL4_NoError;
}

seL4_Error al4_aipc_serve(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                          al4_aipc_handler_fn handle, void *arg, unsigned prio)
{
    return serve(rt, i, s, dispatcher, handle, arg, prio);
}

void al4_aipc_serve_yield(struct al4_aipc_server *s, unsigned prio)
{
    s->yield_prio = (uint8_t)(prio < s->prio ? prio : s->prio);
}

seL4_Error al4_aipc_serve_with(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                               co_resume_fn dispatch, void *arg, unsigned prio)
{
    // No handler pointer: the dispatcher calls its own (AL4_AIPC_DISPATCHER or
    // AL4_AIPC_STEPPING_DISPATCHER).
    return serve(rt, i, s, dispatch, NULL, arg, prio);
}
