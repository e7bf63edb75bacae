// The peer as the server: echoes with a given amount of work, answers in reverse order
// when told to (ARG_DEFER), reports its counters, and can lie (OP_LIE) so that the
// client's refusal of malformed replies is tested against a real peer.
#include "peer.h"
#include <al4/aipc.h>
#include <al4/bootinfo.h>

static struct al4_aipc_rt rt;
static struct al4_aipc_server srv[AL4_AIPC_MAX_CONN];
static struct held {
    struct al4_aipc_server *s;
    struct al4_aipc_req req;
} deferred[AL4_AIPC_MAX_CAPACITY];
static unsigned n_deferred, defer;

static void lie(struct al4_aipc_server *s, uint32_t id)
{
    struct al4_ring_item bad[REFUSED_LIES] = {
        // A tag no call has (bit 31 set), the slot it names perhaps in flight.
        {.co = 0x80000000u | 7, .info = seL4_MessageInfo_new(OP_LIE, 0, 0, 0).words[0]},
        {.co = id, .info = seL4_MessageInfo_new(OP_LIE, 0, 0, AL4_RING_MRS + 1).words[0]},
        {.co = id, .reserved = 1, .info = seL4_MessageInfo_new(OP_LIE, 0, 0, 0).words[0]},
    };
    for (unsigned i = 0; i < REFUSED_LIES; i++)
        al4_aipc_link_put(&s->link, &bad[i]);
}

static void stats(struct al4_aipc_req *reply)
{
    reply->info = seL4_MessageInfo_new(OP_STATS, 0, 0, SS_WORDS);
    for (unsigned i = 0; i < SS_WORDS; i++)
        reply->mr[i] = 0;
    for (unsigned c = 0; c < rt.boot.n; c++) {
        reply->mr[SS_HANDLED] += srv[c].handled;
        reply->mr[SS_SIGNALS] += srv[c].link.st.signals;
        reply->mr[SS_KSIGNALS] += srv[c].link.st.kernel_signals;
        reply->mr[SS_SLEEPS] += srv[c].link.st.sleeps;
        reply->mr[SS_REFUSED] += srv[c].link.st.refused;
    }
    reply->mr[SS_UINTR] = rt.uintr;
}

// Echo: the reply is the request's words inverted, after req->mr[0] instructions of work.
static inline void echo(const struct al4_aipc_req *req, struct al4_aipc_req *reply)
{
    seL4_Word len = seL4_MessageInfo_get_length(req->info);
    if (len > AL4_RING_MRS)
        __builtin_unreachable();  // the dispatcher checked it
    if (len)
        peer_work(req->mr[0]);
    reply->info = seL4_MessageInfo_new(seL4_MessageInfo_get_label(req->info), 0, 0, len);
    peer_invert(reply->mr, req->mr, len);
}

// Everything but an echo answered at once: out of line, so that the echo (what the
// benchmark measures) pays for none of its registers.
static __attribute__((noinline)) bool handle_rest(struct al4_aipc_server *s,
                                                  const struct al4_aipc_req *req,
                                                  struct al4_aipc_req *reply)
{
    // (req and reply are the caller's copies: see handle.)
    switch (seL4_MessageInfo_get_label(req->info)) {
    case OP_STATS:
        stats(reply);
        return true;
    case OP_LIE:
        lie(s, req->id);
        reply->info = seL4_MessageInfo_new(OP_LIE, 0, 0, 0);
        return true;
    default:
        break;
    }
    seL4_Word len = seL4_MessageInfo_get_length(req->info);
    if (len)
        peer_work(req->mr[0]);
    // Reverse order: hold `defer` requests, then answer the last first.
    deferred[n_deferred++] = (struct held){s, *req};
    if (n_deferred < defer)
        return false;
    while (n_deferred) {
        struct held *h = &deferred[--n_deferred];
        for (unsigned i = 0; i < seL4_MessageInfo_get_length(h->req.info); i++)
            h->req.mr[i] = ~h->req.mr[i];
        al4_aipc_reply(h->s, h->req.id, h->req.info, h->req.mr);
    }
    return false;
}

// handle_rest on copies of the request and the reply: the dispatcher's own then never
// escape, so that the compiler keeps them in registers on the echo's path (inlined, or
// passing them on would be an escape again).
static inline __attribute__((always_inline)) bool
handle_rest_copied(struct al4_aipc_server *s, const struct al4_aipc_req *req,
                   struct al4_aipc_req *reply)
{
    struct al4_aipc_req in = *req, out = *reply;
    bool now = handle_rest(s, &in, &out);
    *reply = out;
    return now;
}

// Answering at once (ARG_DEFER 0): echoes inline, the rest out of line (a label other
// than the three is echoed there too, through al4_aipc_reply at once: defer is 0).
static bool handle(struct al4_aipc_server *s, const struct al4_aipc_req *req,
                   struct al4_aipc_req *reply, void *arg)
{
    (void)arg;
    if (seL4_MessageInfo_get_label(req->info) != OP_ECHO)
        return handle_rest_copied(s, req, reply);
    echo(req, reply);
    return true;
}

// Deferring (ARG_DEFER > 0): every request out of line.
static bool handle_deferring(struct al4_aipc_server *s, const struct al4_aipc_req *req,
                             struct al4_aipc_req *reply, void *arg)
{
    (void)arg;
    return handle_rest_copied(s, req, reply);
}

// The default dispatcher with the handler called directly (al4_aipc_serve_with); the
// mode is chosen once, at start, not looked at per request.
AL4_AIPC_DISPATCHER(dispatch, handle)
AL4_AIPC_DISPATCHER(dispatch_deferring, handle_deferring)

void peer_server(const seL4_BootInfo *bi)
{
    defer = al4_bootinfo_arg(bi, ARG_DEFER, 0);
    if (defer > AL4_AIPC_MAX_CAPACITY)
        defer = AL4_AIPC_MAX_CAPACITY;
    if (al4_aipc_attach(&rt, bi, al4_bootinfo_arg(bi, ARG_HZ, 10000000)))
        return;
    co_exec_set_spin(&rt.ex, al4_bootinfo_arg(bi, ARG_SPIN, 0));
    for (unsigned c = 0; c < rt.boot.n; c++)
        if (al4_aipc_serve_with(&rt, c, &srv[c], defer ? dispatch_deferring : dispatch, NULL, 10))
            return;
    co_exec_run(&rt.ex);
}
