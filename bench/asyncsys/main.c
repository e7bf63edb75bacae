// Asynchronous-system-call benchmark (make bench-asyncsys), the kernel paper's Fig. 6:
// the memory server (servers/memserver) serving one client process (tests/memclient)
// that keeps CLIENT_CONC requests in flight, ALLOC and FREE of a page of each of its
// coroutines, while the server's worker concurrency C runs 1..256 and its system calls
// are made synchronously, asynchronously, or not at all (mode none: the baseline, the
// same bookkeeping and replies without the map and unmap). Server and client share
// hart 0; on two harts the kernel's handler of asynchronous calls serves on hart 1.
//
// Under -icount shift=0 the cycle counter counts the instructions of every hart, so one
// difference of two reads around a run is the whole system's (docs/memserver.md,
// "Measurement": per system call = (mode - none) / the mode's map and unmap calls).
//
// Output lines "BENCH,mode,harts,concurrency,requests,instructions,kernel_entries,
// system_calls" (totals of one run), then the raw series' "RAW," rows (raw.c), read by
// tools/bench/asyncsys.
#include <sel4/sel4.h>
#include <al4/bootinfo.h>
#include <stdio.h>
#include "../common/report.h"
#include "bench.h"
#include "../../servers/memserver/root/launch.h"
#include "../../tests/memclient/memclient.h"

#define SCRATCH 0x40000000ul
#define CLIENT_AIPC_VA 0x40000000ul
#define WINDOW 0x50000000ul
#define SERVER_PRIO 254  // above the client: a signal from it switches at once
#define CLIENT_PRIO 253
#define CLIENT_CONC 256
// Requests per run (ALLOC and FREE each count), on one hart and two.
#define REQUESTS 2048
#define HZ 10000000  // QEMU virt's timebase
// On two harts the server spins this many polls for the kernel's replies before it
// sleeps (the kernel's handler lingers on the ring as long: ASYNCSYS_LINGER_POLLS).
#define SERVER_SPIN 256

extern const char memclient_elf[], memclient_elf_end[];

static struct al4_alloc alloc;
static struct memsrv m;
static struct al4_process client;
static seL4_CPtr report_ep;
static seL4_Word r[R_WORDS];
static unsigned harts;

static bool take_report(void)
{
    return bench_take_report(report_ep, MC_REPORT, r, R_WORDS);
}

static bool command(seL4_Word cmd, seL4_Word n, seL4_Word conc, seL4_Word label, seL4_Word a0,
                    seL4_Word a1)
{
    seL4_SetMR(MC_N, n);
    seL4_SetMR(MC_SEED, 0);
    seL4_SetMR(MC_CONC, conc);
    seL4_SetMR(MC_LABEL, label);
    seL4_SetMR(MC_NARGS, 2);
    seL4_SetMR(MC_ARGS, a0);
    seL4_SetMR(MC_ARGS + 1, a1);
    seL4_SetMR(MC_ARGS + 2, 0);
    seL4_Reply(seL4_MessageInfo_new(cmd, 0, 0, MC_WORDS));
    return take_report();
}

// One request through the client: its reply's MR0 (enum mem_err), words in r[R_MR..].
static seL4_Word ask(seL4_Word label, seL4_Word a0, seL4_Word a1)
{
    if (!command(MC_RAW, 0, 1, label, a0, a1) || r[R_BAD] || r[R_LABEL] != label)
        return ~0ul;
    return r[R_MR];
}

// The memory server, its client and the report endpoint (after main's allocator).
static seL4_Error set_up(void)
{
    seL4_Error e = memsrv_create(&m, &alloc, CLIENT_CONC, 2, MEM_SYNC, 1, HZ);
    m.boot.spin = harts > 1 ? SERVER_SPIN : 0;
    size_t size = (uintptr_t)memclient_elf_end - (uintptr_t)memclient_elf;
    if (e || (e = al4_process_create(&client, &alloc, memclient_elf, size,
                                     seL4_CapInitThreadASIDPool, 8)))
        return e;
    if ((e = memsrv_add_client(&m, &client, CLIENT_AIPC_VA, WINDOW, CLIENT_CONC, true)))
        return e;
    report_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    if (!report_ep)
        return seL4_NotEnoughMemory;
    seL4_Word args[MC_ARG_COUNT] = {al4_process_give(&client, report_ep, seL4_AllRights, 1), HZ,
                                    WINDOW};
    if ((e = al4_process_set_args(&client, args, MC_ARG_COUNT)) ||
        (e = memsrv_start(&m, SERVER_PRIO, seL4_CapInitThreadTCB)) ||
        (e = al4_process_start(&client, 0, CLIENT_PRIO, seL4_CapInitThreadTCB)))
        return e;
    if (!take_report() || r[R_BAD])
        return seL4_IllegalOperation;
    // A first run maps the window's page table: no run below pays for it.
    if (!command(MC_BENCH, 1, CLIENT_CONC, 0, 0, 0) || r[R_BAD])
        return seL4_IllegalOperation;
    return seL4_NoError;
}

static seL4_Word calls(void)
{
    if (ask(MEM_STATS, MEM_STATS_CALLS, 0) != MEM_OK)
        return ~0ul;
    return r[R_MR + 1 + MS_MAPS] + r[R_MR + 1 + MS_UNMAPS] + r[R_MR + 1 + MS_PT_MAPS];
}

// One run; false (printed) when a request came back wrong.
static bool measure(unsigned mode, unsigned c)
{
    static const char *const names[] = {"sync", "async", "none"};
    seL4_Word requests = REQUESTS;
    seL4_Word rounds = requests / 2 / CLIENT_CONC;
    if (ask(MEM_CONFIG, mode, c) != MEM_OK) {
        printf("bench-asyncsys: CONFIG %s %u refused\n", names[mode], c);
        return false;
    }
    seL4_Word before = calls();
    if (!command(MC_BENCH, rounds, CLIENT_CONC, 0, 0, 0) || r[R_BAD] ||
        r[R_OK] != rounds * CLIENT_CONC * 2) {
        printf("bench-asyncsys: %s c=%u: %lu right, %lu wrong (error %lu/%lu)\n", names[mode], c,
               (unsigned long)r[R_OK], (unsigned long)r[R_BAD], (unsigned long)r[R_ERR],
               (unsigned long)r[R_SEL4]);
        return false;
    }
    seL4_Word cycles = r[R_CYCLES], entries = r[R_ENTRIES];
    printf("BENCH,%s,%u,%u,%lu,%lu,%lu,%lu\n", names[mode], harts, c,
           (unsigned long)(rounds * CLIENT_CONC * 2), (unsigned long)cycles,
           (unsigned long)entries, (unsigned long)(calls() - before));
    return true;
}

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    al4_alloc_init_bootinfo(&alloc, bi, SCRATCH);
    harts = bi->numNodes > 1 ? 2 : 1;
    // asys_raw=1 on the command line: the raw series alone (tools/bench/profile).
    if (al4_bootarg_word(al4_bootargs(bi), "asys_raw", 0))
        return raw_series(&alloc, harts) ? 0 : 1;
    seL4_Error e = set_up();
    if (e) {
        printf("bench-asyncsys: set-up failed (%d)\n", e);
        return 1;
    }
    printf("bench-asyncsys: memory server, %u harts, %d requests per run\n", harts,
           REQUESTS);
    for (unsigned c = 1; c <= MEM_MAX_CONCURRENCY; c *= 2)
        for (unsigned mode = 0; mode < MEM_MODES; mode++)
            if (!measure(mode == 0 ? MEM_NONE : mode - 1, c))
                return 1;
    if (!raw_series(&alloc, harts))
        return 1;
    printf("bench-asyncsys: done\n");
    return 0;
}
