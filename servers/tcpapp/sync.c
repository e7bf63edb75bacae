// The TCP application server over synchronous IPC, for the comparison with async.c: a
// thread per connection, every socket operation a seL4_Call to the socket service's
// endpoint (the same protocol, sock.h), as the kernel paper's synchronous version has
// it. The main thread listens and accepts, and hands each socket to a free connection
// thread through an endpoint of its own (a Send that waits while every thread is busy).
#include "tcpapp.h"
#include "../net/sock.h"
#include <al4/bootinfo.h>
#include <al4/thread.h>
#include <stdio.h>
#include <string.h>

// Its threads' pages (not in the image): IPC buffers, and stacks with a gap page each.
#define THREAD_IPC_VA 0x40000000ul
#define THREAD_STACK_VA 0x41000000ul
#define SCRATCH_VA 0x3ff00000ul  // the allocator's page for filling frames
#define THREAD_PRIO 199          // the root task's priority for it (its MCP)

static struct al4_alloc alloc;
static seL4_CPtr service, hand_over, fault_ep;

// One call: the reply's label (SOCK_OK or an error), its word 0 in *w0.
static unsigned call(unsigned op, seL4_Word a0, seL4_Word a1, seL4_Word *w0)
{
    seL4_SetMR(0, a0);
    seL4_SetMR(1, a1);
    seL4_MessageInfo_t r = seL4_Call(service, seL4_MessageInfo_new(op, 0, 0, op == SOCK_SEND ? 2 : 1));
    *w0 = seL4_GetMR(0);
    return seL4_MessageInfo_get_length(r) < 1 ? SOCK_EINVAL : (unsigned)seL4_MessageInfo_get_label(r);
}

// The same, made again after a yield while the front has no slot for it (SOCK_EBUSY:
// more calls at once than it takes): for the calls that must happen (an ACCEPT, the
// CLOSE that returns a socket to the share).
static unsigned call_taken(unsigned op, seL4_Word a0, seL4_Word a1, seL4_Word *w0)
{
    unsigned err;
    while ((err = call(op, a0, a1, w0)) == SOCK_EBUSY)
        seL4_Yield();
    return err;
}

// A connection thread: takes a socket, echoes until the peer closes or a call fails,
// closes it, takes the next.
static void conn_thread(seL4_Word idx)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)(THREAD_IPC_VA + idx * 4096));
    for (;;) {
        seL4_Recv(hand_over, NULL);
        seL4_Word sock = seL4_GetMR(0), n, sent;
        while (call(SOCK_RECV, sock, 0, &n) == SOCK_OK && n > 0 && n <= SOCK_BUF) {
            tcpapp_maybe_fault(sock, n);
            memcpy(tcpapp_region + SOCK_TX(sock), tcpapp_region + SOCK_RX(sock), n);
            if (call(SOCK_SEND, sock, n, &sent) != SOCK_OK)
                break;
        }
        call_taken(SOCK_CLOSE, sock, 0, &n);
    }
}

void tcpapp_sync(const seL4_BootInfo *bi, uint16_t port)
{
    service = al4_bootinfo_arg(bi, TA_SYNC_EP, 0);
    fault_ep = al4_bootinfo_arg(bi, TA_FAULT_EP, 0);
    seL4_CPtr ut = al4_bootinfo_arg(bi, TA_UNTYPED, 0);
    al4_alloc_init(&alloc, bi->empty.start, bi->empty.end, SCRATCH_VA);
    if (ut)
        al4_alloc_add_untyped(&alloc, ut);
    hand_over = ut ? al4_alloc_object(&alloc, seL4_EndpointObject, 0) : 0;
    unsigned made = 0;
    while (hand_over && made < SOCK_PER_CLIENT &&
           al4_thread_make(&alloc, THREAD_IPC_VA + made * 4096ul, THREAD_STACK_VA + made * 8192ul,
                           conn_thread, made, THREAD_PRIO, fault_ep))
        made++;
    if (made < SOCK_PER_CLIENT) {
        printf("tcpapp: not serving: made %u of %u threads\n", made, SOCK_PER_CLIENT);
        return;
    }
    seL4_Word listener, sock;
    unsigned err = call(SOCK_LISTEN, port, 0, &listener);
    if (err != SOCK_OK) {
        printf("tcpapp: the network server refused port %u (error %u)\n", port, err);
        return;
    }
    printf("tcpapp: tcp echo %u over sync IPC, a thread per connection%s\n", port,
           tcpapp_where());
    for (;;) {
        if ((err = call_taken(SOCK_ACCEPT, listener, 0, &sock)) != SOCK_OK || sock >= SOCK_MAX) {
            printf("tcpapp: ACCEPT failed (error %u); stopping\n", err);
            return;
        }
        seL4_SetMR(0, sock);
        seL4_Send(hand_over, seL4_MessageInfo_new(0, 0, 0, 1));
    }
}
