#pragma once
#include "types.h"
#include "hart.h"
#include "tcb.h"
#include "csr.h"
#include "printf.h"

void fpu_init_hart(void);

// t is about to run on hart h: unless h holds t's FPU registers, t runs with the FPU
// off and its first FPU instruction traps (fpu_take). Nothing to do: a thread's saved
// sstatus has FS on only while it owns the FPU of its hart (new threads start with it
// off, and whoever takes the FPU from a thread turns it off in that thread's sstatus:
// fpu_take, fpu_flush, fpu_disable), so every switch, the fastpaths' too, skips a test
// and a store. The invariant checker holds the rule (docs/invariants.md).
static inline void fpu_switch_to(struct hart *h, struct tcb *t)
{
    (void)h, (void)t;
    assert(h->fpu_owner == t || !(t->ctx[CTX_SSTATUS] & SSTATUS_FS));
}
bool fpu_take(struct tcb *t);
void fpu_release(struct tcb *t);
void fpu_flush(struct hart *h);
void fpu_disable(struct tcb *t);
