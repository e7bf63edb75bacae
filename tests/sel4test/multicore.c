// MULTICORE: threads bound to other harts, IPC and notifications across harts,
// migration, and stopping or deleting a thread while another hart runs it. Built in
// the SMP configuration only (TCB SetAffinity exists only there, as upstream).
#include "helpers.h"
#include <al4/debug.h>

#ifdef CONFIG_ENABLE_SMP_SUPPORT
#define ROOT seL4_CapInitThreadCNode

static void where_am_i(struct test_thread *t)
{
    t->result[0] = al4_kernel_counters().hart;
}

static void affinity(struct env *env)
{
    static struct test_thread th[4];
    if (!need_harts(env, 4))
        return;
    for (int i = 0; i < 4; i++) {
        thread_create(env, &th[i], where_am_i, 255, 0);
        th[i].result[0] = 99;
        test_eq(env, seL4_TCB_SetAffinity(th[i].tcb, i), seL4_NoError);
        thread_start(&th[i]);
    }
    for (int i = 0; i < 4; i++) {
        test_check(env, thread_wait(&th[i], 100000));
        test_eq(env, th[i].result[0], i);
    }
    // seL4's decodeSetAffinity: IllegalOperation for a CPU that does not exist.
    test_eq(env, seL4_TCB_SetAffinity(th[0].tcb, env->bi->numNodes), seL4_IllegalOperation);
    test_eq(env, al4_kernel_counters().hart, 0);
}
DEFINE_TEST(MULTICORE0001, "threads run on the hart their affinity names", affinity);

static void echo(struct test_thread *t)
{
    seL4_Word badge;
    seL4_Recv(t->arg[0], &badge);
    for (;;) {
        seL4_SetMR(0, seL4_GetMR(0) * 2);
        t->result[0] = al4_kernel_counters().hart;
        seL4_ReplyRecv(t->arg[0], seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    }
}

static void cross_hart_ipc(struct env *env)
{
    static struct test_thread server;
    if (!need_harts(env, 4))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &server, echo, 255, 0);
    server.arg[0] = ep;
    test_eq(env, seL4_TCB_SetAffinity(server.tcb, 2), seL4_NoError);
    thread_start(&server);
    for (seL4_Word i = 1; i <= 50; i++) {
        seL4_SetMR(0, i);
        seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 1));
        test_eq(env, seL4_GetMR(0), 2 * i);
    }
    test_eq(env, server.result[0], 2);
    seL4_TCB_Suspend(server.tcb);
}
DEFINE_TEST(MULTICORE0002, "Call and ReplyRecv between harts", cross_hart_ipc);

static void waiter(struct test_thread *t)
{
    seL4_Word badge;
    seL4_Wait(t->arg[0], &badge);
    t->result[0] = badge;
    t->result[1] = al4_kernel_counters().hart;
}

static void cross_hart_signal(struct env *env)
{
    static struct test_thread w;
    if (!need_harts(env, 4))
        return;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), b = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, b, 64, ROOT, nt, 64, seL4_AllRights, 0x99), seL4_NoError);
    thread_create(env, &w, waiter, 255, 0);
    w.arg[0] = nt;
    test_eq(env, seL4_TCB_SetAffinity(w.tcb, 3), seL4_NoError);
    thread_start(&w);
    for (int i = 0; i < 1000 && !w.done; i++)
        seL4_Yield();
    test_check(env, !w.done);  // waiting on hart 3
    seL4_Signal(b);
    test_check(env, thread_wait(&w, 100000));
    test_eq(env, w.result[0], 0x99);
    test_eq(env, w.result[1], 3);
}
DEFINE_TEST(MULTICORE0003, "a signal wakes a thread waiting on another hart", cross_hart_signal);

static volatile seL4_Word ticks[4];

static void counting(struct test_thread *t)
{
    register double keep asm("fs2") = 2.5;
    asm volatile("" : "+f"(keep));
    for (;;) {
        seL4_Word hart = al4_kernel_counters().hart;
        ticks[hart & 3]++;
        asm volatile("" : "+f"(keep));
        if (keep != 2.5)
            t->result[1] = 1;  // FPU state lost in a migration
    }
}

static void migration(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 4))
        return;
    for (int i = 0; i < 4; i++)
        ticks[i] = 0;
    thread_create(env, &th, counting, 255, 0);
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 1), seL4_NoError);
    thread_start(&th);
    for (unsigned h = 1; h < 4; h++) {
        test_eq(env, seL4_TCB_SetAffinity(th.tcb, h), seL4_NoError);
        seL4_Word start = ticks[h];
        for (int i = 0; i < 100000 && ticks[h] < start + 100; i++)
            seL4_Yield();
        test_check(env, ticks[h] >= start + 100);
    }
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    test_eq(env, th.result[1], 0);
}
DEFINE_TEST(MULTICORE0004, "a running thread migrates between harts with its state", migration);

static void stop_remote(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 4))
        return;
    for (int i = 0; i < 4; i++)
        ticks[i] = 0;
    thread_create(env, &th, counting, 255, 0);
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 1), seL4_NoError);
    thread_start(&th);
    for (int i = 0; i < 100000 && ticks[1] < 100; i++)
        seL4_Yield();
    // Suspending and reading the registers of a thread running elsewhere stops it
    // there first.
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    seL4_Word frozen = ticks[1];
    for (int i = 0; i < 2000; i++)
        seL4_Yield();
    test_eq(env, ticks[1], frozen);
    seL4_UserContext regs;
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 32, &regs), seL4_NoError);
    test_check(env, regs.pc != 0 && regs.sp != 0);
    // Deleting a thread that runs on another hart: the kernel takes it off that hart.
    test_eq(env, seL4_TCB_Resume(th.tcb), seL4_NoError);
    for (int i = 0; i < 100000 && ticks[1] < frozen + 100; i++)
        seL4_Yield();
    test_eq(env, seL4_CNode_Delete(ROOT, th.tcb, 64), seL4_NoError);
    frozen = ticks[1];
    for (int i = 0; i < 2000; i++)
        seL4_Yield();
    test_eq(env, ticks[1], frozen);
}
DEFINE_TEST(MULTICORE0005, "suspending or deleting a thread stops it on its hart", stop_remote);
static volatile seL4_Word calls, spins, skipped;

static void caller_loop(struct test_thread *t)
{
    for (;;) {
        seL4_Call(t->arg[0], seL4_MessageInfo_new(0, 0, 0, 1));
        calls++;
    }
}

static void spinning(struct test_thread *t)
{
    (void)t;
    for (;;)
        spins++;
}

// The fastpath hands the CPU over in place: the running thread must head its queue.
// SetPriority moves a thread to the back of its queue, so one running on another
// hart is stalled first; otherwise a Call it had just entered would put the thread
// it wakes where the queue's head was and lose whoever stood before it.
static void remote_set_priority(struct env *env)
{
    static struct test_thread server, client, spinner;
    if (!need_harts(env, 4))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &server, echo, 200, 0);
    server.arg[0] = ep;
    thread_create(env, &client, caller_loop, 200, 0);
    client.arg[0] = ep;
    thread_create(env, &spinner, spinning, 200, 0);
    struct test_thread *all[] = {&server, &client, &spinner};
    for (int i = 0; i < 3; i++) {
        test_eq(env, seL4_TCB_SetAffinity(all[i]->tcb, 1), seL4_NoError);
        thread_start(all[i]);
    }
    for (int i = 0; i < 50000; i++)
        seL4_TCB_SetPriority(client.tcb, seL4_CapInitThreadTCB, 200);
    seL4_Word c = calls, s = spins;
    for (int i = 0; i < 100000 && (calls == c || spins == s); i++)
        seL4_Yield();
    test_check(env, calls != c);
    test_check(env, spins != s);
    for (int i = 0; i < 3; i++)
        seL4_TCB_Suspend(all[i]->tcb);
}
DEFINE_TEST(MULTICORE0006, "SetPriority on a thread running on another hart keeps its queue whole",
            remote_set_priority);

static void polling(struct test_thread *t)
{
    for (;;) {
        seL4_Word badge = 0;
        seL4_Poll(t->arg[0], &badge);
        if (badge)
            skipped++;  // never signalled: only a skipped Poll leaves a0 (the cptr)
    }
}

// A thread on another hart that has just trapped into a system call and is suspended
// there redoes the call when resumed, as on seL4, rather than returning from it.
static void remote_suspend(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 4))
        return;
    skipped = 0;
    thread_create(env, &th, polling, 255, 0);
    th.arg[0] = alloc_object(env, seL4_NotificationObject, 0);
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 1), seL4_NoError);
    thread_start(&th);
    for (int i = 0; i < 20000; i++) {
        seL4_TCB_Suspend(th.tcb);
        seL4_TCB_Resume(th.tcb);
    }
    seL4_TCB_Suspend(th.tcb);
    test_eq(env, skipped, 0);
}
DEFINE_TEST(MULTICORE0007, "Suspend and Resume never skip a call a thread on another hart entered",
            remote_suspend);
static void retype_tcb(struct test_thread *t)
{
    t->result[0] = seL4_Untyped_Retype(t->arg[0], seL4_TCBObject, 0, ROOT, 0, 0, t->arg[1], 1);
    t->result[1] = al4_kernel_counters().hart;
}

// seL4's createObject binds a new TCB to the core that retyped it (non-MCS): a program
// that makes its threads on hart 2 has them run there without SetAffinity.
static void new_tcb_affinity(struct env *env)
{
    static struct test_thread maker, made, made_here;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_TCBBits + 1);
    seL4_CPtr slot = alloc_slot(env);
    thread_create(env, &maker, retype_tcb, 255, 0);
    maker.arg[0] = ut;
    maker.arg[1] = slot;
    test_eq(env, seL4_TCB_SetAffinity(maker.tcb, 2), seL4_NoError);
    thread_start(&maker);
    test_check(env, thread_wait(&maker, 100000));
    test_eq(env, maker.result[0], seL4_NoError);
    test_eq(env, maker.result[1], 2);
    thread_create_on(env, &made, slot, where_am_i, 255, 0);
    made.result[0] = 99;
    thread_start(&made);
    test_check(env, thread_wait(&made, 100000));
    test_eq(env, made.result[0], 2);
    // One the root task retypes, on hart 0, runs on hart 0.
    thread_create(env, &made_here, where_am_i, 255, 0);
    made_here.result[0] = 99;
    thread_start(&made_here);
    test_check(env, thread_wait(&made_here, 100000));
    test_eq(env, made_here.result[0], 0);
}
DEFINE_TEST(MULTICORE0009, "a new TCB is bound to the hart that retyped it, as on seL4",
            new_tcb_affinity);
#endif
