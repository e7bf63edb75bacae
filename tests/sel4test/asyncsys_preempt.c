// ASYNCSYS: a long request stops at its own preemption points and is performed again
// from the start, as a restarted system call (docs/asyncsys.md, "Where it runs"); the
// answer is the one the synchronous call gives (PREEMPT0002 does this synchronously).
#include "asyncsys_test.h"
#include <al4/debug.h>

static seL4_Word preemptions(unsigned harts)
{
    seL4_Word n = 0;
    for (unsigned h = 0; h < harts; h++)
        n += al4_kernel_counters_of(h).preemptions;
    return n;
}

static void preempted_request(struct env *env)
{
    struct async_env a;
    test_assert(env, async_setup(env, &a, seL4_CapInitThreadTCB, ASYNC_VA));
    seL4_CPtr ut, cn;
    test_assert(env, long_revoke_setup(env, &ut, &cn));
    unsigned harts = env->bi->numNodes;
    seL4_Word before = preemptions(harts);
    struct request revoke = {ROOT, CNodeRevoke, 0, 2, {0}, {ut, DEPTH}};
    struct outcome o;
    test_assert(env, call_async(&a, &revoke, &o));
    seL4_Word n = preemptions(harts) - before;
    printf("# asynchronous revoke of 16384 caps: %lu preemptions\n", (unsigned long)n);
    test_eq(env, o.label, seL4_NoError);
    test_eq(env, o.length, 0);
    // On one hart the root task's tick runs throughout; on several an idle hart serves
    // the ring and ticks while it does (serve_async): either must have stopped the
    // revoke, which takes longer than a tick (2 and 3 preemptions under make test's
    // QEMU on 1 and 4 harts; an idle hart without a tick never stopped it, holding the
    // kernel lock for the whole revoke).
    test_check(env, n > 0);
    // Performed again from the start, but answered once: one reply in the ring.
    test_eq(env, a.sh->kern.rep_tail, 1);
    test_eq(env, a.sh->kern.req_head, 1);
    // Every child went (a retype of the whole untyped needs none left).
    seL4_CPtr again = alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_UntypedObject, 19, ROOT, 0, 0, again, 1), seL4_NoError);
}
DEFINE_TEST(ASYNCSYS0012, "a long asynchronous revoke is preempted, restarted and answered once",
            preempted_request);
