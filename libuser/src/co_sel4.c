// The executor's platform hooks on aL4 (al4/co_sel4.h).
#include <al4/co_sel4.h>

static uint64_t sel4_now(void *ctx)
{
    (void)ctx;
    return co_sel4_rdtime();
}

// Called masked (co_exec.c's idle path), so no handler takes bits meanwhile: whatever
// arrives is in the receiver entry, for al4_uipi_read or the kernel's recheck.
//
// Without a deadline the thread sleeps in the kernel until a signal. With one it cannot:
// non-MCS seL4 has no timeout on Wait and no timer object, and the kernel's tick wakes
// a sleeping receiver only for bits already pending. So until the deadline it polls
// its entry and yields the hart to the other threads of its priority between looks:
// the deadline is met within one pass through them (within a tick when they run to
// their time slice), at the price of a hart that stays busy while a timer is pending.
// A timer device whose IRQ is bound to the notification would let it sleep instead
// (docs/coroutines.md, "Timers and the idle path").
static uint64_t sel4_sleep(void *ctx, uint64_t deadline)
{
    struct co_sel4 *p = ctx;
    if (deadline == CO_NEVER) {
        p->waits++;
        return al4_unotify_wait(p->rx);
    }
    for (;;) {
        uint64_t bits = al4_uipi_read();
        if (bits || co_sel4_rdtime() >= deadline)
            return bits;
        p->polls++;
        seL4_Yield();
    }
}

// The spin's look: the receiver entry's bits, and when there are none the spin-loop
// hint.
static uint64_t sel4_poll(void *ctx)
{
    (void)ctx;
    uint64_t bits = al4_uipi_read();
    if (!bits)
        al4_pause();
    return bits;
}

static unsigned long sel4_mask(void *ctx)
{
    (void)ctx;
    return al4_unotify_mask();
}

static void sel4_unmask(void *ctx, unsigned long was)
{
    (void)ctx;
    al4_unotify_unmask(was);
}

void co_sel4_init(struct co_sel4 *p, const struct al4_unotify_rx *rx)
{
    *p = (struct co_sel4){
        .ops = {.now = sel4_now, .sleep = sel4_sleep, .mask = sel4_mask, .unmask = sel4_unmask,
                .poll = sel4_poll, .ctx = p},
        .rx = rx,
    };
}
