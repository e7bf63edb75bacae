// make bench-net in the root task (bench.h). The spinner is this thread at a priority
// below the servers': it runs exactly when the server does not, so the hart never
// idles and under -icount shift=0 the cycle counter counts instructions. What the
// server and the kernel executed in a window is then the counter's difference less the
// spinner's loops times its cost per loop, measured alone here first (the kernel's
// tick is in both, so it cancels). The host (tools/bench/net) reads the counters over
// the server's control port ("mark") and ends each server with "handover".
#include "bench.h"
#include <stdio.h>
#include <al4/bootinfo.h>
#include <al4/unotify.h>
#include "../net/net.h"

#define ROOT_BENCH_VA 0x50000000ul
#define SPIN_PRIO 100           // below the servers (start.c)
#define CALIBRATE 50000000ul     // instructions the calibration spins
#define LOOK_EVERY 0xffffu       // loops between looks at the notification
#define PAUSE_EVERY 0xffu        // with several harts: loops between PAUSEs

static struct al4_process servers[2];

static uint64_t cycles(void)
{
    uint64_t c;
    asm volatile("rdcycle %0" : "=r"(c) : : "memory");
    return c;
}

// Counts loops into b->loops until `report` is signalled or the counter passes
// `until`; every loop costs the same, the look included, in calibration and after.
// With several harts (the applications on hart 1, docs/sockets.md) it runs on hart 0
// only, and PAUSEs every PAUSE_EVERY + 1 loops: under -icount QEMU runs the harts in
// turn and would leave a spinning hart only when its turn ends (at the next timer
// deadline: about a millisecond of virtual time with the kernel's tick armed); the
// PAUSE hands the turn to a hart with work (tools/qemu/README, 0004), whose
// instructions the shared counter then counts too, and an idle hart waits in wfi,
// counting none.
static void spin(volatile struct net_bench *b, seL4_CPtr report, uint64_t until)
{
    uint64_t n = b->loops;
    bool pauses = b->harts > 1;
    for (;;) {
        b->loops = ++n;
        if (pauses && !(n & PAUSE_EVERY))
            al4_pause();
        if (!(n & LOOK_EVERY)) {
            seL4_Word w = 0;
            seL4_Poll(report, &w);
            if (w || cycles() >= until)
                return;
        }
    }
}

int net_bench_run(struct al4_alloc *a, struct net_start *s)
{
    seL4_CPtr frame = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    seL4_CPtr report = al4_alloc_object(a, seL4_NotificationObject, 0);
    if (!frame || !report ||
        al4_map_frame(a, seL4_CapInitThreadVSpace, frame, ROOT_BENCH_VA, seL4_ReadWrite,
                      seL4_RISCV_ExecuteNever)) {
        printf("bench-net: cannot set up the shared page\n");
        return 1;
    }
    volatile struct net_bench *b = (volatile struct net_bench *)ROOT_BENCH_VA;
    b->look_every = LOOK_EVERY + 1ul;
    b->harts = platsupport_get_bootinfo()->numNodes;
    uint64_t c0 = cycles(), l0 = b->loops;
    spin(b, report, c0 + CALIBRATE);
    uint64_t dc = cycles() - c0, dl = b->loops - l0;
    b->milli_per_loop = dl ? dc * 1000 / dl : 0;
    printf("bench-net: the spinner costs %lu.%03lu instructions a loop\n",
           (unsigned long)(b->milli_per_loop / 1000), (unsigned long)(b->milli_per_loop % 1000));
    s->bench = frame;
    s->report = report;
    for (unsigned i = 0; i < 2; i++) {
        s->classic = i == 1;
        seL4_Error e = net_server_start(&servers[i], a, s);
        if (e) {
            printf("bench-net: cannot start the %s server (error %d)\n", i ? "polling" : "waker", e);
            return 1;
        }
        if (i == 0)
            seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, SPIN_PRIO);
        spin(b, report, ~0ull);
        seL4_TCB_Suspend(servers[i].tcb);
    }
    printf("bench-net: done\n");
    return 0;
}
