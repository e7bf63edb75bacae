// The socket service (sock.h, docs/sockets.md): TCP connections on lwIP's raw API for
// applications in other processes, whose requests come over an aipc connection (the
// dispatcher below) or as synchronous calls (sock_sync.c), and whose bytes sit in a
// data region each shares with the server. Requests that must wait (ACCEPT
// before a connection came, RECV before bytes did, SEND while lwIP's send buffer is
// full) are answered later from lwIP's callbacks, all on the executor's thread.
//
// Everything the application sends is input: decode() checks the operation, the word
// count and every index and length before anything is done, and each socket takes one
// waiting call of each kind. A received segment is kept as echo keeps it (app_hold,
// at most APP_MAX_PBUFS pbufs a socket) and acknowledged to the peer (tcp_recved) only
// once the application took it, so a slow application holds its peer back by TCP's
// window, not by the server's memory.
#include "apps.h"
#include "net.h"
#include "sock.h"
#include "lwip/priv/tcp_priv.h"  // TCP_SLOW_INTERVAL, for APP_IDLE_POLLS
#include <al4/aipc.h>
#include <string.h>

#define SOCK_PRIO 20  // below ingress and egress: the stack's own work first
#define NONE UINT32_MAX

enum { FREE, QUEUED, OPEN };  // QUEUED: accepted by lwIP, not yet handed out by ACCEPT

struct sock {
    struct tcp_pcb *pcb;  // NULL once lwIP dropped it (reset, abort)
    uint8_t owner;        // the client (enum sock_via) whose listener accepted it
    struct pbuf *rx;      // received, not yet handed to the application
    struct sock *next;    // the free list, or its listener's queue
    uint32_t recv_id, send_id;  // the waiting calls' ids, NONE: none
    uint16_t send_len, send_off;
    uint8_t state, listener;
    bool peer_closed, reset;
    unsigned idle;  // polls without progress (apps.h: APP_IDLE_S)
};

struct listener {
    struct tcp_pcb *pcb;  // NULL: the slot is free
    struct sock *head, *tail;
    uint32_t accept_id;
    uint8_t owner;
};

static struct {
    struct netstack *ns;
    struct al4_aipc_server server;
    uint8_t *region[SOCK_CLIENTS];  // each client's data region, NULL: no such client
    struct sock socks[SOCK_MAX];
    struct sock *free;
    struct listener ls[SOCK_LISTENERS];
    unsigned held[SOCK_CLIENTS];        // each client's sockets (queued or open)
    bool gone[SOCK_CLIENTS];            // the root task stopped that client's application
    struct co gone_co[SOCK_CLIENTS];    // woken by its SOCK_GONE_BIT
} svc;

struct sock_stats sock_stats;

static unsigned index_of(const struct sock *s)
{
    return (unsigned)(s - svc.socks);
}

// A call's id: the aipc client's (its tag, bit 31 clear), or SOCK_SYNC_ID with the
// synchronous front's slot (sock_sync.c).
static void answer(uint32_t id, unsigned err, seL4_Word w0)
{
    seL4_Word mr[1] = {w0};
    if (id & SOCK_SYNC_ID)
        sock_sync_answer(id, err, w0);
    else
        al4_aipc_reply(&svc.server, id, seL4_MessageInfo_new(err, 0, 0, 1), mr);
}

static uint8_t *buffer(const struct sock *s, unsigned long offset)
{
    return svc.region[s->owner] + offset;
}

static bool set(struct al4_aipc_req *reply, unsigned err, seL4_Word w0)
{
    reply->info = seL4_MessageInfo_new(err, 0, 0, 1);
    reply->mr[0] = w0;
    return true;
}

// --- Sockets and lwIP's callbacks ---

static void sock_free(struct sock *s)
{
    if (s->rx)
        pbuf_free(s->rx);
    if (s->state == OPEN)
        sock_stats.open--;
    if (s->state != FREE)
        svc.held[s->owner]--;
    memset(s, 0, sizeof(*s));
    s->recv_id = s->send_id = NONE;
    s->next = svc.free;
    svc.free = s;
}

static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

// What a waiting RECV is answered with now, or false: it waits on.
static bool recv_ready(struct sock *s, unsigned *err, seL4_Word *w0)
{
    if (s->rx) {
        u16_t n = pbuf_copy_partial(s->rx, buffer(s, SOCK_RX(index_of(s))), SOCK_BUF, 0);
        s->rx = pbuf_free_header(s->rx, n);
        netstack_recved(svc.ns, s->pcb, n);  // the window opens for what was taken
        sock_stats.bytes_in += n;
        *err = SOCK_OK;
        *w0 = n;
        return true;
    }
    if (s->reset || s->peer_closed) {
        *err = s->reset ? SOCK_ERESET : SOCK_OK;
        *w0 = 0;
        return true;
    }
    return false;
}

// Data lwIP kept because on_recv refused it (the socket held APP_MAX_PBUFS) is
// offered again once a RECV made room, instead of at lwIP's next fast timer (up to
// 250 ms, while the peer's further segments are dropped). Called with no RECV waiting
// or one already answered: the offer may come straight back into on_recv.
static void take_refused(struct sock *s)
{
    if (s->pcb && s->pcb->refused_data)
        tcp_process_refused_data(s->pcb);
}

static void recv_answer(struct sock *s)
{
    unsigned err;
    seL4_Word w0;
    if (s->recv_id != NONE && recv_ready(s, &err, &w0)) {
        answer(s->recv_id, err, w0);
        s->recv_id = NONE;
        take_refused(s);
    }
}

// Puts as much of the pending SEND into lwIP's send queue as it takes; true when all
// of it is in.
static bool push(struct sock *s)
{
    const uint8_t *buf = buffer(s, SOCK_TX(index_of(s)));
    while (s->send_off < s->send_len) {
        u16_t room = tcp_sndbuf(s->pcb), n = (u16_t)(s->send_len - s->send_off);
        if (room < n)
            n = room;
        if (n == 0 || netstack_write(svc.ns, s->pcb, buf + s->send_off, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            return false;
        s->send_off += n;
        s->idle = 0;
        sock_stats.bytes_out += n;
    }
    return true;
}

static void send_answer(struct sock *s)
{
    if (s->send_id != NONE && push(s)) {
        answer(s->send_id, SOCK_OK, s->send_len);
        s->send_id = NONE;
    }
}

// The waiting calls end with `err` (the socket is reset or closed).
static void end_calls(struct sock *s, unsigned err)
{
    if (s->recv_id != NONE)
        answer(s->recv_id, err, 0);
    if (s->send_id != NONE)
        answer(s->send_id, err, 0);
    s->recv_id = s->send_id = NONE;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)pcb;
    (void)err;  // always ERR_OK in lwIP 2.1
    if (p && !(p = app_hold(s->rx, p)))
        return ERR_MEM;  // offered again after the next RECV (take_refused)
    s->idle = 0;
    if (!p)
        s->peer_closed = true;
    else if (s->rx)
        pbuf_cat(s->rx, p);
    else
        s->rx = p;
    recv_answer(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct sock *s = arg;
    (void)pcb;
    (void)len;
    s->idle = 0;
    send_answer(s);
    return ERR_OK;
}

static void unqueue(struct sock *s)
{
    struct listener *l = &svc.ls[s->listener];
    struct sock **p = &l->head, *prev = NULL;
    while (*p != s)
        p = &(prev = *p)->next;
    *p = s->next;
    if (l->tail == s)
        l->tail = prev;
}

// The PCB is gone (a reset, or lwIP aborted it). A socket not yet handed out goes at
// once; one the application holds stays until its CLOSE, answering what waits with
// SOCK_ERESET (so an index it holds is never reused under it).
static void on_err(void *arg, err_t err)
{
    struct sock *s = arg;
    (void)err;
    s->pcb = NULL;
    sock_stats.reset++;
    if (s->state == QUEUED) {
        unqueue(s);
        sock_free(s);
        return;
    }
    s->reset = true;
    if (s->rx)
        pbuf_free(s->rx);
    s->rx = NULL;
    end_calls(s, SOCK_ERESET);
}

// A client that will send no CLOSE (its aipc connection broke, or the root task
// stopped its application): every socket of it is aborted and freed, reset ones too,
// and its listeners are closed (their ports refuse from now on).
void sock_drop(enum sock_via owner)
{
    for (unsigned i = 0; i < SOCK_MAX; i++) {
        struct sock *s = &svc.socks[i];
        if (s->state == FREE || s->owner != owner)
            continue;
        if (s->pcb) {
            detach(s->pcb);
            tcp_abort(s->pcb);
        }
        sock_free(s);
    }
    for (unsigned i = 0; i < SOCK_LISTENERS; i++) {
        struct listener *l = &svc.ls[i];
        if (!l->pcb || l->owner != owner)
            continue;
        tcp_close(l->pcb);  // a listening PCB closes at once
        *l = (struct listener){.accept_id = NONE};
    }
}

// Once a second: a peer silent for APP_IDLE_S is aborted, as the in-process services
// do; a SEND waiting for room tries again; a broken connection drops everything.
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    struct sock *s = arg;
    if (s->owner == SOCK_VIA_AIPC && svc.server.link.broken) {
        sock_drop(SOCK_VIA_AIPC);  // pcb among them
        return ERR_ABRT;
    }
    if (++s->idle >= APP_IDLE_POLLS) {
        app_stats.idle_aborts++;
        tcp_abort(pcb);  // on_err
        return ERR_ABRT;
    }
    send_answer(s);
    return ERR_OK;
}

// The next queued connection to the ACCEPT waiting on l.
static void hand_out(struct listener *l)
{
    struct sock *s = l->head;
    if (!s || l->accept_id == NONE)
        return;
    l->head = s->next;
    if (!l->head)
        l->tail = NULL;
    s->next = NULL;
    s->state = OPEN;
    sock_stats.open++;
    answer(l->accept_id, SOCK_OK, index_of(s));
    l->accept_id = NONE;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct listener *l = arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct sock *s = svc.free;
    if (!s || svc.held[l->owner] >= SOCK_PER_CLIENT) {
        sock_stats.refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    svc.free = s->next;
    s->next = NULL;
    s->pcb = pcb;
    s->state = QUEUED;
    s->owner = l->owner;
    svc.held[s->owner]++;
    s->listener = (uint8_t)(l - svc.ls);
    if (l->tail)
        l->tail->next = s;
    else
        l->head = s;
    l->tail = s;
    sock_stats.accepted++;
    tcp_nagle_disable(pcb);  // request/response: no waiting for a full segment
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    tcp_poll(pcb, on_poll, APP_POLL);
    hand_out(l);
    return ERR_OK;
}

// --- The requests ---

struct sock_args {
    unsigned op;
    seL4_Word w0, w1;
    struct sock *s;
    struct listener *l;
};

// Checks a request of client `via` before anything is done: SOCK_OK with *a filled,
// or the error. A socket or listener of the other client is not open for this one.
static unsigned decode(enum sock_via via, const struct al4_aipc_req *req, struct sock_args *a)
{
    // The whole label checked before it is narrowed: 2^32 + SOCK_LISTEN is no LISTEN.
    if (svc.gone[via] || !svc.region[via])
        return SOCK_EBADF;  // a client stopped, or none at all
    seL4_Word label = seL4_MessageInfo_get_label(req->info);
    seL4_Word len = seL4_MessageInfo_get_length(req->info);
    if (label < SOCK_LISTEN || label > SOCK_CLOSE || len != (label == SOCK_SEND ? 2u : 1u))
        return SOCK_EINVAL;
    a->op = (unsigned)label;
    a->w0 = req->mr[0];
    a->w1 = len > 1 ? req->mr[1] : 0;
    switch (a->op) {
    case SOCK_LISTEN:
        return a->w0 >= 1 && a->w0 <= 0xffff ? SOCK_OK : SOCK_EINVAL;
    case SOCK_ACCEPT:
        if (a->w0 >= SOCK_LISTENERS)
            return SOCK_EINVAL;
        a->l = &svc.ls[a->w0];
        return a->l->pcb && a->l->owner == via ? SOCK_OK : SOCK_EBADF;
    default:
        if (a->w0 >= SOCK_MAX || (a->op == SOCK_SEND && (a->w1 == 0 || a->w1 > SOCK_BUF)))
            return SOCK_EINVAL;
        a->s = &svc.socks[a->w0];
        return a->s->state == OPEN && a->s->owner == via ? SOCK_OK : SOCK_EBADF;
    }
}

static bool do_listen(enum sock_via via, const struct sock_args *a, struct al4_aipc_req *reply)
{
    unsigned mine = 0;
    for (unsigned i = 0; i < SOCK_LISTENERS; i++)
        mine += svc.ls[i].pcb && svc.ls[i].owner == via;
    if (mine >= SOCK_LISTENERS_PER_CLIENT)
        return set(reply, SOCK_ENOMEM, 0);
    for (unsigned i = 0; i < SOCK_LISTENERS; i++) {
        struct listener *l = &svc.ls[i];
        if (l->pcb)
            continue;
        if (!(l->pcb = app_listen((uint16_t)a->w0, on_accept)))
            return set(reply, SOCK_ENOMEM, 0);
        tcp_arg(l->pcb, l);
        l->accept_id = NONE;
        l->owner = (uint8_t)via;
        return set(reply, SOCK_OK, i);
    }
    return set(reply, SOCK_ENOMEM, 0);
}

static bool do_accept(struct listener *l, uint32_t id, struct al4_aipc_req *reply)
{
    if (l->accept_id != NONE)
        return set(reply, SOCK_EBUSY, 0);
    l->accept_id = id;
    hand_out(l);  // answers at once when a connection is queued
    return false;
}

static bool do_recv(struct sock *s, uint32_t id, struct al4_aipc_req *reply)
{
    unsigned err;
    seL4_Word w0;
    if (s->recv_id != NONE)
        return set(reply, SOCK_EBUSY, 0);
    if (recv_ready(s, &err, &w0)) {
        set(reply, err, w0);
        take_refused(s);  // may queue more for the next RECV; this one is answered
        return true;
    }
    s->recv_id = id;
    return false;
}

static bool do_send(struct sock *s, seL4_Word len, uint32_t id, struct al4_aipc_req *reply)
{
    if (s->send_id != NONE)
        return set(reply, SOCK_EBUSY, 0);
    if (s->reset)
        return set(reply, SOCK_ERESET, 0);
    s->send_len = (uint16_t)len;
    s->send_off = 0;
    if (push(s))
        return set(reply, SOCK_OK, len);
    s->send_id = id;
    return false;
}

// lwIP may refuse a close for lack of memory; the connection is then aborted (RST)
// rather than left half-owned.
static bool do_close(struct sock *s, struct al4_aipc_req *reply)
{
    end_calls(s, SOCK_ECLOSED);
    if (s->pcb) {
        detach(s->pcb);
        if (netstack_close(svc.ns, s->pcb) != ERR_OK)
            tcp_abort(s->pcb);
    }
    sock_free(s);
    return set(reply, SOCK_OK, 0);
}

bool sock_request(enum sock_via via, const struct al4_aipc_req *req, struct al4_aipc_req *reply)
{
    struct sock_args a;
    unsigned err = decode(via, req, &a);
    if (err) {
        sock_stats.bad++;
        return set(reply, err, 0);
    }
    switch (a.op) {
    case SOCK_LISTEN:
        return do_listen(via, &a, reply);
    case SOCK_ACCEPT:
        return do_accept(a.l, req->id, reply);
    case SOCK_RECV:
        return do_recv(a.s, req->id, reply);
    case SOCK_SEND:
        return do_send(a.s, a.w1, req->id, reply);
    default:
        return do_close(a.s, reply);
    }
}

static bool handle(struct al4_aipc_server *srv, const struct al4_aipc_req *req,
                   struct al4_aipc_req *reply, void *arg)
{
    (void)srv;
    (void)arg;
    return sock_request(SOCK_VIA_AIPC, req, reply);
}

AL4_AIPC_DISPATCHER(dispatcher, handle)

void sock_init(struct netstack *ns)
{
    memset(&svc, 0, sizeof(svc));
    svc.ns = ns;
    for (unsigned i = SOCK_MAX; i-- > 0;)
        sock_free(&svc.socks[i]);
    for (unsigned i = 0; i < SOCK_LISTENERS; i++)
        svc.ls[i].accept_id = NONE;
}

// The root task stopped client via's application (it faulted, or sent on its fault
// cap): nothing more will come from it, so its sockets and ports go now, not at their
// idle timeouts, and whatever of it the fronts hold (the ring, the saved reply caps).
static enum co_status gone_run(struct co *co)
{
    enum sock_via via = (enum sock_via)(co - svc.gone_co);
    if (!svc.gone[via]) {
        svc.gone[via] = true;
        sock_stats.gone++;
        if (via == SOCK_VIA_AIPC)
            svc.server.link.broken = true;
        else
            sock_sync_reset();
        sock_drop(via);
    }
    return CO_PENDING;
}

void sock_watch_gone(struct co_exec *ex)
{
    for (unsigned via = 0; via < SOCK_CLIENTS; via++) {
        co_init(&svc.gone_co[via], ex, gone_run, SOCK_PRIO);
        co_exec_bind(ex, SOCK_GONE_BIT(via), &svc.gone_co[via]);
    }
}

seL4_Error sock_serve_aipc(struct al4_aipc_rt *rt, unsigned conn, void *region)
{
    svc.region[SOCK_VIA_AIPC] = region;
    return al4_aipc_serve_with(rt, conn, &svc.server, dispatcher, NULL, SOCK_PRIO);
}

void sock_serve_sync(void *region)
{
    svc.region[SOCK_VIA_SYNC] = region;
}
