#pragma once
#include "types.h"
#include "hart.h"
#include "smp.h"
#include "tcb.h"

// Picks the next thread and enters it; never returns.
NORETURN void return_to_user(void);
// The full system call `nr` (seL4's slow path), entered with syscall_enter done.
NORETURN void syscall_slowpath(word_t nr);

// What every system call does first, fastpath or not: answer a stall request, take
// the kernel lock and count the entry (trap.S has already stepped the pc past the
// ecall). NULL when the hart was left without a thread by the stall: that thread
// redoes the call when it next runs (smp_answer_stall puts its pc back).
static inline struct tcb *syscall_enter(struct hart *h)
{
    smp_answer_stall(h);
    kernel_lock();
    h->kernel_entries++;
    return h->cur;
}
