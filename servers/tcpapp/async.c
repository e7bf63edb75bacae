// The TCP application server over async IPC: a coroutine per connection, every socket
// operation an asynchronous call to the network server's socket service (sock.h).
#include "tcpapp.h"
#include "../net/sock.h"
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <stdio.h>
#include <string.h>

#define APP_PRIO 10
#define REPLY_PRIO 20  // the reply dispatcher above the connections it wakes

struct conn {
    struct co co;
    struct al4_aipc_call call;
    uint32_t sock;
    bool busy;  // serving a connection (until its CLOSE is answered)
};

static struct al4_aipc_rt rt;
static struct al4_aipc_client cl;
static struct conn conns[SOCK_MAX];
static struct {
    struct co co;
    struct al4_aipc_call call;
    uint16_t port;
    uint32_t listener, sock;
    bool waiting;  // for conns[sock] to finish its last connection
} acceptor;
static uint64_t served, failed;

// A call's result: its reply's label (SOCK_OK or an error), or an aipc error mapped
// to SOCK_EINVAL (the connection to the network server is broken or refused it).
static unsigned result(const struct al4_aipc_call *c)
{
    if (c->status != AL4_AIPC_OK || seL4_MessageInfo_get_length(c->info) < 1)
        return SOCK_EINVAL;
    return (unsigned)seL4_MessageInfo_get_label(c->info);
}

static void request(struct al4_aipc_call *c, unsigned op, seL4_Word w0, seL4_Word w1)
{
    c->info = seL4_MessageInfo_new(op, 0, 0, op == SOCK_SEND ? 2 : 1);
    c->mr[0] = w0;
    c->mr[1] = w1;
}

// Echo: what RECV put in the receive buffer goes out of the send buffer, until the
// peer closes (RECV answers 0) or the connection fails; then CLOSE.
static enum co_status conn_run(struct co *co)
{
    struct conn *c = (struct conn *)co;
    CO_BEGIN(co);
    for (;;) {
        request(&c->call, SOCK_RECV, c->sock, 0);
        AL4_AIPC_CALL(co, &cl, &c->call);
        if (result(&c->call) != SOCK_OK || c->call.mr[0] == 0 || c->call.mr[0] > SOCK_BUF)
            break;
        tcpapp_maybe_fault(c->sock, c->call.mr[0]);
        memcpy(tcpapp_region + SOCK_TX(c->sock), tcpapp_region + SOCK_RX(c->sock), c->call.mr[0]);
        request(&c->call, SOCK_SEND, c->sock, c->call.mr[0]);
        AL4_AIPC_CALL(co, &cl, &c->call);
        if (result(&c->call) != SOCK_OK)
            break;
    }
    request(&c->call, SOCK_CLOSE, c->sock, 0);
    AL4_AIPC_CALL(co, &cl, &c->call);
    served++;
    c->busy = false;
    if (acceptor.waiting)
        co_wake(&acceptor.co);
    CO_END(co);
}

static enum co_status accept_run(struct co *co)
{
    CO_BEGIN(co);
    request(&acceptor.call, SOCK_LISTEN, acceptor.port, 0);
    AL4_AIPC_CALL(co, &cl, &acceptor.call);
    if (result(&acceptor.call) != SOCK_OK) {
        printf("tcpapp: the network server refused port %u (error %u)\n", acceptor.port,
               result(&acceptor.call));
        co_exec_stop(co->ex);
        return CO_DONE;
    }
    acceptor.listener = (uint32_t)acceptor.call.mr[0];
    printf("tcpapp: tcp echo %u over async IPC%s\n", acceptor.port, tcpapp_where());
    for (;;) {
        request(&acceptor.call, SOCK_ACCEPT, acceptor.listener, 0);
        AL4_AIPC_CALL(co, &cl, &acceptor.call);
        if (result(&acceptor.call) != SOCK_OK || acceptor.call.mr[0] >= SOCK_MAX) {
            failed++;
            if (cl.link.broken)
                break;
            continue;
        }
        acceptor.sock = (uint32_t)acceptor.call.mr[0];
        // The socket's index was free at the server, so its last connection's CLOSE
        // was answered; its coroutine may still be about to see that.
        acceptor.waiting = true;
        CO_AWAIT(co, !conns[acceptor.sock].busy);
        acceptor.waiting = false;
        struct conn *c = &conns[acceptor.sock];
        co_init(&c->co, &rt.ex, conn_run, APP_PRIO);
        c->sock = acceptor.sock;
        c->busy = true;
        co_wake(&c->co);
    }
    printf("tcpapp: the connection to the network server broke; stopping\n");
    co_exec_stop(co->ex);
    CO_END(co);
}

void tcpapp_async(const seL4_BootInfo *bi, uint16_t port)
{
    acceptor.port = port;
    seL4_Error e = al4_aipc_attach(&rt, bi, al4_bootinfo_arg(bi, TA_HZ, 10000000));
    if (!e)
        e = al4_aipc_client_open(&rt, 0, &cl, REPLY_PRIO);
    if (e) {
        printf("tcpapp: not serving: no connection to the network server (error %d)\n", e);
        return;
    }
    co_init(&acceptor.co, &rt.ex, accept_run, APP_PRIO);
    co_wake(&acceptor.co);
    co_exec_run(&rt.ex);
}
