// Host unit tests for the coroutine runtime (libuser/src/co_exec.c, co_timer.c,
// docs/coroutines.md), compiled unchanged with host stand-ins for the platform hooks:
// a fake clock and a scripted sleep for the deterministic tests, and for the interrupt
// test real signals (SIGALRM as the user interrupt, sigprocmask as masking, sigsuspend
// as al4_unotify_wait).
#include "host_test.h"
#include <sys/time.h>
#include <al4/co.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

// --- The fake platform ---

struct fake {
    struct co_ops ops;
    struct co_exec *ex;
    uint64_t now;
    int depth;                // mask nesting
    int masks;                // calls of mask
    int sleeps;
    int polls, poll_bits_at;  // the spin's polls (fake_poll)
    uint64_t poll_tick;
    uint64_t deadline[64];    // what each sleep was given
    // Scripted behaviour: called in sleep (returns the bits sleep hands back) and in
    // mask before it masks (a handler that ran just before the mask).
    uint64_t (*on_sleep)(struct fake *f, uint64_t deadline);
    void (*on_mask)(struct fake *f);
};

static uint64_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

static unsigned long fake_mask(void *ctx)
{
    struct fake *f = ctx;
    if (f->on_mask)
        f->on_mask(f);
    f->masks++;
    return (unsigned long)f->depth++ == 0;
}

static void fake_unmask(void *ctx, unsigned long was)
{
    struct fake *f = ctx;
    assert_true(f->depth > 0);
    f->depth--;
    assert_int_equal(was, f->depth == 0);
}

// The idle path is taken exactly when nothing can run: masked, no queued coroutine,
// no handler wake waiting, no timer due.
static uint64_t fake_sleep(void *ctx, uint64_t deadline)
{
    struct fake *f = ctx;
    assert_true(f->depth > 0);
    assert_false(co_exec_runnable(f->ex));
    assert_int_equal(f->ex->pending, 0);
    assert_null(f->ex->isr_head);
    assert_true(deadline == CO_NEVER || deadline > f->now);
    assert_int_equal(deadline, co_timer_next(f->ex));
    if (f->sleeps < 64)
        f->deadline[f->sleeps] = deadline;
    f->sleeps++;
    if (f->on_sleep)
        return f->on_sleep(f, deadline);
    if (deadline == CO_NEVER)
        fail_msg("the executor would sleep forever");
    f->now = deadline;
    return 0;
}

#define BIT 5  // the signal bit the idle-path tests bind

// The spin's poll: masked, nothing runnable (as sleep); `poll_bits_at`: the poll (1, 2,
// ...) that finds BIT pending (0: none ever does); each poll advances the clock by
// `poll_tick`.
static uint64_t fake_poll(void *ctx)
{
    struct fake *f = ctx;
    assert_true(f->depth > 0);
    assert_false(co_exec_runnable(f->ex));
    f->polls++;
    f->now += f->poll_tick;
    return f->polls == f->poll_bits_at ? 1ull << BIT : 0;
}

static struct co_timer *heap[64];

static void fake_init(struct fake *f, struct co_exec *ex, uint32_t timers)
{
    *f = (struct fake){.ex = ex};
    f->ops = (struct co_ops){fake_now, fake_sleep, fake_mask, fake_unmask, NULL, f};
    co_exec_init(ex, &f->ops, 10000000, heap, timers);
}

// --- Test coroutines ---

static int order[512], norder;

struct tco {
    struct co co;
    int id, runs, i, limit;
    struct tco *child;
    struct co_timer timer;
    uint64_t deadline;
};

static void logged(struct tco *t)
{
    t->runs++;
    if (norder < 512)
        order[norder++] = t->id;
}

// Runs once and finishes.
static enum co_status once_run(struct co *co)
{
    logged((struct tco *)co);
    return CO_DONE;
}

// Suspends forever; logs each resume.
static enum co_status forever_run(struct co *co)
{
    logged((struct tco *)co);
    return CO_PENDING;
}

static void tco_init(struct tco *t, struct co_exec *ex, co_resume_fn fn, unsigned prio, int id)
{
    *t = (struct tco){.id = id};
    co_init(&t->co, ex, fn, prio);
}

#define EXPECT_ORDER(...)                                                  \
    do {                                                                   \
        const int want_[] = {__VA_ARGS__};                                 \
        assert_int_equal(norder, (int)ARRAY_SIZE(want_));                  \
        for (size_t k_ = 0; k_ < ARRAY_SIZE(want_); k_++)                  \
            assert_int_equal(order[k_], want_[k_]);                        \
    } while (0)

static int setup(void **state)
{
    (void)state;
    norder = 0;
    return 0;
}

// --- The flush hook ---

static int flushes, flushed_at[16];

static uint64_t count_flush(void *arg)
{
    (void)arg;
    if (flushes < 16)
        flushed_at[flushes] = norder;
    flushes++;
    return 0;
}

// Flushed when the queue empties (so before the executor sleeps), and every `every`
// resumes in between; never in the middle of a resume.
static void test_flush_when_empty_and_every_n(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    static struct tco t[10];
    flushes = 0;
    co_exec_set_flush(&ex, count_flush, NULL, 4);
    for (int k = 0; k < 10; k++) {
        tco_init(&t[k], &ex, once_run, 3, k);
        co_wake(&t[k].co);
    }
    assert_int_equal(co_exec_run_ready(&ex), 10);
    assert_int_equal(flushes, 3);      // after resumes 4 and 8, and when the queue emptied
    assert_int_equal(flushed_at[0], 4);
    assert_int_equal(flushed_at[1], 8);
    assert_int_equal(flushed_at[2], 10);
    // Without `every`: only when it empties.
    flushes = 0;
    norder = 0;
    co_exec_set_flush(&ex, count_flush, NULL, 0);
    for (int k = 0; k < 10; k++) {
        tco_init(&t[k], &ex, once_run, 3, k);
        co_wake(&t[k].co);
    }
    co_exec_run_ready(&ex);
    assert_int_equal(flushes, 1);
    assert_int_equal(flushed_at[0], 10);
}

// A coroutine that stops the executor, then suspends for good.
static enum co_status stopper_run(struct co *co)
{
    logged((struct tco *)co);
    co_exec_stop(co->ex);
    return CO_PENDING;
}

// A stop ends the run it is made in (after a flush) and not the next one: the aipc
// peer's abandon test runs co_exec_run_ready after co_exec_run ended with a stop.
static void test_stop_ends_only_its_run(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco t[4];
    flushes = 0;
    co_exec_set_flush(&ex, count_flush, NULL, 0);
    tco_init(&t[0], &ex, stopper_run, 5, 0);
    tco_init(&t[1], &ex, once_run, 3, 1);
    co_wake(&t[0].co);
    co_wake(&t[1].co);
    co_exec_run(&ex);  // returns after the stopper, t[1] still queued
    EXPECT_ORDER(0);
    assert_int_equal(flushes, 1);
    assert_int_equal(f.sleeps, 0);
    tco_init(&t[2], &ex, once_run, 3, 2);
    tco_init(&t[3], &ex, once_run, 3, 3);
    co_wake(&t[2].co);
    co_wake(&t[3].co);
    assert_int_equal(co_exec_run_ready(&ex), 3);
    EXPECT_ORDER(0, 1, 2, 3);
    assert_int_equal(flushes, 2);
}

// --- Priorities and FIFO ---

static void test_priority_then_fifo(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco t[6];
    const unsigned prio[6] = {3, 10, 3, 63, 0, 10};
    for (int k = 0; k < 6; k++) {
        tco_init(&t[k], &ex, once_run, prio[k], k);
        co_wake(&t[k].co);
    }
    assert_int_equal(co_exec_run_ready(&ex), 6);
    EXPECT_ORDER(3, 1, 5, 0, 2, 4);
    assert_int_equal(f.sleeps, 0);  // run_ready never sleeps
    for (int k = 0; k < 6; k++)
        assert_true(co_done(&t[k].co));
}

// co_wake_run: a waker (prio 20) wakes `wr_target` and logs 100 + its id after.
static struct tco *wr_target, *wr_first;  // wr_first: woken (queued) just before
static bool wr_stop;

static enum co_status waker_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    logged(t);
    if (wr_stop)
        co_exec_stop(co->ex);
    if (wr_first)
        co_wake(&wr_first->co);
    // With a limit, wakes itself that many times, then nobody.
    if (wr_target != t || t->limit-- > 0)
        co_wake_run(&wr_target->co);
    order[norder++] = 100 + t->id;
    return CO_PENDING;
}

// The woken coroutine runs inside the waker's resume only when it is the next to run
// anyway: idle, nothing of its priority or above queued, no stop pending. Otherwise it
// is queued as by co_wake (FIFO behind its equals, after the higher ones).
static void test_wake_run(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco w, target, equal, higher;
    tco_init(&w, &ex, waker_run, 20, 1);
    tco_init(&target, &ex, forever_run, 5, 2);
    tco_init(&equal, &ex, forever_run, 5, 3);
    tco_init(&higher, &ex, forever_run, 30, 4);
    wr_target = &target;
    wr_first = NULL;
    wr_stop = false;

    // Nothing queued: the target runs at once, inside the waker.
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 2);
    EXPECT_ORDER(1, 2, 101);
    assert_int_equal(target.co.state, CO_IDLE);

    // An equal queued first: the target is queued behind it.
    norder = 0;
    co_wake(&equal.co);
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 3);
    EXPECT_ORDER(1, 101, 3, 2);

    // Something of higher priority queued (by the waker itself, just before): queued
    // too, and runs first.
    norder = 0;
    wr_first = &higher;
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 3);
    EXPECT_ORDER(1, 101, 4, 2);
    wr_first = NULL;

    // A lower priority queued does not stop the hand-off.
    norder = 0;
    struct tco low;
    tco_init(&low, &ex, forever_run, 1, 5);
    co_wake(&low.co);
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 3);
    EXPECT_ORDER(1, 2, 101, 5);

    // A stop pending: no more resumes in this run; the target stays queued.
    norder = 0;
    wr_stop = true;
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 1);
    EXPECT_ORDER(1, 101);
    assert_int_equal(target.co.state, CO_QUEUED);
    wr_stop = false;
    norder = 0;
    assert_int_equal(co_exec_run_ready(&ex), 1);
    EXPECT_ORDER(2);

    // A waker that wakes itself: it is running, so it is marked to run again (the
    // second resume wakes the target instead), never resumed inside itself.
    norder = 0;
    wr_target = &w;
    w.limit = 1;
    co_wake(&w.co);
    assert_int_equal(co_exec_run_ready(&ex), 2);
    EXPECT_ORDER(1, 101, 1, 101);
}

// Every one of the 64 priorities, woken in a scrambled order, runs highest first.
static void test_all_priorities(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    static struct tco t[CO_PRIOS];
    for (int k = 0; k < CO_PRIOS; k++) {
        int p = (k * 37) % CO_PRIOS;  // 37 is prime to 64: a permutation
        tco_init(&t[k], &ex, once_run, (unsigned)p, p);
        co_wake(&t[k].co);
    }
    co_exec_run_ready(&ex);
    assert_int_equal(norder, CO_PRIOS);
    for (int k = 0; k < CO_PRIOS; k++)
        assert_int_equal(order[k], CO_PRIOS - 1 - k);
    assert_int_equal(ex.ready, 0);
}

// Wakes from inside resumes, at random, against a model of the queues: whichever
// queue empties, whatever priority is woken meanwhile (above, below or at the one
// running), the next coroutine is the head of the highest nonempty queue. The executor
// keeps that queue's number rather than finding it (co_enqueue, dequeue): this is what
// checks that it is kept right.
#define RW_COS 40
#define RW_RESUMES 5000
static struct rw {
    struct co co;
    int id;
} rw[RW_COS];
static int rw_log[RW_RESUMES], rw_n;
static uint64_t rw_seed;
// The model: FIFO per priority of ids, the running one, woken while running.
static int mq[CO_PRIOS][RW_COS], mq_len[CO_PRIOS], m_running = -1;
static bool m_queued[RW_COS], m_again;

static uint32_t rw_rand(void)
{
    rw_seed = rw_seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rw_seed >> 33);
}

static void model_enqueue(int id)
{
    unsigned p = rw[id].co.prio;
    mq[p][mq_len[p]++] = id;
    m_queued[id] = true;
}

static void model_wake(int id)
{
    if (id == m_running)
        m_again = true;
    else if (!m_queued[id])
        model_enqueue(id);
}

static int model_next(void)
{
    for (int p = CO_PRIOS - 1; p >= 0; p--)
        if (mq_len[p]) {
            int id = mq[p][0];
            memmove(&mq[p][0], &mq[p][1], (size_t)--mq_len[p] * sizeof(int));
            m_queued[id] = false;
            return id;
        }
    return -1;
}

static enum co_status rw_run(struct co *co)
{
    struct rw *r = (struct rw *)co;
    rw_log[rw_n++] = r->id;
    if (rw_n == RW_RESUMES) {
        co_exec_stop(co->ex);
        return CO_PENDING;
    }
    for (unsigned k = rw_rand() % 4; k; k--) {
        int id = (int)(rw_rand() % RW_COS);
        co_wake(&rw[id].co);
    }
    return CO_PENDING;
}

static void test_random_wakes_keep_top(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    rw_seed = 12345;
    for (int i = 0; i < RW_COS; i++) {
        rw[i].id = i;
        co_init(&rw[i].co, &ex, rw_run, rw_rand() % 8 * 9);  // 8 priorities, 0..63
    }
    for (int i = 0; i < RW_COS; i += 3)
        co_wake(&rw[i].co);
    rw_n = 0;
    co_exec_run_ready(&ex);
    assert_int_equal(rw_n, RW_RESUMES);
    // Replay the same random wakes through the model.
    rw_seed = 12345;
    for (int i = 0; i < RW_COS; i++)
        (void)rw_rand();
    for (int i = 0; i < RW_COS; i += 3)
        model_enqueue(i);
    for (int n = 0; n < RW_RESUMES; n++) {
        int id = model_next();
        assert_int_equal(rw_log[n], id);
        if (n == RW_RESUMES - 1)
            break;
        m_running = id;
        m_again = false;
        for (unsigned k = rw_rand() % 4; k; k--)
            model_wake((int)(rw_rand() % RW_COS));
        m_running = -1;
        if (m_again)
            model_enqueue(id);
    }
}

// --- Wakes ---

static void test_wake_queued_is_idempotent(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, b;
    tco_init(&a, &ex, forever_run, 5, 1);
    tco_init(&b, &ex, forever_run, 5, 2);
    co_wake(&a.co);
    co_wake(&b.co);
    co_wake(&a.co);  // already queued: stays where it is, once
    co_wake_isr(&a.co);
    co_wake_isr(&a.co);
    co_exec_signal(&ex, 0);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 2);
    // Suspended now: a wake queues it again, once.
    co_wake(&b.co);
    co_wake(&b.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 2, 2);
}

// Wakes itself (or is woken) while running: runs again after it suspends, once, behind
// the others of its priority that were queued meanwhile.
static enum co_status self_waking_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    logged(t);
    if (t->runs == 1) {
        co_wake(co);
        co_wake(co);
        co_wake(&t->child->co);  // a peer of the same priority, queued behind
        co_wake(co);
    }
    return CO_PENDING;
}

static void test_wake_running(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, peer;
    tco_init(&a, &ex, self_waking_run, 7, 1);
    tco_init(&peer, &ex, forever_run, 7, 2);
    a.child = &peer;
    co_wake(&a.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 2, 1);
    assert_int_equal(a.co.state, CO_IDLE);
}

// A handler wake of a running coroutine (co_wake_isr from inside its resume) has the
// same effect.
static enum co_status isr_self_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    logged(t);
    if (t->runs < 3)
        co_wake_isr(co);
    return CO_PENDING;
}

static void test_isr_wake_running(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a;
    tco_init(&a, &ex, isr_self_run, 0, 1);
    co_wake(&a.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 1, 1);
}

static void test_finished_ignores_wakes(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a;
    tco_init(&a, &ex, once_run, 1, 1);
    co_wake(&a.co);
    co_exec_run_ready(&ex);
    co_wake(&a.co);
    co_wake_isr(&a.co);
    assert_int_equal(co_exec_run_ready(&ex), 0);
    EXPECT_ORDER(1);
    // co_init makes it new again.
    co_init(&a.co, &ex, once_run, 1);
    co_wake(&a.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 1);
}

// co_exec_wake_bits: the thread's own wake, at once (queued before the next look), with
// unbound bits kept as stray, exactly as the handler's co_exec_signal would leave them.
static void test_wake_bits(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, b;
    tco_init(&a, &ex, forever_run, 1, 1);
    tco_init(&b, &ex, forever_run, 1, 2);
    co_exec_bind(&ex, 0, &a.co);
    co_exec_bind(&ex, 40, &b.co);
    co_exec_wake_bits(&ex, (1ull << 40) | 1 | (1ull << 7));
    assert_true(co_exec_runnable(&ex));
    assert_int_equal(ex.pending, 0);
    assert_int_equal(a.co.state, CO_QUEUED);
    assert_int_equal(b.co.state, CO_QUEUED);
    co_exec_wake_bits(&ex, 1);  // already queued: nothing
    assert_int_equal(co_exec_run_ready(&ex), 2);
    EXPECT_ORDER(1, 2);  // lowest bit first, as the handler's bits are taken
    assert_int_equal(co_exec_take_stray(&ex), 1ull << 7);
}

// Signal bits wake their bound coroutines, in bit order; unbound bits are kept.
static void test_signal_bits(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, b;
    tco_init(&a, &ex, forever_run, 1, 1);
    tco_init(&b, &ex, forever_run, 1, 2);
    co_exec_bind(&ex, 63, &a.co);
    co_exec_bind(&ex, 4, &b.co);
    co_exec_handler((1ull << 63) | (1ull << 4) | (1ull << 9), &ex);
    co_exec_signal(&ex, 1ull << 4);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(2, 1);
    assert_int_equal(co_exec_take_stray(&ex), 1ull << 9);
    assert_int_equal(co_exec_take_stray(&ex), 0);
}

// --- Awaiting ---

static bool ready_flag;

// Loops `limit` times awaiting ready_flag, which it clears: a local (i) across
// suspensions lives in the struct.
static enum co_status consumer_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    for (t->i = 0; t->i < t->limit; t->i++) {
        CO_AWAIT(co, ready_flag);
        ready_flag = false;
        logged(t);
    }
    CO_END(co);
}

// Awaits its child (if any), then finishes.
static enum co_status parent_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    if (t->child)
        CO_AWAIT_CO(co, &t->child->co);
    logged(t);
    CO_END(co);
}

static void test_await_chain(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco top, mid, leaf;
    tco_init(&top, &ex, parent_run, 9, 1);
    tco_init(&mid, &ex, parent_run, 3, 2);
    tco_init(&leaf, &ex, consumer_run, 20, 3);
    leaf.limit = 2;
    top.child = &mid;
    mid.child = &leaf;
    ready_flag = false;
    co_wake(&top.co);
    co_exec_run_ready(&ex);
    assert_int_equal(norder, 0);  // all three wait on the leaf's flag
    assert_false(co_done(&top.co) || co_done(&mid.co) || co_done(&leaf.co));
    // A spurious wake rechecks and suspends again.
    co_wake(&leaf.co);
    co_wake(&mid.co);
    co_exec_run_ready(&ex);
    assert_int_equal(norder, 0);
    ready_flag = true;
    co_wake(&leaf.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(3);
    ready_flag = true;
    co_wake(&leaf.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(3, 3, 2, 1);
    assert_true(co_done(&top.co) && co_done(&mid.co) && co_done(&leaf.co));
}

// CO_YIELD lets the others of its priority run, then goes on.
static enum co_status yielder_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    for (t->i = 0; t->i < 3; t->i++) {
        logged(t);
        CO_YIELD(co);
    }
    CO_END(co);
}

static void test_yield_round_robin(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, b;
    tco_init(&a, &ex, yielder_run, 2, 1);
    tco_init(&b, &ex, yielder_run, 2, 2);
    co_wake(&a.co);
    co_wake(&b.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 2, 1, 2, 1, 2);
    assert_true(co_done(&a.co) && co_done(&b.co));
}

// CO_YIELD_AT: queued at the lower priority, behind what waits there, above what is
// below it; resumed, at its own again (a plain yield then goes before the middle one).
static struct tco *yield_at_middle[2];

static enum co_status yield_at_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    logged(t);
    co_wake(&yield_at_middle[0]->co);
    CO_YIELD_AT(co, 1, 5);
    assert_int_equal(co->prio, 5);
    logged(t);
    co_wake(&yield_at_middle[1]->co);
    CO_YIELD(co);
    logged(t);
    CO_END(co);
}

static void test_yield_at(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a, b1, b2, c, d;
    tco_init(&a, &ex, yield_at_run, 5, 1);
    tco_init(&b1, &ex, once_run, 3, 2);
    tco_init(&b2, &ex, once_run, 3, 2);
    tco_init(&c, &ex, once_run, 1, 3);
    tco_init(&d, &ex, once_run, 0, 4);
    yield_at_middle[0] = &b1;
    yield_at_middle[1] = &b2;
    co_wake(&a.co);
    co_wake(&c.co);
    co_wake(&d.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1, 2, 3, 1, 1, 2, 4);
    assert_true(co_done(&a.co) && co_done(&d.co));
}

// --- Timers ---

static int sleepers_left;

// Sleeps until t->deadline, then finishes; the last one stops the executor.
static enum co_status sleeper_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    CO_SLEEP_UNTIL(co, &t->timer, t->deadline);
    assert_true(t->timer.fired);
    assert_true(co_now(co->ex) >= t->deadline);
    logged(t);
    if (--sleepers_left == 0)
        co_exec_stop(co->ex);
    CO_END(co);
}

// Fire in deadline order, equal deadlines in arming order; the executor sleeps once per
// distinct deadline, each time given the earliest.
static void test_timer_order(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 64);
    const uint64_t dl[] = {50, 10, 30, 10, 20, 10};
    struct tco t[6];
    sleepers_left = 6;
    for (int k = 0; k < 6; k++) {
        tco_init(&t[k], &ex, sleeper_run, 4, k);
        t[k].deadline = dl[k];
        co_wake(&t[k].co);
    }
    co_exec_run(&ex);
    EXPECT_ORDER(1, 3, 5, 4, 2, 0);
    assert_int_equal(f.sleeps, 4);
    assert_int_equal(f.deadline[0], 10);
    assert_int_equal(f.deadline[1], 20);
    assert_int_equal(f.deadline[2], 30);
    assert_int_equal(f.deadline[3], 50);
    assert_int_equal(f.now, 50);
    assert_int_equal(ex.heap_len, 0);
}

static void test_timer_same_deadline_fifo(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 64);
    static struct tco t[40];
    sleepers_left = 40;
    for (int k = 0; k < 40; k++) {
        tco_init(&t[k], &ex, sleeper_run, 4, k);
        t[k].deadline = 7;
        co_wake(&t[k].co);
    }
    co_exec_run(&ex);
    assert_int_equal(norder, 40);
    for (int k = 0; k < 40; k++)
        assert_int_equal(order[k], k);
    assert_int_equal(f.sleeps, 1);
}

static void test_timer_cancel_and_full(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 3);
    struct tco c[4];
    struct co_timer tm[4] = {0};
    for (int k = 0; k < 4; k++)
        tco_init(&c[k], &ex, forever_run, 1, k);
    assert_true(co_timer_start(&ex, &tm[0], &c[0].co, 30));
    assert_true(co_timer_start(&ex, &tm[1], &c[1].co, 10));
    assert_true(co_timer_start(&ex, &tm[2], &c[2].co, 20));
    assert_false(co_timer_start(&ex, &tm[3], &c[3].co, 5));  // full: not armed
    assert_false(tm[3].armed);
    assert_int_equal(co_timer_next(&ex), 10);
    assert_true(co_timer_cancel(&ex, &tm[1]));
    assert_false(co_timer_cancel(&ex, &tm[1]));
    assert_int_equal(co_timer_next(&ex), 20);
    // Re-arming an armed timer moves it.
    assert_true(co_timer_start(&ex, &tm[0], &c[0].co, 15));
    assert_int_equal(ex.heap_len, 2);
    co_timer_expire(&ex, 100);
    assert_int_equal(co_timer_next(&ex), CO_NEVER);
    assert_true(tm[0].fired && tm[2].fired);
    assert_false(tm[1].fired || tm[3].fired);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(0, 2);
}

// With the heap full CO_SLEEP_UNTIL goes on at once and says so.
static enum co_status full_sleeper_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    CO_SLEEP_UNTIL(co, &t->timer, 99);
    t->i = t->timer.fired;
    logged(t);
    CO_END(co);
}

static void test_sleep_with_full_heap(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    struct tco a;
    tco_init(&a, &ex, full_sleeper_run, 1, 1);
    co_wake(&a.co);
    co_exec_run_ready(&ex);
    EXPECT_ORDER(1);
    assert_int_equal(a.i, 0);
    assert_true(co_done(&a.co));
}

// Random arm/cancel/expire against a model: every expire fires exactly the armed timers
// that are due, in (deadline, arming order).
static void test_timer_random(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    enum { N = 32 };
    fake_init(&f, &ex, N);
    static struct tco c[N];
    static struct co_timer tm[N];
    uint64_t armed_at[N], dl[N];
    bool armed[N] = {false};
    uint64_t seq = 0, now = 0;
    memset(tm, 0, sizeof(tm));
    for (int k = 0; k < N; k++)
        tco_init(&c[k], &ex, forever_run, 0, k);
    srand(11);
    for (int round = 0; round < 20000; round++) {
        int k = rand() % N, op = rand() % 8;
        if (op < 4) {
            dl[k] = now + (uint64_t)(rand() % 50);
            armed_at[k] = seq++;
            armed[k] = true;
            assert_true(co_timer_start(&ex, &tm[k], &c[k].co, dl[k]));
        } else if (op < 6) {
            assert_int_equal(co_timer_cancel(&ex, &tm[k]), armed[k]);
            armed[k] = false;
        } else {
            now += (uint64_t)(rand() % 20);
            // The model's firing order: due and armed, by (deadline, arming order).
            int want[N], n = 0;
            for (int j = 0; j < N; j++)
                if (armed[j] && dl[j] <= now)
                    want[n++] = j;
            for (int a = 1; a < n; a++)
                for (int b = a; b > 0; b--) {
                    int x = want[b - 1], y = want[b];
                    if (dl[y] < dl[x] || (dl[y] == dl[x] && armed_at[y] < armed_at[x])) {
                        want[b - 1] = y;
                        want[b] = x;
                    }
                }
            norder = 0;
            co_timer_expire(&ex, now);
            co_exec_run_ready(&ex);
            assert_int_equal(norder, n);
            for (int j = 0; j < n; j++) {
                assert_int_equal(order[j], want[j]);
                armed[want[j]] = false;
            }
        }
        uint64_t next = CO_NEVER;
        for (int j = 0; j < N; j++)
            if (armed[j] && dl[j] < next)
                next = dl[j];
        assert_int_equal(co_timer_next(&ex), next);
    }
}

static void test_time_units(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 0);
    assert_int_equal(co_us(&ex, 1), 10);
    assert_int_equal(co_us(&ex, 2000), 20000);
    ex.hz = 1000001;  // not a multiple of a million: no precision lost
    assert_int_equal(co_us(&ex, 1000000), 1000001);
}

// --- The idle path ---

static struct tco bound_co;
static int stop_after;

// Bound to a signal bit; stops the executor after stop_after runs.
static enum co_status bound_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    logged(t);
    if (t->runs == stop_after)
        co_exec_stop(co->ex);
    return CO_PENDING;
}

static void bound_setup(struct fake *f, struct co_exec *ex, int runs)
{
    fake_init(f, ex, 64);
    tco_init(&bound_co, ex, bound_run, 3, 1);
    co_exec_bind(ex, BIT, &bound_co.co);
    stop_after = runs;
}

// What al4_unotify_wait does: returns the bits that arrived while it waited.
static uint64_t sleep_returns_bit(struct fake *f, uint64_t deadline)
{
    (void)f;
    (void)deadline;
    return 1ull << BIT;
}

static void test_idle_sleep_returns_bits(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 3);
    f.on_sleep = sleep_returns_bit;
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 3);
    assert_int_equal(f.sleeps, 3);  // once before each run, never with work queued
    assert_int_equal(f.deadline[0], CO_NEVER);
    assert_int_equal(f.depth, 0);
}

// A handler that runs as the thread goes to sleep (on the host: from inside the sleep
// hook) leaves its wake for the loop, which runs it before sleeping again.
static uint64_t sleep_isr_wake(struct fake *f, uint64_t deadline)
{
    (void)deadline;
    if (f->sleeps % 2)
        co_wake_isr(&bound_co.co);
    else
        co_exec_signal(f->ex, 1ull << BIT);
    return 0;
}

static void test_idle_wake_from_sleep_hook(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 4);
    f.on_sleep = sleep_isr_wake;
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 4);
    assert_int_equal(f.sleeps, 4);
}

// A handler that runs after the loop's last look, just before the idle path masks:
// the masked look sees it and the executor does not sleep.
static uint64_t sleep_forbidden(struct fake *f, uint64_t deadline)
{
    (void)f;
    (void)deadline;
    fail_msg("slept with a wake left by the handler");
    return 0;
}

static void mask_signal_once(struct fake *f)
{
    if (f->masks == 0)
        co_exec_signal(f->ex, 1ull << BIT);
}

static void mask_isr_wake_once(struct fake *f)
{
    if (f->masks == 0)
        co_wake_isr(&bound_co.co);
}

static void test_idle_handler_before_mask(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 1);
    f.on_mask = mask_signal_once;
    f.on_sleep = sleep_forbidden;
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 1);
    assert_int_equal(f.masks, 1);

    bound_setup(&f, &ex, 1);
    f.on_mask = mask_isr_wake_once;
    f.on_sleep = sleep_forbidden;
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 1);
}

// The bits a sleep or a flush returns for one idle coroutine, with nothing else
// runnable, run it at once (wake_bits_next); anything else runnable keeps the order a
// queued wake gives: a handler's wake of a higher priority that came after the sleep
// runs first, and so does a higher coroutine woken by the same bits.
static struct tco high_co;
static uint64_t sleep_bit_then_handler(struct fake *f, uint64_t deadline)
{
    (void)deadline;
    if (f->sleeps == 1)
        co_exec_signal(f->ex, 1ull << (BIT + 1));  // the handler, after the kernel's answer
    return 1ull << BIT;
}

static uint64_t flush_bits;
static uint64_t flush_returns(void *arg)
{
    (void)arg;
    flushes++;
    uint64_t b = flush_bits;
    flush_bits = 0;
    return b;
}

static void test_woken_one_runs_at_once(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 2);
    tco_init(&high_co, &ex, forever_run, 7, 2);
    co_exec_bind(&ex, BIT + 1, &high_co.co);
    f.on_sleep = sleep_bit_then_handler;
    co_exec_run(&ex);
    EXPECT_ORDER(2, 1, 1);  // the handler's higher wake first, then the bit's
    assert_int_equal(f.sleeps, 2);
    assert_int_equal(ex.direct, 1);  // the second sleep's bit alone: at once

    // From the flush: one bit runs its coroutine, two bits run both by priority, and
    // bits returned by the every-N and the stop's flushes are woken too.
    norder = 0;
    bound_setup(&f, &ex, 3);
    tco_init(&high_co, &ex, forever_run, 7, 2);
    co_exec_bind(&ex, BIT + 1, &high_co.co);
    flushes = 0;
    co_exec_set_flush(&ex, flush_returns, NULL, 0);
    flush_bits = 1ull << BIT;
    assert_int_equal(co_exec_run_ready(&ex), 1);
    EXPECT_ORDER(1);
    assert_int_equal(ex.direct, 1);
    flush_bits = 1ull << BIT | 1ull << (BIT + 1);
    assert_int_equal(co_exec_run_ready(&ex), 2);
    EXPECT_ORDER(1, 2, 1);
    assert_int_equal(ex.direct, 1);  // two bits: queued, by priority
    assert_int_equal(flushes, 4);  // each run's two: the one with bits, the empty one
    // A stop's flush: the bits it returns are queued for the next run, not lost.
    flush_bits = 1ull << (BIT + 1);
    co_wake(&bound_co.co);         // its third run stops the executor
    assert_int_equal(co_exec_run_ready(&ex), 1);
    EXPECT_ORDER(1, 2, 1, 1);
    assert_true(co_exec_runnable(&ex));
    assert_int_equal(co_exec_run_ready(&ex), 1);
    EXPECT_ORDER(1, 2, 1, 1, 2);

    // The every-N flush: the bits it returns are woken (here after each resume).
    norder = 0;
    bound_setup(&f, &ex, 100);
    tco_init(&high_co, &ex, forever_run, 7, 2);
    co_exec_bind(&ex, BIT + 1, &high_co.co);
    co_exec_set_flush(&ex, flush_returns, NULL, 1);
    flush_bits = 1ull << (BIT + 1);
    co_wake(&bound_co.co);
    assert_int_equal(co_exec_run_ready(&ex), 2);
    EXPECT_ORDER(1, 2);
}

// An armed timer keeps the bits of a sleep from skipping the queue: a higher coroutine
// whose deadline passed during the sleep runs first.
static uint64_t sleep_past_deadline(struct fake *f, uint64_t deadline)
{
    f->now = deadline;
    return 1ull << BIT;
}

static void test_woken_one_waits_for_due_timer(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 1);
    tco_init(&high_co, &ex, forever_run, 7, 2);
    co_timer_start(&ex, &high_co.timer, &high_co.co, 100);
    f.on_sleep = sleep_past_deadline;
    co_exec_run(&ex);
    EXPECT_ORDER(2, 1);
    assert_int_equal(ex.direct, 0);
}

// --- The spin before a sleep (co_exec_set_spin) ---

// Bits a poll finds within the budget are taken as a sleep's, and the thread does not
// sleep; without a budget the same executor sleeps at once and never polls.
static void test_spin_finds_bits(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 1);
    f.ops.poll = fake_poll;
    f.poll_bits_at = 3;
    f.on_sleep = sleep_forbidden;
    co_exec_set_spin(&ex, 8);
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 1);
    assert_int_equal(f.polls, 3);
    assert_int_equal(ex.spins, 2);
    assert_int_equal(ex.spin_wakes, 1);
    assert_int_equal(ex.sleeps, 0);
    assert_int_equal(ex.direct, 1);  // the one idle coroutine the bits name, at once
    assert_int_equal(f.depth, 0);

    bound_setup(&f, &ex, 1);
    f.ops.poll = fake_poll;
    f.poll_bits_at = 1;
    f.on_sleep = sleep_returns_bit;
    co_exec_run(&ex);  // spin 0: the default
    assert_int_equal(f.polls, 0);
    assert_int_equal(f.sleeps, 1);
}

// A budget that runs out ends in the sleep, after exactly `budget` polls; a deadline that
// passes during the spin ends it without a sleep and the timer fires.
static void test_spin_budget_and_deadline(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    bound_setup(&f, &ex, 1);
    f.ops.poll = fake_poll;
    f.on_sleep = sleep_returns_bit;
    co_exec_set_spin(&ex, 5);
    co_exec_run(&ex);
    assert_int_equal(f.polls, 5);
    assert_int_equal(ex.spins, 5);
    assert_int_equal(ex.spin_wakes, 0);
    assert_int_equal(f.sleeps, 1);
    assert_int_equal(bound_co.runs, 1);

    bound_setup(&f, &ex, 1);
    f.ops.poll = fake_poll;
    f.poll_tick = 10;
    f.on_sleep = sleep_forbidden;
    co_exec_set_spin(&ex, 100);
    co_timer_start(&ex, &bound_co.timer, &bound_co.co, 35);
    co_exec_run(&ex);
    assert_int_equal(bound_co.runs, 1);
    assert_int_equal(f.polls, 4);  // now 40 >= 35 after the fourth
    assert_int_equal(f.sleeps, 0);
}

// A timer that falls due between the loop's look and the mask: no sleep.
static void mask_time_passes(struct fake *f)
{
    if (f->masks == 0)
        f->now = 100;
}

static void test_idle_timer_due_at_mask(void **state)
{
    (void)state;
    struct co_exec ex;
    struct fake f;
    fake_init(&f, &ex, 64);
    struct tco a;
    tco_init(&a, &ex, sleeper_run, 1, 1);
    a.deadline = 100;
    sleepers_left = 1;
    co_wake(&a.co);
    f.on_mask = mask_time_passes;
    f.on_sleep = sleep_forbidden;
    co_exec_run(&ex);
    EXPECT_ORDER(1);
    assert_int_equal(f.sleeps, 0);
}

#include "test_co_signal.h"

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_priority_then_fifo, setup),
        cmocka_unit_test_setup(test_wake_run, setup),
        cmocka_unit_test_setup(test_all_priorities, setup),
        cmocka_unit_test_setup(test_random_wakes_keep_top, setup),
        cmocka_unit_test_setup(test_wake_queued_is_idempotent, setup),
        cmocka_unit_test_setup(test_wake_running, setup),
        cmocka_unit_test_setup(test_isr_wake_running, setup),
        cmocka_unit_test_setup(test_finished_ignores_wakes, setup),
        cmocka_unit_test_setup(test_signal_bits, setup),
        cmocka_unit_test_setup(test_wake_bits, setup),
        cmocka_unit_test_setup(test_await_chain, setup),
        cmocka_unit_test_setup(test_yield_round_robin, setup),
        cmocka_unit_test_setup(test_yield_at, setup),
        cmocka_unit_test_setup(test_timer_order, setup),
        cmocka_unit_test_setup(test_timer_same_deadline_fifo, setup),
        cmocka_unit_test_setup(test_timer_cancel_and_full, setup),
        cmocka_unit_test_setup(test_sleep_with_full_heap, setup),
        cmocka_unit_test_setup(test_timer_random, setup),
        cmocka_unit_test_setup(test_time_units, setup),
        cmocka_unit_test_setup(test_idle_sleep_returns_bits, setup),
        cmocka_unit_test_setup(test_idle_wake_from_sleep_hook, setup),
        cmocka_unit_test_setup(test_idle_handler_before_mask, setup),
        cmocka_unit_test_setup(test_idle_timer_due_at_mask, setup),
        cmocka_unit_test_setup(test_woken_one_runs_at_once, setup),
        cmocka_unit_test_setup(test_woken_one_waits_for_due_timer, setup),
        cmocka_unit_test_setup(test_signal_handler_wakes, setup),
        cmocka_unit_test_setup(test_flush_when_empty_and_every_n, setup),
        cmocka_unit_test_setup(test_stop_ends_only_its_run, setup),
        cmocka_unit_test_setup(test_spin_finds_bits, setup),
        cmocka_unit_test_setup(test_spin_budget_and_deadline, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
