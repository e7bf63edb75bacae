// What both fastpath files (fastpath.c: Call and ReplyRecv; fastpath_signal.c: Signal
// and Wait) check and do the same way: a check needed by both is written once here.
#pragma once
#include "fastpath.h"
#include "cspace.h"
#include "hart.h"
#include "tcb.h"
#include "asid.h"
#include "uintr.h"
#include "vspace.h"
#include "fpu.h"
#include "smp.h"
#include "sched.h"

#ifdef CONFIG_FASTPATH
NORETURN void restore_user_context(void);

static inline bool fast_message(word_t info)
{
    // length bits 0-6 <= 4 and extraCaps bits 7-8 == 0.
    return (info & 0x1ff) <= seL4_FastMessageRegisters;
}

// The invoked slot of a fastpath candidate: a register-sized message, the fastpath
// on, and a cptr that resolves.
static inline struct cte *fast_slot(struct tcb *cur, word_t cptr, word_t info)
{
    if (unlikely(!fast_message(info) || !fastpath_enabled))
        return NULL;
    return lookup_slot(cur, cptr).slot;
}

// Whether t is bound to hart h; always so without SMP.
static inline bool same_hart(struct hart *h, struct tcb *t)
{
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    return t->hart == h->index;
#else
    (void)h, (void)t;
    return true;
#endif
}

// Whether a thread above `prio` is ready on hart h. The fastpaths take the running thread
// to be the highest ready one, as the slow path's last schedule() left it; with SMP
// another hart may have made a higher one ready here since (its IPI still pending), and
// then the slow path decides (it would run that one, and queue the woken thread at its
// queue's tail, not its front).
static inline bool fast_outranked(struct hart *h, unsigned prio)
{
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    return sched_ready_from(h->index, prio + 1);
#else
    (void)h, (void)prio;
    return false;
#endif
}

// Whether t's cached satp still holds (see vs_cache in struct tcb): its VSpace is the
// one it last ran in, and t takes no part in U-notification (uintr_poison), so that
// the one-test uintr_switch_fast suffices. If not, the slow path checks in full.
static inline bool vs_cache_valid(struct tcb *t)
{
    struct cap c = tcb_slot(t, TCB_VTABLE)->cap;
    return c.w0 == t->vs_cache.w0 && c.w1 == t->vs_cache.w1 && t->vs_cache.epoch == asid_epoch;
}

// The same for a path that switches the user-interrupt state in full (uintr_switch):
// whether t takes part does not matter.
static inline bool vs_cache_valid_any(struct tcb *t)
{
    struct cap c = tcb_slot(t, TCB_VTABLE)->cap;
    return c.w0 == t->vs_cache.w0 && c.w1 == t->vs_cache.w1 &&
           (t->vs_cache.epoch & ~VS_CACHE_TAKES_PART) == asid_epoch;
}

// The direct switch's end: `to`, runnable and queued where the scheduler wants it,
// runs in its cached address space. `takes_part`: `to` may take part in U-notification
// (the notification fastpath), so the user-interrupt state is switched in full; the
// Call/ReplyRecv fastpath never switches to such a thread and costs one test.
NORETURN static inline void fastpath_enter(struct hart *h, struct tcb *to, bool takes_part)
{
    h->cur = to;
    h->ctx = to->ctx;
    vspace_activate_satp(h, to->vs_cache.satp);
    fpu_switch_to(h, to);
    if (takes_part)
        uintr_switch_inline(h, to);
    else
        uintr_switch_fast(h, to);
    kernel_unlock();
    // A jump, not a call: nothing comes back (one instruction fewer in the
    // notification fastpath's code as compiled; the Call fastpath's is unchanged).
    asm volatile("tail restore_user_context" : : : "memory");
    __builtin_unreachable();
}
#endif
