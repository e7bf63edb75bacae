// ASYNCSYS: a handler runs at its thread's level (docs/asyncsys.md, "Where it runs").
// A request that makes a thread of a higher level ready on the hart serving the ring
// stops the drain there: that thread runs before the rest of the ring, as it would run
// right after a synchronous Signal. With several harts, a hart that goes idle while
// that thread still runs takes the rest of the ring over, so the ring is answered
// meanwhile.
//
// One hart: the submitter's first request signals the higher thread, which finds only
// that request answered. Several harts: the submitter and the higher thread share hart 1,
// every other hart is busy at the wake (so the handler is queued on hart 1); the higher
// thread then spins on hart 1 and lets the others go idle, and must see the whole ring
// answered while it spins. Without the stop it would find the whole ring answered at
// once (caught on one hart); without the idle hart taking over, never (caught on more).
//
// ASYNCSYS0023: a thread whose first request raises its own priority is not held back
// by itself: its queued handler moves to its new level (asyncsys_relevel).
#include "asyncsys_test.h"
#include <string.h>

#define REST 8          // requests after the one that signals the higher thread
#define LOW_PRIO 100    // the submitter: level 25
#define HIGH_PRIO 200   // the thread its first request wakes: level 50
#define BUSY_PRIO 150   // the other harts' threads at the wake: above the submitter
#define SPIN_LIMIT 50000000ul
#define MAX_BUSY 6      // harts 2.. (the root task keeps hart 0 busy itself)

static struct {
    struct al4_asyncsys_shared *sh;
    seL4_CPtr wake_high, sink, park;
    seL4_CPtr high_done, low_done;  // one each: two signals to one would coalesce
    bool several;
    volatile bool release, high_ran;
    volatile unsigned busy_running;  // busy threads spinning on their harts
    volatile uint32_t seen_first, seen_spun;
} st;

static void high_thread(struct test_thread *t)
{
    (void)t;
    seL4_Wait(st.wake_high, NULL);
    st.seen_first = answered(st.sh);
    if (st.several) {
        // Keep hart 1 at this level and let the other harts go idle.
        st.release = true;
        for (unsigned long i = 0; i < SPIN_LIMIT && answered(st.sh) != 1 + REST; i++)
            ;
        st.seen_spun = answered(st.sh);
    }
    st.high_ran = true;
    seL4_Signal(st.high_done);
    seL4_Wait(st.park, NULL);
}

static void low_thread(struct test_thread *t)
{
    (void)t;
    const seL4_Word signal = seL4_MessageInfo_new(0, 0, 0, 0).words[0];
    put_then_signals(st.sh, (struct al4_asyncsys_req){.info = signal, .cptr = st.wake_high},
                     st.sink, REST);
    while (answered(st.sh) != 1 + REST)
        seL4_Yield();
    seL4_Signal(st.low_done);
    seL4_Wait(st.park, NULL);
}

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static void busy_thread(struct test_thread *t)
{
    (void)t;
    __atomic_fetch_add(&st.busy_running, 1, __ATOMIC_RELEASE);
    while (!st.release)
        ;
    seL4_Wait(st.park, NULL);
}
#endif

static void yield_to_higher(struct env *env)
{
    static struct test_thread low, high, busy[MAX_BUSY];
    memset(&st, 0, sizeof(st));
    st.several = env->bi->numNodes >= 2;
    unsigned n_busy = env->bi->numNodes > 2 ? env->bi->numNodes - 2 : 0;
    test_assert(env, n_busy <= MAX_BUSY);
    st.wake_high = alloc_object(env, seL4_NotificationObject, 0);
    st.sink = alloc_object(env, seL4_NotificationObject, 0);
    st.high_done = alloc_object(env, seL4_NotificationObject, 0);
    st.low_done = alloc_object(env, seL4_NotificationObject, 0);
    st.park = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &low, low_thread, LOW_PRIO, 0);
    thread_create(env, &high, high_thread, HIGH_PRIO, 0);
    struct async_env a;
    test_assert(env, async_setup(env, &a, low.tcb, ASYNC_VA));
    st.sh = a.sh;
    if (st.several) {
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        test_eq(env, seL4_TCB_SetAffinity(low.tcb, 1), seL4_NoError);
        test_eq(env, seL4_TCB_SetAffinity(high.tcb, 1), seL4_NoError);
        for (unsigned i = 0; i < n_busy; i++) {
            thread_create(env, &busy[i], busy_thread, BUSY_PRIO, 0);
            test_eq(env, seL4_TCB_SetAffinity(busy[i].tcb, 2 + i), seL4_NoError);
            thread_start(&busy[i]);
        }
        // Running, not just started: a hart whose thread has not been scheduled yet is
        // idle at the wake, and the handler would be queued there instead of on hart 1.
        for (unsigned long i = 0; i < 4 * SPIN_LIMIT && st.busy_running < n_busy; i++)
            ;
        test_eq(env, st.busy_running, n_busy);
#endif
    }
    thread_start(&high);
    thread_start(&low);
    if (st.several) {
        // Hart 0 stays busy too until the higher thread runs and lets the harts go.
        for (unsigned long i = 0; i < 4 * SPIN_LIMIT && !st.release; i++)
            ;
        st.release = true;
    }
    seL4_Wait(st.high_done, NULL);
    seL4_Wait(st.low_done, NULL);
    printf("# the higher thread found %u of %u answered when it ran", st.seen_first, 1 + REST);
    if (st.several)
        printf(", %u after spinning", st.seen_spun);
    printf("\n");
    test_eq(env, st.seen_first, 1);
    if (st.several)
        test_eq(env, st.seen_spun, 1 + REST);
    test_eq(env, answered(st.sh), 1 + REST);
    for (uint32_t i = 0; i <= REST; i++)
        test_eq(env, rep_at(st.sh, i)->info, seL4_MessageInfo_new(seL4_NoError, 0, 0, 0).words[0]);
    seL4_TCB_Suspend(low.tcb);
    seL4_TCB_Suspend(high.tcb);
    for (unsigned i = 0; i < n_busy; i++)
        seL4_TCB_Suspend(busy[i].tcb);
}
DEFINE_TEST(ASYNCSYS0022, "a handler stops for a higher thread its ring woke; an idle hart takes the ring over",
            yield_to_higher);

// The submitter raises itself from 100 to 200 by its first request, then waits for the
// rest by yielding: its handler must follow it to level 50, or it would stop behind
// its own thread for good (one hart: the ring stays at 1 of 9).
static struct {
    struct al4_asyncsys_shared *sh;
    seL4_CPtr self, sink, done, park;
    volatile uint32_t answered;
} rs;

static void raiser_thread(struct test_thread *t)
{
    (void)t;
    put_then_signals(rs.sh, (struct al4_asyncsys_req){
                         .info = seL4_MessageInfo_new(TCBSetPriority, 0, 1, 1).words[0],
                         .cptr = rs.self, .caps = {seL4_CapInitThreadTCB}, .mr = {HIGH_PRIO}},
                     rs.sink, REST);
    for (unsigned i = 0; i < 200000 && answered(rs.sh) != 1 + REST; i++)
        seL4_Yield();
    rs.answered = answered(rs.sh);
    seL4_Signal(rs.done);
    seL4_Wait(rs.park, NULL);
}

static void raise_self(struct env *env)
{
    static struct test_thread th;
    memset(&rs, 0, sizeof(rs));
    rs.sink = alloc_object(env, seL4_NotificationObject, 0);
    rs.done = alloc_object(env, seL4_NotificationObject, 0);
    rs.park = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &th, raiser_thread, LOW_PRIO, 0);
    rs.self = th.tcb;
    struct async_env a;
    test_assert(env, async_setup(env, &a, th.tcb, ASYNC_VA));
    rs.sh = a.sh;
    thread_start(&th);
    seL4_Wait(rs.done, NULL);
    printf("# raised itself: %u of %u answered\n", rs.answered, 1 + REST);
    test_eq(env, rs.answered, 1 + REST);
    for (uint32_t i = 0; i <= REST; i++)
        test_eq(env, rep_at(rs.sh, i)->info, seL4_MessageInfo_new(seL4_NoError, 0, 0, 0).words[0]);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(ASYNCSYS0023, "a handler follows its thread to the priority one of its requests gave it",
            raise_self);
