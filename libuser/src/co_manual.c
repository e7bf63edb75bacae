// The platform of an executor that its caller drives by hand (al4/co.h): it runs
// co_exec_run_ready itself and does its own waiting, so the executor never reads a
// clock, never sleeps and has nothing to mask.
#include <al4/co.h>

static uint64_t no_time(void *ctx)
{
    (void)ctx;
    return 0;
}

static uint64_t no_sleep(void *ctx, uint64_t deadline)
{
    (void)ctx;
    (void)deadline;
    return 0;
}

static unsigned long no_mask(void *ctx)
{
    (void)ctx;
    return 0;
}

static void no_unmask(void *ctx, unsigned long was)
{
    (void)ctx;
    (void)was;
}

const struct co_ops co_ops_manual = {no_time, no_sleep, no_mask, no_unmask, NULL, NULL};
