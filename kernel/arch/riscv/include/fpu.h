#pragma once
#include "types.h"
#include "hart.h"
#include "tcb.h"
#include "csr.h"

void fpu_init_hart(void);

// t is about to run on hart h: unless h holds t's FPU registers, t runs with the FPU
// off and its first FPU instruction traps (fpu_take). Inline for the fastpath.
static inline void fpu_switch_to(struct hart *h, struct tcb *t)
{
    if (h->fpu_owner != t)
        t->ctx[CTX_SSTATUS] &= ~SSTATUS_FS;
}
bool fpu_take(struct tcb *t);
void fpu_release(struct tcb *t);
void fpu_flush(struct hart *h);
void fpu_disable(struct tcb *t);
