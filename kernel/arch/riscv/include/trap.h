#pragma once
#include "types.h"
#include "hart.h"
#include "smp.h"
#include "tcb.h"

// Picks the next thread and enters it; never returns.
NORETURN void return_to_user(void);
// The full system call `nr` (seL4's slow path), entered with syscall_enter done.
NORETURN void syscall_slowpath(word_t nr);
// The same from the start: syscall_enter, then syscall_slowpath (trap.S's way in for
// every system call but the fastpaths').
NORETURN void c_handle_syscall(word_t nr);

// What every system call but a fastpath's does first (fastpath_syscall_enter below):
// answer a stall request, take the kernel lock and count the entry (trap.S has already
// stepped the pc past the ecall). NULL when the hart was left without a thread by the
// stall: that thread redoes the call when it next runs (smp_answer_stall puts its pc
// back).
static inline struct tcb *syscall_enter(struct hart *h)
{
    smp_answer_stall(h);
    kernel_lock();
    h->kernel_entries++;
    return h->cur;
}

// The fastpaths' way in: the same with no loop and no call out on the common path (in
// the LTO-built release kernel; a debug build calls kernel_trylock), so that the
// flattened fastpath saves few callee-saved registers (on SMP the waiting loop with its
// calls made it save all of them, about 60 instructions a round trip). The lock must be
// free at once; else system call `nr` goes the slow path's way in, which answers
// requests and waits, and the hart counts it (fastpath_busy). With the lock taken no
// request is pending: a hart asks another (smp_stall, smp_drop_vspace) only while
// holding the lock, and holds it until the answer.
static inline struct tcb *fastpath_syscall_enter(struct hart *h, word_t nr)
{
    if (unlikely(!kernel_trylock())) {
        h->fastpath_busy++;  // this hart's own word: no lock needed
        c_handle_syscall(nr);
    }
    assert(!h->stall_req && !h->vspace_drop_req);  // the argument above
    h->kernel_entries++;
    return h->cur;
}
