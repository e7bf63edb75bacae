// The asynchronous IPC peer (tests/aipc/): one program that runs as the server or the
// client of an aipc connection, for the ASYNCIPC tests (tests/sel4test/aipc*.c) and the
// benchmark (bench/aipc). What the root task tells it (its AL4_BOOTINFO_ARGS words), the
// requests the server understands, and what the client reports.
#pragma once
#include <stdbool.h>
#include <sel4/sel4.h>

// Boot args.
enum peer_arg {
    ARG_ROLE,    // PEER_SERVER or PEER_CLIENT
    ARG_REPORT,  // client: its slot of the root task's endpoint (reports, commands)
    ARG_HZ,      // the timebase frequency
    ARG_DEFER,   // server: answer in reverse order, this many requests at a time (0: at once)
    ARG_SYNC_EP, // client, sync server: the sync server's endpoint (0: none)
    ARG_UNTYPED, // client: an untyped for its sync threads (0: none)
    ARG_THREAD_PRIO, // client: its sync threads' priority (its MCP must allow it)
    ARG_SPIN,    // client, server: the executor's polls before a sleep (co_exec_set_spin)
    ARG_COUNT
};
enum { PEER_SERVER = 1, PEER_CLIENT = 2, PEER_SYNC_SERVER = 3 };

// Request labels (the server's handler).
enum {
    OP_ECHO = 1,   // mr[0] = instructions of work; reply: label OP_ECHO, mr[i] = ~mr[i]
    OP_STATS = 2,  // reply: mr[] = the SS_ words below, always at once
    OP_LIE = 3,    // a lying server: malformed replies first (REFUSED_LIES of them), then
                   // the right one (label OP_LIE, no payload)
};
#define REFUSED_LIES 3
enum { SS_HANDLED, SS_SIGNALS, SS_KSIGNALS, SS_SLEEPS, SS_REFUSED, SS_UINTR, SS_WORDS };

// The client's protocol with the root task: it Calls with a report, the reply is the
// next command (MRs below, label = the command).
enum { CMD_STOP = 0, CMD_RUN = 1, CMD_MALFORMED = 2, CMD_ABANDON = 3, CMD_SYNC = 4 };
enum { CM_CONCURRENCY, CM_CALLS, CM_WORK, CM_HARTS, CM_FASTPATH, CM_WORDS };
// CMD_RUN: CONCURRENCY coroutines make CALLS calls each (OP_ECHO with WORK); report:
// CMD_MALFORMED: writes MALFORMED_REQUESTS malformed requests straight into the ring
// (R_OK counts those refused as they should be), then an OP_LIE call (R_REFUSED counts
// the lies it refused) and an OP_ECHO call.
// CMD_ABANDON: submits CONCURRENCY calls and stops its thread without waiting.
// CMD_SYNC: the same echo calls over seL4_Call to the sync server, from CONCURRENCY
// threads of the client (made from its untyped), with the fastpath on or off
// (CM_FASTPATH; benchmark and debug kernels have the switch); report as CMD_RUN's
// without the aipc counters.
enum {
    R_OK,          // calls answered with the right label and payload
    R_BAD,         // calls answered wrongly (or with an error)
    R_CYCLES,      // counter cycles from the first submit to the last reply
    R_ENTRIES,     // kernel entries on every hart meanwhile (the counter reads excluded)
    R_SIGNALS,     // client: notifications sent to the server
    R_KSIGNALS,    // client: of which through the kernel
    R_SLEEPS,      // client: times its reply dispatcher went idle
    R_UINTR,       // client: user interrupts taken
    R_REFUSED,     // client: replies refused
    R_TIME,        // timebase ticks (rdtime) from the first submit to the last reply
    R_SPIN_WAKES,  // client: idle spins that found a signal (and spared a sleep)
    R_SERVER,      // SS_WORDS words: the server's stats, asked for after the run
    R_WORDS = R_SERVER + SS_WORDS
};
#define REPORT_LABEL 0x7e9
#define MALFORMED_REQUESTS 4

// The two roles (peer_server.c, peer_client.c); each returns only when it cannot go on.
void peer_server(const seL4_BootInfo *bi);
void peer_client(const seL4_BootInfo *bi);
void peer_sync_server(const seL4_BootInfo *bi);
// The client's side of CMD_SYNC: fills report[] (R_OK, R_BAD, R_CYCLES, R_ENTRIES, R_TIME).
void peer_sync_run(const seL4_BootInfo *bi, seL4_Word *report, unsigned threads, unsigned calls,
                   seL4_Word work, unsigned harts, bool fastpath);

// About `n` instructions of work the compiler cannot drop (a volatile loop of 4).
static inline void peer_work(seL4_Word n)
{
    for (volatile seL4_Word i = 0; i < n / 4; i++)
        ;
}

// The echo's payload: dst[i] = ~src[i] for i < len (<= 6: the async server's dispatcher
// checked it, the sync server calls this only then and loops otherwise),
// unrolled, so that neither server spends more on the loop than on the words. The same
// code for the synchronous server (in place, in its IPC buffer) and the asynchronous
// one (into its reply), so that both sides do the same work.
static inline void peer_invert(seL4_Word *dst, const seL4_Word *src, seL4_Word len)
{
    switch (len) {
    case 6: dst[5] = ~src[5]; __attribute__((fallthrough));
    case 5: dst[4] = ~src[4]; __attribute__((fallthrough));
    case 4: dst[3] = ~src[3]; __attribute__((fallthrough));
    case 3: dst[2] = ~src[2]; __attribute__((fallthrough));
    case 2: dst[1] = ~src[1]; __attribute__((fallthrough));
    case 1: dst[0] = ~src[0]; __attribute__((fallthrough));
    default: break;
    }
}

// The payload word j of call k of caller idx, and the length of that call (2..6).
static inline seL4_Word peer_payload(seL4_Word idx, seL4_Word k, unsigned j)
{
    return idx << 40 ^ k << 16 ^ (seL4_Word)j << 4 ^ 0x5a5a000000000005ul;
}
static inline unsigned peer_len(seL4_Word idx, seL4_Word k)
{
    return 2 + (idx + k) % 5;
}
