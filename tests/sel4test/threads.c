// THREADS, SCHED, CANCEL_BADGED_SENDS and deletion: thread control, priorities,
// round robin, and what deleting objects does to threads using them.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode

static volatile seL4_Word counter;

static void spin_forever(struct test_thread *t)
{
    (void)t;
    for (;;)
        counter++;
}

// Cooperative: without a timer (issue 5) nothing preempts an equal-priority spinner.
static void count_and_yield(struct test_thread *t)
{
    (void)t;
    for (;;) {
        counter++;
        seL4_Yield();
    }
}

static void registers_roundtrip(struct env *env)
{
    static struct test_thread th;
    thread_create(env, &th, spin_forever, 200, 0);
    seL4_UserContext in, out;
    seL4_Word *w = (seL4_Word *)&in;
    for (int i = 0; i < 32; i++)
        w[i] = 0x1000 * (i + 1) + i;
    test_eq(env, seL4_TCB_WriteRegisters(th.tcb, 0, 0, 32, &in), seL4_NoError);
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 32, &out), seL4_NoError);
    seL4_Word *r = (seL4_Word *)&out;
    for (int i = 0; i < 32; i++)
        test_eq(env, r[i], w[i]);
    // Own registers, bad counts, short messages.
    test_eq(env, seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, 4, &out), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 0, &out), seL4_RangeError);
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 33, &out), seL4_RangeError);
    test_eq(env, seL4_TCB_WriteRegisters(seL4_CapInitThreadTCB, 0, 0, 1, &in), seL4_IllegalOperation);
}
DEFINE_TEST(THREADS0004, "Write/ReadRegisters round trip every register", registers_roundtrip);

static void suspend_resume(struct env *env)
{
    static struct test_thread th;
    thread_create(env, &th, count_and_yield, 255, 0);
    counter = 0;
    thread_start(&th);
    for (int i = 0; i < 5; i++)
        seL4_Yield();
    seL4_Word seen = counter;
    test_check(env, seen > 0);
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    seen = counter;
    for (int i = 0; i < 5; i++)
        seL4_Yield();
    test_eq(env, counter, seen);
    test_eq(env, seL4_TCB_Resume(th.tcb), seL4_NoError);
    for (int i = 0; i < 5; i++)
        seL4_Yield();
    test_check(env, counter > seen);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(THREADS0005, "a suspended thread stops and a resumed one continues", suspend_resume);

static void copy_regs(struct env *env)
{
    static struct test_thread a, b;
    thread_create(env, &a, spin_forever, 200, 0);
    thread_create(env, &b, spin_forever, 200, 0);
    seL4_UserContext in = {.pc = 0x1234, .sp = 0x5678, .a0 = 0x9abc, .t6 = 0xdef0}, out;
    test_eq(env, seL4_TCB_WriteRegisters(a.tcb, 0, 0, 32, &in), seL4_NoError);
    test_eq(env, seL4_TCB_CopyRegisters(b.tcb, a.tcb, 0, 0, 1, 1, 0), seL4_NoError);
    test_eq(env, seL4_TCB_ReadRegisters(b.tcb, 0, 0, 32, &out), seL4_NoError);
    test_eq(env, out.pc, 0x1234);
    test_eq(env, out.sp, 0x5678);
    test_eq(env, out.a0, 0x9abc);
    test_eq(env, out.t6, 0xdef0);
    test_eq(env, seL4_TCB_CopyRegisters(b.tcb, seL4_CapInitThreadCNode, 0, 0, 1, 1, 0),
            seL4_InvalidCapability);
}
DEFINE_TEST(THREADS0006, "CopyRegisters copies frame and integer registers", copy_regs);

static void tls_base(struct env *env)
{
    static struct test_thread th;
    thread_create(env, &th, spin_forever, 200, 0);
    test_eq(env, seL4_TCB_SetTLSBase(th.tcb, 0xabcd000), seL4_NoError);
    seL4_UserContext out;
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 32, &out), seL4_NoError);
    test_eq(env, out.tp, 0xabcd000);
}
DEFINE_TEST(TLS0001, "SetTLSBase sets the thread pointer", tls_base);

static void signal_then_count(struct test_thread *t)
{
    counter = 1;
    seL4_Signal(t->arg[0]);
    counter = 2;
}

static void preempt_on_wake(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &th, signal_then_count, 100, 0);
    th.arg[0] = nt;
    counter = 0;
    thread_start(&th);
    test_eq(env, counter, 0);  // lower priority: has not run yet
    seL4_Wait(nt, NULL);
    // Woken by the signal, the higher-priority root task runs at once.
    test_eq(env, counter, 1);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(SCHED0002, "a woken higher-priority thread preempts the waker", preempt_on_wake);

static void prio_checks(struct env *env)
{
    static struct test_thread th;
    thread_create(env, &th, spin_forever, 100, 0);
    test_eq(env, seL4_TCB_SetMCPriority(th.tcb, seL4_CapInitThreadTCB, 150), seL4_NoError);
    // th's MCP is 150: it authorises at most 150.
    test_eq(env, seL4_TCB_SetPriority(th.tcb, th.tcb, 151), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), 150);
    test_eq(env, seL4_TCB_SetPriority(th.tcb, th.tcb, 150), seL4_NoError);
    test_eq(env, seL4_TCB_SetSchedParams(th.tcb, th.tcb, 140, 120), seL4_NoError);
    test_eq(env, seL4_TCB_SetPriority(th.tcb, seL4_CapInitThreadCNode, 1), seL4_InvalidCapability);
    test_eq(env, seL4_TCB_SetPriority(th.tcb, seL4_CapInitThreadTCB, 256), seL4_RangeError);
}
DEFINE_TEST(SCHED0003, "priorities are bounded by the authority's MCP", prio_checks);

static seL4_Word order_log[16];
static volatile int order_n;

static void yield_logger(struct test_thread *t)
{
    for (int i = 0; i < 3; i++) {
        order_log[order_n++] = t->arg[0];
        seL4_Yield();
    }
}

static bool round_robin_once(struct env *env)
{
    static struct test_thread a, b;
    order_n = 0;
    thread_create(env, &a, yield_logger, 255, 0);
    thread_create(env, &b, yield_logger, 255, 0);
    a.arg[0] = 1;
    b.arg[0] = 2;
    thread_start(&a);
    thread_start(&b);
    test_check(env, thread_wait(&a, 100) && thread_wait(&b, 100));
    test_eq(env, order_n, 6);
    bool alternates = true;
    for (int i = 0; i < 6; i++)
        alternates &= order_log[i] == (seL4_Word)(i % 2 + 1);
    return alternates;
}

// The guest's timer runs on host time: on a loaded host a vCPU descheduled between a
// thread's log and its Yield comes back to an expired timeslice, the tick moves that
// thread to the tail first, and the order shows one extra turn. Such a preemption can
// only disturb one attempt; a Yield that did not round-robin disturbs all of them.
static void round_robin(struct env *env)
{
    int attempts = 0;
    while (attempts < 5 && !round_robin_once(env))
        attempts++;
    test_check(env, attempts < 5);
}
DEFINE_TEST(SCHED0004, "Yield round-robins threads of one priority", round_robin);

static void badged_sender(struct test_thread *t)
{
    seL4_SetMR(0, t->arg[1]);
    seL4_Send(t->arg[0], seL4_MessageInfo_new(0, 0, 0, 1));
}

static void cancel_badged(struct env *env)
{
    static struct test_thread s1, s2;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), b1 = alloc_slot(env), b2 = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, b1, 64, ROOT, ep, 64, seL4_AllRights, 1), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(ROOT, b2, 64, ROOT, ep, 64, seL4_AllRights, 2), seL4_NoError);
    thread_create(env, &s1, badged_sender, 255, 0);
    thread_create(env, &s2, badged_sender, 255, 0);
    s1.arg[0] = b1;
    s1.arg[1] = 1;
    s2.arg[0] = b2;
    s2.arg[1] = 2;
    thread_start(&s1);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    thread_start(&s2);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    // Both block, s1 first. Cancelling badge 1 restarts s1's send: it queues again,
    // now behind s2.
    test_eq(env, seL4_CNode_CancelBadgedSends(ROOT, b1, 64), seL4_NoError);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    test_eq(env, badge, 2);
    seL4_Recv(ep, &badge);
    test_eq(env, badge, 1);
    // A cap without full rights may not cancel.
    seL4_CPtr weak = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT, weak, 64, ROOT, b1, 64, seL4_CanWrite), seL4_NoError);
    test_eq(env, seL4_CNode_CancelBadgedSends(ROOT, weak, 64), seL4_IllegalOperation);
}
DEFINE_TEST(CANCEL_BADGED_SENDS_0001, "cancelling a badge restarts only its senders", cancel_badged);

static void receiver(struct test_thread *t)
{
    seL4_Recv(t->arg[0], NULL);
    t->result[0] = 1;
}

static void delete_ep_with_waiter(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr fault_ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, receiver, 255, fault_ep);
    th.arg[0] = ep;
    thread_start(&th);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    // Deleting the endpoint restarts the receive, which now faults: the cap is gone.
    test_eq(env, seL4_CNode_Delete(ROOT, ep, 64), seL4_NoError);
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_CapFault);
    test_eq(env, seL4_GetMR(seL4_CapFault_Addr), ep);
    test_eq(env, seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    test_eq(env, th.result[0], 0);
}
DEFINE_TEST(REGRESSIONS0001, "deleting an endpoint restarts the threads waiting on it",
            delete_ep_with_waiter);

static void delete_blocked_tcb(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, receiver, 255, 0);
    th.arg[0] = ep;
    thread_start(&th);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    // The receiver is gone: a message to the endpoint finds nobody.
    test_eq(env, seL4_CNode_Delete(ROOT, th.tcb, 64), seL4_NoError);
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    test_eq(env, th.result[0], 0);
    seL4_Word badge = 9;
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 0);
}
DEFINE_TEST(THREADS0007, "deleting a blocked thread takes it off the endpoint queue",
            delete_blocked_tcb);

static void deep_cnode_chain(struct env *env)
{
    // 200 CNodes, each holding the only cap to the next in its slot 1: deleting the
    // head cap must destroy them all without deep kernel recursion. The untyped they
    // came from is then childless and can be retyped whole.
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 20);
    seL4_CPtr head = alloc_slot(env), fresh = alloc_slot(env), cur = alloc_slot(env), next = alloc_slot(env);
    test_assert(env, seL4_Untyped_Retype(ut, seL4_CapTableObject, 1, ROOT, 0, 0, head, 1) == seL4_NoError);
    test_assert(env, seL4_CNode_Copy(ROOT, cur, 64, ROOT, head, 64, seL4_AllRights) == seL4_NoError);
    for (int i = 1; i < 200; i++) {
        test_assert(env, seL4_Untyped_Retype(ut, seL4_CapTableObject, 1, ROOT, 0, 0, fresh, 1) ==
                         seL4_NoError);
        test_assert(env, seL4_CNode_Copy(ROOT, next, 64, ROOT, fresh, 64, seL4_AllRights) == seL4_NoError);
        // `cur` names the previous CNode: its slot 1 is index 1 at depth 1.
        test_assert(env, seL4_CNode_Move(cur, 1, 1, ROOT, fresh, 64) == seL4_NoError);
        test_assert(env, seL4_CNode_Delete(ROOT, cur, 64) == seL4_NoError);
        test_assert(env, seL4_CNode_Move(ROOT, cur, 64, ROOT, next, 64) == seL4_NoError);
    }
    test_eq(env, seL4_CNode_Delete(ROOT, cur, 64), seL4_NoError);
    // Still children: the untyped cannot be retyped whole.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_UntypedObject, 20, ROOT, 0, 0, fresh, 1),
            seL4_NotEnoughMemory);
    test_eq(env, seL4_CNode_Delete(ROOT, head, 64), seL4_NoError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_UntypedObject, 20, ROOT, 0, 0, fresh, 1), seL4_NoError);
}
DEFINE_TEST(CNODEOP0006, "deleting a deep chain of CNodes frees them all", deep_cnode_chain);

static void mark(struct test_thread *t)
{
    counter = t->arg[0];
}

static void lower_self(struct env *env)
{
    static struct test_thread th;
    counter = 0;
    thread_create(env, &th, mark, 200, 0);
    th.arg[0] = 7;
    thread_start(&th);
    test_eq(env, counter, 0);
    // Dropping below the runnable thread lets it run before this call returns.
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 100), seL4_NoError);
    test_eq(env, counter, 7);
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255), seL4_NoError);
}
DEFINE_TEST(SCHED0005, "lowering one's priority yields to a higher runnable thread", lower_self);

static void raise_other(struct env *env)
{
    static struct test_thread th;
    counter = 0;
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 150), seL4_NoError);
    thread_create(env, &th, mark, 100, 0);
    th.arg[0] = 9;
    thread_start(&th);
    test_eq(env, counter, 0);
    // Raising a runnable thread above the caller makes it run at once.
    test_eq(env, seL4_TCB_SetPriority(th.tcb, seL4_CapInitThreadTCB, 200), seL4_NoError);
    test_eq(env, counter, 9);
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255), seL4_NoError);
}
DEFINE_TEST(SCHED0006, "raising another thread's priority lets it preempt", raise_other);

static void lowest_runs_last(struct env *env)
{
    static struct test_thread lo, mid;
    order_n = 0;
    thread_create(env, &lo, yield_logger, 0, 0);
    thread_create(env, &mid, yield_logger, 50, 0);
    lo.arg[0] = 1;
    mid.arg[0] = 2;
    thread_start(&lo);
    thread_start(&mid);
    // Dropping to 10 lets mid (50) run to its end; lo (0) stays below us.
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 10), seL4_NoError);
    test_eq(env, order_n, 3);
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255), seL4_NoError);
    test_check(env, mid.done && !lo.done);
    for (int i = 0; i < 3; i++)
        test_eq(env, order_log[i], 2);
}
DEFINE_TEST(SCHED0020, "priority 0 runs only when every higher thread waits", lowest_runs_last);
