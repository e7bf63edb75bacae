// Per-hart kernel state. In the kernel tp points here, so this_hart() is one register
// read; trap.S finds it through the entering thread's context (CTX_HART).
#pragma once
#include "types.h"
#include "config.h"
#include "context.h"
#include "asyncsys.h"

struct tcb;

struct hart {
    word_t *ctx;          // HART_CTX: saved context of the thread running here
    word_t kstack_top;    // HART_KSTACK
    struct tcb *cur;      // thread running on this hart, NULL when idle
    struct tcb *fpu_owner;  // whose FPU registers the hart holds
    struct tcb *uintr_owner;  // whose U-level CSRs the hart holds (uintr.c), or NULL
    struct tcb *candidate;  // woken thread that may run next (seL4's SwitchToThread)
    word_t hartid;        // the SBI/DT hart id
    word_t uintc_active;  // the UINTC entry word that aims an entry here (uintr.c)
    unsigned index;       // 0 = the boot hart
    bool parked;          // entered the kernel, not scheduling (a single-core build)
    bool online;          // scheduling threads
    // Another hart asks this one to stop running its current thread (seL4's
    // remoteTCBStall): set by the asker, which holds the kernel lock and waits until
    // this hart clears it, having saved the thread's registers and let go of it.
    volatile bool stall_req;
    // Another hart deletes the VSpace this one has active (active_asid): this hart
    // moves to the kernel's own table before the asker goes on (smp_drop_vspace).
    volatile bool vspace_drop_req;
    // SMP: code was mapped while this hart had no thread, and icache_sync left it
    // alone; it owes a fence.i before it next runs user code.
    bool icache_stale;
    bool tick_armed;      // the timer runs only while the hart has a thread
    word_t active_asid;   // SMP: the only ASID the hart's TLB may hold (satp switches flush)
    unsigned boot_entries;  // times a hart entered the kernel as this core (1, once up)
    uint64_t kernel_entries;
    uint64_t fastpath_call, fastpath_reply_recv;
    uint64_t fastpath_signal, fastpath_wait;  // fastpath_signal.c's direct switches
    uint64_t fastpath_busy;  // fastpath entries that found the lock taken: slow path
    uint64_t preemptions;  // long operations stopped for a pending interrupt
    unsigned work_units;   // since the last preemption point check
    struct asyncsys_exec async;  // asynchronous-system-call handlers ready here
    uint64_t asyncsys_served;    // asynchronous requests answered on this hart
    uint64_t lingers;            // asyncsys_linger's watches of an emptied ring
    uint64_t linger_caught;      // of which a request came during
};

_Static_assert(__builtin_offsetof(struct hart, ctx) == HART_CTX, "trap.S layout");
_Static_assert(__builtin_offsetof(struct hart, kstack_top) == HART_KSTACK, "trap.S layout");

extern struct hart harts[CONFIG_MAX_HARTS];
extern unsigned num_nodes;  // harts scheduling threads: 1, or up to CONFIG_MAX_NUM_NODES

static inline struct hart *this_hart(void)
{
    struct hart *h;
    asm("mv %0, tp" : "=r"(h));
    return h;
}
