// UNOTIFY delivery (docs/unotify.md): the word a receiver gets is the one seL4 returns
// for every vector; a bound thread blocked on an endpoint is woken by both paths; each
// thread that takes part keeps its own U-level CSRs and nobody else sees them; the
// handler runs without a kernel entry; bits sent while the receiver is off its hart
// wait for it.
#include "unotify_test.h"

// --- A bound thread blocked on an endpoint ---

#define EP_ROUNDS 6
static struct {
    volatile seL4_Word ready, got;  // rounds begun, rounds received
    volatile seL4_Word badge[EP_ROUNDS], when[EP_ROUNDS];
} epw;

static void recv_rounds(struct test_thread *t)
{
    for (seL4_Word i = 0; i < EP_ROUNDS; i++) {
        seL4_Word badge = 0;
        epw.ready = i + 1;
        seL4_Recv(t->arg[0], &badge);
        epw.when[i] = un_rdtime();
        epw.badge[i] = badge;
        epw.got = i + 1;
    }
}

// Yields until the waiter began round n, then a little more so that it is in its Recv.
static bool in_round(seL4_Word n)
{
    for (int i = 0; i < 100000 && epw.ready < n; i++)
        seL4_Yield();
    for (int i = 0; i < 20; i++)
        seL4_Yield();
    return epw.ready == n && epw.got == n - 1;
}

// seL4 wakes a bound thread blocked in Recv on an endpoint with the notification's
// badge. A kernel-path Signal does it at once. A uipi send only sets bits (the thread is
// not on a hart); the kernel's tick finds them: delivered, with the badge, within a
// tick or so (the best of five tries, against a loaded host).
static void bound_blocked_on_endpoint(struct env *env)
{
    static struct test_thread th;
    epw.ready = epw.got = 0;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &th, recv_rounds, 255, 0);
    th.arg[0] = ep;
    test_assert(env, un_receiver(env, th.tcb, nt) != UN_NONE);
    seL4_CPtr b7 = un_mint(env, nt, 1ul << 7), b9 = un_mint(env, nt, 1ul << 9);
    seL4_Word i9 = un_sender(env, b9, UN_SELF);
    thread_start(&th);

    test_assert(env, in_round(1));
    seL4_Signal(b7);
    for (int i = 0; i < 1000 && epw.got < 1; i++)
        seL4_Yield();
    test_assert(env, epw.got == 1);
    test_eq(env, epw.badge[0], 1ul << 7);

    seL4_Word best = ~0ul;
    for (seL4_Word n = 2; n <= EP_ROUNDS; n++) {
        test_assert(env, in_round(n));
        seL4_Word t0 = un_rdtime(), deadline = t0 + env->fdt.timebase_hz;  // 1 s: lost
        al4_uipi_send(i9);
        while (epw.got < n && un_rdtime() < deadline)
            seL4_Yield();
        test_assert(env, epw.got == n);
        test_eq(env, epw.badge[n - 1], 1ul << 9);
        if (epw.when[n - 1] - t0 < best)
            best = epw.when[n - 1] - t0;
    }
    if (best > un_ticks(env, 3))
        printf("# fastest tick wake: %lu time units, a tick is %lu\n", best, un_ticks(env, 1));
    test_check(env, best <= un_ticks(env, 3));
    test_check(env, thread_wait(&th, 1000));
}
DEFINE_TEST(UNOTIFY0016, "a bound thread in Recv on an endpoint wakes with the badge: Signal at once, uipi by the tick",
            bound_blocked_on_endpoint);

// --- Badges ---

// Each vector v is badge 1 << v, exactly, both ways round.
static void badge_per_vector(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    for (unsigned v = 0; v < 64; v++) {
        seL4_Word idx = un_sender(env, un_mint(env, nt, 1ul << v), UN_SELF);
        al4_uipi_send(idx);
        seL4_Word bits = al4_uipi_read();
        if (bits != 1ul << v)
            printf("# vector %u\n", v);
        test_eq(env, bits, 1ul << v);
    }
    seL4_Word w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0017, "for each of the 64 vectors a send gives exactly its badge 1 << v",
            badge_per_vector);

// Senders of two threads accumulate into one word, and seL4_Wait returns the same word
// as al4_uipi_read and as the kernel path does for the same caps.
static void badges_accumulate(struct env *env)
{
    static struct test_thread th;
    static struct un_remote r;
    static const unsigned vec[5] = {0, 17, 31, 32, 63};
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    un_remote_create(env, &th, &r);
    seL4_CPtr cap[5];
    seL4_Word idx[5], want = 0;
    for (int i = 0; i < 5; i++) {
        cap[i] = un_mint(env, nt, 1ul << vec[i]);
        idx[i] = un_sender(env, cap[i], i < 3 ? UN_SELF : th.tcb);  // three here, two there
        want |= 1ul << vec[i];
    }
    thread_start(&th);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5; i++) {
            if (round == 2)
                seL4_Signal(cap[i]);
            else if (i < 3)
                al4_uipi_send(idx[i]);
            else
                test_check(env, un_remote_send(&r, idx[i]));
        }
        seL4_Word w = 0;
        if (round == 0)
            w = al4_uipi_read();
        else
            seL4_Wait(nt, &w);
        test_eq(env, w, want);
    }
    seL4_Word w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(UNOTIFY0018, "sends of several senders OR into the word seL4_Wait returns, as the kernel path's",
            badges_accumulate);

// --- Per-thread CSR state ---

#define CSR_ROUNDS 500

static inline seL4_Word read_uscratch(void)
{
    seL4_Word v;
    asm volatile("csrr %0, 0x040" : "=r"(v));
    return v;
}
static inline seL4_Word read_utvec(void)
{
    seL4_Word v;
    asm volatile("csrr %0, 0x005" : "=r"(v));
    return v;
}

// arg[0], arg[1]: the uscratch and utvec this thread keeps; result[0]: rounds that saw
// anything else.
static void csr_keeper(struct test_thread *t)
{
    asm volatile("csrw 0x040, %0" : : "r"(t->arg[0]));
    asm volatile("csrw 0x005, %0" : : "r"(t->arg[1]));
    for (int i = 0; i < CSR_ROUNDS; i++) {
        seL4_Yield();
        if (read_uscratch() != t->arg[0] || read_utvec() != t->arg[1])
            t->result[0]++;
    }
}

// A thread that takes no part: result[0] counts rounds in which it saw a value.
static void csr_outsider(struct test_thread *t)
{
    for (int i = 0; i < CSR_ROUNDS; i++) {
        seL4_Yield();
        if (read_uscratch() || read_utvec())
            t->result[0]++;
    }
}

// Two receivers and an outsider take turns on one hart (the root task's: every thread's
// affinity is hart 0 unless set).
static void csr_per_thread(struct env *env)
{
    static struct test_thread a, b, c;
    thread_create(env, &a, csr_keeper, 255, 0);
    thread_create(env, &b, csr_keeper, 255, 0);
    thread_create(env, &c, csr_outsider, 255, 0);
    a.arg[0] = 0x5ca1ab1e0001;
    a.arg[1] = 0x80001000;
    b.arg[0] = 0x5ca1ab1e0002;
    b.arg[1] = 0x80002000;
    test_assert(env, un_receiver(env, a.tcb, alloc_object(env, seL4_NotificationObject, 0)) != UN_NONE);
    test_assert(env, un_receiver(env, b.tcb, alloc_object(env, seL4_NotificationObject, 0)) != UN_NONE);
    thread_start(&a);
    thread_start(&b);
    thread_start(&c);
    test_check(env, thread_wait(&a, 100000));
    test_check(env, thread_wait(&b, 100000));
    test_check(env, thread_wait(&c, 100000));
    test_eq(env, a.result[0], 0);
    test_eq(env, b.result[0], 0);
    test_eq(env, c.result[0], 0);
}
DEFINE_TEST(UNOTIFY0019, "each receiver keeps its uscratch and utvec across switches; a non-participant sees zeros",
            csr_per_thread);

// --- The handler ---

// The handler's record. While `armed`, the thread's own loop watches it: once the
// handler has run it reads its hart's kernel entry count (`entries`, what it was
// before that read) and wakes the root task through the kernel; past `deadline` with
// no handler call it wakes it anyway (entries ~0), so that a kernel that never delivers
// fails the test instead of hanging it.
static struct {
    volatile seL4_Word bits, calls, ready, stop;
    volatile seL4_Word armed, seen, deadline, entries, back;
} hs;

static void count_bits(seL4_Word bits, void *arg)
{
    (void)arg;
    hs.bits |= bits;
    hs.calls++;
}

static void handler_answer(void)
{
    if (hs.calls != hs.seen) {
        seL4_Word e1 = al4_kernel_counters().kernel_entries;
        seL4_Word e2 = al4_kernel_counters().kernel_entries;
        hs.entries = e1 - (e2 - e1);
    } else if (un_rdtime() > hs.deadline) {
        hs.entries = ~0ul;
    } else {
        return;
    }
    hs.armed = 0;
    seL4_Signal(hs.back);
}

// Installs the handler, then runs until stopped: yielding when arg[0] is set, else
// spinning with no kernel entry until it answers.
static void handler_thread(struct test_thread *t)
{
    static struct al4_unotify_handler h = {count_bits, NULL};
    al4_unotify_install(&h);
    hs.ready = 1;
    while (!hs.stop) {
        if (t->arg[0])
            seL4_Yield();
        if (hs.armed)
            handler_answer();
    }
}

static void handler_reset(void)
{
    hs.bits = hs.calls = hs.ready = hs.stop = hs.armed = 0;
}

static bool handler_ready(struct env *env)
{
    for (seL4_Word end = un_deadline(env, 2000); !hs.ready && un_rdtime() < end;)
        seL4_Yield();
    return hs.ready;
}

// Yields until the handler has seen all of `want`.
static bool handler_saw(struct env *env, seL4_Word want)
{
    for (seL4_Word end = un_deadline(env, 2000); (hs.bits & want) != want && un_rdtime() < end;)
        seL4_Yield();
    return (hs.bits & want) == want;
}

// A handler thread th, the receiver of a new notification (*nt if asked for) with the
// root task's three senders, vectors 0, 31 and 62.
static bool handler_receiver(struct env *env, struct test_thread *th, seL4_Word *idx, seL4_CPtr *ntp)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    if (ntp)
        *ntp = nt;
    handler_reset();
    thread_create(env, th, handler_thread, 255, 0);
    if (un_receiver(env, th->tcb, nt) == UN_NONE)
        return false;
    for (int i = 0; i < 3; i++)
        idx[i] = un_sender(env, un_mint(env, nt, 1ul << (i * 31)), UN_SELF);
    return true;
}

// On the root task's hart: the receiver runs between the root task's sends.
static void handler_same_hart(struct env *env)
{
    static struct test_thread th;
    seL4_Word idx[3];
    test_assert(env, handler_receiver(env, &th, idx, NULL));
    th.arg[0] = 1;
    thread_start(&th);
    test_assert(env, handler_ready(env));
    for (int i = 0; i < 3; i++) {
        seL4_Word calls = hs.calls;
        al4_uipi_send(idx[i]);
        test_check(env, handler_saw(env, 1ul << (i * 31)));
        test_eq(env, hs.calls, calls + 1);
    }
    test_eq(env, hs.bits, 1ul | 1ul << 31 | 1ul << 62);
    hs.stop = 1;
    test_check(env, thread_wait(&th, 100000));
    test_eq(env, seL4_TCB_UnbindNotification(th.tcb), seL4_NoError);
}

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// On hart 1, spinning: a send from here reaches its handler with hart 1's kernel entry
// count unchanged from before the send to after the handler. The root task waits for
// the answer asleep in the kernel, so that its hart idles and does not hold the host
// CPU that hart 1 needs to run at all (two spinning harts on one loaded host core take
// turns of milliseconds, and hart 1 then often comes back to an overdue tick). The
// best of fifty tries.
static void handler_other_hart(struct env *env)
{
    static struct test_thread th;
    seL4_Word idx[3];
    test_assert(env, handler_receiver(env, &th, idx, NULL));
    seL4_CPtr back = alloc_object(env, seL4_NotificationObject, 0);
    hs.back = back;
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 1), seL4_NoError);
    thread_start(&th);
    test_assert(env, handler_ready(env));
    bool clean = false;
    seL4_Word entries = 0;
    for (int i = 0; i < 50 && !clean; i++) {
        seL4_Word want = 1ul << (i % 3 * 31);
        hs.bits = 0;
        hs.seen = hs.calls;
        seL4_Word base0 = al4_kernel_counters_of(1).kernel_entries;
        seL4_Word base1 = al4_kernel_counters_of(1).kernel_entries;
        hs.deadline = un_deadline(env, 1000);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        hs.armed = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        al4_uipi_send(idx[i % 3]);
        seL4_Wait(back, NULL);
        test_eq(env, hs.calls, hs.seen + 1);
        test_eq(env, hs.bits, want);
        entries = hs.entries - base1 - (base1 - base0);
        clean = entries == 0;
    }
    if (!clean)
        printf("# last try: %ld kernel entries on hart 1\n", (long)entries);
    test_check(env, clean);
    hs.stop = 1;
    test_check(env, thread_wait(&th, 100000));
    test_eq(env, seL4_TCB_UnbindNotification(th.tcb), seL4_NoError);
}
#endif

static void handler_runs(struct env *env)
{
    handler_same_hart(env);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    if (env->bi->numNodes >= 2)
        handler_other_hart(env);
#endif
}
DEFINE_TEST(UNOTIFY0020, "the installed handler gets another thread's sends, on another hart with no kernel entry",
            handler_runs);

// --- Signals while the receiver is off its hart ---

// The hart a receiver runs on in these tests: the last one, so that in the SMP build its
// entry moves between harts and the sends come from elsewhere.
static void away_from_root(struct env *env, struct test_thread *th)
{
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    if (env->bi->numNodes >= 2)
        test_eq(env, seL4_TCB_SetAffinity(th->tcb, env->bi->numNodes - 1), seL4_NoError);
#else
    (void)env;
    (void)th;
#endif
}

static volatile seL4_Word waiter_ready;

// Blocks on another notification (arg[0]), then reads its entry: result[0]; and the
// word left for seL4_Poll on its own notification (arg[1]): result[1].
static void wait_elsewhere_then_read(struct test_thread *t)
{
    waiter_ready = 1;
    seL4_Wait(t->arg[0], NULL);
    t->result[0] = al4_uipi_read();
    seL4_Poll(t->arg[1], &t->result[1]);
}

// uipi sends and a kernel-path Signal to a receiver blocked on something else gather
// in its entry (the tick leaves them: it wakes only threads that wait for this
// notification); they are all there when it runs again.
static void blocked_elsewhere(struct env *env)
{
    static struct test_thread th;
    waiter_ready = 0;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr other = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &th, wait_elsewhere_then_read, 255, 0);
    th.arg[0] = other;
    th.arg[1] = nt;
    away_from_root(env, &th);
    test_assert(env, un_receiver(env, th.tcb, nt) != UN_NONE);
    seL4_Word idx[3], want = 1ul << 20;
    for (int i = 0; i < 3; i++) {
        seL4_Word v = 3 + i * 30;  // 3, 33, 63
        idx[i] = un_sender(env, un_mint(env, nt, 1ul << v), UN_SELF);
        want |= 1ul << v;
    }
    seL4_CPtr k = un_mint(env, nt, 1ul << 20);
    thread_start(&th);
    for (seL4_Word end = un_deadline(env, 2000); !waiter_ready && un_rdtime() < end;)
        seL4_Yield();
    un_yield_ticks(env, 1);  // into its Wait
    for (int i = 0; i < 3; i++) {
        al4_uipi_send(idx[i]);
        un_yield_ticks(env, 1);
    }
    seL4_Signal(k);
    un_yield_ticks(env, 3);
    test_check(env, !th.done);
    seL4_Signal(other);
    test_assert(env, thread_wait(&th, 100000));
    test_eq(env, th.result[0], want);
    test_eq(env, th.result[1], 0);
}
DEFINE_TEST(UNOTIFY0021, "signals to a receiver blocked on another object gather and are read when it runs",
            blocked_elsewhere);

// The handler's thread is suspended: what is sent meanwhile (uipi and kernel path)
// reaches its handler when it is resumed, in one call or several, and not before.
static void suspended_receiver(struct env *env)
{
    static struct test_thread th;
    seL4_Word idx[3];
    seL4_CPtr nt;
    test_assert(env, handler_receiver(env, &th, idx, &nt));
    seL4_CPtr k = un_mint(env, nt, 1ul << 40);
    th.arg[0] = 1;  // yields: on the root task's hart it must let the root task run
    away_from_root(env, &th);
    thread_start(&th);
    test_assert(env, handler_ready(env));
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    for (int i = 0; i < 3; i++)
        al4_uipi_send(idx[i]);
    seL4_Signal(k);
    un_yield_ticks(env, 3);
    test_eq(env, hs.calls, 0);
    test_eq(env, seL4_TCB_Resume(th.tcb), seL4_NoError);
    seL4_Word want = 1ul | 1ul << 31 | 1ul << 62 | 1ul << 40;
    test_check(env, handler_saw(env, want));
    test_eq(env, hs.bits, want);
    test_check(env, hs.calls >= 1 && hs.calls <= 4);
    hs.stop = 1;
    test_check(env, thread_wait(&th, 100000));
}
DEFINE_TEST(UNOTIFY0022, "sends to a suspended receiver reach its handler when it is resumed",
            suspended_receiver);

// --- A running receiver looks at its endpoint without sleeping ---

static void call_once(struct test_thread *t)
{
    seL4_SetMR(0, 41);
    seL4_MessageInfo_t info = seL4_Call(t->arg[0], seL4_MessageInfo_new(3, 0, 0, 1));
    t->result[0] = seL4_MessageInfo_get_label(info);
    t->result[1] = seL4_GetMR(0);
}

// al4_unotify_poll_ep's kernel path (the network server's busy window, docs/sockets.md):
// seL4_NBRecv on an endpoint by a registered receiver that runs, its notification
// bound. Nothing queued and nothing pending: badge 0. A uipi bit pending in its entry:
// the kernel takes it (take_signal) and returns it as the badge, exactly once, the
// entry then empty. A queued call and a pending bit: the bit first, the call at the
// next look, with its badge, message and a reply cap that SaveCaller keeps and that
// answers the caller.
static void running_receiver_nbrecv(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr badged = un_mint(env, ep, 0x60);
    seL4_Word idx = un_sender(env, un_mint(env, nt, 1ul << 12), UN_SELF);
    seL4_Word badge = 7;
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 0);

    al4_uipi_send(idx);
    badge = 0;
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 1ul << 12);
    test_eq(env, al4_uipi_read(), 0);  // taken by the kernel: not again

    thread_create(env, &th, call_once, 255, 0);
    th.arg[0] = badged;
    thread_start(&th);
    for (int i = 0; i < 20; i++)
        seL4_Yield();  // it runs (our priority) and blocks in its Call
    al4_uipi_send(idx);
    badge = 0;
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 1ul << 12);  // the signal first
    badge = 0;
    seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 0x60);
    test_eq(env, seL4_MessageInfo_get_label(info), 3);
    test_eq(env, seL4_GetMR(0), 41);
    seL4_CPtr slot = alloc_slot(env);
    test_eq(env, seL4_CNode_SaveCaller(seL4_CapInitThreadCNode, slot, seL4_WordBits),
            seL4_NoError);
    seL4_SetMR(0, 42);
    seL4_NBSend(slot, seL4_MessageInfo_new(4, 0, 0, 1));
    test_check(env, thread_wait(&th, 1000));
    test_eq(env, th.result[0], 4);
    test_eq(env, th.result[1], 42);
    badge = 7;
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 0);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0054, "a running receiver's NBRecv on its endpoint: a pending uipi bit is taken once, before a queued call, which it then gets with a usable reply cap",
            running_receiver_nbrecv);
