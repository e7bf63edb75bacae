// The peer as the client: takes commands from the root task over an endpoint and
// answers each with a report (peer.h).
#include "peer.h"
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <al4/debug.h>
#include <string.h>

static struct al4_aipc_rt rt;
static struct al4_aipc_client cl;

struct worker {
    struct co co;
    struct al4_aipc_call call;
    uint32_t idx, k, len;
};
static struct worker workers[AL4_AIPC_MAX_CAPACITY];
static unsigned concurrency, calls, finished;
static seL4_Word work, report[R_WORDS];

static seL4_Word payload(const struct worker *w, unsigned j)
{
    return peer_payload(w->idx, w->k, j);
}

// Inline, as the synchronous worker's check is (peer_sync.c): the same work on both sides.
static inline __attribute__((always_inline)) bool echo_ok(const struct worker *w)
{
    const struct al4_aipc_call *c = &w->call;
    if (c->status != AL4_AIPC_OK || seL4_MessageInfo_get_label(c->info) != OP_ECHO ||
        seL4_MessageInfo_get_length(c->info) != w->len || c->mr[0] != ~work)
        return false;
    for (unsigned j = 1; j < w->len; j++)
        if (c->mr[j] != ~payload(w, j))
            return false;
    return true;
}

// Call k of worker w: an echo of its own length and payload.
static void echo_request(struct worker *w, uint32_t k)
{
    w->k = k;
    w->len = peer_len(w->idx, k);
    w->call.info = seL4_MessageInfo_new(OP_ECHO, 0, 0, w->len);
    w->call.mr[0] = work;
    for (unsigned j = 1; j < w->len; j++)
        w->call.mr[j] = payload(w, j);
}

static void worker_done(void)
{
    if (++finished == concurrency)
        co_exec_stop(&rt.ex);
}

// `calls` echo calls, each with its own length (2..6 words) and payload.
static enum co_status worker_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    CO_BEGIN(co);
    // The worker's call owns an id for the run (al4_aipc_call_bind): its calls neither
    // take one nor give it back. Without a free id it stays unbound, which works too.
    al4_aipc_call_bind(&cl, &w->call);
    for (w->k = 0; w->k < calls; w->k++) {
        echo_request(w, w->k);
        AL4_AIPC_CALL(co, &cl, &w->call);
        report[echo_ok(w) ? R_OK : R_BAD]++;
    }
    // Back to the pool: the other commands take ids from it (malformed, abandon).
    al4_aipc_call_unbind(&cl, &w->call);
    worker_done();
    CO_END(co);
}

static void start_workers(unsigned n, co_resume_fn fn)
{
    concurrency = n;
    finished = 0;
    for (unsigned i = 0; i < n; i++) {
        co_init(&workers[i].co, &rt.ex, fn, 5);
        workers[i].idx = i;
        co_wake(&workers[i].co);
    }
}

// Not inlined: its two rdcycles are the window make profile-aipc traces.
__attribute__((noinline)) static void run(unsigned harts)
{
    seL4_Word e0 = al4_kernel_entries(harts), e1 = al4_kernel_entries(harts);
    seL4_Word reads = e1 - e0;  // what reading the counters adds
    struct al4_aipc_stats st = cl.link.st;
    seL4_Word uintr = rt.uintr, spin_wakes = rt.ex.spin_wakes, t0, t1, time0, time1;
    asm volatile("rdtime %0" : "=r"(time0));
    asm volatile("rdcycle %0" : "=r"(t0));
    start_workers(concurrency, worker_run);
    co_exec_run(&rt.ex);
    asm volatile("rdcycle %0" : "=r"(t1));
    asm volatile("rdtime %0" : "=r"(time1));
    report[R_TIME] = time1 - time0;
    report[R_ENTRIES] = al4_kernel_entries(harts) - e1 - reads;
    report[R_CYCLES] = t1 - t0;
    report[R_SIGNALS] = cl.link.st.signals - st.signals;
    report[R_KSIGNALS] = cl.link.st.kernel_signals - st.kernel_signals;
    report[R_SLEEPS] = cl.link.st.sleeps - st.sleeps;
    report[R_SPIN_WAKES] = rt.ex.spin_wakes - spin_wakes;
    report[R_REFUSED] = cl.link.st.refused - st.refused;
    report[R_UINTR] = rt.uintr - uintr;
}

// One call of the server's counters into report[R_SERVER..].
static enum co_status stats_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    CO_BEGIN(co);
    w->call.info = seL4_MessageInfo_new(OP_STATS, 0, 0, 0);
    AL4_AIPC_CALL(co, &cl, &w->call);
    if (w->call.status == AL4_AIPC_OK && seL4_MessageInfo_get_length(w->call.info) == SS_WORDS)
        memcpy(&report[R_SERVER], w->call.mr, SS_WORDS * sizeof(seL4_Word));
    worker_done();
    CO_END(co);
}

static void server_stats(void)
{
    start_workers(1, stats_run);
    co_exec_run(&rt.ex);
}

// Malformed requests written into the ring by hand, as a broken or hostile client
// would: each in flight under an id of ours, so that the refusal can come back.
static struct al4_aipc_call refused[MALFORMED_REQUESTS];

static enum co_status malformed_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, refused[0].done && refused[1].done && refused[2].done);
    for (unsigned i = 0; i < 3; i++)
        report[refused[i].status == AL4_AIPC_EREFUSED ? R_OK : R_BAD]++;
    w->call.info = seL4_MessageInfo_new(OP_LIE, 0, 0, 0);
    AL4_AIPC_CALL(co, &cl, &w->call);
    report[w->call.status == AL4_AIPC_OK && seL4_MessageInfo_get_label(w->call.info) == OP_LIE
               ? R_OK : R_BAD]++;
    echo_request(w, 0);
    AL4_AIPC_CALL(co, &cl, &w->call);
    report[echo_ok(w) ? R_OK : R_BAD]++;
    worker_done();
    CO_END(co);
}

static void malformed(void)
{
    const seL4_Word echo = seL4_MessageInfo_new(OP_ECHO, 0, 0, 1).words[0];
    struct al4_ring_item bad[MALFORMED_REQUESTS] = {
        {.reserved = 1, .info = echo},
        {.info = seL4_MessageInfo_new(OP_ECHO, 0, 0, AL4_RING_MRS + 1).words[0]},
        {.info = seL4_MessageInfo_new(OP_ECHO, 0, 1, 1).words[0]},
        {.co = UINT32_MAX, .info = echo},  // names no call: nothing comes back
    };
    start_workers(1, malformed_run);
    for (unsigned i = 0; i < MALFORMED_REQUESTS; i++) {
        if (i < 3) {
            uint32_t id = cl.free_ids[--cl.n_free];
            // In flight as al4_aipc_send_now leaves a call: in its id's slot, with the
            // tag its reply is checked against.
            refused[i] = (struct al4_aipc_call){.co = &workers[0].co, .id = id,
                                                .tag = al4_aipc_client_tag(&cl, id)};
            cl.slot[id] = &refused[i];
            bad[i].co = (uint32_t)refused[i].tag;
        }
        al4_aipc_link_put(&cl.link, &bad[i]);
    }
    seL4_Word refused_before = cl.link.st.refused;
    co_exec_run(&rt.ex);
    report[R_REFUSED] = cl.link.st.refused - refused_before;
}

// Submits `concurrency` calls and stops for good with all of them in flight.
static void abandon(seL4_CPtr ep)
{
    calls = 1;
    start_workers(concurrency, worker_run);
    // Masked: the replies' notification stays pending and nothing takes them.
    al4_unotify_mask();
    co_exec_run_ready(&rt.ex);
    report[R_OK] = cl.link.capacity - cl.n_free;  // calls in flight
    seL4_SetMR(0, report[R_OK]);
    seL4_Send(ep, seL4_MessageInfo_new(REPORT_LABEL, 0, 0, 1));
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
}

void peer_client(const seL4_BootInfo *bi)
{
    seL4_CPtr ep = al4_bootinfo_arg(bi, ARG_REPORT, 0);
    // A client without a connection only makes synchronous calls: it takes no part in
    // U-notification, as a plain seL4 program would not (the fastpath declines threads
    // that do, docs/unotify.md).
    size_t size;
    bool connected = al4_bootinfo_chunk(bi, AL4_BOOTINFO_AIPC, &size) != NULL;
    seL4_Error e = seL4_NoError;
    if (connected)
        e = al4_aipc_attach(&rt, bi, al4_bootinfo_arg(bi, ARG_HZ, 10000000));
    if (connected && !e) {
        co_exec_set_spin(&rt.ex, al4_bootinfo_arg(bi, ARG_SPIN, 0));
        e = al4_aipc_client_open(&rt, 0, &cl, 20);
    }
    // The first report says whether it is connected (R_BAD = the error).
    report[R_BAD] = e;
    for (;;) {
        for (unsigned i = 0; i < R_WORDS; i++)
            seL4_SetMR(i, report[i]);
        seL4_MessageInfo_t cmd = seL4_Call(ep, seL4_MessageInfo_new(REPORT_LABEL, 0, 0, R_WORDS));
        concurrency = seL4_GetMR(CM_CONCURRENCY);
        calls = seL4_GetMR(CM_CALLS);
        work = seL4_GetMR(CM_WORK);
        unsigned harts = seL4_GetMR(CM_HARTS);
        bool fastpath = seL4_GetMR(CM_FASTPATH);
        memset(report, 0, sizeof(report));
        if (concurrency > AL4_AIPC_MAX_CAPACITY)
            concurrency = AL4_AIPC_MAX_CAPACITY;
        seL4_Word label = seL4_MessageInfo_get_label(cmd);
        if (!connected && label != CMD_SYNC && label != CMD_STOP) {
            report[R_BAD] = ~0ul;
            continue;
        }
        switch (label) {
        case CMD_RUN:
            run(harts);
            server_stats();
            break;
        case CMD_MALFORMED:
            malformed();
            server_stats();
            break;
        case CMD_ABANDON:
            abandon(ep);
            break;
        case CMD_SYNC:
            peer_sync_run(bi, report, concurrency, calls, work, harts, fastpath);
            break;
        default:
            return;
        }
    }
}
