// The memory server's asynchronous system calls (al4/asyncsys.h, docs/asyncsys.md): the
// ring frame the root task made and mapped at MEM_RING_VA, registered for this thread
// with completions signalled through the process's own notification under a bit of its
// own, and the reply dispatcher that bit wakes. The frame's type and address are in
// memserver.h; this file is the only one that registers or reads it.
#include "server.h"

// The completion bit: aipc gives connections the low bits of the notification
// (al4_aipc_connect), at most AL4_AIPC_MAX_CONN of them.
#define RING_BIT 63
_Static_assert(RING_BIT >= AL4_AIPC_MAX_CONN, "the completion bit is no connection's");

static struct co replies;

// Takes the kernel's replies (waking the workers awaiting them) until the ring is empty
// and the mark says idle; the kernel signals RING_BIT only while it says idle.
static enum co_status replies_run(struct co *co)
{
    CO_BEGIN(co);
    for (;;) {
        al4_asyncsys_poll(&srv.as);
        if (!al4_asyncsys_idle(&srv.as))
            continue;
        CO_SUSPEND(co);
        al4_asyncsys_busy(&srv.as);
    }
    CO_END(co);
}

// Both flushes of a batch: aipc's owed notifications, then the wake of the kernel's
// handler for the system calls the batch submitted.
static uint64_t flush(void *arg)
{
    (void)arg;
    uint64_t bits = al4_aipc_flush(&srv.rt);
    bits |= al4_asyncsys_flush(&srv.as);
    // The executor spins before it sleeps only while system calls are in flight: a
    // client's next request comes from a thread that a spin here would hold off.
    co_exec_set_spin(&srv.rt.ex, al4_asyncsys_in_flight(&srv.as) ? srv.boot.spin : 0);
    return bits;
}

seL4_Error ring_init(const seL4_BootInfo *bi)
{
    seL4_CPtr badged = bi->empty.start;
    if (badged >= bi->empty.end)
        return seL4_NotEnoughMemory;
    seL4_Error e = seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, seL4_WordBits,
                                   seL4_CapInitThreadCNode, srv.rt.boot.ntfn, seL4_WordBits,
                                   seL4_AllRights, 1ul << RING_BIT);
    if (!e)
        e = al4_asyncsys_register(badged, seL4_CapInitThreadTCB, srv.boot.ring_frame);
    if (e)
        return e;
    // The registration wrote the kernel's line; the process zeroes its own (init).
    if (!al4_asyncsys_init(&srv.as, (void *)MEM_RING_VA, MEM_RING_FRAME_BITS))
        return seL4_InvalidArgument;
    al4_asyncsys_batch(&srv.as, true);
    co_exec_set_flush(&srv.rt.ex, flush, NULL, AL4_AIPC_FLUSH_EVERY);
    co_init(&replies, &srv.rt.ex, replies_run, DISPATCH_PRIO);
    co_exec_bind(&srv.rt.ex, RING_BIT, &replies);
    co_wake(&replies);
    return seL4_NoError;
}
