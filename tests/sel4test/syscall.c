// SYSCALL: each system call returns as seL4's does on bad or trivial input, and
// leaves every register it does not define as an output untouched.
#include "helpers.h"
#include <al4/debug.h>

#define X_A0 10
#define X_A1 11
#define X_A2 12
#define X_A7 17

void regs_syscall(const seL4_Word in[32], seL4_Word out[32]);

static void yield_returns(struct env *env)
{
    // Each Yield enters the kernel and, with nothing else runnable, comes back here.
    al4_counters_t before = al4_kernel_counters();
    for (int i = 0; i < 100; i++)
        seL4_Yield();
    al4_counters_t after = al4_kernel_counters();
    test_check(env, after.kernel_entries - before.kernel_entries >= 101);
}
DEFINE_TEST(SYSCALL0000, "seL4_Yield with one runnable thread returns", yield_returns);

static void nbsend_null_cap(struct env *env)
{
    seL4_SetMR(0, 0xabc);
    seL4_NBSend(seL4_CapNull, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_NBSend(seL4_CapNull | 1ul << 50, seL4_MessageInfo_new(0, 0, 0, 1));
    // Neither reaches anyone, neither faults; the message registers are the caller's.
    test_eq(env, seL4_GetMR(0), 0xabc);
}
DEFINE_TEST(SYSCALL0001, "seL4_NBSend to a null or unresolvable cap is dropped", nbsend_null_cap);

static void call_null_cap(struct env *env)
{
    for (seL4_Word slot = 0; slot < 4096; slot += 701) {
        if (seL4_DebugCapIdentify(slot) != seL4_CapTag_Null)
            continue;
        seL4_SetMR(0, 0x1234);
        seL4_MessageInfo_t r = seL4_Call(slot, seL4_MessageInfo_new(0, 0, 0, 2));
        test_eq(env, seL4_MessageInfo_get_label(r), seL4_InvalidCapability);
        test_eq(env, seL4_MessageInfo_get_length(r), 1);
        test_eq(env, seL4_GetMR(0), 0);  // the invalid cap is cap number 0
    }
}
DEFINE_TEST(SYSCALL0002, "seL4_Call on an empty slot replies InvalidCapability", call_null_cap);

static void reply_without_caller(struct env *env)
{
    seL4_SetMR(0, 77);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    test_eq(env, seL4_GetMR(0), 77);
}
DEFINE_TEST(SYSCALL0003, "seL4_Reply with no caller returns", reply_without_caller);

static void call_notification(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), badged = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, 64, seL4_CapInitThreadCNode,
                                 nt, 64, seL4_AllRights, 8), seL4_NoError);
    seL4_SetMR(0, 0x55);
    seL4_SetMR(1, 0x66);
    // The signal is sent and the Call gets seL4's empty reply, not its own message.
    seL4_MessageInfo_t r = seL4_Call(badged, seL4_MessageInfo_new(7, 0, 0, 2));
    test_eq(env, seL4_MessageInfo_get_label(r), 0);
    test_eq(env, seL4_MessageInfo_get_length(r), 0);
    seL4_Word badge = 0;
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 8);
}
DEFINE_TEST(SYSCALL0005, "seL4_Call on a notification signals and replies empty", call_notification);

static void call_for_reply(struct test_thread *t)
{
    seL4_MessageInfo_t r = seL4_Call(t->arg[0], seL4_MessageInfo_new(1, 0, 0, 0));
    t->result[0] = seL4_MessageInfo_get_label(r);
    t->result[1] = seL4_GetMR(0);
}

static void call_reply_cap(struct env *env)
{
    static struct test_thread cl;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), saved = alloc_slot(env);
    thread_create(env, &cl, call_for_reply, 255, 0);
    cl.arg[0] = ep;
    thread_start(&cl);
    seL4_Recv(ep, NULL);
    test_eq(env, seL4_CNode_SaveCaller(seL4_CapInitThreadCNode, saved, 64), seL4_NoError);
    seL4_SetMR(0, 0x77);
    // Calling a reply cap replies through it; the caller gets an empty reply.
    seL4_MessageInfo_t r = seL4_Call(saved, seL4_MessageInfo_new(3, 0, 0, 1));
    test_eq(env, seL4_MessageInfo_get_label(r), 0);
    test_eq(env, seL4_MessageInfo_get_length(r), 0);
    test_check(env, thread_wait(&cl, 10));
    test_eq(env, cl.result[0], 3);
    test_eq(env, cl.result[1], 0x77);
    test_eq(env, seL4_DebugCapIdentify(saved), seL4_CapTag_Null);
}
DEFINE_TEST(SYSCALL0006, "seL4_Call on a reply cap replies and returns empty", call_reply_cap);

static void invalid_label(struct env *env)
{
    // Label 0 is InvalidInvocation: every kernel object refuses it as an illegal
    // operation, with no message registers.
    static const seL4_CPtr caps[] = {seL4_CapInitThreadTCB, seL4_CapInitThreadCNode,
                                     seL4_CapInitThreadVSpace, seL4_CapIRQControl,
                                     seL4_CapASIDControl, seL4_CapInitThreadASIDPool,
                                     seL4_CapBootInfoFrame, seL4_CapDomain};
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        seL4_MessageInfo_t r = seL4_Call(caps[i], seL4_MessageInfo_new(InvalidInvocation, 0, 0, 0));
        test_eq(env, seL4_MessageInfo_get_label(r), seL4_IllegalOperation);
        test_eq(env, seL4_MessageInfo_get_length(r), 0);
    }
}
DEFINE_TEST(SYSCALL0004, "invoking an object with label InvalidInvocation is illegal", invalid_label);

// Runs syscall `nr` with every register set to a pattern; the registers in `outputs`
// (a mask of x-register numbers) may change, all others must not.
static void check_preserved(struct env *env, long nr, seL4_Word a0, seL4_Word a1, uint32_t outputs,
                            seL4_Word out[32])
{
    seL4_Word in[32];
    for (int i = 0; i < 32; i++)
        in[i] = 0xa15e000000000000ul | (seL4_Word)i << 16 | (seL4_Word)(31 - i);
    in[X_A0] = a0;
    in[X_A1] = a1;
    in[X_A7] = (seL4_Word)nr;
    regs_syscall(in, out);
    for (int i = 1; i < 32; i++) {
        if (i == 2 || (outputs & (1u << i)))
            continue;
        if (out[i] != in[i]) {
            printf("# syscall %ld changed x%d: 0x%lx -> 0x%lx\n", nr, i, (unsigned long)in[i],
                   (unsigned long)out[i]);
            test_check(env, false);
        }
    }
}

static void preserve_yield(struct env *env)
{
    seL4_Word out[32];
    check_preserved(env, seL4_SysYield, 1, 2, 0, out);
}
DEFINE_TEST(SYSCALL0010, "seL4_Yield preserves every register", preserve_yield);

static void preserve_nbsend(struct env *env)
{
    seL4_Word out[32];
    check_preserved(env, seL4_SysNBSend, seL4_CapNull, seL4_MessageInfo_new(5, 0, 0, 4).words[0], 0, out);
}
DEFINE_TEST(SYSCALL0011, "seL4_NBSend preserves every register", preserve_nbsend);

static void preserve_reply(struct env *env)
{
    seL4_Word out[32];
    check_preserved(env, seL4_SysReply, 0, seL4_MessageInfo_new(5, 0, 0, 4).words[0], 0, out);
}
DEFINE_TEST(SYSCALL0012, "seL4_Reply preserves every register", preserve_reply);

static void preserve_call(struct env *env)
{
    seL4_Word out[32];
    uint32_t outputs = 0x3f << X_A0;  // badge, message info, MR0..MR3
    check_preserved(env, seL4_SysCall, seL4_CapNull, seL4_MessageInfo_new(5, 0, 0, 4).words[0],
                    outputs, out);
    test_eq(env, out[X_A0], 0);
    test_eq(env, seL4_MessageInfo_get_label((seL4_MessageInfo_t){{out[X_A1]}}), seL4_InvalidCapability);
    test_eq(env, out[X_A2], 0);
}
DEFINE_TEST(SYSCALL0013, "seL4_Call preserves every register but its outputs", preserve_call);

static void preserve_putchar(struct env *env)
{
    seL4_Word out[32];
    check_preserved(env, seL4_SysDebugPutChar, '#', 0, 0, out);
    check_preserved(env, seL4_SysDebugPutChar, '\n', 0, 0, out);
}
DEFINE_TEST(SYSCALL0014, "seL4_DebugPutChar preserves every register", preserve_putchar);

static void preserve_identify(struct env *env)
{
    seL4_Word out[32];
    check_preserved(env, seL4_SysDebugCapIdentify, seL4_CapInitThreadCNode, 0, 1u << X_A0, out);
    test_eq(env, out[X_A0], seL4_CapTag_CNode);
}
DEFINE_TEST(SYSCALL0015, "seL4_DebugCapIdentify changes only a0", preserve_identify);

static void unknown_syscall(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "unknown-syscall");
    seL4_Word out[32];
    check_preserved(env, -100, 0, 0, 0, out);
}
DEFINE_FATAL_TEST(SYSCALL0020, "an unknown syscall with no fault handler stops the thread",
                  unknown_syscall,
                  "Caught cap fault in send phase at address 0x0\n"
                  "while trying to handle:\n"
                  "unknown syscall 0xffffffffffffff9c\n"
                  "in thread 0x* \"unknown-syscall\" at address 0x*\n"
                  "With stack:\n");

static void unknown_positive_syscall(struct env *env)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "positive-syscall");
    seL4_Word out[32];
    check_preserved(env, 1, 0, 0, 0, out);
}
DEFINE_FATAL_TEST(SYSCALL0021, "a positive syscall number is an unknown syscall",
                  unknown_positive_syscall,
                  "Caught cap fault in send phase at address 0x0\n"
                  "while trying to handle:\n"
                  "unknown syscall 0x1\n"
                  "in thread 0x* \"positive-syscall\" at address 0x*\n");
