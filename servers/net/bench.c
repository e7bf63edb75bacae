// Counter readings for make bench-net (bench.h).
#include "bench.h"
#include <stdio.h>
#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)
#include <al4/debug.h>
#endif

static volatile struct net_bench *bench;
static struct co_exec *bench_ex;
static seL4_Word bench_hz;
static bool handing_over;

void bench_init(volatile struct net_bench *page, struct co_exec *ex, seL4_Word hz)
{
    bench = page;
    bench_ex = ex;
    bench_hz = hz;
}

static seL4_Word read_cycles(void)
{
    seL4_Word c;
    asm volatile("rdcycle %0" : "=r"(c) : : "memory");
    return c;
}

bool bench_mark(char *buf, size_t size)
{
    if (!bench)
        return false;
    seL4_Word entries = 0;
#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)
    // Every hart's: the applications may run on another (bench-tcp's two-hart series).
    entries = al4_kernel_entries(bench->harts ? (unsigned)bench->harts : 1);
#endif
    seL4_Word cycles = read_cycles();
    snprintf(buf, size,
             "mark cycles=%lu loops=%lu milli_per_loop=%lu look_every=%lu time=%lu hz=%lu "
             "entries=%lu\n",
             (unsigned long)cycles, (unsigned long)bench->loops,
             (unsigned long)bench->milli_per_loop, (unsigned long)bench->look_every, (unsigned long)co_sel4_rdtime(),
             (unsigned long)bench_hz, (unsigned long)entries);
    return true;
}

bool bench_handover(void)
{
    if (!bench)
        return false;
    handing_over = true;
    co_exec_stop(bench_ex);
    return true;
}

bool bench_handing_over(void)
{
    return handing_over;
}
