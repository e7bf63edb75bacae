// The kernel's tick (SBI set_timer on the hart's own timer): time slices and
// preemption, as seL4's non-MCS kernel with CONFIG_TIMER_TICK_MS and CONFIG_TIME_SLICE.
#pragma once
#include "types.h"
#include "fdt.h"

#define TIMER_TICK_MS 2
#define TIME_SLICE_TICKS 5

void timer_init(const struct fdt_info *fdt);
void timer_start_hart(void);
void handle_timer(void);
void timer_arm_if_idle(void);
