// Small helpers of the UNOTIFY tests that run across harts, with the stress and the
// device interrupt (unotify_smp.c, unotify_stress.c, unotify_irq.c).
#pragma once
#include "helpers.h"
#include <al4/unotify.h>
#include <al4/debug.h>

// A copy of `src` with `rights` and `badge`, in a new slot of the root CNode.
static inline seL4_CPtr unotify_mint(struct env *env, seL4_CPtr src, seL4_CapRights_t rights,
                                     seL4_Word badge)
{
    seL4_CPtr c = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, c, seL4_WordBits, seL4_CapInitThreadCNode,
                                 src, seL4_WordBits, rights, badge), seL4_NoError);
    return c;
}

// The time CSR (user mode may read it: the kernel sets scounteren), for deadlines that
// do not depend on how fast QEMU runs a loop.
static inline uint64_t unotify_now(void)
{
    uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline uint64_t unotify_hz(struct env *env)
{
    return env->fdt.timebase_hz ? env->fdt.timebase_hz : 10000000;
}

static inline uint64_t unotify_deadline(struct env *env, uint64_t ms)
{
    return unotify_now() + unotify_hz(env) * ms / 1000;
}
