// Trap dispatch: system calls, faults from user mode, and the way back to user mode.
#include "csr.h"
#include "hart.h"
#include "tcb.h"
#include "sched.h"
#include "syscall.h"
#include "vspace.h"
#include "printf.h"
#include "trap.h"
#include "fpu.h"
#include "timer.h"
#include "irq.h"
#include "smp.h"
#include "uintr.h"
#include "unotify.h"
#include <sel4/syscall.h>

NORETURN void handle_trap(word_t scause, word_t stval);
NORETURN void c_handle_syscall(word_t nr);
NORETURN void kernel_fault(word_t scause, word_t sepc, word_t stval, word_t ra, word_t tp,
                           word_t sp);
NORETURN void restore_user_context(void);

#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

static void handle_interrupt(word_t cause)
{
    switch (cause) {
    case IRQ_S_SOFT:
        // Another hart asked us to reschedule (or to stall, answered on entry).
        csr_clear(sip, BIT(IRQ_S_SOFT));
        break;
    case IRQ_S_TIMER:
        handle_timer();
        break;
    case IRQ_S_EXT:
        handle_irq();
        break;
    default:
        kprintf("aL4: unexpected interrupt %lu\n", cause);
        csr_clear(sip, BIT(cause));
    }
}

// Asynchronous system calls left for the next way out (docs/asyncsys.md), of handlers
// at the level of the thread that runs next or above: a handler runs at its thread's
// priority, so not ahead of a thread of a higher level (one that the interrupt it
// stopped for has just woken, say). A queued candidate is never above the top
// priority (schedule), so the best thread's level is the next one's.
// An idle hart has its tick off (handle_timer), and one other than the boot hart takes
// no device interrupts, so nothing would become pending there to stop a long drain at
// its preemption points: it ticks while it serves, and so stops at the first
// preemption point after a tick (of the handler, after each request, or of a long
// request itself), as a hart running a thread does.
static void serve_async(struct hart *h)
{
    if (likely(!h->async.ready))
        return;
    struct tcb *next = sched_best(h->index);
    if (!next)
        timer_arm_if_idle();
    asyncsys_run(h, next ? asyncsys_level(next->prio) : 0, !next);
}

// Runs the chosen thread. A hart with nothing to run waits in the kernel with
// interrupts off; wfi still wakes on any enabled pending interrupt, which is handled
// here before looking for work again.
NORETURN void return_to_user(void)
{
    struct hart *h = this_hart();
    serve_async(h);
    schedule();
    while (!h->cur) {
        // Idle: a handler queued behind a higher-level thread on another hart is
        // served here instead (docs/asyncsys.md, "Where it runs"); a handler that
        // emptied its ring here is watched for more (asyncsys_linger, "Lingering");
        // otherwise wait.
        if (likely(!asyncsys_steal(h))) {
            if (!asyncsys_linger(h)) {
                // No receiver entry stays aimed at this hart, and the tick goes on while
                // a receiver sleeps in the kernel (its bits may need the tick's check).
                uintr_switch(h, NULL);
                vspace_activate_kernel();
                if (unotify_ticker(h))
                    timer_arm_if_idle();
                kernel_unlock();
                wfi();
                kernel_lock();
            }
            word_t pending = csr_read(sip) & csr_read(sie) & ~(word_t)U_INTS;
            if (pending)
                handle_interrupt(msb(pending));
        }
        serve_async(h);
        schedule();
    }
    struct tcb *t = h->cur;
    if (unlikely(h->icache_stale)) {
        h->icache_stale = false;
        asm volatile("fence.i" ::: "memory");  // icache_sync left this hart alone while idle
    }
    timer_arm_if_idle();
    // A restarted thread re-executes the instruction that entered the kernel.
    if (t->state == THREAD_RESTART) {
        t->ctx[CTX_PC] = t->ctx[CTX_FAULT_PC];
        t->state = THREAD_RUNNING;
    }
    vspace_activate(t);
    fpu_switch_to(h, t);
    uintr_switch(h, t);
    kernel_unlock();
    restore_user_context();
}

// FSR values of seL4's VMFault message: 1 instruction, 5 load, 7 store, whether the
// hardware reported a page fault or an access fault.
static void vm_fault(struct tcb *t, word_t scause, word_t stval)
{
    bool insn = scause == EXC_INSN_PAGE_FAULT || scause == EXC_INSN_ACCESS;
    word_t fsr = insn ? 1 : (scause == EXC_LOAD_PAGE_FAULT || scause == EXC_LOAD_ACCESS) ? 5 : 7;
    t->fault = (struct fault){.type = seL4_VMFault, .w = {stval, fsr, insn}};
    handle_fault(t);
}

_Static_assert(SCAUSE_ECALL_U == EXC_ECALL_U && SYSCALL_CALL == seL4_SysCall &&
               SYSCALL_REPLY_RECV == seL4_SysReplyRecv && SYSCALL_SEND == seL4_SysSend &&
               SYSCALL_RECV == seL4_SysRecv, "trap.S's system call dispatch");

// The full system call, after syscall_enter or fastpath_syscall_enter. Not inlined: the
// fastpath functions are flattened and call this when a precondition fails; here the
// flattening stops.
NOINLINE void syscall_slowpath(word_t nr)
{
    if (likely(this_hart()->cur))
        handle_syscall(nr);
    return_to_user();
}

// System calls other than the fastpaths' (trap.S sends those to fastpath.c), and a
// fastpath's that found the lock taken (fastpath_syscall_enter). Not inlined: the
// flattened fastpaths would take in its waiting loop and the calls in it.
NOINLINE void c_handle_syscall(word_t nr)
{
    syscall_enter(this_hart());
    syscall_slowpath(nr);
}

// Interrupts and exceptions other than system calls.
void handle_trap(word_t scause, word_t stval)
{
    struct hart *h = this_hart();
    smp_answer_stall(h);
    kernel_lock();
    struct tcb *t = h->cur;
    h->kernel_entries++;
    // Interrupts are the hart's, not the thread's. A thread taken away while entering
    // (stalled) redoes what it trapped for when it next runs: its pc still names the
    // trapping instruction.
    if (scause & SCAUSE_INTERRUPT)
        handle_interrupt(scause & ~SCAUSE_INTERRUPT);
    if ((scause & SCAUSE_INTERRUPT) || !t)
        return_to_user();
    switch (scause) {
    case EXC_INSN_PAGE_FAULT:
    case EXC_LOAD_PAGE_FAULT:
    case EXC_STORE_PAGE_FAULT:
    case EXC_INSN_ACCESS:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_ACCESS:
        vm_fault(t, scause, stval);
        break;
    case EXC_ILLEGAL_INSN:
        // With the FPU off, a floating-point instruction traps here first.
        if (fpu_take(t))
            break;
        __attribute__((fallthrough));
    default:
        t->fault = (struct fault){.type = seL4_UserException, .w = {scause, 0}};
        handle_fault(t);
    }
    return_to_user();
}

// tp and sp as the trap found them: a bad tp (not one of harts[]) is the usual sign of a
// kernel entered with a user's registers.
void kernel_fault(word_t scause, word_t sepc, word_t stval, word_t ra, word_t tp, word_t sp)
{
    panic("kernel trap: scause %lx sepc %lx stval %lx ra %lx tp %lx sp %lx (harts at %p)", scause,
          sepc, stval, ra, tp, sp, (void *)harts);
}
