// FPU: user threads get a working FPU, and kernel entries leave its state alone.
#include "helpers.h"
#include <al4/debug.h>

static void fpu_arithmetic(struct env *env)
{
    volatile double a = 1.5, b = 2.25;
    double c = a * b + a / b;
    test_check(env, c > 4.0416 && c < 4.0417);
    volatile float f = 3.0f;
    test_check(env, f * f == 9.0f);
}
DEFINE_TEST(FPU0000, "simple floating point arithmetic works", fpu_arithmetic);

static void fpu_across_syscalls(struct env *env)
{
    register double r asm("fs0") = 42.5;
    asm volatile("" : "+f"(r));
    for (int i = 0; i < 50; i++)
        seL4_Yield();
    asm volatile("" : "+f"(r));
    test_check(env, r == 42.5);
}
DEFINE_TEST(FPU0001, "FPU registers survive system calls", fpu_across_syscalls);

static volatile int fpu_errors;

// Keeps a thread-specific value in every callee-saved FP register across yields.
static void fpu_worker(struct test_thread *t)
{
    double base = (double)t->arg[0];
    for (int round = 0; round < 20; round++) {
        register double f0 asm("fs0") = base + round;
        register double f1 asm("fs1") = base * 2 + round;
        register double f11 asm("fs11") = base * 3 + round;
        asm volatile("" : "+f"(f0), "+f"(f1), "+f"(f11));
        seL4_Yield();
        asm volatile("" : "+f"(f0), "+f"(f1), "+f"(f11));
        if (f0 != base + round || f1 != base * 2 + round || f11 != base * 3 + round)
            fpu_errors++;
    }
}

static void fpu_per_thread(struct env *env)
{
    static struct test_thread a, b;
    fpu_errors = 0;
    thread_create(env, &a, fpu_worker, 255, 0);
    thread_create(env, &b, fpu_worker, 255, 0);
    a.arg[0] = 1000;
    b.arg[0] = 7;
    thread_start(&a);
    thread_start(&b);
    test_check(env, thread_wait(&a, 200) && thread_wait(&b, 200));
    test_eq(env, fpu_errors, 0);
    // Only the FPU's owner may have it on in its saved sstatus (INV_FPU).
    test_eq(env, al4_check_invariants().violation, 0);
}
DEFINE_TEST(FPU0003, "each thread keeps its own FPU registers", fpu_per_thread);

// seL4_TCBFlag_fpuDisabled. The helpers keep a value in ft0 and move it with fmv only,
// so the compiler puts no floating-point code of its own around these instructions.
#define FP_VALUE 0x4058900000000000ul  // 98.25
#define FP_OTHER 0x3ff0000000000000ul  // 1.0

static inline void ft0_set(seL4_Word bits)
{
    asm volatile("fmv.d.x ft0, %0" : : "r"(bits) : "ft0");
}

static inline seL4_Word ft0_get(void)
{
    seL4_Word bits;
    asm volatile("fmv.x.d %0, ft0" : "=r"(bits));
    return bits;
}

static seL4_Word set_flags(struct env *env, seL4_CPtr tcb, seL4_Word clear, seL4_Word set)
{
    seL4_TCB_SetFlags_t r = seL4_TCB_SetFlags(tcb, clear, set);
    test_eq(env, r.error, seL4_NoError);
    return r.flags;
}

// The helpers' fault endpoint: a badged copy of `ep`, so that a poll on `ep` that
// returns the badge has received a fault (an empty poll returns badge 0). Polling
// keeps a test whose fault never comes from hanging the suite.
#define FAULT_BADGE 0xfa
#define FAULT_SPINS 20000

static seL4_CPtr badged(struct env *env, seL4_CPtr ep)
{
    seL4_CPtr s = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, s, 64, seL4_CapInitThreadCNode, ep, 64,
                                 seL4_AllRights, FAULT_BADGE), seL4_NoError);
    return s;
}

// Waits for a UserException for an illegal instruction (a floating-point instruction
// with the FPU off) on `ep`; returns the fault pc, or 0 if none came.
static seL4_Word expect_fpu_fault(struct env *env, seL4_CPtr ep)
{
    for (int i = 0; i < FAULT_SPINS; i++) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
        if (badge != FAULT_BADGE) {
            seL4_Yield();
            continue;
        }
        test_eq(env, seL4_MessageInfo_get_label(info), seL4_UserException);
        test_eq(env, seL4_MessageInfo_get_length(info), seL4_UserException_Length);
        test_eq(env, seL4_GetMR(seL4_UserException_Number), 2);  // illegal instruction
        test_eq(env, seL4_GetMR(seL4_UserException_Code), 0);
        return seL4_GetMR(seL4_UserException_FaultIP);
    }
    printf("# no fault\n");
    test_check(env, false);
    return 0;
}

static void fp_first_use(struct test_thread *t)
{
    t->result[0] = 1;
    ft0_set(FP_VALUE);
    t->result[1] = ft0_get();
}

static void fpu_disabled_faults(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, fp_first_use, 255, badged(env, ep));
    test_eq(env, set_flags(env, th.tcb, 0, seL4_TCBFlag_fpuDisabled), seL4_TCBFlag_fpuDisabled);
    thread_start(&th);
    seL4_Word pc = expect_fpu_fault(env, ep);
    if (!pc) {
        seL4_TCB_Suspend(th.tcb);
        return;
    }
    test_eq(env, th.result[0], 1);  // it ran up to its first floating-point instruction
    test_check(env, pc >= (seL4_Word)fp_first_use && pc < (seL4_Word)fp_first_use + 64);
    // Still disabled: the reply retries the instruction, which faults again.
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_eq(env, expect_fpu_fault(env, ep), pc);
    // Cleared: the retried instruction runs.
    test_eq(env, set_flags(env, th.tcb, seL4_TCBFlag_fpuDisabled, 0), 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_check(env, thread_wait(&th, 100));
    test_eq(env, th.result[1], FP_VALUE);
}
DEFINE_TEST(FPU0004, "a thread with fpuDisabled takes a UserException at its first FPU instruction",
            fpu_disabled_faults);

static void fp_keep_across_wait(struct test_thread *t)
{
    ft0_set(t->arg[1]);
    seL4_Wait(t->arg[0], NULL);
    t->result[0] = ft0_get();
}

// The thread owns the FPU (its registers are live in it) when the flag is set: they
// must be saved then, since the next owner takes the FPU without saving anything for
// a thread that has given it up.
static void fpu_disable_saves(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    thread_create(env, &th, fp_keep_across_wait, 255, badged(env, ep));
    th.arg[0] = nt;
    th.arg[1] = FP_VALUE;
    thread_start(&th);
    seL4_Yield();  // it loads ft0 and waits
    test_eq(env, set_flags(env, th.tcb, 0, seL4_TCBFlag_fpuDisabled), seL4_TCBFlag_fpuDisabled);
    ft0_set(FP_OTHER);  // this thread takes the FPU over
    seL4_Signal(nt);
    if (!expect_fpu_fault(env, ep)) {
        seL4_TCB_Suspend(th.tcb);
        return;
    }
    test_eq(env, ft0_get(), FP_OTHER);
    test_eq(env, set_flags(env, th.tcb, seL4_TCBFlag_fpuDisabled, 0), 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_check(env, thread_wait(&th, 100));
    test_eq(env, th.result[0], FP_VALUE);
    test_eq(env, ft0_get(), FP_OTHER);
}
DEFINE_TEST(FPU0005, "setting fpuDisabled on the FPU's owner saves its registers for later",
            fpu_disable_saves);

static void set_flags_reply(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    test_eq(env, set_flags(env, tcb, 0, 0), 0);
    // Unknown flags are dropped; clearing comes before setting.
    test_eq(env, set_flags(env, tcb, 0, ~0ul), seL4_TCBFlag_MASK);
    test_eq(env, set_flags(env, tcb, ~0ul, seL4_TCBFlag_fpuDisabled), seL4_TCBFlag_fpuDisabled);
    test_eq(env, set_flags(env, tcb, 0, 0), seL4_TCBFlag_fpuDisabled);
    test_eq(env, set_flags(env, tcb, ~0ul, 0), 0);
    // The reply: label 0, one word.
    seL4_SetMR(0, 0);
    seL4_SetMR(1, seL4_TCBFlag_fpuDisabled);
    seL4_MessageInfo_t r = seL4_Call(tcb, seL4_MessageInfo_new(TCBSetFlags, 0, 0, 2));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_NoError);
    test_eq(env, seL4_MessageInfo_get_length(r), 1);
    test_eq(env, seL4_GetMR(0), seL4_TCBFlag_fpuDisabled);
    // Two words are needed.
    r = seL4_Call(tcb, seL4_MessageInfo_new(TCBSetFlags, 0, 0, 1));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
    test_eq(env, seL4_MessageInfo_get_length(r), 0);
}
DEFINE_TEST(FPU0006, "TCB SetFlags answers the resulting flags and needs two words",
            set_flags_reply);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// The flag across harts: the thread's registers may be live in another hart's FPU,
// whether the thread runs there or not.
static volatile seL4_Word fp_spins;

static void fp_spinner(struct test_thread *t)
{
    ft0_set(FP_VALUE);
    for (;;) {
        if (ft0_get() != FP_VALUE)
            t->result[1] = 1;
        fp_spins++;
    }
}

static bool spins_past(seL4_Word n)
{
    for (int i = 0; i < 100000 && fp_spins < n; i++)
        seL4_Yield();
    return fp_spins >= n;
}

// seL4 stalls the target of every TCB invocation that runs on another core: there the
// thread comes back into the kernel and returns with the FPU off.
static void fpu_disable_remote_running(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    fp_spins = 0;
    thread_create(env, &th, fp_spinner, 255, badged(env, ep));
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 1), seL4_NoError);
    thread_start(&th);
    test_check(env, spins_past(100));
    test_eq(env, set_flags(env, th.tcb, 0, seL4_TCBFlag_fpuDisabled), seL4_TCBFlag_fpuDisabled);
    if (!expect_fpu_fault(env, ep)) {
        seL4_TCB_Suspend(th.tcb);
        return;
    }
    seL4_Word frozen = fp_spins;
    for (int i = 0; i < 1000; i++)
        seL4_Yield();
    test_eq(env, fp_spins, frozen);
    test_eq(env, set_flags(env, th.tcb, seL4_TCBFlag_fpuDisabled, 0), 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_check(env, spins_past(frozen + 100));
    seL4_TCB_Suspend(th.tcb);
    test_eq(env, th.result[1], 0);
}
DEFINE_TEST(FPU0002, "fpuDisabled set on a thread running on another hart stops its FPU there",
            fpu_disable_remote_running);

static void fp_load_then_wait(struct test_thread *t)
{
    ft0_set(FP_VALUE);
    t->result[1] = 1;
    seL4_Wait(t->arg[0], NULL);
    t->result[0] = ft0_get();
}

// Starts th on hart 1, where it loads ft0 and blocks: its registers stay in hart 1's
// FPU, which nothing else there uses.
static bool blocked_on_hart1(struct env *env, struct test_thread *th, seL4_CPtr nt,
                             seL4_CPtr fault_ep)
{
    thread_create(env, th, fp_load_then_wait, 255, fault_ep);
    th->arg[0] = nt;
    test_eq(env, seL4_TCB_SetAffinity(th->tcb, 1), seL4_NoError);
    thread_start(th);
    for (int i = 0; i < 100000 && !th->result[1]; i++)
        seL4_Yield();
    for (int i = 0; i < 1000; i++)
        seL4_Yield();  // into its Wait
    test_check(env, th->result[1]);
    return th->result[1];
}

static void fpu_disable_remote_owner(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    if (!blocked_on_hart1(env, &th, nt, badged(env, ep)))
        return;
    test_eq(env, set_flags(env, th.tcb, 0, seL4_TCBFlag_fpuDisabled), seL4_TCBFlag_fpuDisabled);
    seL4_Signal(nt);
    if (!expect_fpu_fault(env, ep)) {
        seL4_TCB_Suspend(th.tcb);
        return;
    }
    test_eq(env, set_flags(env, th.tcb, seL4_TCBFlag_fpuDisabled, 0), 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_check(env, thread_wait(&th, 100000));
    test_eq(env, th.result[0], FP_VALUE);
}
DEFINE_TEST(FPU0007, "fpuDisabled set on a blocked thread whose registers another hart holds",
            fpu_disable_remote_owner);

static void fpu_migrate_blocked(struct env *env)
{
    static struct test_thread th;
    if (!need_harts(env, 3))
        return;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    if (!blocked_on_hart1(env, &th, nt, 0))
        return;
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, 2), seL4_NoError);
    test_eq(env, al4_check_invariants().violation, 0);  // hart 1 gave the FPU up (INV_FPU)
    seL4_Signal(nt);
    test_check(env, thread_wait(&th, 100000));
    test_eq(env, th.result[0], FP_VALUE);
    test_eq(env, al4_check_invariants().violation, 0);
}
DEFINE_TEST(FPU0008, "a blocked thread moved to another hart takes its FPU registers along",
            fpu_migrate_blocked);
#endif
