// ASYNCIPC: asynchronous IPC (al4/aipc.h, docs/aipc.md) between processes the root
// task builds with the process library from the peer image (tests/aipc/): a server and
// one or two clients, each in its own VSpace and CSpace, connected by al4_aipc_connect.
// Each client takes commands from here over an endpoint and reports counts (peer.h).
#include "vm.h"
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include "../aipc/peer.h"
#include "unotify_test.h"

extern const char aipc_peer_elf[], aipc_peer_elf_end[];

#define PEER_CNODE_BITS 8
#define AIPC_VA 0x40000000ul  // where the peers see their connections (free in them)
#define SERVER_PRIO (VM_PRIO - 1)  // above its clients: a signal switches to it at once
#define CLIENT_PRIO (VM_PRIO - 2)
#define CAPACITY 256
#define MAX_CLIENTS 2

struct pair {
    struct al4_alloc a;
    struct al4_process server, client[MAX_CLIENTS];
    struct al4_aipc_proc sp, cp[MAX_CLIENTS];
    seL4_CPtr ep;
    unsigned clients;
    seL4_Word r[R_WORDS];  // the last report
    bool gone[1 + MAX_CLIENTS];  // receiver already released (server first)
    bool slowpath;               // CMD_SYNC: with the fastpath off
    seL4_Word spin;              // the peers' polls before a sleep (ARG_SPIN)
};

static void make_peer(struct env *env, struct pair *p, struct al4_process *proc)
{
    size_t size = (uintptr_t)aipc_peer_elf_end - (uintptr_t)aipc_peer_elf;
    test_eq(env, al4_process_create(proc, &p->a, aipc_peer_elf, size, seL4_CapInitThreadASIDPool,
                                    PEER_CNODE_BITS),
            seL4_NoError);
}

// Takes the next report; the client that sent it waits for a command.
static void take_report(struct env *env, struct pair *p)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(p->ep, &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), REPORT_LABEL);
    for (unsigned i = 0; i < R_WORDS; i++)
        p->r[i] = i < seL4_MessageInfo_get_length(info) ? seL4_GetMR(i) : 0;
}

// Starts client i and takes its first report: it is attached and connected.
static void start_client(struct env *env, struct pair *p, unsigned i)
{
    test_eq(env, al4_process_start(&p->client[i], 0, CLIENT_PRIO, seL4_CapInitThreadTCB),
            seL4_NoError);
    take_report(env, p);
    test_eq(env, p->r[R_BAD], seL4_NoError);
}

// Connects a server (answering in reverse order `defer` requests at a time, 0: at once,
// on hart `server_hart`) with `clients` clients, and starts it and the first client.
// (One client at a time waits for a command: the root task has one reply cap.)
static void pair_start(struct env *env, struct pair *p, unsigned clients, seL4_Word defer,
                       seL4_Word server_hart)
{
    p->clients = clients;
    p->slowpath = false;
    for (unsigned i = 0; i <= MAX_CLIENTS; i++)
        p->gone[i] = false;
    lib_alloc(env, &p->a, 600, 23);
    make_peer(env, p, &p->server);
    al4_aipc_proc_init(&p->sp, &p->server, AIPC_VA);
    p->ep = alloc_object(env, seL4_EndpointObject, 0);
    for (unsigned i = 0; i < clients; i++) {
        make_peer(env, p, &p->client[i]);
        al4_aipc_proc_init(&p->cp[i], &p->client[i], AIPC_VA);
        unsigned conn;
        test_eq(env, al4_aipc_connect(&p->sp, &p->cp[i], CAPACITY, &conn), seL4_NoError);
        test_eq(env, conn, i);
        seL4_Word args[ARG_COUNT] = {PEER_CLIENT, al4_process_give(&p->client[i], p->ep, seL4_AllRights, i + 1),
                                     un_hz(env), 0};
        args[ARG_SPIN] = p->spin;
        test_eq(env, al4_process_set_args(&p->client[i], args, ARG_COUNT), seL4_NoError);
    }
    seL4_Word args[ARG_COUNT] = {PEER_SERVER, 0, un_hz(env), defer};
    args[ARG_SPIN] = p->spin;
    test_eq(env, al4_process_set_args(&p->server, args, ARG_COUNT), seL4_NoError);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    test_eq(env, seL4_TCB_SetAffinity(p->server.tcb, server_hart), seL4_NoError);
#else
    test_eq(env, server_hart, 0);
#endif
    test_eq(env, al4_process_start(&p->server, 0, SERVER_PRIO, seL4_CapInitThreadTCB), seL4_NoError);
    start_client(env, p, 0);
}

// Answers the waiting client with a command and takes its report.
static void command(struct env *env, struct pair *p, seL4_Word cmd, seL4_Word concurrency,
                    seL4_Word calls, seL4_Word work)
{
    seL4_SetMR(CM_CONCURRENCY, concurrency);
    seL4_SetMR(CM_CALLS, calls);
    seL4_SetMR(CM_WORK, work);
    seL4_SetMR(CM_HARTS, env->bi->numNodes);
    seL4_SetMR(CM_FASTPATH, !p->slowpath);
    seL4_Reply(seL4_MessageInfo_new(cmd, 0, 0, CM_WORDS));
    take_report(env, p);
}

// Every process stops, and its receiver (with every sender aimed at it) is released, so
// the U-notification pools are as before the test.
static void pair_stop(struct pair *p)
{
    struct al4_process *all[] = {&p->server, &p->client[0], &p->client[1]};
    for (unsigned i = 0; i < 1 + p->clients; i++) {
        seL4_TCB_Suspend(all[i]->tcb);
        if (!p->gone[i])
            seL4_TCB_UnbindNotification(all[i]->tcb);
    }
}

// A run of `calls` calls from each of `concurrency` coroutines, all answered right.
static void run_ok(struct env *env, struct pair *p, seL4_Word concurrency, seL4_Word calls)
{
    command(env, p, CMD_RUN, concurrency, calls, 0);
    test_eq(env, p->r[R_OK], concurrency * calls);
    test_eq(env, p->r[R_BAD], 0);
    test_eq(env, p->r[R_REFUSED], 0);
}

// Kernel entries of a run that are not timer ticks: the tick (every UN_TICK_MS) enters
// the kernel too, at most once per tick period the run lasted, plus one.
static seL4_Word ticks_bound(struct env *env, const struct pair *p)
{
    return p->r[R_TIME] / un_ticks(env, 1) + 1;
}

static void one_call(struct env *env)
{
    static struct pair p;
    pair_start(env, &p, 1, 0, 0);
    run_ok(env, &p, 1, 1);
    test_eq(env, p.r[R_SERVER + SS_HANDLED], 2);  // the call, and the stats call itself
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0001, "one call between two processes is answered with its payload", one_call);

static void many_calls(struct env *env)
{
    static struct pair p;
    pair_start(env, &p, 1, 0, 0);
    run_ok(env, &p, 256, 4);
    test_eq(env, p.r[R_SERVER + SS_HANDLED], 256 * 4 + 1);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0002, "256 concurrent calls with distinct payloads are all answered right",
            many_calls);

static void out_of_order(struct env *env)
{
    static struct pair p;
    pair_start(env, &p, 1, 8, 0);
    run_ok(env, &p, 16, 8);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0003, "replies answered in reverse order reach the coroutines that made the calls",
            out_of_order);

// Client and server on one hart, the server above: after each reply the server goes
// idle, so every call finds its mark idle and signals, and the server sleeps once per
// call; the client's reply dispatcher likewise.
static void wakes_idle(struct env *env)
{
    static struct pair p;
    const seL4_Word calls = 50;
    pair_start(env, &p, 1, 0, 0);
    run_ok(env, &p, 1, calls);
    test_eq(env, p.r[R_SIGNALS], calls);
    test_eq(env, p.r[R_SERVER + SS_SIGNALS], calls);
    // The server woke from each sleep for a call, plus the sleep after the start. Each
    // call: the client's Signal switches to the server, its Wait switches back. A timer
    // tick adds its own entry, and one that falls between the client's uipi send and
    // its Signal wakes the server early (the tick's delivery of pending bits,
    // docs/unotify-protocol.md): the Signal then finds it asleep again and wakes it for
    // nothing, one more sleep and two more entries.
    seL4_Word ticks = ticks_bound(env, &p);
    test_check(env, p.r[R_SERVER + SS_SLEEPS] >= calls + 1);
    test_check(env, p.r[R_SERVER + SS_SLEEPS] <= calls + 1 + ticks);
    test_check(env, p.r[R_ENTRIES] >= 2 * calls);
    test_check(env, p.r[R_ENTRIES] <= 2 * calls + 3 * ticks);
    test_eq(env, p.r[R_SERVER + SS_REFUSED], 0);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0004, "an idle server is woken by every call (one signal, two kernel entries per call)",
            wakes_idle);

// Under load the marks stay running: 2048 calls from 256 coroutines need one signal
// and one switch each way per batch of outstanding calls.
static void suppresses(struct env *env)
{
    static struct pair p;
    const seL4_Word conc = 256, calls = 8, total = conc * calls;
    pair_start(env, &p, 1, 0, 0);
    run_ok(env, &p, conc, calls);
    printf("  %lu calls: client signals %lu (kernel %lu), server signals %lu, kernel entries %lu\n",
           (unsigned long)total, (unsigned long)p.r[R_SIGNALS], (unsigned long)p.r[R_KSIGNALS],
           (unsigned long)p.r[R_SERVER + SS_SIGNALS], (unsigned long)p.r[R_ENTRIES]);
    test_check(env, p.r[R_SIGNALS] <= calls + 1);
    test_check(env, p.r[R_SERVER + SS_SIGNALS] <= calls + 1);
    test_check(env, p.r[R_ENTRIES] <= 2 * (calls + 1) + 3 * ticks_bound(env, &p));
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0005, "under load notifications are suppressed: one each way per batch of 256 calls",
            suppresses);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static void other_hart(struct env *env)
{
    static struct pair p;
    if (!need_harts(env, 2))
        return;
    pair_start(env, &p, 1, 0, 1);
    run_ok(env, &p, 1, 20);
    run_ok(env, &p, 64, 8);
    run_ok(env, &p, 256, 2);
    printf("  server on hart 1: %lu client signals, %lu server signals, %lu entries for 2,560 calls\n",
           (unsigned long)p.r[R_SIGNALS], (unsigned long)p.r[R_SERVER + SS_SIGNALS],
           (unsigned long)p.r[R_ENTRIES]);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0006, "a server on another hart answers 1, 64 and 256 concurrent calls", other_hart);

// Both sides spin before they sleep (co_exec_set_spin): the polls race the peer's
// signals on two harts running at once, and every call is still answered, at every
// concurrency, with nothing refused; and the client's spins did take signals (some
// 90 of them in 4 runs under make test's QEMU; none if the spin never polled). How many
// depends on the host's scheduling of the harts (bench-aipc measures it under -icount):
// with the host loaded, the server's hart can be off the host's cores for longer than a
// whole spin (seen once in 6 runs beside another QEMU), so the four runs are made again,
// up to 3 times in all, until some spin took a signal.
static void other_hart_spinning(struct env *env)
{
    static struct pair p;
    if (!need_harts(env, 2))
        return;
    p.spin = 1u << 16;
    pair_start(env, &p, 1, 0, 1);
    seL4_Word wakes = 0;
    static const seL4_Word conc[] = {1, 8, 64, 256}, calls[] = {64, 16, 8, 4};
    for (unsigned round = 0; round < 3 && !wakes; round++)
        for (unsigned i = 0; i < 4; i++) {
            run_ok(env, &p, conc[i], calls[i]);
            wakes += p.r[R_SPIN_WAKES];
        }
    printf("  both spinning: %lu of the client's spins ended by a signal, the server's "
           "dispatcher idle %lu times, %lu entries in the last run\n", (unsigned long)wakes,
           (unsigned long)p.r[R_SERVER + SS_SLEEPS], (unsigned long)p.r[R_ENTRIES]);
    test_check(env, wakes > 0);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0010, "both sides spinning before they sleep, across harts: every call answered",
            other_hart_spinning);
#endif

static void client_exits(struct env *env)
{
    static struct pair p;
    pair_start(env, &p, 2, 0, 0);
    // The first client makes a run first (so that its executor was stopped once before:
    // the abandon's run must not end early), then submits 16 calls and stops its thread
    // with all of them in flight; the root task then takes its receiver away, as if the
    // process were gone.
    run_ok(env, &p, 4, 2);
    seL4_SetMR(CM_CONCURRENCY, 16);
    seL4_SetMR(CM_CALLS, 1);
    seL4_SetMR(CM_WORK, 0);
    seL4_SetMR(CM_HARTS, env->bi->numNodes);
    seL4_Reply(seL4_MessageInfo_new(CMD_ABANDON, 0, 0, CM_WORDS));
    take_report(env, &p);
    test_eq(env, p.r[0], 16);
    test_eq(env, seL4_TCB_UnbindNotification(p.client[0].tcb), seL4_NoError);
    p.gone[1] = true;
    // The server answered them into a ring nobody reads, and serves the other client.
    start_client(env, &p, 1);
    run_ok(env, &p, 8, 10);
    test_eq(env, p.r[R_SERVER + SS_HANDLED], 8 + 1 + 16 + 80 + 1);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0007, "a client that stops with calls in flight does not break the server",
            client_exits);

static void malformed(struct env *env)
{
    static struct pair p;
    pair_start(env, &p, 1, 0, 0);
    command(env, &p, CMD_MALFORMED, 0, 0, 0);
    test_eq(env, p.r[R_OK], 5);       // 3 requests refused with a reply, the lie, the echo
    test_eq(env, p.r[R_BAD], 0);
    test_eq(env, p.r[R_REFUSED], REFUSED_LIES);
    test_eq(env, p.r[R_SERVER + SS_REFUSED], MALFORMED_REQUESTS);
    run_ok(env, &p, 4, 4);           // and the connection still works
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0008, "malformed requests and replies are refused, not trusted", malformed);

// The benchmark's synchronous side (bench-aipc): a client without a connection calls a
// sync server from 16 threads of its own, with the fastpath on and off.
static void sync_side(struct env *env)
{
    static struct pair p;
    static struct al4_process sync_server;
    p.clients = 1;
    p.slowpath = false;
    p.gone[0] = true;  // no server of pair's own to stop
    p.gone[1] = true;  // the sync client has no receiver
    lib_alloc(env, &p.a, 600, 23);
    p.ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr sync_ep = alloc_object(env, seL4_EndpointObject, 0);
    make_peer(env, &p, &sync_server);
    make_peer(env, &p, &p.client[0]);
    p.server = sync_server;
    seL4_Word yargs[ARG_COUNT] = {PEER_SYNC_SERVER, 0, un_hz(env), 0,
                                  al4_process_give(&sync_server, sync_ep, seL4_AllRights, 0)};
    seL4_Word cargs[ARG_COUNT] = {PEER_CLIENT, al4_process_give(&p.client[0], p.ep, seL4_AllRights, 1),
                                  un_hz(env), 0, al4_process_give(&p.client[0], sync_ep, seL4_AllRights, 0),
                                  al4_process_give(&p.client[0], alloc_object(env, seL4_UntypedObject, 20),
                                                   seL4_AllRights, 0),
                                  SERVER_PRIO};
    test_eq(env, al4_process_set_args(&sync_server, yargs, ARG_COUNT), seL4_NoError);
    test_eq(env, al4_process_set_args(&p.client[0], cargs, ARG_COUNT), seL4_NoError);
    test_eq(env, seL4_TCB_SetMCPriority(p.client[0].tcb, seL4_CapInitThreadTCB, SERVER_PRIO),
            seL4_NoError);
    test_eq(env, al4_process_start(&sync_server, 0, SERVER_PRIO, seL4_CapInitThreadTCB), seL4_NoError);
    start_client(env, &p, 0);
    for (int slow = 0; slow < 2; slow++) {
        p.slowpath = slow;
        command(env, &p, CMD_SYNC, 16, 8, 100);
        test_eq(env, p.r[R_OK], 16 * 8);
        test_eq(env, p.r[R_BAD], 0);
    }
    // Without a connection the asynchronous commands are refused.
    command(env, &p, CMD_RUN, 1, 1, 0);
    test_eq(env, p.r[R_BAD], ~0ul);
    pair_stop(&p);
}
DEFINE_TEST(ASYNCIPC0009, "the benchmark's sync side: 16 threads of a client process call a sync server",
            sync_side);
