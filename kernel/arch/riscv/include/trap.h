#pragma once
#include "types.h"
#include "hart.h"
#include "smp.h"
#include "tcb.h"

// Picks the next thread and enters it; never returns.
NORETURN void return_to_user(void);

// What every system call does first, fastpath or not: answer a stall request, take
// the kernel lock, count the entry and step the pc past the ecall. NULL when the hart
// was left without a thread by the stall: that thread redoes the call when it next
// runs, its pc still naming the ecall.
static inline struct tcb *syscall_enter(struct hart *h)
{
    smp_answer_stall(h);
    kernel_lock();
    h->kernel_entries++;
    struct tcb *t = h->cur;
    if (likely(t))
        t->ctx[CTX_PC] = t->ctx[CTX_FAULT_PC] + 4;
    return t;
}
