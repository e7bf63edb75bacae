// A timed sleep for the coroutine executor: the goldfish RTC's alarm (QEMU virt,
// "google,goldfish-rtc") raises an interrupt on the executor's notification, so the
// network server sleeps in the kernel until its next lwIP deadline or the NIC's
// interrupt, whichever comes first, instead of polling with seL4_Yield while a timer
// is armed (docs/coroutines.md, "Timers and the idle path"; docs/netserver.md).
#pragma once
#include <al4/co_sel4.h>

struct rtc_sleep {
    struct co_ops ops;      // for co_exec_init
    struct co_sel4 base;    // time, masking and the untimed sleep
    volatile uint32_t *regs;
    seL4_CPtr handler;      // the RTC's IRQ handler cap
    uint64_t hz;            // the executor's time units per second
    struct co ack;          // clears and acknowledges the alarm's interrupt
    uint64_t armed;         // the deadline the pending alarm is for, 0: none
    uint64_t alarms, irqs;  // alarms set, interrupts taken
};

// Fills r->ops for the calling thread, the receiver of rx->ntfn; the RTC's registers
// are mapped at `regs` and its interrupt signals that notification.
void rtc_sleep_init(struct rtc_sleep *r, const struct al4_unotify_rx *rx, volatile void *regs,
                    seL4_CPtr handler, uint64_t hz);
// After co_exec_init(ex, &r->ops, ...): the RTC's signal bit wakes its acknowledgement.
void rtc_sleep_bind(struct rtc_sleep *r, struct co_exec *ex, unsigned bit);
