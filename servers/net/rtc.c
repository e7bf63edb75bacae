// The goldfish RTC as the executor's timer (rtc.h). Registers (QEMU hw/rtc/
// goldfish_rtc.c, the Android emulator's goldfish device): a nanosecond clock read
// low word first (which latches the high word), an alarm written high word first
// (writing the low word arms it; one in the past fires at once), an interrupt enable,
// and a write that clears the interrupt.
#include "rtc.h"
#include <stddef.h>

enum {
    RTC_TIME_LOW = 0x00 / 4,
    RTC_TIME_HIGH = 0x04 / 4,
    RTC_ALARM_LOW = 0x08 / 4,
    RTC_ALARM_HIGH = 0x0c / 4,
    RTC_IRQ_ENABLED = 0x10 / 4,
    RTC_CLEAR_INTERRUPT = 0x1c / 4,
};
#define RTC_PRIO 50        // above ingress: the line is acknowledged before other work
#define MAX_SLEEP_NS 10000000000ull  // an alarm at most this far ahead (it re-arms)

#define container_of(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))

static uint64_t rtc_now_ns(struct rtc_sleep *r)
{
    uint64_t lo = r->regs[RTC_TIME_LOW];
    return (uint64_t)r->regs[RTC_TIME_HIGH] << 32 | lo;
}

static uint64_t rtc_time(void *ctx)
{
    (void)ctx;
    return co_sel4_rdtime();
}

// Called masked (co_exec.c's idle path). The alarm may fire before the wait begins: its
// bit is then pending and al4_unotify_wait returns at once. An alarm left from an
// earlier sleep that ended early only brings one needless wake.
static uint64_t rtc_timed_sleep(void *ctx, uint64_t deadline)
{
    struct rtc_sleep *r = ctx;
    if (deadline != CO_NEVER) {
        uint64_t now = co_sel4_rdtime();
        if (now >= deadline)
            return al4_uipi_read();
        // An alarm still armed for this deadline or earlier serves: it wakes us in
        // time (if early, the executor sleeps again and we arm anew). Saves the four
        // register accesses, each a trip into the device model, on most sleeps: lwIP's
        // deadline moves only when a timer fires or a new one starts.
        if (r->armed && r->armed <= deadline)
            return r->base.ops.sleep(r->base.ops.ctx, CO_NEVER);
        uint64_t delta = deadline - now, max = MAX_SLEEP_NS / 1000000000ull * r->hz;
        // Clamped first: a far deadline would overflow the product.
        uint64_t ns = delta < max ? delta * 1000000000ull / r->hz + 1 : MAX_SLEEP_NS;
        uint64_t at = rtc_now_ns(r) + ns;
        r->regs[RTC_ALARM_HIGH] = (uint32_t)(at >> 32);
        r->regs[RTC_ALARM_LOW] = (uint32_t)at;
        r->armed = ns < MAX_SLEEP_NS ? deadline : 0;
        r->alarms++;
    }
    return r->base.ops.sleep(r->base.ops.ctx, CO_NEVER);
}

static unsigned long rtc_mask(void *ctx)
{
    struct rtc_sleep *r = ctx;
    return r->base.ops.mask(r->base.ops.ctx);
}

static void rtc_unmask(void *ctx, unsigned long was)
{
    struct rtc_sleep *r = ctx;
    r->base.ops.unmask(r->base.ops.ctx, was);
}

// The device's interrupt first, then the PLIC line: the line is level-triggered.
static enum co_status rtc_ack(struct co *co)
{
    struct rtc_sleep *r = container_of(co, struct rtc_sleep, ack);
    r->armed = 0;
    r->regs[RTC_CLEAR_INTERRUPT] = 1;
    seL4_IRQHandler_Ack(r->handler);
    r->irqs++;
    return CO_PENDING;
}

void rtc_sleep_init(struct rtc_sleep *r, const struct al4_unotify_rx *rx, volatile void *regs,
                    seL4_CPtr handler, uint64_t hz)
{
    co_sel4_init(&r->base, rx);
    r->ops = (struct co_ops){rtc_time, rtc_timed_sleep, rtc_mask, rtc_unmask, NULL, r};
    r->regs = regs;
    r->handler = handler;
    r->hz = hz;
    r->alarms = r->irqs = 0;
    r->armed = 0;
    r->regs[RTC_IRQ_ENABLED] = 1;
}

void rtc_sleep_bind(struct rtc_sleep *r, struct co_exec *ex, unsigned bit)
{
    co_init(&r->ack, ex, rtc_ack, RTC_PRIO);
    co_exec_bind(ex, bit, &r->ack);
}
