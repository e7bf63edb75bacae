// PAGEFAULT and fault handling: faults of a helper thread arrive at its fault endpoint
// as seL4 formats them, and the handler's reply resumes (or not) as seL4 does.
#include "helpers.h"

#define PRIO 255

static void unknown_syscall_thread(struct test_thread *t)
{
    register seL4_Word a0 asm("a0") = 11;
    register seL4_Word a7 asm("a7") = (seL4_Word)-100;
    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    t->result[0] = a0;
}

static void unknown_syscall_handled(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, unknown_syscall_thread, PRIO, ep);
    thread_start(&th);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_UnknownSyscall);
    test_eq(env, seL4_MessageInfo_get_length(info), seL4_UnknownSyscall_Length);
    test_eq(env, seL4_GetMR(seL4_UnknownSyscall_A0), 11);
    test_eq(env, seL4_GetMR(seL4_UnknownSyscall_Syscall), (seL4_Word)-100);
    seL4_Word ip = seL4_GetMR(seL4_UnknownSyscall_FaultIP);
    // Resume after the ecall with a0 = 42: label 0 writes the registers back.
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, ip + 4);
    seL4_SetMR(seL4_UnknownSyscall_A0, 42);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_A0 + 1));
    test_check(env, thread_wait(&th, 100));
    test_eq(env, th.result[0], 42);
}
DEFINE_TEST(PAGEFAULT1001, "an unknown syscall goes to the fault handler, which resumes it",
            unknown_syscall_handled);

static void load_fault_thread(struct test_thread *t)
{
    seL4_Word addr = 0x8, v;
    asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
    t->result[0] = v;
}

static void recovered(struct test_thread *t)
{
    t->result[1] = 0x600d;
}

static void vm_fault_handled(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, load_fault_thread, PRIO, ep);
    thread_start(&th);
    seL4_Word badge = 1;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    test_eq(env, badge, 0);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_VMFault);
    test_eq(env, seL4_MessageInfo_get_length(info), seL4_VMFault_Length);
    test_eq(env, seL4_GetMR(seL4_VMFault_Addr), 0x8);
    test_eq(env, seL4_GetMR(seL4_VMFault_PrefetchFault), 0);
    test_eq(env, seL4_GetMR(seL4_VMFault_FSR), 5);
    // Send the thread elsewhere: new pc, resumed.
    seL4_UserContext regs;
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 32, &regs), seL4_NoError);
    test_eq(env, regs.pc, seL4_GetMR(seL4_VMFault_IP));
    regs.pc = (seL4_Word)recovered;
    regs.a0 = (seL4_Word)&th;
    test_eq(env, seL4_TCB_WriteRegisters(th.tcb, 1, 0, 32, &regs), seL4_NoError);
    for (int i = 0; i < 50 && !th.result[1]; i++)
        seL4_Yield();
    test_eq(env, th.result[1], 0x600d);
}
DEFINE_TEST(PAGEFAULT0001, "a VM fault reaches the handler with address and status",
            vm_fault_handled);

static void illegal_thread(struct test_thread *t)
{
    asm volatile(".word 0");
    t->result[0] = 1;
}

static void user_exception_handled(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), badged = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, 64, seL4_CapInitThreadCNode, ep,
                                 64, seL4_AllRights, 0x77), seL4_NoError);
    thread_create(env, &th, illegal_thread, PRIO, badged);
    thread_start(&th);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    test_eq(env, badge, 0x77);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_UserException);
    test_eq(env, seL4_MessageInfo_get_length(info), seL4_UserException_Length);
    test_eq(env, seL4_GetMR(seL4_UserException_Number), 2);  // illegal instruction
    test_eq(env, seL4_GetMR(seL4_UserException_SP) != 0, 1);
    // Skip the bad instruction.
    seL4_SetMR(0, seL4_GetMR(seL4_UserException_FaultIP) + 4);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    test_check(env, thread_wait(&th, 100));
    test_eq(env, th.result[0], 1);
}
DEFINE_TEST(PAGEFAULT0002, "a user exception reaches the handler; the reply skips it",
            user_exception_handled);

static void cap_fault_thread(struct test_thread *t)
{
    seL4_Send(1ul << 63, seL4_MessageInfo_new(0, 0, 0, 0));
    t->result[0] = 1;
}

static void cap_fault_handled(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, cap_fault_thread, PRIO, ep);
    thread_start(&th);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_CapFault);
    test_eq(env, seL4_GetMR(seL4_CapFault_Addr), 1ul << 63);
    test_eq(env, seL4_GetMR(seL4_CapFault_InRecvPhase), 0);
    test_eq(env, seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_GuardMismatch);
    test_eq(env, seL4_GetMR(seL4_CapFault_BitsLeft), 64);
    test_eq(env, seL4_GetMR(seL4_CapFault_GuardMismatch_GuardFound), 0);
    // The root CNode's guard: 64 bits less its radix (ROOT_CNODE_BITS).
    test_eq(env, seL4_GetMR(seL4_CapFault_GuardMismatch_BitsFound), 64 - env->bi->initThreadCNodeSizeBits);
    test_eq(env, seL4_MessageInfo_get_length(info), 7);
    // A reply to a cap fault restarts the send, which faults again.
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_CapFault);
    test_eq(env, th.result[0], 0);
}
DEFINE_TEST(PAGEFAULT0003, "a cap fault reports the lookup failure; replying restarts",
            cap_fault_handled);

static void no_reply_right(struct env *env)
{
    static struct test_thread th;
    // A fault endpoint without grant rights cannot take faults: double fault.
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), weak = alloc_slot(env);
    // Badged, so that a fault delivered through it would show.
    test_eq(env, seL4_CNode_Mint(seL4_CapInitThreadCNode, weak, 64, seL4_CapInitThreadCNode, ep, 64,
                                 seL4_CapRights_new(0, 0, 1, 1), 0x5), seL4_NoError);
    thread_create(env, &th, load_fault_thread, PRIO, weak);
    thread_start(&th);
    seL4_Word badge;
    for (int i = 0; i < 10; i++)
        seL4_Yield();
    seL4_NBRecv(ep, &badge);
    test_eq(env, badge, 0);
    seL4_UserContext regs;
    test_eq(env, seL4_TCB_ReadRegisters(th.tcb, 0, 0, 1, &regs), seL4_NoError);
    test_check(env, !th.done);
}
DEFINE_TEST(PAGEFAULT0004, "a fault endpoint without grant rights is a double fault", no_reply_right);
