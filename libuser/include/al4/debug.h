// Project system calls, numbered after every upstream one (seL4 15.0.0 ends its
// debug and benchmark calls above -32): kernel counters for tests and benchmarks,
// and a switch that routes Call/ReplyRecv and the notification Signal/Wait around the
// fastpath so one run can compare both paths.
#pragma once
#include <sel4/sel4.h>
#include "syscall.h"

// Present in debug and benchmark builds only (the kernel has the calls there).
#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)

typedef struct al4_counters {
    seL4_Word kernel_entries;  // traps into the kernel on this hart
    seL4_Word fastpath_call;   // Calls completed by the fastpath
    seL4_Word fastpath_reply_recv;
    seL4_Word hart;            // index of the hart the caller runs on
    seL4_Word preemptions;     // long operations stopped at a preemption point (this hart)
    seL4_Word hartid;          // the hart's id, as the loader handed it over (a6)
    seL4_Word boot_entries;    // times the loader entered the kernel as this core
} al4_counters_t;

// The counters of hart `hart` (a hart index), or of the caller's hart for ~0.
static inline al4_counters_t al4_kernel_counters_of(seL4_Word hart)
{
    register seL4_Word a0 asm("a0") = hart;
    register seL4_Word a1 asm("a1");
    register seL4_Word a2 asm("a2");
    register seL4_Word a3 asm("a3");
    register seL4_Word a4 asm("a4");
    register seL4_Word a5 asm("a5");
    register seL4_Word a6 asm("a6");
    register seL4_Word a7 asm("a7") = (seL4_Word)al4_SysKernelCounters;
    asm volatile("ecall"
                 : "+r"(a0), "=r"(a1), "=r"(a2), "=r"(a3), "=r"(a4), "=r"(a5), "=r"(a6)
                 : "r"(a7)
                 : "memory");
    return (al4_counters_t){a0, a1, a2, a3, a4, a5, a6};
}

static inline al4_counters_t al4_kernel_counters(void)
{
    return al4_kernel_counters_of(~0ul);
}

// Kernel entries so far on harts 0..harts-1, summed (each call adds one on the
// caller's hart: a difference of two reads contains `harts` of them).
static inline seL4_Word al4_kernel_entries(unsigned harts)
{
    seL4_Word n = 0;
    for (unsigned h = 0; h < harts; h++)
        n += al4_kernel_counters_of(h).kernel_entries;
    return n;
}

// The second set of counters: the same call with AL4_COUNTERS_NTFN in a0's upper half
// and the hart index (or 0xffffffff for the caller's hart) in its lower half. Seven
// words as the first set.
#define AL4_COUNTERS_NTFN (1ul << 32)

typedef struct al4_ntfn_counters {
    seL4_Word fastpath_signal;  // Signals that switched to the woken waiter by the fastpath
    seL4_Word fastpath_wait;    // Waits that blocked and switched by the fastpath
    seL4_Word hart;             // index of the hart counted
    seL4_Word asyncsys_served;  // asynchronous system calls answered on it (docs/asyncsys.md)
    seL4_Word lingers;          // its watches of a ring its handler emptied ("Lingering")
    seL4_Word linger_caught;    // of which a request came during
    seL4_Word fastpath_busy;    // SMP: fastpath entries that found the kernel lock taken
                                // and went the slow path's way in (any of the four)
} al4_ntfn_counters_t;

static inline al4_ntfn_counters_t al4_ntfn_counters_of(seL4_Word hart)
{
    al4_counters_t c = al4_kernel_counters_of(AL4_COUNTERS_NTFN | (hart & 0xfffffffful));
    return (al4_ntfn_counters_t){c.kernel_entries, c.fastpath_call, c.fastpath_reply_recv,
                                 c.hart, c.preemptions, c.hartid, c.boot_entries};
}

// Asynchronous system calls answered on hart `hart` (docs/asyncsys.md, "Where it runs").
static inline seL4_Word al4_asyncsys_served_of(seL4_Word hart)
{
    return al4_ntfn_counters_of(hart).asyncsys_served;
}

static inline al4_ntfn_counters_t al4_ntfn_counters(void)
{
    return al4_ntfn_counters_of(~0ul);
}

// Returns whether the fastpath was enabled before.
static inline seL4_Word al4_set_fastpath(seL4_Word enable)
{
    register seL4_Word a0 asm("a0") = enable;
    register seL4_Word a7 asm("a7") = (seL4_Word)al4_SysSetFastpath;
    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}
#endif

#ifdef CONFIG_DEBUG_BUILD
// What the kernel invariant checker (docs/invariants.md) reports: the first violation's
// code (0: none; the kernel prints what it found) and how much it walked.
typedef struct al4_invariant_report {
    seL4_Word violation, slots, objects, threads;
} al4_invariant_report_t;

static inline al4_invariant_report_t al4_check_invariants(void)
{
    register seL4_Word a0 asm("a0") = 0;
    register seL4_Word a1 asm("a1") = 0;
    register seL4_Word a2 asm("a2") = 0;
    register seL4_Word a3 asm("a3") = 0;
    register seL4_Word a7 asm("a7") = (seL4_Word)al4_SysDebugCheckInvariants;
    asm volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3) : "r"(a7) : "memory");
    return (al4_invariant_report_t){a0, a1, a2, a3};
}
#endif
