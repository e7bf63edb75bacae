// The memory server's client program (tests/memclient/): a process connected to the
// memory server (servers/memserver) that takes commands from its root task over an
// endpoint, as the aipc peer does (tests/aipc/peer.h), and makes its requests from
// coroutines. For the ASYNCSYS tests and bench-asyncsys.
#pragma once
#include <sel4/sel4.h>

// Boot args.
enum { MC_ARG_REPORT, MC_ARG_HZ, MC_ARG_BASE, MC_ARG_COUNT };

// Commands (the reply's label) and their words.
enum {
    MC_STOP = 0,
    MC_FILL = 1,        // N pages from the window's base on, CONC coroutines: ALLOC each,
                        // write SEED's pattern over it and read it back
    MC_CHECK_FREE = 2,  // the same pages: the pattern still there, then FREE each
    MC_BENCH = 3,       // CONC coroutines, N rounds each: ALLOC and FREE a page of its own
    MC_RAW = 4,         // one request: label LABEL, MR0..2 = ARGS (NARGS of them)
    MC_FLOOD = 5,       // the ring kept full of STATS requests (answered at once) until
                        // a reply counts SEED allocations, N requests at most: R_OK
                        // the requests sent, R_BAD 1 when N ran out first
};
enum { MC_N, MC_SEED, MC_CONC, MC_LABEL, MC_NARGS, MC_ARGS, MC_WORDS = MC_ARGS + 3 };

// The report (a seL4_Call to the root task, label MC_REPORT; the reply is the next command).
enum {
    R_OK,        // requests answered MEM_OK (and pages that held their pattern)
    R_BAD,       // requests refused, pages that did not, calls that broke
    R_ERR,       // the first refusal's error (enum mem_err) and the kernel's error
    R_SEL4,
    R_CYCLES,    // MC_BENCH: counter cycles from the first request to the last reply
    R_ENTRIES,   // MC_BENCH: kernel entries on every hart meanwhile (benchmark builds)
    R_LABEL,     // MC_RAW: the reply's label, length and words
    R_LEN,
    R_MR,
    R_WORDS = R_MR + 6
};
#define MC_REPORT 0x3e3

// Word j of page i's pattern under `seed`: distinct across pages, seeds and words.
static inline seL4_Word mc_pattern(seL4_Word seed, seL4_Word i, seL4_Word j)
{
    return (seed * 0x9e3779b97f4a7c15ul) ^ (i << 24) ^ j;
}
