// FPU state per thread, switched lazily (as seL4 does): a thread that does not own the
// hart's FPU registers runs with sstatus.FS off, and its first floating-point
// instruction traps; only then is the owner's state saved (if it wrote any) and the
// thread's loaded. Threads that never use floating point never pay for it.
//
// A thread with seL4_TCBFlag_fpuDisabled never owns the FPU (seL4 15.0.0's
// lazyFPURestore disables it for such a thread): its floating-point instructions trap
// with FS off and fpu_take refuses them, so they become a UserException. Setting the
// flag takes the FPU from the thread with its registers saved (fpu_disable), so that
// clearing it later gives the thread back exactly the registers it had.
#include "fpu.h"
#include "csr.h"
#include "hart.h"
#include "tcb.h"
#include "printf.h"
#include <sel4/constants.h>

void fpu_save(word_t *area);
void fpu_restore(const word_t *area);

void fpu_init_hart(void)
{
    // Threads start without the FPU; the kernel turns FS on only to move FPU state.
    csr_clear(sstatus, SSTATUS_FS);
}

// An illegal-instruction trap from a thread running with the FPU off: give it the
// FPU and retry. False if the FPU was not the reason (the thread owns it already) or
// the thread may not have it (fpuDisabled): the trap is then the thread's fault.
bool fpu_take(struct tcb *t)
{
    struct hart *h = this_hart();
    if ((t->ctx[CTX_SSTATUS] & SSTATUS_FS) != 0 || h->fpu_owner == t ||
        (t->flags & seL4_TCBFlag_fpuDisabled))
        return false;
    struct tcb *old = h->fpu_owner;
    // sstatus.FS is the trapped thread's (off): turn it on to move the registers.
    csr_set(sstatus, SSTATUS_FS);
    if (old && (old->ctx[CTX_SSTATUS] & SSTATUS_FS) == SSTATUS_FS)
        fpu_save(old->fpu);
    if (old)
        old->ctx[CTX_SSTATUS] &= ~SSTATUS_FS;
    fpu_restore(t->fpu);
    t->ctx[CTX_SSTATUS] |= SSTATUS_FS_CLEAN;
    h->fpu_owner = t;
    return true;
}

// The thread is going away: its registers must not be saved into freed memory.
void fpu_release(struct tcb *t)
{
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
        if (harts[i].fpu_owner == t)
            harts[i].fpu_owner = NULL;
}

// Saves the hart's FPU registers into their owner and forgets the owner: the thread
// is about to be stalled or moved and its state must be in memory.
void fpu_flush(struct hart *h)
{
    struct tcb *t = h->fpu_owner;
    csr_set(sstatus, SSTATUS_FS);
    if (t && (t->ctx[CTX_SSTATUS] & SSTATUS_FS) == SSTATUS_FS)
        fpu_save(t->fpu);
    if (t)
        t->ctx[CTX_SSTATUS] &= ~SSTATUS_FS;
    h->fpu_owner = NULL;
}

// seL4's fpuRelease when fpuDisabled is set: t's registers go to t->fpu and t runs
// with the FPU off from now on. Another hart that held them gave them up when t was
// stalled (every TCB invocation stalls its target first, and smp_answer_stall saves
// the FPU of a stalled hart); this hart saves them here.
void fpu_disable(struct tcb *t)
{
    struct hart *h = this_hart();
    if (h->fpu_owner == t)
        fpu_flush(h);
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
        assert(harts[i].fpu_owner != t);
    t->ctx[CTX_SSTATUS] &= ~SSTATUS_FS;
}
