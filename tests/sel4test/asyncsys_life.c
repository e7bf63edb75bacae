// ASYNCSYS: rings that a process fills wrongly or that go away while requests are in
// them (docs/asyncsys.md, "What the kernel checks"). The process side is written
// raw here, as a process that does not use libuser's client would write it.
#include "asyncsys_test.h"
#include <al4/debug.h>
#include <string.h>

#define BADGE 0x8

// A frame at va for tcb, completions to a notification signalled with BADGE (its
// unbadged cap in *ntfn, for Poll); the user line left zero: no reply dispatcher
// running, so every batch of replies signals.
static struct al4_asyncsys_shared *raw_setup(struct env *env, seL4_CPtr tcb, seL4_Word va,
                                             seL4_CPtr frame, seL4_CPtr *ntfn)
{
    *ntfn = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr badged = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, badged, DEPTH, ROOT, *ntfn, DEPTH, seL4_AllRights, BADGE),
            seL4_NoError);
    if (map_in_root(env, frame, va) != seL4_NoError)
        return NULL;
    memset((void *)va, 0, 4096);
    if (al4_asyncsys_register(badged, tcb, frame) != seL4_NoError)
        return NULL;
    return (struct al4_asyncsys_shared *)va;
}

static struct al4_asyncsys_req delete_req(seL4_Word tag, seL4_CPtr slot)
{
    return (struct al4_asyncsys_req){.tag = tag, .info = seL4_MessageInfo_new(CNodeDelete, 0, 0, 2).words[0],
                                     .cptr = ROOT, .mr = {slot, DEPTH}};
}

static struct al4_asyncsys_req signal_req(seL4_Word tag, seL4_CPtr nt)
{
    return (struct al4_asyncsys_req){.tag = tag, .cptr = nt};
}

static seL4_Word polled(seL4_CPtr nt)
{
    seL4_Word w = 0;
    seL4_Poll(nt, &w);
    return w;
}

static void full_rings(struct env *env)
{
    seL4_CPtr nt, frame = alloc_object(env, seL4_RISCV_4K_Page, 0), empty = alloc_slot(env);
    struct al4_asyncsys_shared *sh = raw_setup(env, seL4_CapInitThreadTCB, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    // A full request ring, one wake: all of it served, one signal for the batch.
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++)
        raw_put(sh, i, delete_req(100 + i, empty));
    __atomic_store_n(&sh->user.req_tail, AL4_ASYNCSYS_SLOTS, __ATOMIC_RELEASE);
    test_eq(env, sh->kern.handler_running, 0);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.req_head, AL4_ASYNCSYS_SLOTS);
    test_eq(env, sh->kern.rep_tail, AL4_ASYNCSYS_SLOTS);
    test_eq(env, sh->kern.handler_running, 0);
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
        test_eq(env, rep_at(sh, i)->tag, 100 + i);
        test_eq(env, rep_at(sh, i)->info, 0);
    }
    test_eq(env, polled(nt), BADGE);
    test_eq(env, polled(nt), 0);

    // Another full ring behind a full reply ring: nothing served until replies go.
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++)
        raw_put(sh, AL4_ASYNCSYS_SLOTS + i, delete_req(200 + i, empty));
    __atomic_store_n(&sh->user.req_tail, 2 * AL4_ASYNCSYS_SLOTS, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.req_head, AL4_ASYNCSYS_SLOTS);
    test_eq(env, sh->kern.rep_tail, AL4_ASYNCSYS_SLOTS);
    test_eq(env, sh->kern.handler_running, 0);  // stopped: the process must wake it again
    test_eq(env, polled(nt), 0);
    // Half the replies taken: half the requests served.
    __atomic_store_n(&sh->user.rep_head, AL4_ASYNCSYS_SLOTS / 2, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.req_head, AL4_ASYNCSYS_SLOTS * 3 / 2);
    test_eq(env, sh->kern.rep_tail, AL4_ASYNCSYS_SLOTS * 3 / 2);
    __atomic_store_n(&sh->user.rep_head, AL4_ASYNCSYS_SLOTS * 3 / 2, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.req_head, 2 * AL4_ASYNCSYS_SLOTS);
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++)
        test_eq(env, rep_at(sh, (AL4_ASYNCSYS_SLOTS + i) % AL4_ASYNCSYS_SLOTS)->tag, 200 + i);
    // The reply dispatcher marked running: replies, but no signal.
    __atomic_store_n(&sh->user.rep_head, 2 * AL4_ASYNCSYS_SLOTS, __ATOMIC_RELEASE);
    __atomic_store_n(&sh->user.client_running, 1, __ATOMIC_RELEASE);
    polled(nt);
    raw_put(sh, 2 * AL4_ASYNCSYS_SLOTS, delete_req(300, empty));
    __atomic_store_n(&sh->user.req_tail, 2 * AL4_ASYNCSYS_SLOTS + 1, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.rep_tail, 2 * AL4_ASYNCSYS_SLOTS + 1);
    test_eq(env, polled(nt), 0);
}
DEFINE_TEST(ASYNCSYS0004, "full request and reply rings: served in order, paused, resumed, one signal a batch",
            full_rings);

static uint64_t rnd_state;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static void garbage(struct env *env)
{
    seL4_CPtr nt, frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    struct al4_asyncsys_shared *sh = raw_setup(env, seL4_CapInitThreadTCB, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    rnd_state = 0x9e3779b97f4a7c15ull;
    uint32_t n = 0;
    for (int round = 0; round < 8; round++) {
        struct al4_asyncsys_req sent[AL4_ASYNCSYS_SLOTS];
        for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
            struct al4_asyncsys_req *r = &sent[i];
            uint64_t *w = (uint64_t *)r;
            for (unsigned k = 0; k < sizeof(*r) / 8; k++)
                w[k] = rnd();
            // Random words everywhere, but an invoked cptr that cannot resolve in the
            // root task's CSpace (its 52-bit guard is 0): random caps must not hit the
            // test's own.
            r->cptr |= 1ul << 63;
            raw_put(sh, n + i, *r);
        }
        n += AL4_ASYNCSYS_SLOTS;
        __atomic_store_n(&sh->user.req_tail, n, __ATOMIC_RELEASE);
        test_eq(env, al4_asyncsys_wake(), seL4_NoError);
        settle(sh);
        test_eq(env, sh->kern.rep_tail, n);
        for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
            const struct al4_asyncsys_rep *p = rep_at(sh, i);
            bool readable = (sent[i].info & 0x7f) <= AL4_ASYNCSYS_MRS && !((sent[i].info >> 9) & 7);
            test_eq(env, p->tag, sent[i].tag);
            test_eq(env, seL4_MessageInfo_get_label((seL4_MessageInfo_t){{p->info}}),
                    readable ? seL4_InvalidCapability : seL4_InvalidArgument);
            test_eq(env, p->mr[0], readable ? 0 : AL4_ASYNCSYS_BAD_INFO);
        }
        __atomic_store_n(&sh->user.rep_head, n, __ATOMIC_RELEASE);
    }
    // An index moved by more than a ring: the ring is dead, nothing more is written.
    __atomic_store_n(&sh->user.req_tail, n + AL4_ASYNCSYS_SLOTS + 1, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.rep_tail, n);
    test_eq(env, sh->kern.req_head, n);
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    // Registered again (the kernel's line back to 0), it serves; a reply head ahead
    // of the replies breaks it the same way.
    seL4_CPtr nt2 = alloc_object(env, seL4_NotificationObject, 0);
    memset(sh, 0, 128);
    test_eq(env, al4_asyncsys_register(nt2, seL4_CapInitThreadTCB, frame), seL4_NoError);
    test_eq(env, sh->kern.req_head, 0);
    raw_put(sh, 0, signal_req(7, nt2));
    __atomic_store_n(&sh->user.req_tail, 1, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.rep_tail, 1);
    test_eq(env, rep_at(sh, 0)->tag, 7);
    __atomic_store_n(&sh->user.rep_head, 5, __ATOMIC_RELEASE);
    __atomic_store_n(&sh->user.req_tail, 2, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.rep_tail, 1);
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    test_eq(env, al4_check_invariants().violation, 0);
}
DEFINE_TEST(ASYNCSYS0005, "garbage items get seL4 errors; a corrupt index stops serving",
            garbage);

// A request revokes the untyped its own ring frame came from: the requests behind it
// are not served and no reply is written (the frame is no longer the process's).
static void revoked_frame(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 12), frame = alloc_slot(env);
    seL4_CPtr probe = alloc_object(env, seL4_NotificationObject, 0), nt;
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, frame, 1), seL4_NoError);
    struct al4_asyncsys_shared *sh = raw_setup(env, seL4_CapInitThreadTCB, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    raw_put(sh, 0, (struct al4_asyncsys_req){.tag = 1, .info = seL4_MessageInfo_new(CNodeRevoke, 0, 0, 2).words[0],
                                              .cptr = ROOT, .mr = {ut, DEPTH}});
    raw_put(sh, 1, signal_req(2, probe));
    __atomic_store_n(&sh->user.req_tail, 2, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    test_check(env, settle_gone());
    // The frame is gone from the VSpace too: only the kernel's view remains to check.
    test_eq(env, polled(probe), 0);
    test_eq(env, polled(nt), 0);
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    // The memory, a new frame again, holds what retype left: zeros.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, ROOT, 0, 0, frame, 1), seL4_NoError);
    test_eq(env, map_in_root(env, frame, ASYNC_VA), seL4_NoError);
    seL4_Word sum = 0;
    for (unsigned i = 0; i < 512; i++)
        sum |= ((volatile seL4_Word *)ASYNC_VA)[i];
    test_eq(env, sum, 0);
    test_eq(env, al4_check_invariants().violation, 0);
}
DEFINE_TEST(ASYNCSYS0006, "a request revoking its ring's frame ends serving; nothing is written after",
            revoked_frame);

// The same for the completion notification: the frame stays, nothing is written into
// it, and registering a new notification serves again.
static void revoked_notification(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 12), ntfn = alloc_slot(env);
    seL4_CPtr probe = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT, 0, 0, ntfn, 1), seL4_NoError);
    test_assert(env, map_in_root(env, frame, ASYNC_VA) == seL4_NoError);
    struct al4_asyncsys_shared *sh = (struct al4_asyncsys_shared *)ASYNC_VA;
    test_eq(env, al4_asyncsys_register(ntfn, seL4_CapInitThreadTCB, frame), seL4_NoError);
    raw_put(sh, 0, (struct al4_asyncsys_req){.tag = 1, .info = seL4_MessageInfo_new(CNodeRevoke, 0, 0, 2).words[0],
                                              .cptr = ROOT, .mr = {ut, DEPTH}});
    raw_put(sh, 1, signal_req(2, probe));
    __atomic_store_n(&sh->user.req_tail, 2, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, sh->kern.rep_tail, 0);
    test_eq(env, sh->kern.req_head, 0);
    test_eq(env, rep_at(sh, 0)->tag, 0);
    test_eq(env, polled(probe), 0);
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    seL4_CPtr nt2 = alloc_object(env, seL4_NotificationObject, 0);
    memset(sh, 0, 128);
    test_eq(env, al4_asyncsys_register(nt2, seL4_CapInitThreadTCB, frame), seL4_NoError);
    raw_put(sh, 0, signal_req(3, probe));
    __atomic_store_n(&sh->user.req_tail, 1, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    settle(sh);
    test_eq(env, rep_at(sh, 0)->tag, 3);
    test_eq(env, polled(probe), 0);  // unbadged: Poll says 0 either way; the reply counts
    test_eq(env, sh->kern.rep_tail, 1);
}
DEFINE_TEST(ASYNCSYS0007, "a request revoking the completion notification ends serving",
            revoked_notification);

// A thread's request deletes the thread itself (its TCB's last cap): the handler
// stops at once, the request behind it is not served, no reply is written.
// On one hart the wake itself deletes the thread; with several, the handler may run
// elsewhere while the thread goes on: it yields until it is deleted.
static void wake_once(struct test_thread *t)
{
    (void)t;
    al4_asyncsys_wake();
    for (;;)
        seL4_Yield();
}

static void deleted_thread(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr probe = alloc_object(env, seL4_NotificationObject, 0), nt;
    seL4_CPtr probe_b = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, probe_b, DEPTH, ROOT, probe, DEPTH, seL4_AllRights, 1),
            seL4_NoError);
    thread_create(env, &th, wake_once, 255, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    struct al4_asyncsys_shared *sh = raw_setup(env, th.tcb, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    raw_put(sh, 0, delete_req(1, th.tcb));
    raw_put(sh, 1, (struct al4_asyncsys_req){.tag = 2, .cptr = probe_b});
    __atomic_store_n(&sh->user.req_tail, 2, __ATOMIC_RELEASE);
    thread_start(&th);
    // The helper shares the root task's priority: Yield lets it run until its TCB is gone.
    for (int i = 0; i < 100000 && seL4_DebugCapIdentify(th.tcb) != 0; i++)
        seL4_Yield();
    test_eq(env, seL4_DebugCapIdentify(th.tcb), 0);
    test_eq(env, th.done, 0);
    test_eq(env, polled(probe), 0);
    test_eq(env, sh->kern.rep_tail, 0);
    test_eq(env, polled(nt), 0);
    test_eq(env, al4_check_invariants().violation, 0);
}
DEFINE_TEST(ASYNCSYS0008, "a request deleting its own thread stops the handler; nothing else is served",
            deleted_thread);

// Where the handler runs: with other harts idle (the suite's root task is alone), an
// IPI sends it to one of them and the wake returns at once; the replies come back with
// a completion signal. On one hart it runs on the caller's hart, before the wake returns.
static void served_elsewhere(struct env *env)
{
    seL4_CPtr nt, frame = alloc_object(env, seL4_RISCV_4K_Page, 0), empty = alloc_slot(env);
    struct al4_asyncsys_shared *sh = raw_setup(env, seL4_CapInitThreadTCB, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    unsigned harts = env->bi->numNodes, self = al4_kernel_counters().hart;
    seL4_Word before[8] = {0}, total = 0;
    for (unsigned h = 0; h < harts && h < 8; h++)
        before[h] = al4_asyncsys_served_of(h);
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++)
        raw_put(sh, i, delete_req(i, empty));
    __atomic_store_n(&sh->user.req_tail, AL4_ASYNCSYS_SLOTS, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    // Blocked here, the root task leaves its hart idle too; the signal wakes it.
    while (__atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE) != AL4_ASYNCSYS_SLOTS)
        seL4_Wait(nt, NULL);
    settle(sh);
    for (unsigned h = 0; h < harts && h < 8; h++) {
        seL4_Word d = al4_asyncsys_served_of(h) - before[h];
        total += d;
        if (harts > 1 && h == self)
            test_eq(env, d, 0);
    }
    test_eq(env, total, AL4_ASYNCSYS_SLOTS);
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++)
        test_eq(env, rep_at(sh, i)->tag, i);
}
DEFINE_TEST(ASYNCSYS0010, "the wake sends the handler to an idle hart by IPI (the caller's hart on one)",
            served_elsewhere);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static uint64_t now(void)
{
    uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

// Whether *w reaches v within a second (timebase 10 MHz on QEMU virt, at most 2^24/s
// on the boards this suite runs on: 2^24 ticks bound it either way).
static bool reaches(const volatile uint32_t *w, uint32_t v)
{
    for (uint64_t t0 = now(); now() - t0 < (1ull << 24);)
        if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == v)
            return true;
    return false;
}

// Lingering (docs/asyncsys.md): requests put one at a time from this hart while the
// handler serves on an idle one, the wake made only when the mark is clear, as the
// client library makes it. Each is answered within a second (one published while the
// serving hart lets go of the ring, and not woken for, would be stranded), and once the
// ring is left alone the serving hart lets go: the mark is cleared within a second.
#define LINGER_REQUESTS 2000
static void lingering(struct env *env)
{
    if (!need_harts(env, 2))
        return;
    seL4_CPtr nt, frame = alloc_object(env, seL4_RISCV_4K_Page, 0), empty = alloc_slot(env);
    struct al4_asyncsys_shared *sh = raw_setup(env, seL4_CapInitThreadTCB, ASYNC_VA, frame, &nt);
    test_assert(env, sh);
    uint32_t wakes = 0, answered = 0;
    unsigned harts = env->bi->numNodes;
    seL4_Word caught = 0;
    for (unsigned h = 0; h < harts; h++)
        caught -= al4_ntfn_counters_of(h).linger_caught;
    for (uint32_t i = 0; i < LINGER_REQUESTS; i++) {
        raw_put(sh, i, delete_req(i, empty));
        __atomic_store_n(&sh->user.req_tail, i + 1, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);  // published before the mark is read
        if (!__atomic_load_n(&sh->kern.handler_running, __ATOMIC_ACQUIRE)) {
            wakes++;
            test_eq(env, al4_asyncsys_wake(), seL4_NoError);
        }
        if (!reaches(&sh->kern.rep_tail, i + 1))
            break;
        answered += rep_at(sh, i)->tag == i && rep_at(sh, i)->info == 0;  // Delete of an empty slot: no error
        __atomic_store_n(&sh->user.rep_head, i + 1, __ATOMIC_RELEASE);
    }
    test_eq(env, answered, LINGER_REQUESTS);
    test_assert(env, reaches(&sh->kern.handler_running, 0));
    for (unsigned h = 0; h < harts; h++)
        caught += al4_ntfn_counters_of(h).linger_caught;
    // Lingering happened: some watch took a request (at least one of 2000 chances; in
    // runs about 1990). How many depends on how the host schedules the harts' threads (a
    // watch is 256 polls), so the count is printed, not bounded.
    test_assert(env, caught > 0);
    printf("  %u requests one at a time from another hart, %u wakes, %lu taken by a watch\n",
           LINGER_REQUESTS, wakes, (unsigned long)caught);
}
DEFINE_TEST(ASYNCSYS0024, "a hart lingering on a ring strands no request and lets go when it is left alone",
            lingering);
#endif

// Requests answered before one that ends serving in the same batch: their replies and
// the indices that show them reach the frame, which stays the process's. Ended twice:
// by revoking the completion notification's untyped, and by revoking the process's
// frame cap (its children, the kernel's copy among them; the process keeps its mapping).
static void answered_before_the_end(struct env *env)
{
    for (int how = 0; how < 2; how++) {
        seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 12), ntfn = alloc_slot(env);
        seL4_CPtr probe = alloc_object(env, seL4_NotificationObject, 0);
        seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
        test_eq(env, seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT, 0, 0, ntfn, 1),
                seL4_NoError);
        test_assert(env, map_in_root(env, frame, ASYNC_VA) == seL4_NoError);
        struct al4_asyncsys_shared *sh = (struct al4_asyncsys_shared *)ASYNC_VA;
        test_eq(env, al4_asyncsys_register(ntfn, seL4_CapInitThreadTCB, frame), seL4_NoError);
        raw_put(sh, 0, signal_req(7, probe));
        raw_put(sh, 1, signal_req(8, probe));
        raw_put(sh, 2, (struct al4_asyncsys_req){
                           .tag = 9, .info = seL4_MessageInfo_new(CNodeRevoke, 0, 0, 2).words[0],
                           .cptr = ROOT, .mr = {how ? frame : ut, DEPTH}});
        raw_put(sh, 3, signal_req(10, probe));
        __atomic_store_n(&sh->user.req_tail, 4, __ATOMIC_RELEASE);
        test_eq(env, al4_asyncsys_wake(), seL4_NoError);
        settle(sh);
        test_eq(env, rep_at(sh, 0)->tag, 7);
        test_eq(env, rep_at(sh, 1)->tag, 8);
        test_eq(env, sh->kern.rep_tail, 2);  // the two answers are published ...
        test_eq(env, sh->kern.req_head, 2);
        test_eq(env, rep_at(sh, 2)->tag, 0);  // ... and nothing after the revoke
        test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
        test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
        test_eq(env, seL4_CNode_Delete(ROOT, frame, DEPTH), seL4_NoError);
        if (!how)
            test_eq(env, seL4_CNode_Delete(ROOT, ntfn, DEPTH), seL4_NoError);
    }
}
DEFINE_TEST(ASYNCSYS0017, "replies answered before a request that ends serving are published with it",
            answered_before_the_end);
