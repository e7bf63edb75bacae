// Synchronous IPC between the same two kinds of process, for the comparison (bench-aipc's
// sync series): a server thread in seL4_ReplyRecv, and client threads, one per call in
// flight (a thread has at most one seL4_Call outstanding), each doing its calls back
// to back.
#include "peer.h"
#include <al4/bootinfo.h>
#include <al4/process.h>
#include <al4/thread.h>
// The peer runs on debug and benchmark kernels only (its reports use their counters).
#include <al4/debug.h>
#include <string.h>

void peer_sync_server(const seL4_BootInfo *bi)
{
    seL4_CPtr ep = al4_bootinfo_arg(bi, ARG_SYNC_EP, 0);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        seL4_Word len = seL4_MessageInfo_get_length(info);
        if (len)
            peer_work(seL4_GetMR(0));
        seL4_Word *msg = seL4_GetIPCBuffer()->msg;
        if (len <= 6) {
            peer_invert(msg, msg, len);  // the async server's echo, unrolled
        } else {
            for (seL4_Word i = 0; i < len; i++)
                msg[i] = ~msg[i];
        }
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 0, 0, len),
                              &badge);
    }
}

#define SYNC_THREADS 256
// Each thread has two pages from the untyped, mapped on demand (not in the image, which
// every process of the peer loads): its IPC buffer, and its stack with its TLS block
// at the top (al4_thread_make); a gap page between threads catches a stack overflow.
#define SYNC_IPC_VA 0x60000000ul
#define SYNC_STACK_VA 0x61000000ul
#define SYNC_SCRATCH 0x5ff00000ul  // the allocator's page for filling frames

static seL4_CPtr threads[SYNC_THREADS];
static unsigned made;
static struct al4_alloc alloc;
static seL4_CPtr server_ep, start_ep, done_ntfn;
static unsigned round_threads, round_calls, done_count;
static seL4_Word round_work, ok, bad, thread_prio;

// Each thread: wait for a start, make the round's calls, the last one done signals.
static void sync_worker(seL4_Word idx)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)(SYNC_IPC_VA + idx * 4096));
    for (;;) {
        seL4_Recv(start_ep, NULL);
        seL4_Word good = 0, wrong = 0;
        for (seL4_Word k = 0; k < round_calls; k++) {
            unsigned len = peer_len(idx, k);
            seL4_SetMR(0, round_work);
            for (unsigned j = 1; j < len; j++)
                seL4_SetMR(j, peer_payload(idx, k, j));
            seL4_MessageInfo_t info = seL4_Call(server_ep, seL4_MessageInfo_new(OP_ECHO, 0, 0, len));
            bool right = seL4_MessageInfo_get_label(info) == OP_ECHO &&
                         seL4_MessageInfo_get_length(info) == len && seL4_GetMR(0) == ~round_work;
            for (unsigned j = 1; j < len && right; j++)
                right = seL4_GetMR(j) == ~peer_payload(idx, k, j);
            good += right;
            wrong += !right;
        }
        __atomic_fetch_add(&ok, good, __ATOMIC_RELAXED);
        __atomic_fetch_add(&bad, wrong, __ATOMIC_RELAXED);
        if (__atomic_add_fetch(&done_count, 1, __ATOMIC_ACQ_REL) == round_threads)
            seL4_Signal(done_ntfn);
    }
}

// Thread i: waits for starts from then on. Each thread's stack page has a gap page
// below it (al4_thread_make).
static bool make_thread(unsigned i)
{
    threads[i] = al4_thread_make(&alloc, SYNC_IPC_VA + i * 4096, SYNC_STACK_VA + i * 8192,
                                 sync_worker, i, thread_prio, 0);
    return threads[i] != 0;
}

static bool sync_setup(const seL4_BootInfo *bi)
{
    if (server_ep)
        return true;
    seL4_CPtr ut = al4_bootinfo_arg(bi, ARG_UNTYPED, 0);
    server_ep = al4_bootinfo_arg(bi, ARG_SYNC_EP, 0);
    if (!ut || !server_ep)
        return false;
    // The server's priority, set by the root task, for the fastpath (seL4's, too, takes
    // a reply only to a caller of at least the replier's priority).
    thread_prio = al4_bootinfo_arg(bi, ARG_THREAD_PRIO, 0);
    al4_alloc_init(&alloc, bi->empty.start, bi->empty.end, SYNC_SCRATCH);
    al4_alloc_add_untyped(&alloc, ut);
    start_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    done_ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
    return start_ep && done_ntfn;
}

void peer_sync_run(const seL4_BootInfo *bi, seL4_Word *report, unsigned nthreads, unsigned calls,
                   seL4_Word work, unsigned harts, bool fastpath)
{
    if (nthreads > SYNC_THREADS)
        nthreads = SYNC_THREADS;
    if (!sync_setup(bi)) {
        report[R_BAD] = ~0ul;
        return;
    }
    while (made < nthreads)
        if (!make_thread(made++)) {
            report[R_BAD] = ~0ul;
            return;
        }
    seL4_Word was = al4_set_fastpath(fastpath);
    round_threads = nthreads;
    round_calls = calls;
    round_work = work;
    ok = bad = 0;
    done_count = 0;
    seL4_Word e0 = al4_kernel_entries(harts), e1 = al4_kernel_entries(harts), reads = e1 - e0;
    seL4_Word t0, t1, time0, time1;
    asm volatile("rdtime %0" : "=r"(time0));
    asm volatile("rdcycle %0" : "=r"(t0));
    for (unsigned i = 0; i < nthreads; i++)
        seL4_Send(start_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Wait(done_ntfn, NULL);
    asm volatile("rdcycle %0" : "=r"(t1));
    asm volatile("rdtime %0" : "=r"(time1));
    report[R_ENTRIES] = al4_kernel_entries(harts) - e1 - reads;
    al4_set_fastpath(was);
    report[R_CYCLES] = t1 - t0;
    report[R_TIME] = time1 - time0;
    report[R_OK] = ok;
    report[R_BAD] = bad;
}
