// FASTPATH: the notification fastpath (kernel/fastpath_signal.c, docs/unotify.md). A
// Signal to a higher-priority waiter of this hart and a Wait that blocks switch
// directly; each scenario runs with the fastpath on and off and must give the same
// registers, badges, words and order of running threads, the counters showing which
// path was taken.
#include "unotify_test.h"
#include <string.h>

#define LOW  100  // the root task's priority during these tests
#define HIGH 150
#define BADGE 0x100ul  // the kernel-path signaller's badge
#define VEC 4          // the uipi sender's vector: its badge is 1 << VEC
#define ROUNDS 4

void regs_syscall(const seL4_Word in[32], seL4_Word out[32]);

// Everything a scenario saw, compared between the two paths.
struct seen {
    seL4_Word badge[ROUNDS];  // what the waiter's Wait returned, per round
    // Per round each register that the Wait or the Signal changed (0: unchanged).
    seL4_Word wait_regs[ROUNDS][32], signal_regs[ROUNDS][32];
    char order[4 * ROUNDS + 4];       // who ran: R before a Signal, W the waiter, r after
    unsigned n;
};

static struct seen *cur_seen;

static void mark(char c)
{
    cur_seen->order[cur_seen->n++] = c;
}

// Registers for a system call from register patterns: a0 = cptr, a7 = the number
// (regs_syscall keeps sp, x2, so in[2] is never compared).
static void pattern(seL4_Word in[32], seL4_Word seed, seL4_Word cptr, long nr)
{
    for (int i = 0; i < 32; i++)
        in[i] = 0x5167000000000000ul | seed << 8 | (seL4_Word)i;
    asm("mv %0, gp" : "=r"(in[3]));
    asm("mv %0, tp" : "=r"(in[4]));
    in[10] = cptr;
    in[11] = 0;  // message info: no words, no caps
    in[17] = (seL4_Word)nr;
}

// Waits on arg[0] in a loop, every register set; logs the badge and its registers.
static void waiter(struct test_thread *t)
{
    for (seL4_Word r = 0;; r++) {
        seL4_Word in[32], out[32];
        pattern(in, 0x100 + r, t->arg[0], seL4_SysRecv);
        regs_syscall(in, out);
        // Wait r returns round r's signal (the first one blocks before round 0).
        if (r < ROUNDS) {
            cur_seen->badge[r] = out[10];
            for (int i = 0; i < 32; i++)
                cur_seen->wait_regs[r][i] = out[i] == in[i] || i == 2 ? 0 : out[i];
        }
        mark('W');
    }
}

// A thread at the root task's priority, ready behind it: it must not run before the
// root task after a round (the signaller keeps its place at the head of its queue).
static void peer(struct test_thread *t)
{
    mark('C');
    seL4_Wait(t->arg[0], NULL);
}

// One run: the root task at LOW signals a waiter at HIGH, registered receiver of its
// bound notification, ROUNDS times, every other time with a uipi send pending in the
// waiter's entry. Returns the fastpath counters' increase.
static al4_ntfn_counters_t signal_rounds(struct env *env, struct seen *s)
{
    static struct test_thread w, c;
    memset(s, 0, sizeof(*s));
    cur_seen = s;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr never = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr sig = un_mint(env, nt, BADGE);
    thread_create(env, &w, waiter, HIGH, 0);
    w.arg[0] = nt;
    un_receiver(env, w.tcb, nt);
    seL4_Word idx = un_sender(env, un_mint(env, nt, 1ul << VEC), UN_SELF);
    thread_create(env, &c, peer, LOW, 0);
    c.arg[0] = never;
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, LOW), seL4_NoError);
    thread_start(&w);  // runs at once and waits (round 0, not logged)
    thread_start(&c);  // ready behind the root task
    al4_ntfn_counters_t before = al4_ntfn_counters();
    for (seL4_Word r = 0; r < ROUNDS; r++) {
        if (r & 1)
            al4_uipi_send(idx);
        seL4_Word in[32], out[32];
        pattern(in, r, sig, seL4_SysSend);
        mark('R');
        regs_syscall(in, out);
        mark('r');
        for (int i = 0; i < 32; i++)
            s->signal_regs[r][i] = out[i] == in[i] || i == 2 ? 0 : out[i];
    }
    al4_ntfn_counters_t after = al4_ntfn_counters();
    // A tick between the last round's mark and that read lets the peer run early, and
    // its Wait block by the fastpath, with the order as expected: marked, so that the run
    // is repeated as for any other early peer (FASTPATH0003 once counted 5 Waits for 4).
    if (s->n != 3 * ROUNDS)
        mark('!');
    seL4_Yield();  // the peer's turn
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, 255), seL4_NoError);
    test_eq(env, al4_check_invariants().violation, 0);
    seL4_TCB_Suspend(w.tcb);
    seL4_TCB_Suspend(c.tcb);
    return (al4_ntfn_counters_t){.fastpath_signal = after.fastpath_signal - before.fastpath_signal,
                                 .fastpath_wait = after.fastpath_wait - before.fastpath_wait,
                                 .hart = after.hart,
                                 .fastpath_busy = after.fastpath_busy - before.fastpath_busy};
}

static void signal_matches_slowpath(struct env *env)
{
    static struct seen fast, slow;
    static const char order[] = "RWrRWrRWrRWrC";
    // A tick that ends the root task's time slice inside a round lets the peer run
    // early, on either path: a run is repeated once for that, never for a wrong order
    // that comes back.
    al4_ntfn_counters_t f = signal_rounds(env, &fast);
    if (strcmp(fast.order, order))
        f = signal_rounds(env, &fast);
    seL4_Word was = al4_set_fastpath(0);
    al4_ntfn_counters_t s = signal_rounds(env, &slow);
    if (strcmp(slow.order, order))
        s = signal_rounds(env, &slow);
    al4_set_fastpath(was);
    if (was) {
        // On SMP a fastpath that found the kernel lock taken (another hart in the
        // kernel) went the slow path's way in, and is counted as such.
        test_check(env, f.fastpath_signal <= ROUNDS && f.fastpath_wait <= ROUNDS);
        test_eq(env, f.fastpath_signal + f.fastpath_wait + f.fastpath_busy, 2 * ROUNDS);
    }
    test_eq(env, s.fastpath_signal, 0);
    test_eq(env, s.fastpath_wait, 0);
    test_check(env, !strcmp(fast.order, order));
    test_check(env, !strcmp(slow.order, order));
    if (strcmp(fast.order, order) || strcmp(slow.order, order))
        printf("# order: fast %s slow %s\n", fast.order, slow.order);
    for (int r = 0; r < ROUNDS; r++) {
        test_eq(env, fast.badge[r], BADGE | (r & 1 ? 1ul << VEC : 0));
        test_eq(env, slow.badge[r], fast.badge[r]);
        for (int i = 0; i < 32; i++) {
            if (fast.wait_regs[r][i] != slow.wait_regs[r][i] ||
                fast.signal_regs[r][i] != slow.signal_regs[r][i]) {
                printf("# round %d x%d: wait fast 0x%lx slow 0x%lx, signal fast 0x%lx slow 0x%lx\n",
                       r, i, fast.wait_regs[r][i], slow.wait_regs[r][i], fast.signal_regs[r][i],
                       slow.signal_regs[r][i]);
                test_check(env, false);
            }
        }
        // The Signal changes no register; the Wait only a0 (the badge).
        for (int i = 0; i < 32; i++)
            test_eq(env, fast.signal_regs[r][i], 0);
        for (int i = 0; i < 32; i++)
            if (i != 10)
                test_eq(env, fast.wait_regs[r][i], 0);
    }
}
DEFINE_TEST(FASTPATH0003, "a Signal to a higher-priority waiter and its next Wait switch by the "
            "fastpath: registers, badge with the entry's bits, order as the slow path",
            signal_matches_slowpath);

// Waits on arg[0] in a loop: logs each badge in result[1..] and tells the root task
// on arg[1].
static void logging_waiter(struct test_thread *t)
{
    for (;;) {
        seL4_Word badge;
        seL4_Wait(t->arg[0], &badge);
        t->result[++t->result[0]] = badge;
        seL4_Signal(t->arg[1]);
    }
}

struct outcome {
    seL4_Word badge;        // what the waiter's Wait returned
    bool ticked;            // a tick woke the waiter before the Signal (see below)
    bool ran_early;         // the waiter ran before the root task blocked
    seL4_Word fast_signal;  // fastpath Signals counted for the root task's Signal
};

// The root task at LOW signals a waiter at `prio`, its bound notification's registered
// receiver, waiting in the kernel with a uipi send pending in its entry; then blocks
// until the waiter has logged the badge.
static struct outcome signal_not_higher(struct env *env, seL4_Word prio)
{
    static struct test_thread w;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr done = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr sig = un_mint(env, nt, BADGE);
    thread_create(env, &w, logging_waiter, HIGH, 0);
    w.arg[0] = nt;
    w.arg[1] = done;
    un_receiver(env, w.tcb, nt);
    seL4_Word idx = un_sender(env, un_mint(env, nt, 1ul << VEC), UN_SELF);
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, LOW), seL4_NoError);
    thread_start(&w);  // above the root task: it runs to its Wait at once
    test_eq(env, seL4_TCB_SetPriority(w.tcb, UN_SELF, prio), seL4_NoError);
    al4_uipi_send(idx);
    al4_ntfn_counters_t before = al4_ntfn_counters();
    seL4_Signal(sig);
    al4_ntfn_counters_t after = al4_ntfn_counters();
    struct outcome o = {.ran_early = w.result[0] != 0,
                        .fast_signal = after.fastpath_signal - before.fastpath_signal};
    seL4_Wait(done, NULL);
    o.badge = w.result[1];
    o.ticked = o.badge == 1ul << VEC;
    if (o.ticked)
        seL4_Wait(done, NULL);  // the Signal's badge comes to the waiter's next Wait
    else
        test_eq(env, w.result[0], 1);
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, 255), seL4_NoError);
    test_eq(env, al4_check_invariants().violation, 0);
    seL4_TCB_Suspend(w.tcb);
    return o;
}

// A tick between the uipi send and the Signal wakes the waiter with the entry's bits
// alone (the tick checks sleeping receivers' entries), and the Signal's badge then
// waits for its next Wait: a run the test cannot judge, so it is run again.
static struct outcome signal_not_higher_untimed(struct env *env, seL4_Word prio)
{
    struct outcome o;
    for (int tries = 0; tries < 5; tries++) {
        o = signal_not_higher(env, prio);
        if (!o.ticked)
            break;
        printf("# a tick woke the waiter before the Signal: again\n");
    }
    return o;
}

static void signal_not_higher_is_slow(struct env *env)
{
    static const seL4_Word prios[] = {LOW, LOW - 10};
    for (unsigned i = 0; i < sizeof(prios) / sizeof(prios[0]); i++) {
        struct outcome f = signal_not_higher_untimed(env, prios[i]);
        seL4_Word was = al4_set_fastpath(0);
        struct outcome s = signal_not_higher_untimed(env, prios[i]);
        al4_set_fastpath(was);
        test_eq(env, f.fast_signal, 0);
        test_eq(env, s.fast_signal, 0);
        test_check(env, !f.ran_early && !s.ran_early);
        test_eq(env, f.badge, BADGE | 1ul << VEC);
        test_eq(env, s.badge, f.badge);
    }
}
DEFINE_TEST(FASTPATH0004, "a Signal to an equal- or lower-priority waiter takes the slow path: "
            "the waiter runs when the sender blocks, with the badge and the entry's bits",
            signal_not_higher_is_slow);

// What a Wait that finds something returns, for each way a signal can be pending: the
// word active with a badge or with 0, bits in the caller's own UINTC entry, both.
static void wait_not_blocking(struct env *env, seL4_Word out[4], seL4_Word *fast_waits)
{
    seL4_CPtr nt = un_self_receiver(env);
    seL4_Word idx = un_sender(env, un_mint(env, nt, 1ul << VEC), UN_SELF);
    seL4_CPtr sig = un_mint(env, nt, BADGE);
    al4_ntfn_counters_t before = al4_ntfn_counters();
    seL4_Signal(sig);  // the running receiver: into its entry
    seL4_Wait(nt, &out[0]);
    al4_uipi_send(idx);
    seL4_Wait(nt, &out[1]);
    seL4_Signal(nt);  // badge 0: the word becomes active with 0
    seL4_Wait(nt, &out[2]);
    seL4_Signal(nt);
    al4_uipi_send(idx);
    seL4_Signal(sig);
    seL4_Wait(nt, &out[3]);
    *fast_waits = al4_ntfn_counters().fastpath_wait - before.fastpath_wait;
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}

static void wait_not_blocking_matches(struct env *env)
{
    seL4_Word fast[4], slow[4], fast_waits, slow_waits;
    wait_not_blocking(env, fast, &fast_waits);
    seL4_Word was = al4_set_fastpath(0);
    wait_not_blocking(env, slow, &slow_waits);
    al4_set_fastpath(was);
    static const seL4_Word expect[4] = {BADGE, 1ul << VEC, 0, BADGE | 1ul << VEC};
    for (int i = 0; i < 4; i++) {
        test_eq(env, fast[i], expect[i]);
        test_eq(env, slow[i], fast[i]);
    }
    test_eq(env, fast_waits, 0);
    test_eq(env, slow_waits, 0);
}
DEFINE_TEST(FASTPATH0005, "a Wait that finds the word active or bits in its entry returns them "
            "as the slow path and switches nowhere", wait_not_blocking_matches);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// A waiter above the root task but bound to another hart: the Signal wakes it there.
static void signal_other_hart(struct env *env)
{
    static struct test_thread w;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr done = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &w, logging_waiter, HIGH, 0);
    w.arg[0] = nt;
    w.arg[1] = done;
    un_receiver(env, w.tcb, nt);
    test_eq(env, seL4_TCB_SetAffinity(w.tcb, 1), seL4_NoError);
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, LOW), seL4_NoError);
    thread_start(&w);
    // Time for it to reach its Wait on hart 1 (were it late, its Wait would find the
    // word instead: the same badge, no fastpath either).
    un_yield_ticks(env, 5);
    seL4_Word end = un_deadline(env, 5000);
    al4_ntfn_counters_t before = al4_ntfn_counters();
    seL4_Signal(un_mint(env, nt, BADGE));
    al4_ntfn_counters_t after = al4_ntfn_counters();
    while (un_rdtime() < end && w.result[0] == 0)
        seL4_Yield();
    test_eq(env, w.result[0], 1);
    test_eq(env, w.result[1], BADGE);
    test_eq(env, after.fastpath_signal, before.fastpath_signal);
    test_eq(env, seL4_TCB_SetPriority(UN_SELF, UN_SELF, 255), seL4_NoError);
    seL4_TCB_Suspend(w.tcb);
}
DEFINE_TEST(FASTPATH0006, "a Signal to a higher-priority waiter on another hart takes the slow "
            "path and wakes it there", signal_other_hart);
#endif
