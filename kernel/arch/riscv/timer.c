#include "timer.h"
#include "csr.h"
#include "sbi.h"
#include "hart.h"
#include "tcb.h"
#include "sched.h"
#include "unotify.h"

#define SIE_STIE BIT(5)

static uint64_t tick_cycles;

static uint64_t rdtime(void)
{
    uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

void timer_init(const struct fdt_info *fdt)
{
    uint64_t hz = fdt->timebase_hz ? fdt->timebase_hz : 10000000;
    tick_cycles = hz * TIMER_TICK_MS / 1000;
}

void timer_start_hart(void)
{
    this_hart()->tick_armed = true;
    sbi_set_timer(rdtime() + tick_cycles);
    csr_set(sie, SIE_STIE);
}

// An idle hart stops ticking (a far deadline also clears the pending interrupt);
// picking a thread to run starts the tick again.
void timer_arm_if_idle(void)
{
    struct hart *h = this_hart();
    if (!h->tick_armed) {
        h->tick_armed = true;
        sbi_set_timer(rdtime() + tick_cycles);
    }
}

// A tick: the running thread uses up a slice of its time; when the slice is gone it
// goes to the back of its priority's queue (round robin).
void handle_timer(void)
{
    struct hart *h = this_hart();
    struct tcb *t = h->cur;
    unotify_poll();
    // An idle hart stops ticking, unless it is the one that checks sleeping receivers.
    bool ticking = t || unotify_ticker(h);
    h->tick_armed = ticking;
    sbi_set_timer(ticking ? rdtime() + tick_cycles : ~0ull);
    if (!t)
        return;
    if (t->timeslice > 1) {
        t->timeslice--;
        return;
    }
    t->timeslice = TIME_SLICE_TICKS;
    sched_yield();
}
