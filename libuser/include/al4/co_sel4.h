// The coroutine executor's platform on aL4 (al4/co.h, docs/coroutines.md): time from
// rdtime, sleep through the U-notification receiver, masking with ustatus.UIE.
#pragma once
#include <al4/co.h>
#include <al4/unotify.h>

struct co_sel4 {
    struct co_ops ops;
    const struct al4_unotify_rx *rx;  // the executor thread's receiver
    uint64_t waits;                   // sleeps in al4_unotify_wait
    uint64_t polls;                   // seL4_Yield rounds waiting for a deadline
};

// Fills p->ops for the calling thread, the receiver of rx->ntfn; pass &p->ops to
// co_exec_init with the DTB's timebase-frequency as hz. To take signals while it runs,
// the thread also installs a handler: {co_exec_handler, &ex} with al4_unotify_install.
void co_sel4_init(struct co_sel4 *p, const struct al4_unotify_rx *rx);

static inline uint64_t co_sel4_rdtime(void)
{
    uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}
