// FPU state per thread, switched when a different thread is about to run on a hart.
// A thread's state is saved only if it wrote the FPU (sstatus.FS dirty) since it was
// loaded, so threads that never use floating point cost one comparison.
#include "fpu.h"
#include "csr.h"
#include "hart.h"
#include "tcb.h"

void fpu_save(word_t *area);
void fpu_restore(const word_t *area);

void fpu_init_hart(void)
{
    // The kernel needs FS on to move FPU state; it never computes with it.
    csr_set(sstatus, SSTATUS_FS_INITIAL);
}

void fpu_switch_to(struct tcb *t)
{
    struct hart *h = this_hart();
    if (h->fpu_owner == t)
        return;
    struct tcb *old = h->fpu_owner;
    if (old && (old->ctx[CTX_SSTATUS] & SSTATUS_FS) == SSTATUS_FS) {
        fpu_save(old->fpu);
        old->ctx[CTX_SSTATUS] = (old->ctx[CTX_SSTATUS] & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
    }
    fpu_restore(t->fpu);
    t->ctx[CTX_SSTATUS] = (t->ctx[CTX_SSTATUS] & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
    h->fpu_owner = t;
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
    if (t && (t->ctx[CTX_SSTATUS] & SSTATUS_FS) == SSTATUS_FS)
        fpu_save(t->fpu);
    h->fpu_owner = NULL;
}
