// test_co.c, the interrupt test: real asynchronous wakes. SIGALRM stands for the user
// interrupt (an interval timer raises it at any instruction of the executor's thread),
// blocking it for masking, sigsuspend for al4_unotify_wait (it unblocks and sleeps in
// one step, as the kernel's recheck makes the real wait atomic). The handler wakes one
// coroutine with co_wake_isr and another with a signal bit, alternately, while busy
// coroutines keep the run queues changing. No wake may be lost: whenever the executor
// goes to sleep, each watcher has seen the handler's latest wake of it.
#pragma once

#define SIG_N 4000
#define SIG_BIT 7

static struct co_exec *sig_ex;
static struct tco sig_watch[2], sig_busy[3];
static volatile uint64_t sig_k, sig_fired[2], sig_seen[2];
static int sig_finished;

static void sig_on_alarm(int sig)
{
    (void)sig;
    if (sig_k >= SIG_N)
        return;
    uint64_t k = ++sig_k;
    if (k & 1) {
        sig_fired[0] = k;
        co_wake_isr(&sig_watch[0].co);
    } else {
        sig_fired[1] = k;
        co_exec_signal(sig_ex, 1ull << SIG_BIT);
    }
}

static enum co_status sig_watch_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    t->runs++;
    sig_seen[t->id] = sig_fired[t->id];
    uint64_t last = t->id == 0 ? SIG_N - 1 : SIG_N;
    if (sig_seen[t->id] != last)
        return CO_PENDING;
    if (++sig_finished == 2)
        co_exec_stop(co->ex);
    return CO_DONE;
}

static enum co_status sig_busy_run(struct co *co)
{
    struct tco *t = (struct tco *)co;
    CO_BEGIN(co);
    for (t->i = 0; t->i < 100000; t->i++) {
        for (volatile int spin = 0; spin < 20; spin++)
            ;
        CO_YIELD(co);
    }
    CO_END(co);
}

static unsigned long sig_mask(void *ctx)
{
    (void)ctx;
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, &old);
    return !sigismember(&old, SIGALRM);
}

static void sig_unmask(void *ctx, unsigned long was)
{
    (void)ctx;
    if (!was)
        return;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static uint64_t sig_now(void *ctx)
{
    (void)ctx;
    return 0;
}

static int sig_sleeps;

static uint64_t sig_sleep(void *ctx, uint64_t deadline)
{
    (void)ctx;
    assert_int_equal(deadline, CO_NEVER);
    // Masked, nothing queued, nothing left by the handler: every wake was taken.
    assert_false(co_exec_runnable(sig_ex));
    for (int i = 0; i < 2; i++)
        if (sig_seen[i] != sig_fired[i])
            fail_msg("lost wake: watcher %d saw %lu, the handler's last wake was %lu", i,
                     (unsigned long)sig_seen[i], (unsigned long)sig_fired[i]);
    sig_sleeps++;
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    sigdelset(&s, SIGALRM);
    sigsuspend(&s);  // returns after the handler ran
    return 0;
}

static void test_signal_handler_wakes(void **state)
{
    (void)state;
    static struct co_exec ex;
    static const struct co_ops ops = {sig_now, sig_sleep, sig_mask, sig_unmask, NULL, NULL};
    co_exec_init(&ex, &ops, 1000000, NULL, 0);
    sig_ex = &ex;
    sig_k = sig_fired[0] = sig_fired[1] = sig_seen[0] = sig_seen[1] = 0;
    sig_finished = sig_sleeps = 0;
    for (int i = 0; i < 2; i++)
        tco_init(&sig_watch[i], &ex, sig_watch_run, 10 + (unsigned)i, i);
    co_exec_bind(&ex, SIG_BIT, &sig_watch[1].co);
    for (int i = 0; i < 3; i++) {
        tco_init(&sig_busy[i], &ex, sig_busy_run, (unsigned)(i * 20), 10 + i);
        co_wake(&sig_busy[i].co);
    }
    struct sigaction sa = {.sa_handler = sig_on_alarm}, old_sa;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
    struct itimerval it = {.it_interval = {0, 50}, .it_value = {0, 50}}, off = {{0, 0}, {0, 0}};
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    co_exec_run(&ex);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    assert_int_equal(sig_k, SIG_N);
    assert_true(co_done(&sig_watch[0].co) && co_done(&sig_watch[1].co));
    // Signals landed while the busy ones ran and while the executor slept.
    assert_true(sig_sleeps > 0);
    assert_true(sig_watch[0].runs + sig_watch[1].runs <= SIG_N + 2);
    print_message("%d sleeps, watchers ran %d + %d times for %d wakes, busy done: %d %d %d\n",
                  sig_sleeps, sig_watch[0].runs, sig_watch[1].runs, SIG_N,
                  co_done(&sig_busy[0].co), co_done(&sig_busy[1].co), co_done(&sig_busy[2].co));
}
