// ASYNCSYS: the memory-allocation server (servers/memserver, docs/memserver.md) with
// client processes (tests/memclient), all started from here through the server's
// launcher: pages allocated, written, read and freed by several processes at once,
// sync and async, the documented refusals, and the pools back full at the end.
#include "vm.h"
#include "unotify_test.h"
#include "../../servers/memserver/root/launch.h"
#include "../memclient/memclient.h"

extern const char memclient_elf[], memclient_elf_end[];

#define CLIENTS 3
#define SERVER_PRIO (VM_PRIO - 1)  // above its clients, as the aipc server
#define CLIENT_PRIO (VM_PRIO - 2)
#define CLIENT_AIPC_VA 0x40000000ul
// Every client's window at the same addresses: what a page holds depends on whose it is.
// Its first 1 MiB and the next table's first 1 MiB: page 256 needs a second page table.
#define WINDOW 0x50100000ul
#define WINDOW_PAGES 512
#define FRAMES 192
#define PTS 8

static struct ms {
    struct al4_alloc a;
    struct memsrv m;
    struct al4_process client[CLIENTS];
    seL4_CPtr ep, reply[CLIENTS];
    seL4_Word r[CLIENTS][R_WORDS];
    unsigned n;
} ms;

// Takes the next report and keeps its sender's reply cap: every client waits for its
// own command, so they run at once.
static unsigned take(struct env *env)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ms.ep, &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), MC_REPORT);
    unsigned i = badge - 1 < CLIENTS ? (unsigned)badge - 1 : 0;
    for (unsigned k = 0; k < R_WORDS; k++)
        ms.r[i][k] = seL4_GetMR(k);
    test_eq(env, seL4_CNode_SaveCaller(ROOT_CNODE, ms.reply[i], seL4_WordBits), seL4_NoError);
    return i;
}

static void send_cmd(unsigned i, seL4_Word cmd, seL4_Word n, seL4_Word seed, seL4_Word conc)
{
    seL4_SetMR(MC_N, n);
    seL4_SetMR(MC_SEED, seed);
    seL4_SetMR(MC_CONC, conc);
    seL4_Send(ms.reply[i], seL4_MessageInfo_new(cmd, 0, 0, MC_WORDS));
}

// Clients 0..n-1 each run `cmd` at once (seed: 100 + its index); their reports in ms.r.
static void all(struct env *env, unsigned n, seL4_Word cmd, seL4_Word pages, seL4_Word conc)
{
    for (unsigned i = 0; i < n; i++)
        send_cmd(i, cmd, pages, 100 + i, conc);
    for (unsigned i = 0; i < n; i++)
        take(env);
}

// One request from client i: the reply's label, and its words in *mr.
static seL4_Word raw(struct env *env, unsigned i, seL4_Word label, unsigned nargs, seL4_Word a0,
                     seL4_Word a1, seL4_Word *mr)
{
    seL4_SetMR(MC_LABEL, label);
    seL4_SetMR(MC_NARGS, nargs);
    seL4_SetMR(MC_ARGS, a0);
    seL4_SetMR(MC_ARGS + 1, a1);
    seL4_SetMR(MC_ARGS + 2, 0);
    seL4_Send(ms.reply[i], seL4_MessageInfo_new(MC_RAW, 0, 0, MC_WORDS));
    test_eq(env, take(env), i);
    test_eq(env, ms.r[i][R_BAD], AL4_AIPC_OK);
    if (mr)
        for (unsigned k = 0; k < 6; k++)
            mr[k] = ms.r[i][R_MR + k];
    return ms.r[i][R_LABEL];
}

// The error a request gets (MR0 of its reply).
static seL4_Word ask(struct env *env, unsigned i, seL4_Word label, unsigned nargs, seL4_Word a0,
                     seL4_Word a1)
{
    seL4_Word mr[6];
    test_eq(env, raw(env, i, label, nargs, a0, a1, mr), label);
    return mr[0];
}

static void stats(struct env *env, seL4_Word group, seL4_Word *out)
{
    seL4_Word mr[6];
    test_eq(env, raw(env, 0, MEM_STATS, 1, group, 0, mr), MEM_STATS);
    test_eq(env, mr[0], MEM_OK);
    for (unsigned k = 0; k < MEM_STATS_WORDS; k++)
        out[k] = mr[1 + k];
}

// Every frame back in the pool, every page table used at most once per table of the
// windows (they stay mapped in the clients).
static void pools_full(struct env *env, unsigned frames)
{
    seL4_Word p[MEM_STATS_WORDS];
    stats(env, MEM_STATS_POOLS, p);
    test_eq(env, p[MS_FRAMES_FREE], frames);
    test_eq(env, p[MS_FRAMES], frames);
    test_check(env, p[MS_PTS] - p[MS_PTS_FREE] <= 2 * ms.n);
}

// The server and n clients (client 0 its control connection), started; each has sent
// its first report, connected. The server spins `spin` polls for the kernel's replies
// before it sleeps (mem_boot.spin).
static void ms_start_spin(struct env *env, unsigned n, enum mem_mode mode, unsigned conc,
                          unsigned frames, unsigned pts, unsigned spin)
{
    ms.n = n;
    lib_alloc(env, &ms.a, 1000, 23);
    ms.ep = alloc_object(env, seL4_EndpointObject, 0);
    test_eq(env, memsrv_create(&ms.m, &ms.a, frames, pts, mode, conc, un_hz(env)), seL4_NoError);
    ms.m.boot.spin = spin;
    size_t size = (uintptr_t)memclient_elf_end - (uintptr_t)memclient_elf;
    for (unsigned i = 0; i < n; i++) {
        struct al4_process *p = &ms.client[i];
        ms.reply[i] = alloc_slot(env);
        test_eq(env, al4_process_create(p, &ms.a, memclient_elf, size, seL4_CapInitThreadASIDPool, 8),
                seL4_NoError);
        test_eq(env, memsrv_add_client(&ms.m, p, CLIENT_AIPC_VA, WINDOW, WINDOW_PAGES, i == 0),
                seL4_NoError);
        seL4_Word args[MC_ARG_COUNT] = {al4_process_give(p, ms.ep, seL4_AllRights, i + 1),
                                        un_hz(env), WINDOW};
        test_eq(env, al4_process_set_args(p, args, MC_ARG_COUNT), seL4_NoError);
    }
    test_eq(env, memsrv_start(&ms.m, SERVER_PRIO, seL4_CapInitThreadTCB), seL4_NoError);
    for (unsigned i = 0; i < n; i++) {
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        // On several harts the clients run truly at once, the server on hart 0.
        test_eq(env, seL4_TCB_SetAffinity(ms.client[i].tcb, (i + 1) % env->bi->numNodes),
                seL4_NoError);
#endif
        test_eq(env, al4_process_start(&ms.client[i], 0, CLIENT_PRIO, seL4_CapInitThreadTCB),
                seL4_NoError);
    }
    for (unsigned i = 0; i < n; i++)
        take(env);
    for (unsigned i = 0; i < n; i++)
        test_eq(env, ms.r[i][R_BAD], seL4_NoError);
}

static void ms_start(struct env *env, unsigned n, enum mem_mode mode, unsigned conc,
                     unsigned frames, unsigned pts)
{
    ms_start_spin(env, n, mode, conc, frames, pts, 0);
}

// Stops every process and releases its U-notification receiver (the pools of the
// U-notification tables are as before the test).
static void ms_stop(void)
{
    seL4_TCB_Suspend(ms.m.server.tcb);
    seL4_TCB_UnbindNotification(ms.m.server.tcb);
    for (unsigned i = 0; i < ms.n; i++) {
        seL4_TCB_Suspend(ms.client[i].tcb);
        seL4_TCB_UnbindNotification(ms.client[i].tcb);
    }
}

// Every client fills `pages` pages (its own pattern at the same addresses), then,
// after all have, checks and frees them: a page shared by two clients, or not mapped
// where asked, would show another pattern or fault.
static void fill_check_free(struct env *env, unsigned pages, unsigned conc)
{
    all(env, ms.n, MC_FILL, pages, conc);
    for (unsigned i = 0; i < ms.n; i++) {
        test_eq(env, ms.r[i][R_OK], 2 * pages);  // pages allocated, pages that held
        test_eq(env, ms.r[i][R_BAD], 0);
        test_eq(env, ms.r[i][R_ERR], 0);
    }
    seL4_Word p[MEM_STATS_WORDS];
    stats(env, MEM_STATS_POOLS, p);
    test_eq(env, p[MS_FRAMES] - p[MS_FRAMES_FREE], ms.n * pages);
    all(env, ms.n, MC_CHECK_FREE, pages, conc);
    for (unsigned i = 0; i < ms.n; i++) {
        test_eq(env, ms.r[i][R_OK], 2 * pages);
        test_eq(env, ms.r[i][R_BAD], 0);
    }
}

static void clients(struct env *env, enum mem_mode mode, unsigned conc, unsigned spin)
{
    ms_start_spin(env, CLIENTS, mode, conc, FRAMES, PTS, spin);
    // 60 pages each, in the window's first page table: the workers race to map it.
    fill_check_free(env, 60, 16);
    pools_full(env, FRAMES);
    seL4_Word q[MEM_STATS_WORDS], c[MEM_STATS_WORDS];
    stats(env, MEM_STATS_REQUESTS, q);
    stats(env, MEM_STATS_CALLS, c);
    test_eq(env, q[MS_ALLOCS], CLIENTS * 60);
    test_eq(env, q[MS_FREES], CLIENTS * 60);
    test_eq(env, q[MS_REFUSED], 0);
    test_eq(env, q[MS_MODE], mode);
    test_eq(env, q[MS_CONCURRENCY], conc);
    test_eq(env, c[MS_UNMAPS], CLIENTS * 60);
    test_eq(env, c[MS_FAILED], 0);
    // One page table per client however many workers found it missing at once (they
    // wait for the one that maps it), and each of them tried its map once more.
    test_eq(env, c[MS_PT_MAPS], CLIENTS);
    test_check(env, c[MS_MAPS] >= CLIENTS * 60 + c[MS_PT_MAPS]);
    test_check(env, c[MS_MAPS] <= CLIENTS * 60 + CLIENTS * conc);
    if (mode == MEM_ASYNC)
        test_check(env, c[MS_WAKES] > 0 && c[MS_WAKES] < c[MS_MAPS] + c[MS_UNMAPS]);
    else
        test_eq(env, c[MS_WAKES], 0);
    seL4_Word x[MEM_STATS_WORDS];
    stats(env, MEM_STATS_EXEC, x);
    printf("# executor: %lu sleeps, %lu empty polls, %lu spins woken, %lu uintr, %lu polled\n",
           (unsigned long)x[MS_SLEEPS], (unsigned long)x[MS_SPINS],
           (unsigned long)x[MS_SPIN_WAKES], (unsigned long)x[MS_UINTR], (unsigned long)x[MS_POLLED]);
    // The server polls before a sleep only with a spin budget and system calls in
    // flight. On several harts the kernel's handler serves them on another hart, so the
    // server runs out of work with calls in flight and spins (about 4,000 empty polls
    // in 3 x 60 allocations and frees, some spins ended by a completion). On one hart the
    // wake itself serves the batch before it returns, so there is rarely anything in
    // flight when the server idles: not checked there.
    if (!spin || mode != MEM_ASYNC)
        test_check(env, x[MS_SPINS] == 0 && x[MS_SPIN_WAKES] == 0);
    else if (env->bi->numNodes > 1)
        test_check(env, x[MS_SPINS] + x[MS_SPIN_WAKES] > 0);
    ms_stop();
}

static void clients_sync(struct env *env)
{
    clients(env, MEM_SYNC, 4, 0);
}
DEFINE_TEST(ASYNCSYS0018, "memory server, sync: 3 processes at once alloc, write, read and free pages",
            clients_sync);

static void clients_async(struct env *env)
{
    clients(env, MEM_ASYNC, 16, 0);
}
DEFINE_TEST(ASYNCSYS0019, "memory server, async: 3 processes at once alloc, write, read and free pages",
            clients_async);

// The same with the server spinning for the kernel's replies while its calls are in
// flight (bench-asyncsys's two-hart setting; with several harts the kernel's handler
// lingers on the ring meanwhile): the spin's polls take the completions instead of the
// sleep, and nothing else changes.
static void clients_async_spinning(struct env *env)
{
    clients(env, MEM_ASYNC, 16, 256);
}
DEFINE_TEST(ASYNCSYS0025, "memory server, async, spinning for the kernel's replies: 3 processes alloc, "
            "write, read and free pages", clients_async_spinning);

// A script of requests from client 0 (the control connection) with the error each must
// get; run once per mode, so the two modes answer it word for word alike.
static const struct step {
    seL4_Word label;
    unsigned nargs;
    seL4_Word a0, a1;
    seL4_Word err;
} script[] = {
    {MEM_ALLOC, 1, WINDOW, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW, 0, MEM_EEXIST},                             // double alloc
    {MEM_ALLOC, 1, WINDOW + 8, 0, MEM_EALIGN},
    {MEM_ALLOC, 1, WINDOW - 4096, 0, MEM_ERANGE},                      // below
    {MEM_ALLOC, 1, WINDOW + WINDOW_PAGES * 4096ul, 0, MEM_ERANGE},     // just past
    {MEM_ALLOC, 1, ~0ul << 12, 0, MEM_ERANGE},
    {MEM_ALLOC, 0, 0, 0, MEM_EINVAL},                                   // no address
    {MEM_FREE, 1, WINDOW + 4096, 0, MEM_ENOENT},                       // never allocated
    {MEM_FREE, 1, WINDOW + 3, 0, MEM_EALIGN},
    {MEM_CONFIG, 2, MEM_SYNC, 4, MEM_EBUSY},                            // a page is out
    {MEM_FREE, 1, WINDOW, 0, MEM_OK},
    {MEM_FREE, 1, WINDOW, 0, MEM_ENOENT},                               // double free
    {MEM_STATS, 1, MEM_STATS_GROUPS, 0, MEM_EINVAL},
    {MEM_CONFIG, 2, MEM_MODES, 4, MEM_EINVAL},
    {MEM_CONFIG, 2, MEM_SYNC, 0, MEM_EINVAL},
    {MEM_CONFIG, 2, MEM_SYNC, MEM_MAX_CONCURRENCY + 1, MEM_EINVAL},
    {MEM_CONFIG, 1, MEM_SYNC, 0, MEM_EINVAL},
    {77, 1, WINDOW, 0, MEM_EBADOP},
    {0, 0, 0, 0, MEM_EBADOP},
    // The page-table pool's other table went to client 1: the window's second table
    // cannot be had.
    {MEM_ALLOC, 1, WINDOW + 300 * 4096ul, 0, MEM_ENOMEM},
    // The frame pool (4 frames) runs dry.
    {MEM_ALLOC, 1, WINDOW + 4096, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW + 2 * 4096, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW + 3 * 4096, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW + 4 * 4096, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW + 5 * 4096, 0, MEM_ENOMEM},
    {MEM_FREE, 1, WINDOW + 4 * 4096, 0, MEM_OK},
    {MEM_ALLOC, 1, WINDOW + 5 * 4096, 0, MEM_OK},
    {MEM_FREE, 1, WINDOW + 1 * 4096, 0, MEM_OK},
    {MEM_FREE, 1, WINDOW + 2 * 4096, 0, MEM_OK},
    {MEM_FREE, 1, WINDOW + 3 * 4096, 0, MEM_OK},
    {MEM_FREE, 1, WINDOW + 5 * 4096, 0, MEM_OK},
};
#define STEPS (sizeof(script) / sizeof(script[0]))

static void refusals(struct env *env)
{
    static seL4_Word got[MEM_MODES][STEPS][6];
    ms_start(env, 2, MEM_SYNC, 4, 4, 2);
    test_eq(env, ask(env, 1, MEM_ALLOC, 1, WINDOW, 0), MEM_OK);
    test_eq(env, ask(env, 1, MEM_FREE, 1, WINDOW, 0), MEM_OK);
    for (unsigned mode = MEM_SYNC; mode <= MEM_ASYNC; mode++) {
        test_eq(env, ask(env, 0, MEM_CONFIG, 2, mode, 4), MEM_OK);
        for (unsigned s = 0; s < STEPS; s++) {
            const struct step *st = &script[s];
            seL4_Word label = raw(env, 0, st->label, st->nargs, st->a0, st->a1, got[mode][s]);
            test_eq(env, label, st->label);
            if (got[mode][s][0] != st->err)
                printf("# mode %u step %u: error %lu, not %lu\n", mode, s,
                       (unsigned long)got[mode][s][0], (unsigned long)st->err);
            test_eq(env, got[mode][s][0], st->err);
        }
        // Only the control connection may reconfigure the server.
        test_eq(env, ask(env, 1, MEM_CONFIG, 2, MEM_SYNC, 4), MEM_EPERM);
    }
    for (unsigned s = 0; s < STEPS; s++)
        for (unsigned k = 0; k < 2; k++)
            test_eq(env, got[MEM_SYNC][s][k], got[MEM_ASYNC][s][k]);
    // After all that the server still serves both clients.
    fill_check_free(env, 2, 2);
    pools_full(env, 4);
    seL4_Word q[MEM_STATS_WORDS];
    stats(env, MEM_STATS_REQUESTS, q);
    unsigned refused = 0;
    for (unsigned s = 0; s < STEPS; s++)
        refused += script[s].err != MEM_OK;
    test_eq(env, q[MS_REFUSED], 2 * refused + 2);
    ms_stop();
}
DEFINE_TEST(ASYNCSYS0020, "memory server: bad requests get the documented errors, alike sync and async, and it serves on",
            refusals);

// Two clients ask for the same addresses: each gets a page of its own, and neither can
// free the other's.
static void no_mixing(struct env *env)
{
    ms_start(env, 2, MEM_ASYNC, 8, 16, PTS);
    test_eq(env, ask(env, 0, MEM_ALLOC, 1, WINDOW, 0), MEM_OK);
    test_eq(env, ask(env, 1, MEM_FREE, 1, WINDOW, 0), MEM_ENOENT);   // not 1's page
    test_eq(env, ask(env, 1, MEM_ALLOC, 1, WINDOW, 0), MEM_OK);      // its own
    test_eq(env, ask(env, 0, MEM_FREE, 1, WINDOW, 0), MEM_OK);
    test_eq(env, ask(env, 0, MEM_FREE, 1, WINDOW, 0), MEM_ENOENT);
    test_eq(env, ask(env, 1, MEM_FREE, 1, WINDOW, 0), MEM_OK);       // still 1's
    // And under load, in both modes: patterns at the same addresses stay apart.
    for (unsigned mode = MEM_SYNC; mode <= MEM_ASYNC; mode++) {
        test_eq(env, ask(env, 0, MEM_CONFIG, 2, mode, 8), MEM_OK);
        fill_check_free(env, 8, 8);
    }
    pools_full(env, 16);
    ms_stop();
}
DEFINE_TEST(ASYNCSYS0021, "memory server: the requests of two processes at the same addresses do not mix",
            no_mixing);

// A client that keeps its ring full of requests the server answers at once (STATS,
// written straight into the ring from another hart) while another allocates: the allocations go ahead during
// the flood, which stops as soon as it sees them counted (docs/memserver.md,
// "Priorities"). Before the dispatchers stepped down under a flood, the workers below
// them did not run while the flood kept the ring full: a job waited while the server
// took in thousands of the flood's requests.
#define FLOOD_PAGES 16
#define FLOOD_ASKS 500000
static void flood(struct env *env, enum mem_mode mode, unsigned flooders)
{
    ms_start(env, 1 + flooders, mode, 4, FRAMES, PTS);
    seL4_Word q[MEM_STATS_WORDS];
    stats(env, MEM_STATS_REQUESTS, q);
    for (unsigned f = 1; f <= flooders; f++)
        send_cmd(f, MC_FLOOD, FLOOD_ASKS, q[MS_ALLOCS] + FLOOD_PAGES, 0);
    send_cmd(0, MC_FILL, FLOOD_PAGES, 100, 4);
    for (unsigned f = 0; f <= flooders; f++)
        take(env);
    test_eq(env, ms.r[0][R_OK], 2 * FLOOD_PAGES);
    test_eq(env, ms.r[0][R_BAD], 0);
    seL4_Word w[MEM_STATS_WORDS], sent = 0;
    stats(env, MEM_STATS_QUEUE, w);
    for (unsigned f = 1; f <= flooders; f++) {
        test_eq(env, ms.r[f][R_BAD], 0);
        test_check(env, ms.r[f][R_OK] > 0 && ms.r[f][R_OK] < FLOOD_ASKS);
        sent += ms.r[f][R_OK];
    }
    printf("# mode %u, %u flooding: they sent %lu requests; %lu taken in at most while a job "
           "waited\n", mode, flooders, (unsigned long)sent, (unsigned long)w[MS_WAIT_MAX]);
    test_check(env, w[MS_INTAKE] >= sent);
    // A job's worker starts at the latest once the flooding clients' dispatchers have
    // together taken in more than a ring since the executor last ran out of work (they
    // step down only then), each of them a round past it at the most, and the victim's
    // own few requests (4 in flight): 256 + 64 a flooder + 4. Nothing like the flood's
    // thousands.
    test_check(env, w[MS_WAIT_MAX] <= AL4_AIPC_MAX_CAPACITY + flooders * AL4_AIPC_BATCH + 8);
    if (env->bi->numNodes == 1)
        printf("# one hart: the flood runs only while the server sleeps, so the bound "
               "holds with or without the step; it binds on several harts\n");
    send_cmd(0, MC_CHECK_FREE, FLOOD_PAGES, 100, 4);
    take(env);
    test_eq(env, ms.r[0][R_OK], 2 * FLOOD_PAGES);
    test_eq(env, ms.r[0][R_BAD], 0);
    pools_full(env, FRAMES);
    ms_stop();
}

static void flood_sync(struct env *env)
{
    flood(env, MEM_SYNC, 1);
}
DEFINE_TEST(ASYNCSYS0027, "memory server, sync: a client flooding it with requests answered at once "
            "does not hold up another's allocations", flood_sync);

static void flood_async(struct env *env)
{
    flood(env, MEM_ASYNC, 1);
}
DEFINE_TEST(ASYNCSYS0028, "memory server, async: a client flooding it with requests answered at once "
            "does not hold up another's allocations", flood_async);

// Two clients flooding at once (on two other harts): counted together, they hold the
// job for a ring in all and a round each, not a ring and a round each.
static void flood_two(struct env *env)
{
    flood(env, MEM_SYNC, 2);
}
DEFINE_TEST(ASYNCSYS0029, "memory server, sync: two clients flooding it at once do not hold up "
            "another's allocations for a ring each", flood_two);
