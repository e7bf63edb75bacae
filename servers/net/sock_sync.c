// The socket service's synchronous front (docs/sockets.md, "Over synchronous IPC"): the
// application calls seL4_Call on an endpoint, one call per thread, as a seL4 client of
// a seL4 server would, with the same protocol as over aipc (sock.h). The server's
// executor sleeps in seL4_Recv on that endpoint (al4_unotify_rx.ep) with its
// notification bound to its thread, so a call and a signal wake it alike. A call is
// taken at once: its reply cap saved into a free slot of the server's CNode (the
// thread's next Recv would delete it), the request queued for the front's coroutine,
// which runs it through sock_request like an aipc request; the answer goes back
// through the saved reply cap, at once or when lwIP's callbacks answer it later.
//
// Calls are taken when the executor sleeps, and, with the application on another hart,
// also during busy polling's windows, which keep the executor from sleeping for as
// long as frames keep coming (sock_sync_poll: an NBRecv every SYNC_POLL_US of a
// window). On the server's hart the application runs below the server's priority, so
// it can only call while the server is asleep. One that calls without pause keeps the
// server busy (docs/sockets.md, "Limits").
#include "apps.h"
#include "sock.h"
#include <al4/aipc.h>
#include <al4/unotify.h>

#define SYNC_SLOTS 96  // calls waiting at once: a thread per socket and an acceptor
#define SYNC_PRIO 20   // as the aipc dispatcher (sock.c)
#define SYNC_POLL_MAX 16  // calls one look of a window takes at most

struct sync_call {
    uint32_t slot;
    seL4_MessageInfo_t info;
    seL4_Word mr[2];
};

static struct {
    struct co co;
    const struct al4_unotify_rx *rx;
    struct co_exec *ex;
    seL4_CPtr slot0;
    unsigned n_slots;
    uint32_t free[SYNC_SLOTS];  // slots without a reply cap
    unsigned n_free;
    struct sync_call fifo[SYNC_SLOTS];  // calls taken, not yet run
    unsigned head, len;
    uint64_t msgs;  // calls on_msg took (queued or answered busy): the poll's progress
} sy;

struct sync_stats sync_stats;

static void reply_now(seL4_CPtr cap, unsigned err, seL4_Word w0)
{
    seL4_SetMR(0, w0);
    // NBSend: a slot left empty (a Send, not a Call, brought no reply cap) is then
    // ignored, where a blocking Send would fault this thread.
    seL4_NBSend(cap, seL4_MessageInfo_new(err, 0, 0, 1));
}

// From the executor's sleep (unotify.c), right after the Recv returned a call.
static void on_msg(void *arg, const struct al4_unotify_msg *m)
{
    (void)arg;
    sy.msgs++;
    // More calls than slots (only a client with more threads than it needs gets here),
    // or a slot the kernel refused: answered at once through the thread's own reply
    // cap, still in place.
    if (!sy.n_free ||
        seL4_CNode_SaveCaller(seL4_CapInitThreadCNode, sy.slot0 + sy.free[sy.n_free - 1],
                              seL4_WordBits) != seL4_NoError) {
        sync_stats.busy++;
        seL4_SetMR(0, 0);
        seL4_Reply(seL4_MessageInfo_new(SOCK_EBUSY, 0, 0, 1));
        return;
    }
    uint32_t slot = sy.free[--sy.n_free];
    sy.fifo[(sy.head + sy.len++) % SYNC_SLOTS] =
        (struct sync_call){slot, m->info, {m->mr[0], m->mr[1]}};
    sync_stats.calls++;
}

void sock_sync_answer(uint32_t id, unsigned err, seL4_Word w0)
{
    uint32_t slot = id & ~SOCK_SYNC_ID;
    reply_now(sy.slot0 + slot, err, w0);
    sy.free[sy.n_free++] = slot;
}

// Runs every call taken, each through sock_request as the aipc dispatcher does.
static enum co_status front_run(struct co *co)
{
    (void)co;
    while (sy.len) {
        struct sync_call c = sy.fifo[sy.head];
        sy.head = (sy.head + 1) % SYNC_SLOTS;
        sy.len--;
        struct al4_aipc_req req = {.id = SOCK_SYNC_ID | c.slot, .info = c.info,
                                   .mr = {c.mr[0], c.mr[1]}}, reply;
        // Words past the two passed in registers are never read: decode refuses any
        // length above two.
        if (sock_request(SOCK_VIA_SYNC, &req, &reply))
            sock_sync_answer(req.id, (unsigned)seL4_MessageInfo_get_label(reply.info), reply.mr[0]);
    }
    return CO_PENDING;
}

static void all_free(void)
{
    sy.n_free = sy.head = sy.len = 0;
    for (unsigned i = sy.n_slots; i-- > 0;)
        sy.free[sy.n_free++] = i;
}

void sock_sync_reset(void)
{
    bool is_free[SYNC_SLOTS] = {false};
    for (unsigned i = 0; i < sy.n_free; i++)
        is_free[sy.free[i]] = true;
    for (unsigned i = 0; i < sy.n_slots; i++)
        if (!is_free[i])
            seL4_CNode_Delete(seL4_CapInitThreadCNode, sy.slot0 + i, seL4_WordBits);
    all_free();
}

void sock_sync_poll(void *arg)
{
    (void)arg;
    // As the sleep's Recv would return one queued call after another: again while a
    // look took a call and a slot is free, up to SYNC_POLL_MAX, so that the threads'
    // queued calls do not come one a look. A signal or nothing ends it.
    for (unsigned i = 0; i < SYNC_POLL_MAX && sy.n_free; i++) {
        uint64_t msgs = sy.msgs, calls = sync_stats.calls;
        seL4_Word bits = al4_unotify_poll_ep(sy.rx);
        bool took = sy.msgs != msgs;
        sync_stats.polled += sync_stats.calls - calls;  // calls queued so (docs/sockets.md)
        // A call's bit wakes the front; a signal the kernel handed over instead, whatever
        // it binds (the sleep would have returned it to the executor the same way).
        if (bits)
            co_exec_wake_bits(sy.ex, bits);
        if (!took)
            return;
    }
}

void sock_sync_start(struct al4_unotify_rx *rx, struct co_exec *ex, seL4_CPtr ep, unsigned bit,
                     seL4_CPtr slot0, unsigned slots)
{
    sy.rx = rx;
    sy.ex = ex;
    sy.slot0 = slot0;
    sy.n_slots = slots < SYNC_SLOTS ? slots : SYNC_SLOTS;
    all_free();
    co_init(&sy.co, ex, front_run, SYNC_PRIO);
    co_exec_bind(ex, bit, &sy.co);
    rx->ep = ep;
    rx->ep_mark = rx->ep_bits = 1ul << bit;
    rx->on_msg = on_msg;
    rx->msg_arg = NULL;
}
