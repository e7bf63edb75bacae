// bench-asyncsys's second series (bench.h): the memory server's system calls alone, a
// page map and unmap per round, made by `concurrency` coroutines of the root task's
// own thread, synchronously (each coroutine calls seL4_RISCV_Page_Map/Unmap and yields)
// and asynchronously (al4/asyncsys.h in batch mode, a 2 MiB ring frame of 8192 slots:
// one wake system call per batch, served on this hart before the wake returns, or on
// the idle second hart by IPI); no server and no IPC in them. The kernel command line
// can narrow it to one point for tools/bench/profile: asys_async=0|1, asys_c=N.
//
// Under -icount shift=0 the cycle counter counts the instructions of every hart, so a
// difference of two reads over a run is per call "both sides, kernel included".
//
// Output lines "RAW,mode,harts,concurrency,instructions_per_call,
// kernel_entries_per_call_x1e6", read by tools/bench/asyncsys.
#include <sel4/sel4.h>
#include <al4/asyncsys.h>
#include <al4/process.h>
#include <al4/debug.h>
#include <stdio.h>
#include <al4/bootinfo.h>
#include "../common/measure.h"
#include "bench.h"

#define RING_VA 0x41000000ul
#define PAGES_VA 0x42000000ul  // one 2 MiB table's worth: 256 pages used
#define MAX_CO 256
#define CALLS_1 4096           // system calls per measurement (two per round)
#define CALLS_2 256            // two harts: every hand-off costs much under -icount

struct worker {
    struct co co;
    struct al4_async call;
    seL4_CPtr frame;
    seL4_Word va;
    unsigned left;
};

static struct al4_asyncsys as;
static struct co_exec ex;
static struct worker w[MAX_CO];
static seL4_CPtr ntfn;
static unsigned bad, running;

static enum co_status sync_run(struct co *co)
{
    struct worker *k = (struct worker *)co;
    CO_BEGIN(co);
    while (k->left) {
        k->left--;
        if (seL4_RISCV_Page_Map(k->frame, seL4_CapInitThreadVSpace, k->va, seL4_ReadWrite,
                                seL4_RISCV_ExecuteNever) ||
            seL4_RISCV_Page_Unmap(k->frame))
            bad++;
        CO_YIELD(co);
    }
    running--;
    CO_END(co);
}

static enum co_status async_run(struct co *co)
{
    struct worker *k = (struct worker *)co;
    CO_BEGIN(co);
    while (k->left) {
        k->left--;
        AL4_ASYNC_AWAIT(co, &k->call,
                        al4_async_RISCV_Page_Map(&k->call, k->frame, seL4_CapInitThreadVSpace,
                                                 k->va, seL4_ReadWrite, seL4_RISCV_ExecuteNever));
        bad += k->call.error != seL4_NoError;
        AL4_ASYNC_AWAIT(co, &k->call, al4_async_RISCV_Page_Unmap(&k->call, k->frame));
        bad += k->call.error != seL4_NoError;
    }
    running--;
    CO_END(co);
}


// Not inlined: its two rdcycles are the window tools/bench/profile traces.
__attribute__((noinline)) static void measure(bool async, unsigned c, unsigned harts)
{
    unsigned calls = harts > 1 ? CALLS_2 : CALLS_1, rounds = calls / 2 / c ? calls / 2 / c : 1;
    // Driven by hand: run_ready, the replies, a sleep on the completion notification.
    co_exec_init(&ex, &co_ops_manual, 1, NULL, 0);
    co_exec_set_flush(&ex, al4_asyncsys_flush, &as, 0);
    running = c;
    for (unsigned i = 0; i < c; i++) {
        co_init(&w[i].co, &ex, async ? async_run : sync_run, 0);
        al4_async_init(&w[i].call, &as, &w[i].co);
        w[i].left = rounds;
        co_wake(&w[i].co);
    }
    seL4_Word e0 = al4_kernel_entries(harts), t0 = rdcycle();
    while (running) {
        co_exec_run_ready(&ex);
        if (!running || al4_asyncsys_poll(&as))
            continue;
        if (al4_asyncsys_idle(&as))
            seL4_Wait(ntfn, NULL);
        al4_asyncsys_busy(&as);
    }
    seL4_Word t1 = rdcycle(), e1 = al4_kernel_entries(harts);
    seL4_Word n = (seL4_Word)rounds * c * 2;
    printf("RAW,%s,%u,%u,%lu,%lu\n", async ? "async" : "sync", harts, c,
           (unsigned long)((t1 - t0) / n), (unsigned long)((e1 - e0) * 1000000 / n));
}

static seL4_Error set_up(struct al4_alloc *alloc)
{
    // A 2 MiB ring frame: 8192 slots, so that a batch of up to 256 calls is one wake.
    seL4_Error e = al4_asyncsys_create(&as, alloc, seL4_CapInitThreadTCB, RING_VA,
                                       AL4_ASYNCSYS_MEGA_BITS, &ntfn);
    if (e)
        return e;
    al4_asyncsys_batch(&as, true);
    for (unsigned i = 0; i < MAX_CO; i++) {
        w[i].frame = al4_alloc_object(alloc, seL4_RISCV_4K_Page, 0);
        w[i].va = PAGES_VA + i * 4096ul;
        if (!w[i].frame)
            return seL4_NotEnoughMemory;
        // Once mapped and unmapped, so the page tables of the window exist.
        if (i == 0 && ((e = al4_map_frame(alloc, seL4_CapInitThreadVSpace, w[i].frame, w[i].va,
                                          seL4_ReadWrite, seL4_RISCV_ExecuteNever)) ||
                       (e = seL4_RISCV_Page_Unmap(w[i].frame))))
            return e;
    }
    return seL4_NoError;
}

// The points the command line leaves in (all of them when it names none).
static seL4_Word only_mode = ~0ul, only_c;

static void read_bootargs(const seL4_BootInfo *bi)
{
    const char *args = al4_bootargs(bi);
    only_mode = al4_bootarg_word(args, "asys_async", ~0ul);
    only_c = al4_bootarg_word(args, "asys_c", 0);
}

bool raw_series(struct al4_alloc *a, unsigned harts)
{
    read_bootargs(platsupport_get_bootinfo());
    seL4_Error e = set_up(a);
    if (e) {
        printf("bench-asyncsys: raw set-up failed (%d)\n", e);
        return false;
    }
    printf("bench-asyncsys: raw system calls, %u harts, %d per measurement\n", harts,
           harts > 1 ? CALLS_2 : CALLS_1);
    for (int async = 0; async < 2; async++)
        for (unsigned c = 1; c <= MAX_CO; c *= 2)
            if ((only_mode == ~0ul || only_mode == (seL4_Word)async) && (!only_c || only_c == c))
                measure(async, c, harts);
    if (bad)
        printf("bench-asyncsys: %u raw calls failed\n", bad);
    return !bad;
}
