// ASYNCSYS0026: the notification fastpath's Wait does not pass over a queued handler
// (docs/asyncsys.md, "Where it runs": every way back to user mode runs the hart's ready
// handlers of the next thread's level or above first; the fastpath must equal the slow
// path). One hart: the submitter L (priority 100, level 25) wakes its handler, whose
// first request signals H (200), so the handler stops behind H with the rest of the
// ring queued. H then waits, and L waits in turn, both by the fastpath (nothing
// pending, the next thread ready): before the fix the Wait switched straight to L, and
// then to B (10, level 2), with the ring still unserved until a tick took the slow
// path (L and B each saw 1 of 9 answered).
#include "asyncsys_test.h"
#include <string.h>

#define REST 8  // requests after the one that signals H
#define B_PRIO 10
#define L_PRIO 100
#define H_PRIO 200
#define SPIN_LIMIT 1000000000ul

static struct {
    struct al4_asyncsys_shared *sh;
    seL4_CPtr wake_high, sink, park, b_started, done;
    volatile bool low_waiting;
    volatile uint32_t seen_low, seen_b;
} fw;

static void h_thread(struct test_thread *t)
{
    (void)t;
    seL4_Wait(fw.wake_high, NULL);
    seL4_Wait(fw.park, NULL);  // the fastpath Wait: next is L
}

static void l_thread(struct test_thread *t)
{
    (void)t;
    const seL4_Word signal = seL4_MessageInfo_new(0, 0, 0, 0).words[0];
    put_then_signals(fw.sh, (struct al4_asyncsys_req){.info = signal, .cptr = fw.wake_high},
                     fw.sink, REST);
    fw.seen_low = answered(fw.sh);
    fw.low_waiting = true;
    seL4_Wait(fw.park, NULL);  // the fastpath Wait: next is B
}

static void b_thread(struct test_thread *t)
{
    (void)t;
    seL4_Signal(fw.b_started);
    while (!fw.low_waiting)
        ;
    fw.seen_b = answered(fw.sh);
    // Before the fix the ring was served at the next tick: B waits for that here, so
    // that the test ends either way.
    for (unsigned long i = 0; answered(fw.sh) != 1 + REST && i < SPIN_LIMIT; i++)
        ;
    seL4_Signal(fw.done);
    seL4_Wait(fw.park, NULL);
}

static void fastpath_wait_serves_first(struct env *env)
{
    static struct test_thread b, l, h;
    if (env->bi->numNodes != 1) {
        printf("# one hart only (with more, an idle hart serves the ring)\n");
        return;
    }
    memset(&fw, 0, sizeof(fw));
    fw.wake_high = alloc_object(env, seL4_NotificationObject, 0);
    fw.sink = alloc_object(env, seL4_NotificationObject, 0);
    fw.park = alloc_object(env, seL4_NotificationObject, 0);
    fw.b_started = alloc_object(env, seL4_NotificationObject, 0);
    fw.done = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, fw.done);
    thread_create(env, &b, b_thread, B_PRIO, 0);
    thread_create(env, &l, l_thread, L_PRIO, 0);
    thread_create(env, &h, h_thread, H_PRIO, 0);
    struct async_env a;
    test_assert(env, async_setup(env, &a, l.tcb, ASYNC_VA));
    fw.sh = a.sh;
    // B runs once first, so that its address space is one the fastpath may switch to.
    thread_start(&b);
    seL4_Wait(fw.b_started, NULL);
    thread_start(&h);
    thread_start(&l);
    seL4_Wait(fw.done, NULL);
    printf("# L saw %u of %u answered when it resumed, B (priority %u) saw %u\n",
           fw.seen_low, 1 + REST, B_PRIO, fw.seen_b);
    test_eq(env, fw.seen_low, 1 + REST);
    test_eq(env, fw.seen_b, 1 + REST);
    seL4_TCB_Suspend(b.tcb);
    seL4_TCB_Suspend(l.tcb);
    seL4_TCB_Suspend(h.tcb);
}
DEFINE_TEST(ASYNCSYS0026, "a fastpath Wait does not pass over a queued handler of a higher level",
            fastpath_wait_serves_first);
