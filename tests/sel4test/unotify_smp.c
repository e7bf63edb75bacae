// UNOTIFY across harts (docs/unotify.md): a running receiver on another hart gets a
// signal with no kernel entry on either hart, a receiver moved with SetAffinity keeps
// getting every signal on its new hart, and the sleep/wake protocol loses nothing
// under a long stress (on 1 hart too: there sender and receiver share the hart).
// Tests that need a second hart exist in the SMP build only, as MULTICORE's do.
#include "unotify_test.h"

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// What a receiver thread saw: bits ORed in, and how many times it saw any.
static struct {
    volatile seL4_Word bits, count, ready, stop, hart;
    volatile seL4_Word by_hart[4];
} seen;

static void note(seL4_Word bits)
{
    __atomic_fetch_or(&seen.bits, bits, __ATOMIC_RELAXED);
    __atomic_fetch_add(&seen.count, __builtin_popcountl(bits), __ATOMIC_RELEASE);
}

static void spin_reader(struct test_thread *t)
{
    (void)t;
    seen.hart = al4_kernel_counters().hart;
    seen.ready = 1;
    while (!seen.stop) {
        seL4_Word bits = al4_uipi_read();
        if (bits)
            note(bits);
    }
}

static void handler_fn(seL4_Word bits, void *arg)
{
    (void)arg;
    note(bits);
}

static void spin_with_handler(struct test_thread *t)
{
    static struct al4_unotify_handler h = {handler_fn, NULL};
    (void)t;
    seen.hart = al4_kernel_counters().hart;
    al4_unotify_install(&h);
    seen.ready = 1;
    while (!seen.stop)
        ;
}

// Kernel entries of harts 0 and 1, read from hart 0 (the read enters hart 0 only).
struct entries {
    seL4_Word h0, h1;
};
static struct entries entries_now(void)
{
    struct entries e;
    e.h0 = al4_kernel_counters_of(0).kernel_entries;
    e.h1 = al4_kernel_counters_of(1).kernel_entries;
    return e;
}

// rx made to run fn on hart 1, bound to nt and registered as its receiver; not started
// (the caller registers its senders first).
static void receiver_on_hart1(struct env *env, struct test_thread *rx,
                              void (*fn)(struct test_thread *), seL4_Word prio, seL4_CPtr nt)
{
    thread_create(env, rx, fn, prio, 0);
    test_eq(env, seL4_TCB_SetAffinity(rx->tcb, 1), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(rx->tcb, nt), seL4_NoError);
    seL4_Word rxi;
    test_assert(env, al4_unotify_register_receiver(nt, rx->tcb, &rxi) == seL4_NoError);
}

// Spins until *flag is set, a second at most.
static void await_flag(struct env *env, volatile seL4_Word *flag)
{
    uint64_t deadline = un_deadline(env, 1000);
    while (!*flag && un_rdtime() < deadline)
        ;
    test_assert(env, *flag);
}

// The root task (hart 0) sends to a receiver running on hart 1, which reads the bit
// (spin reader) or takes it in its handler. Two counter reads back to back show what
// reading costs; sending and receiving between them must add nothing on either hart.
// A tick may fall in between, and on a loaded host QEMU may leave hart 1's thread
// unscheduled for several ticks: up to 200 tries or 20 s. A send that cost a kernel
// entry would fail every one of them.
static void cross_hart_running(struct env *env, void (*receiver)(struct test_thread *))
{
    static struct test_thread rx;
    if (!need_harts(env, 2))
        return;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr b = un_mint_rights(env, nt, seL4_AllRights, 1ul << 9);
    seen = (typeof(seen)){0};
    receiver_on_hart1(env, &rx, receiver, 255, nt);
    seL4_Word tx;
    test_assert(env, al4_unotify_register_sender(b, seL4_CapInitThreadTCB, &tx) == seL4_NoError);
    thread_start(&rx);
    await_flag(env, &seen.ready);
    test_eq(env, seen.hart, 1);

    bool clean = false;
    int tries = 0;
    uint64_t give_up = un_deadline(env, 20000);
    for (; tries < 200 && !clean && un_rdtime() < give_up; tries++) {
        seL4_Word before = seen.count;
        struct entries e0 = entries_now(), e1 = entries_now();
        al4_uipi_send(tx);
        uint64_t deadline = un_deadline(env, 1000);
        while (__atomic_load_n(&seen.count, __ATOMIC_ACQUIRE) == before && un_rdtime() < deadline)
            ;
        struct entries e2 = entries_now();
        test_eq(env, seen.count, before + 1);
        if (seen.count != before + 1)
            break;
        clean = e2.h0 - e1.h0 == e1.h0 - e0.h0 && e2.h1 - e1.h1 == e1.h1 - e0.h1;
    }
    printf("# %d tries until one without a kernel entry\n", tries);
    test_check(env, clean);
    test_eq(env, seen.bits, 1ul << 9);
    seen.stop = 1;
    test_check(env, thread_wait(&rx, 100000));
    // Nothing reached the notification's kernel word: every bit went to the thread.
    seL4_Word w = 1;
    test_eq(env, seL4_TCB_UnbindNotification(rx.tcb), seL4_NoError);
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
}

static void cross_hart_reader(struct env *env)
{
    cross_hart_running(env, spin_reader);
}
DEFINE_TEST(UNOTIFY0030, "uipi send to a receiver reading on another hart: no kernel entry on either",
            cross_hart_reader);

static void cross_hart_handler(struct env *env)
{
    cross_hart_running(env, spin_with_handler);
}
DEFINE_TEST(UNOTIFY0031, "uipi send interrupts a receiver's handler on another hart, no kernel entry",
            cross_hart_handler);

// Migration: the handler counts the signals it took per hart (asking the kernel where
// it runs, a system call from inside the handler).
static void migrating_handler(seL4_Word bits, void *arg)
{
    (void)arg;
    seL4_Word hart = al4_kernel_counters().hart;
    seen.by_hart[hart & 3] += __builtin_popcountl(bits);
    note(bits);
}

static void migrating(struct test_thread *t)
{
    static struct al4_unotify_handler h = {migrating_handler, NULL};
    (void)t;
    al4_unotify_install(&h);
    seen.ready = 1;
    while (!seen.stop)
        ;
}

#define MIGRATE_SENDERS 8
#define MIGRATE_ROUNDS 40

// Eight caps with one bit each: a round sends each once and waits until the handler
// counted all eight, so no two sends of a round can merge into one bit. The first
// round after SetAffinity is sent before the move, so its signals are in flight while
// the thread leaves its hart; the later rounds must be taken on the new hart.
static void migration(struct env *env)
{
    static struct test_thread rx;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seen = (typeof(seen)){0};
    receiver_on_hart1(env, &rx, migrating, 255, nt);
    seL4_Word tx[MIGRATE_SENDERS];
    for (int i = 0; i < MIGRATE_SENDERS; i++) {
        seL4_CPtr b = un_mint_rights(env, nt, seL4_AllRights, 1ul << (i * 7));
        test_assert(env, al4_unotify_register_sender(b, seL4_CapInitThreadTCB, &tx[i]) == seL4_NoError);
    }
    thread_start(&rx);
    await_flag(env, &seen.ready);

    static const seL4_Word route[] = {1, 2, 1, 2, 1};
    seL4_Word sent = 0;
    for (unsigned p = 0; p < sizeof(route) / sizeof(route[0]); p++) {
        seL4_Word on_hart = seen.by_hart[route[p]];
        for (int r = 0; r < MIGRATE_ROUNDS; r++) {
            for (int i = 0; i < MIGRATE_SENDERS; i++)
                al4_uipi_send(tx[i]);
            sent += MIGRATE_SENDERS;
            if (r == 0 && p > 0)
                test_eq(env, seL4_TCB_SetAffinity(rx.tcb, route[p]), seL4_NoError);
            uint64_t deadline = un_deadline(env, 2000);
            while (__atomic_load_n(&seen.count, __ATOMIC_ACQUIRE) < sent && un_rdtime() < deadline)
                ;
            test_eq(env, seen.count, sent);
            if (seen.count != sent)
                goto out;
        }
        // Every round after the first ran on the new hart.
        test_check(env, seen.by_hart[route[p]] - on_hart >= (MIGRATE_ROUNDS - 1) * MIGRATE_SENDERS);
    }
out:
    printf("# %lu signals; taken on harts 0-3: %lu %lu %lu %lu\n", (unsigned long)sent,
           (unsigned long)seen.by_hart[0], (unsigned long)seen.by_hart[1],
           (unsigned long)seen.by_hart[2], (unsigned long)seen.by_hart[3]);
    test_eq(env, seen.by_hart[0] + seen.by_hart[3], 0);
    seen.stop = 1;
    test_check(env, thread_wait(&rx, 100000));
    test_eq(env, seen.count, sent);  // none late, none twice
}
DEFINE_TEST(UNOTIFY0032, "a receiver moved between harts by SetAffinity takes every signal there",
            migration);
// A receiver that ran on hart 1 waits in the kernel and is moved to hart 2; a thread
// of hart 2 below it signals its notification, which is a case of the notification
// fastpath's Signal (a higher-priority waiter of the signaller's hart). The receiver's
// entry still names hart 1: the fastpath only ACTIVATEs an entry, so the move must
// leave the first switch to the thread to the slow path, which aims the entry at
// hart 2 (docs/unotify.md, "Thread state"). Then sends must interrupt it there. The
// invariant checker looks after each move (INV_UNOTIFY: a thread whose VSpace cache
// holds has its entry aimed at its hart).
static struct {
    volatile seL4_Word waiting, woken, badge, hart, stop;
} moved;

static void moved_waiter(struct test_thread *t)
{
    static struct al4_unotify_handler h = {migrating_handler, NULL};
    al4_unotify_install(&h);
    seL4_Word badge = 0;
    moved.waiting = 1;
    seL4_Wait((seL4_CPtr)t->arg[0], &badge);
    moved.badge = badge;
    moved.hart = al4_kernel_counters().hart;
    moved.woken = 1;
    while (!moved.stop)
        ;
}

static void moved_signaller(struct test_thread *t)
{
    seL4_Signal((seL4_CPtr)t->arg[0]);
}

static void moved_then_signalled(struct env *env)
{
    static struct test_thread rx, tx;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr kb = un_mint(env, nt, 1ul << 3), ub = un_mint(env, nt, 1ul << 9);
    seen = (typeof(seen)){0};
    moved = (typeof(moved)){0};
    receiver_on_hart1(env, &rx, moved_waiter, 200, nt);
    rx.arg[0] = nt;
    seL4_Word tx_index;
    test_assert(env, al4_unotify_register_sender(ub, seL4_CapInitThreadTCB, &tx_index) == seL4_NoError);
    thread_start(&rx);
    await_flag(env, &moved.waiting);
    un_yield_ticks(env, 5);  // into its Wait, blocked in the kernel on hart 1
    test_eq(env, moved.woken, 0);
    test_eq(env, al4_check_invariants().violation, 0);
    test_eq(env, seL4_TCB_SetAffinity(rx.tcb, 2), seL4_NoError);
    test_eq(env, al4_check_invariants().violation, 0);

    thread_create(env, &tx, moved_signaller, 100, 0);
    tx.arg[0] = kb;
    test_eq(env, seL4_TCB_SetAffinity(tx.tcb, 2), seL4_NoError);
    thread_start(&tx);
    await_flag(env, &moved.woken);
    test_eq(env, moved.badge, 1ul << 3);
    test_eq(env, moved.hart, 2);
    test_eq(env, al4_check_invariants().violation, 0);

    // Its entry is aimed at hart 2: each send interrupts it there.
    for (seL4_Word i = 1; i <= 20; i++) {
        al4_uipi_send(tx_index);
        uint64_t deadline = un_deadline(env, 1000);
        while (__atomic_load_n(&seen.count, __ATOMIC_ACQUIRE) < i && un_rdtime() < deadline)
            ;
        test_eq(env, seen.count, i);
        if (seen.count != i)
            break;
    }
    test_eq(env, seen.by_hart[2], seen.count);
    moved.stop = 1;
    test_check(env, thread_wait(&rx, 100000));
    test_check(env, thread_wait(&tx, 100000));  // below the receiver on its hart
}
DEFINE_TEST(UNOTIFY0090, "a waiting receiver moved to another hart and woken there by a Signal "
            "of that hart takes its user interrupts there",
            moved_then_signalled);
#endif
