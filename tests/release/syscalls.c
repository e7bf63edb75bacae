// RELEASE: what a release kernel (DEBUG=0) offers. This suite is the seL4 suite's
// runner with tests that use no debug call, built with DEBUG=0 PRINTING=1 (printing
// is how it reports; seL4's KernelPrinting may be on in a release build).
#include "helpers.h"
#include <sel4/syscall.h>
#include <al4/syscall.h>

#define RETURNED 77

// Makes system call t->arg[1]; if it returns (it exists), says so on endpoint t->arg[0],
// the same endpoint its faults go to, so the test fails rather than waits.
static void try_syscall(struct test_thread *t)
{
    register seL4_Word a0 asm("a0") = 0;
    register seL4_Word a7 asm("a7") = t->arg[1];
    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    if (t->arg[2] == 0)
        seL4_Send(t->arg[0], seL4_MessageInfo_new(RETURNED, 0, 0, 0));
}

// The debug calls other than printing, and the project's counters and fastpath
// switch, do not exist: each is an unknown syscall for the fault handler, as on seL4.
static void debug_calls_absent(struct env *env)
{
    static const long numbers[] = {seL4_SysDebugHalt, seL4_SysDebugCapIdentify,
                                   seL4_SysDebugSnapshot, seL4_SysDebugNameThread,
                                   seL4_SysDebugSendIPI, al4_SysKernelCounters, al4_SysSetFastpath};
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        thread_create(env, &th, try_syscall, 255, ep);
        th.arg[0] = ep;
        th.arg[1] = (seL4_Word)numbers[i];
        thread_start(&th);
        seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
        test_eq(env, seL4_MessageInfo_get_label(info), seL4_UnknownSyscall);
        test_eq(env, seL4_GetMR(seL4_UnknownSyscall_Syscall), (seL4_Word)numbers[i]);
        // Resume past the ecall: the thread finishes without reporting.
        th.arg[2] = 1;
        seL4_SetMR(seL4_UnknownSyscall_FaultIP, seL4_GetMR(seL4_UnknownSyscall_FaultIP) + 4);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1));
        test_check(env, thread_wait(&th, 100));
        seL4_TCB_Suspend(th.tcb);
    }
}
DEFINE_TEST(RELEASE0001, "debug and project system calls are unknown syscalls in a release build",
            debug_calls_absent);

static void api_works(struct env *env)
{
    // A signal through a badged cap reaches Poll on another cap to the notification
    // (an unbadged one would read 0 whether or not the signal arrived).
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), badged = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, 64, seL4_CapInitThreadCNode,
                                 nt, 64, seL4_AllRights, 0x24), seL4_NoError);
    seL4_Signal(badged);
    seL4_Word badge = 0;
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 0x24);
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 0);
    seL4_Yield();
    test_eq(env, seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255),
            seL4_NoError);
}
DEFINE_TEST(RELEASE0002, "a release kernel runs the root task's invocations", api_works);
