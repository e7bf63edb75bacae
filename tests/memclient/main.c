// The memory server's client (memclient.h): attaches its one aipc connection, then
// serves its root task's commands, each with up to AL4_AIPC_MAX_CAPACITY coroutines.
#include "memclient.h"
#include "../../servers/memserver/memserver.h"
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <al4/debug.h>
#include <string.h>

static struct al4_aipc_rt rt;
static struct al4_aipc_client cl;

struct worker {
    struct co co;
    struct al4_aipc_call call;
    unsigned idx, i;
};
static struct worker workers[AL4_AIPC_MAX_CAPACITY];
static unsigned cmd, conc, finished;
static seL4_Word n, seed, base, report[R_WORDS];
// Pages MC_FILL got: MC_CHECK_FREE reads only those (a refused ALLOC must fail the
// test, not fault the client and hang its root task).
static bool held[MEM_MAX_PAGES];

static seL4_Word page(unsigned i)
{
    return base + ((seL4_Word)i << seL4_PageBits);
}

static void request(struct worker *w, seL4_Word label, seL4_Word va)
{
    w->call.info = seL4_MessageInfo_new(label, 0, 0, 1);
    w->call.mr[0] = va;
}

// Counts the reply to w's ALLOC or FREE; false when refused.
static bool answered(struct worker *w, seL4_Word label)
{
    const struct al4_aipc_call *c = &w->call;
    bool ok = c->status == AL4_AIPC_OK && seL4_MessageInfo_get_label(c->info) == label &&
              seL4_MessageInfo_get_length(c->info) == 2 && c->mr[0] == MEM_OK;
    if (!ok && !report[R_BAD]) {
        report[R_ERR] = c->status == AL4_AIPC_OK ? c->mr[0] : ~0ul;
        report[R_SEL4] = c->mr[1];
    }
    report[ok ? R_OK : R_BAD]++;
    return ok;
}

static void fill(unsigned i)
{
    volatile seL4_Word *p = (volatile seL4_Word *)page(i);
    for (unsigned j = 0; j < (1u << seL4_PageBits) / sizeof(seL4_Word); j++)
        p[j] = mc_pattern(seed, i, j);
}

static bool holds(unsigned i)
{
    volatile seL4_Word *p = (volatile seL4_Word *)page(i);
    for (unsigned j = 0; j < (1u << seL4_PageBits) / sizeof(seL4_Word); j++)
        if (p[j] != mc_pattern(seed, i, j))
            return false;
    return true;
}

static void worker_done(void)
{
    if (++finished == conc)
        co_exec_stop(&rt.ex);
}

// Worker idx takes pages idx, idx + conc, ... (MC_FILL, MC_CHECK_FREE), or page idx
// n times over (MC_BENCH).
static enum co_status worker_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    CO_BEGIN(co);
    if (cmd == MC_BENCH) {
        for (w->i = 0; w->i < n; w->i++) {
            request(w, MEM_ALLOC, page(w->idx));
            AL4_AIPC_CALL(co, &cl, &w->call);
            answered(w, MEM_ALLOC);
            request(w, MEM_FREE, page(w->idx));
            AL4_AIPC_CALL(co, &cl, &w->call);
            answered(w, MEM_FREE);
        }
    } else if (cmd == MC_FILL) {
        for (w->i = w->idx; w->i < n; w->i += conc) {
            request(w, MEM_ALLOC, page(w->i));
            AL4_AIPC_CALL(co, &cl, &w->call);
            if (!answered(w, MEM_ALLOC))
                continue;
            held[w->i] = true;
            fill(w->i);
            report[holds(w->i) ? R_OK : R_BAD]++;
        }
    } else {
        for (w->i = w->idx; w->i < n; w->i += conc) {
            report[held[w->i] && holds(w->i) ? R_OK : R_BAD]++;
            held[w->i] = false;
            request(w, MEM_FREE, page(w->i));
            AL4_AIPC_CALL(co, &cl, &w->call);
            answered(w, MEM_FREE);
        }
    }
    worker_done();
    CO_END(co);
}

static enum co_status raw_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    CO_BEGIN(co);
    AL4_AIPC_CALL(co, &cl, &w->call);
    report[R_BAD] = w->call.status;
    report[R_LABEL] = seL4_MessageInfo_get_label(w->call.info);
    report[R_LEN] = seL4_MessageInfo_get_length(w->call.info);
    memcpy(&report[R_MR], w->call.mr, sizeof(w->call.mr));
    worker_done();
    CO_END(co);
}

static void start(unsigned c, co_resume_fn fn)
{
    conc = c;
    finished = 0;
    for (unsigned i = 0; i < c; i++) {
        co_init(&workers[i].co, &rt.ex, fn, 5);
        workers[i].idx = i;
        co_wake(&workers[i].co);
    }
}

// Not inlined: the counters read around the executor's run are the measured window.
__attribute__((noinline)) static void run(void)
{
    unsigned harts = (unsigned)platsupport_get_bootinfo()->numNodes;
    seL4_Word e0 = al4_kernel_entries(harts), e1 = al4_kernel_entries(harts);
    seL4_Word reads = e1 - e0, t0, t1;
    asm volatile("rdcycle %0" : "=r"(t0));
    start(conc, worker_run);
    co_exec_run(&rt.ex);
    asm volatile("rdcycle %0" : "=r"(t1));
    report[R_ENTRIES] = al4_kernel_entries(harts) - e1 - reads;
    report[R_CYCLES] = t1 - t0;
}

// MC_FLOOD as a hostile client floods: STATS requests written straight into the ring
// whenever it has room, each reply taken as soon as it is there and only looked at for
// the allocation count; no coroutine, no call id. This thread does nothing else, so on
// another hart it refills the ring faster than the server drains it. A broken link (the
// server gave up on it) ends the flood too, reported as R_BAD.
static void flood(void)
{
    struct al4_ring_item ask = {.info = seL4_MessageInfo_new(MEM_STATS, 0, 0, 1).words[0],
                                .mr = {MEM_STATS_REQUESTS}};
    struct al4_ring_item got;
    seL4_Word sent = 0, answered = 0;
    bool seen = false;
    while (!cl.link.broken && (answered < sent || (!seen && sent < n))) {
        // At most `capacity` in flight, as for any client: the server drops one whose
        // replies overfill their ring.
        if (!seen && sent < n && sent - answered < cl.link.capacity &&
            al4_aipc_link_put(&cl.link, &ask)) {
            sent++;
            if (cl.link.owed)
                co_exec_wake_bits(&rt.ex, al4_aipc_flush(&rt));
        }
        if (al4_aipc_link_get(&cl.link, &got)) {
            answered++;
            seen |= seL4_MessageInfo_get_label((seL4_MessageInfo_t){{got.info}}) == MEM_STATS &&
                    got.mr[0] == MEM_OK && got.mr[1 + MS_ALLOCS] >= seed;
        }
    }
    report[R_OK] = sent;
    report[R_BAD] = !seen || cl.link.broken;
}

static void raw(seL4_Word label, seL4_Word nargs, const seL4_Word *args)
{
    workers[0].call.info = seL4_MessageInfo_new(label, 0, 0, nargs < 3 ? nargs : 3);
    for (unsigned i = 0; i < 3; i++)
        workers[0].call.mr[i] = args[i];
    start(1, raw_run);
    co_exec_run(&rt.ex);
}

int main(void)
{
    const seL4_BootInfo *bi = platsupport_get_bootinfo();
    seL4_CPtr ep = al4_bootinfo_arg(bi, MC_ARG_REPORT, 0);
    base = al4_bootinfo_arg(bi, MC_ARG_BASE, 0);
    seL4_Error e = al4_aipc_attach(&rt, bi, al4_bootinfo_arg(bi, MC_ARG_HZ, 10000000));
    if (!e)
        e = al4_aipc_client_open(&rt, 0, &cl, 20);
    report[R_BAD] = e;  // the first report: connected or why not
    for (;;) {
        for (unsigned i = 0; i < R_WORDS; i++)
            seL4_SetMR(i, report[i]);
        seL4_MessageInfo_t info = seL4_Call(ep, seL4_MessageInfo_new(MC_REPORT, 0, 0, R_WORDS));
        seL4_Word args[3] = {seL4_GetMR(MC_ARGS), seL4_GetMR(MC_ARGS + 1), seL4_GetMR(MC_ARGS + 2)};
        cmd = (unsigned)seL4_MessageInfo_get_label(info);
        n = seL4_GetMR(MC_N);
        seed = seL4_GetMR(MC_SEED);
        conc = (unsigned)seL4_GetMR(MC_CONC);
        if (conc == 0 || conc > AL4_AIPC_MAX_CAPACITY)
            conc = AL4_AIPC_MAX_CAPACITY;
        if ((cmd == MC_FILL || cmd == MC_CHECK_FREE) && n > MEM_MAX_PAGES)
            n = MEM_MAX_PAGES;
        memset(report, 0, sizeof(report));
        if (e) {
            report[R_BAD] = e;
            continue;
        }
        if (cmd == MC_RAW)
            raw(seL4_GetMR(MC_LABEL), seL4_GetMR(MC_NARGS), args);
        else if (cmd == MC_FILL || cmd == MC_CHECK_FREE || cmd == MC_BENCH)
            run();
        else if (cmd == MC_FLOOD)
            flood();
        else
            break;
    }
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    return 0;
}
