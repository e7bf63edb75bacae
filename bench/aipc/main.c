// Asynchronous IPC benchmark (make bench-aipc), the kernel paper's Fig. 7: a client
// process and a server process ping-pong echo calls, synchronously (seL4_Call to a
// server thread in seL4_ReplyRecv, one client thread per call in flight, with and
// without the fastpath) and asynchronously (al4/aipc.h: coroutines, rings,
// notifications only to an idle peer), at 1..256 calls in flight and 0, 500 and 2000
// instructions of server work per call. The processes come from the aipc peer image
// (tests/aipc/), the same one the ASYNCIPC tests run; the servers run above the
// client in priority, on hart 1 when there are two harts.
//
// Under -icount shift=0 the cycle counter is virtual time in instructions, shared by
// all harts, so a difference of two reads is what every hart executed meanwhile,
// kernels included: per completed call, "both sides, kernel included".
//
// Output lines "BENCH,series,harts,concurrency,work,instructions_per_call,
// uintr_per_call_x1e6,kernel_entries_per_call_x1e6", read by tools/bench/aipc.
//
// The kernel command line can narrow the run to one series, concurrency and work
// (aipc_series=async|sync-slowpath|sync-fastpath aipc_c=N aipc_work=N): what
// `make profile-aipc` traces (tools/bench/profile); aipc_spin=N sets the asynchronous
// peers' polls before a sleep on two harts (default 256).
#include <sel4/sel4.h>
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <al4/process.h>
#include <stdio.h>
#include "../common/report.h"
#include <string.h>
#include "../../tests/aipc/peer.h"

#define SCRATCH 0x40000000ul
#define AIPC_VA 0x40000000ul
#define CLIENT_CNODE_BITS 12
#define SERVER_CNODE_BITS 8
#define SERVER_PRIO 254  // above the client: a signal from it switches at once
#define CLIENT_PRIO 253
// Calls per measurement (each of the `concurrency` callers makes TOTAL / concurrency,
// at least one), every series on one hart and two. Under -icount QEMU runs the harts in
// turn; the asynchronous peers spin before they sleep on two harts (ARG_SPIN), and the
// spin's PAUSE, like the kernel's lock and IPI spins, hands QEMU's slice to the other
// hart (tools/qemu/README, 0004), so a hand-off costs a few instructions of virtual time.
#define TOTAL_CALLS 2048

extern const char aipc_peer_elf[], aipc_peer_elf_end[];

static struct al4_alloc alloc;
static struct al4_process server, sync_server, client, sync_client;
static struct al4_aipc_proc sp, cp;
static seL4_CPtr report_ep;
static seL4_Word r[R_WORDS], server_before[SS_WORDS];
static unsigned harts;
// The executors' polls before a sleep on two harts (aipc_spin=N; one hart never spins:
// the peer cannot answer while this thread holds the hart).
static seL4_Word spin = 256;

static bool make(struct al4_process *p, seL4_Word cnode_bits)
{
    size_t size = (uintptr_t)aipc_peer_elf_end - (uintptr_t)aipc_peer_elf;
    seL4_Error e = al4_process_create(p, &alloc, aipc_peer_elf, size, seL4_CapInitThreadASIDPool,
                                      cnode_bits);
    if (e)
        printf("bench-aipc: cannot create a process (%d)\n", e);
    return !e;
}

static bool take_report(void)
{
    return bench_take_report(report_ep, REPORT_LABEL, r, R_WORDS);
}

static bool command(seL4_Word cmd, seL4_Word concurrency, seL4_Word calls, seL4_Word work,
                    bool fastpath)
{
    seL4_SetMR(CM_CONCURRENCY, concurrency);
    seL4_SetMR(CM_CALLS, calls);
    seL4_SetMR(CM_WORK, work);
    seL4_SetMR(CM_HARTS, harts);
    seL4_SetMR(CM_FASTPATH, fastpath);
    seL4_Reply(seL4_MessageInfo_new(cmd, 0, 0, CM_WORDS));
    return take_report();
}

static seL4_Error set_up(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    al4_alloc_init_bootinfo(&alloc, bi, SCRATCH);
    harts = bi->numNodes > 1 ? 2 : 1;
    if (harts == 1)
        spin = 0;
    if (!make(&server, SERVER_CNODE_BITS) || !make(&sync_server, SERVER_CNODE_BITS) ||
        !make(&client, SERVER_CNODE_BITS) || !make(&sync_client, CLIENT_CNODE_BITS))
        return seL4_NotEnoughMemory;
    al4_aipc_proc_init(&sp, &server, AIPC_VA);
    al4_aipc_proc_init(&cp, &client, AIPC_VA);
    unsigned conn;
    seL4_Error e = al4_aipc_connect(&sp, &cp, AL4_AIPC_MAX_CAPACITY, &conn);
    if (e)
        return e;
    report_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    seL4_CPtr sync_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    seL4_CPtr ut = al4_alloc_object(&alloc, seL4_UntypedObject, 23);
    if (!report_ep || !sync_ep || !ut)
        return seL4_NotEnoughMemory;
    seL4_Word hz = 10000000;  // QEMU virt's timebase
    seL4_Word cargs[ARG_COUNT] = {PEER_CLIENT, al4_process_give(&client, report_ep, seL4_AllRights, 1), hz};
    cargs[ARG_SPIN] = spin;
    seL4_Word yc_args[ARG_COUNT] = {PEER_CLIENT, al4_process_give(&sync_client, report_ep, seL4_AllRights, 2), hz, 0,
                                    al4_process_give(&sync_client, sync_ep, seL4_AllRights, 0),
                                    al4_process_give(&sync_client, ut, seL4_AllRights, 0), SERVER_PRIO};
    seL4_Word sargs[ARG_COUNT] = {PEER_SERVER, 0, hz};
    sargs[ARG_SPIN] = spin;
    seL4_Word yargs[ARG_COUNT] = {PEER_SYNC_SERVER, 0, hz, 0,
                                  al4_process_give(&sync_server, sync_ep, seL4_AllRights, 0)};
    if ((e = al4_process_set_args(&client, cargs, ARG_COUNT)) ||
        (e = al4_process_set_args(&sync_client, yc_args, ARG_COUNT)) ||
        (e = al4_process_set_args(&server, sargs, ARG_COUNT)) ||
        (e = al4_process_set_args(&sync_server, yargs, ARG_COUNT)))
        return e;
    // The sync client's threads run at the servers' priority (its MCP allows that).
    if ((e = seL4_TCB_SetMCPriority(sync_client.tcb, seL4_CapInitThreadTCB, SERVER_PRIO)))
        return e;
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    if (harts > 1 && ((e = seL4_TCB_SetAffinity(server.tcb, 1)) ||
                      (e = seL4_TCB_SetAffinity(sync_server.tcb, 1))))
        return e;
#endif
    if ((e = al4_process_start(&server, 0, SERVER_PRIO, seL4_CapInitThreadTCB)) ||
        (e = al4_process_start(&sync_server, 0, SERVER_PRIO, seL4_CapInitThreadTCB)))
        return e;
    return seL4_NoError;
}

// Starts a client and takes its first report (the root task has one reply cap, so one
// client at a time waits for commands: the sync client first, then the async one).
static seL4_Error start_client(struct al4_process *p)
{
    seL4_Error e = al4_process_start(p, 0, CLIENT_PRIO, seL4_CapInitThreadTCB);
    if (e)
        return e;
    if (!take_report() || r[R_BAD])
        return r[R_BAD] ? (seL4_Error)r[R_BAD] : seL4_IllegalOperation;
    return seL4_NoError;
}

static void row(const char *series, unsigned c, seL4_Word work, seL4_Word calls, seL4_Word uintr)
{
    printf("BENCH,%s,%u,%u,%lu,%lu,%lu,%lu\n", series, harts, c, (unsigned long)work,
           (unsigned long)(r[R_CYCLES] / calls), (unsigned long)(uintr * 1000000 / calls),
           (unsigned long)(r[R_ENTRIES] * 1000000 / calls));
}

// One measurement; false (printed) if a call came back wrong.
static bool measure(const char *series, unsigned c, seL4_Word work)
{
    bool async = series[0] == 'a';
    seL4_Word per = TOTAL_CALLS / c ? TOTAL_CALLS / c : 1, calls = per * c, uintr = 0;
    if (!command(async ? CMD_RUN : CMD_SYNC, c, per, work, series[5] == 'f'))
        return false;
    if (r[R_OK] != calls || r[R_BAD]) {
        printf("bench-aipc: %s c=%u work=%lu: %lu right, %lu wrong\n", series, c,
               (unsigned long)work, (unsigned long)r[R_OK], (unsigned long)r[R_BAD]);
        return false;
    }
    if (async) {
        uintr = r[R_UINTR] + r[R_SERVER + SS_UINTR] - server_before[SS_UINTR];
        for (unsigned i = 0; i < SS_WORDS; i++)
            server_before[i] = r[R_SERVER + i];
    }
    row(series, c, work, calls, uintr);
    return true;
}

// The points the command line leaves in (all of them when it names none).
static char only_series[16];
static seL4_Word only_c, only_work = ~0ul;

static void read_bootargs(const seL4_BootInfo *bi)
{
    const char *args = al4_bootargs(bi);
    al4_bootarg(args, "aipc_series", only_series, sizeof(only_series));
    only_c = al4_bootarg_word(args, "aipc_c", 0);
    only_work = al4_bootarg_word(args, "aipc_work", ~0ul);
    spin = al4_bootarg_word(args, "aipc_spin", spin);
}

static bool wanted(const char *series, unsigned c, seL4_Word work)
{
    return (!only_series[0] || !strcmp(only_series, series)) && (!only_c || only_c == c) &&
           (only_work == ~0ul || only_work == work);
}

int main(void)
{
    read_bootargs(platsupport_get_bootinfo());
    seL4_Error e = set_up();
    if (e) {
        printf("bench-aipc: set-up failed (%d)\n", e);
        return 1;
    }
    printf("bench-aipc: %u harts, %d calls per measurement, spin %lu\n", harts, TOTAL_CALLS,
           (unsigned long)spin);
    static const seL4_Word works[] = {0, 500, 2000};
    static const char *const series[] = {"sync-slowpath", "sync-fastpath", "async"};
    // Asynchronous first, then the synchronous series.
    static const unsigned order[] = {2, 0, 1};
    for (unsigned k = 0; k < 3; k++) {
        unsigned s = order[k];
        if (s != 1 && (e = start_client(s ? &client : &sync_client))) {
            printf("bench-aipc: a client did not start (%d)\n", e);
            return 1;
        }
        for (unsigned w = 0; w < (harts > 1 ? 1 : 3); w++)
            for (unsigned c = 1; c <= AL4_AIPC_MAX_CAPACITY; c *= 2)
                if (wanted(series[s], c, works[w]) && !measure(series[s], c, works[w]))
                    return 1;
        if (s == 2)  // the async client is done: it stops, the sync one comes
            seL4_Reply(seL4_MessageInfo_new(CMD_STOP, 0, 0, 0));
    }
    printf("bench-aipc: done\n");
    return 0;
}
