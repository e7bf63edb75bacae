// TCP echo (RFC 862) on lwIP's raw API. What a connection received and has not yet
// written back stays in a pbuf chain; bytes count as read (tcp_recved, which opens the
// window) only once they are written, so a client that sends faster than it reads is
// held back by TCP's flow control instead of by the server's memory. A write that
// fails for lack of send buffer or heap is retried when data is acknowledged (sent)
// or from lwIP's poll timer.
//
// The byte window alone does not bound what a connection holds: every received frame
// arrives in a pool pbuf of a full frame's size, so a peer that reads nothing and
// sends one-byte segments would pin the whole receive pool with a window's worth of
// them, and the driver would then drop every frame, for everyone. A connection
// therefore keeps at most APP_MAX_PBUFS pbufs pending, small ones copied out of the
// pool into the heap at their exact size (app_hold, listen.c); beyond that echo_recv
// refuses the data and lwIP keeps it (one segment, as refused_data), drops further data
// from that peer and still processes its ACKs. Past half the pool, everything kept goes
// to the heap.
#include "apps.h"
#include "lwip/priv/tcp_priv.h"  // TCP_SLOW_INTERVAL, for APP_IDLE_POLLS
#include <string.h>
#include "lwip/memp.h"
#include "lwip/stats.h"

#define ECHO_CONNS (NETSTACK_TCP_PCBS)

struct echo_conn {
    struct tcp_pcb *pcb;
    struct pbuf *pending;  // received, not yet written back
    bool peer_closed;      // FIN seen: close once pending is written
    unsigned idle;         // polls since data last moved either way (apps.h: APP_IDLE_S)
    struct echo_conn *next_free;
};

static struct echo_conn conns[ECHO_CONNS];
static struct echo_conn *free_list;
static struct netstack *echo_ns;

static void conn_free(struct echo_conn *c)
{
    if (c->pending)
        pbuf_free(c->pending);
    memset(c, 0, sizeof(*c));
    c->next_free = free_list;
    free_list = c;
    app_stats.echo_open--;
}

static void conn_attach(struct echo_conn *c);

// Detaches the connection from its PCB, then closes it: tcp_close may free the PCB at
// once (a reset for unread data), so nothing may touch it afterwards. On lwIP's
// refusal the connection is attached again and the poll timer tries later.
static void conn_close(struct echo_conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    if (netstack_close(echo_ns, pcb) != ERR_OK) {
        conn_attach(c);
        return;
    }
    app_stats.echo_closed++;
    conn_free(c);
}

// Writes back as much of pending as lwIP takes, then closes if the peer is done.
static void conn_send(struct echo_conn *c)
{
    while (c->pending) {
        u16_t room = tcp_sndbuf(c->pcb);
        u16_t len = c->pending->len < room ? c->pending->len : room;
        if (len == 0 || netstack_write(echo_ns, c->pcb, c->pending->payload, len,
                                       TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        c->pending = pbuf_free_header(c->pending, len);
        c->idle = 0;
        app_stats.echo_bytes += len;
        netstack_recved(echo_ns, c->pcb, len);
    }
    if (!c->pending && c->peer_closed)
        conn_close(c);
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct echo_conn *c = arg;
    (void)pcb;
    (void)err;  // always ERR_OK in lwIP 2.1
    if (p && !(p = app_hold(c->pending, p)))
        return ERR_MEM;  // lwIP offers it again from its fast timer (250 ms)
    c->idle = 0;
    if (!p)
        c->peer_closed = true;
    else if (c->pending)
        pbuf_cat(c->pending, p);
    else
        c->pending = p;
    conn_send(c);
    return ERR_OK;
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct echo_conn *c = arg;
    (void)pcb;
    (void)len;
    c->idle = 0;
    conn_send(c);
    return ERR_OK;
}

// Progress is data taken or acknowledged, not any segment: a peer that keeps its
// window shut while it sends can hold a connection (and its pbufs) just as long as one
// that vanished.
static err_t echo_poll(void *arg, struct tcp_pcb *pcb)
{
    struct echo_conn *c = arg;
    if (++c->idle >= APP_IDLE_POLLS) {
        app_stats.idle_aborts++;
        tcp_abort(pcb);  // echo_err frees c
        return ERR_ABRT;
    }
    conn_send(c);
    return ERR_OK;
}

// The PCB is gone already (a reset, or lwIP aborted it): only our state is left.
static void echo_err(void *arg, err_t err)
{
    struct echo_conn *c = arg;
    if (err == ERR_RST)
        app_stats.echo_reset++;
    conn_free(c);
}

static void conn_attach(struct echo_conn *c)
{
    tcp_arg(c->pcb, c);
    tcp_recv(c->pcb, echo_recv);
    tcp_sent(c->pcb, echo_sent);
    tcp_err(c->pcb, echo_err);
    tcp_poll(c->pcb, echo_poll, APP_POLL);
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct echo_conn *c = free_list;
    if (!c) {
        app_stats.echo_refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    free_list = c->next_free;
    c->next_free = NULL;
    c->pcb = pcb;
    app_stats.echo_open++;
    app_stats.echo_accepted++;
    tcp_nagle_disable(pcb);  // request/response: no waiting for a full segment
    conn_attach(c);
    return ERR_OK;
}

bool echo_start(struct netstack *ns, uint16_t port)
{
    echo_ns = ns;
    for (unsigned i = 0; i < ECHO_CONNS; i++) {
        conns[i].next_free = free_list;
        free_list = &conns[i];
    }
    return app_listen(port, echo_accept) != NULL;
}
