// IRQ and PREEMPT: interrupt handler caps and their errors, and timer preemption.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode
// seL4's maxIRQ on qemu-riscv-virt: 128 PLIC sources, then the IPIs (SMP) and the timer.
#ifdef CONFIG_ENABLE_SMP_SUPPORT
#define MAX_IRQ 131
#else
#define MAX_IRQ 129
#endif

static void irq_control(struct env *env)
{
    seL4_CPtr h = alloc_slot(env), h2 = alloc_slot(env);
    // seL4's numbering on qemu-riscv-virt: PLIC sources 1..128 can be issued; the
    // RangeError names 1..maxIRQ, which counts the kernel's own IRQs after them.
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 0, ROOT, h, 64), seL4_RangeError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 129, ROOT, h, 64), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_GetMR(1), MAX_IRQ);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 128, ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 20, ROOT, seL4_CapInitThreadTCB, 64),
            seL4_DeleteFirst);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 20, ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(h), seL4_CapTag_IRQHandler);
    // One handler per line: a second is refused until the first is gone.
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 20, ROOT, h2, 64), seL4_RevokeFirst);
    test_eq(env, seL4_CNode_Delete(ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 20, ROOT, h2, 64), seL4_NoError);
    // The IRQ control cap cannot be copied.
    test_eq(env, seL4_CNode_Copy(ROOT, h, 64, ROOT, seL4_CapIRQControl, 64, seL4_AllRights),
            seL4_IllegalOperation);
}
DEFINE_TEST(IRQ0001, "IRQControl issues one handler per line and checks its arguments", irq_control);

static void irq_handler(struct env *env)
{
    seL4_CPtr h = alloc_slot(env), copy = alloc_slot(env);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), ro = alloc_slot(env);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 21, ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(h, ep), seL4_InvalidCapability);
    test_eq(env, seL4_CNode_Copy(ROOT, ro, 64, ROOT, nt, 64, seL4_CanRead), seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(h, ro), seL4_InvalidCapability);
    test_eq(env, seL4_IRQHandler_SetNotification(h, nt), seL4_NoError);
    test_eq(env, seL4_IRQHandler_Clear(h), seL4_NoError);
    test_eq(env, seL4_IRQHandler_Ack(h), seL4_NoError);
    // A copy of a handler cap works too; deleting one copy keeps the line issued.
    test_eq(env, seL4_CNode_Copy(ROOT, copy, 64, ROOT, h, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(copy, nt), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, copy, 64), seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, 21, ROOT, copy, 64), seL4_RevokeFirst);
    seL4_MessageInfo_t r = seL4_Call(h, seL4_MessageInfo_new(UntypedRetype, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_IllegalOperation);
}
DEFINE_TEST(IRQ0002, "IRQ handler caps bind, clear and ack", irq_handler);

static volatile seL4_Word spins;

static void spinner(struct test_thread *t)
{
    (void)t;
    for (;;)
        spins++;
}

static void timeslice_preemption(struct env *env)
{
    static struct test_thread th;
    thread_create(env, &th, spinner, 255, 0);
    spins = 0;
    thread_start(&th);
    // The spinner never yields; only the end of its time slice gives the CPU back.
    seL4_Yield();
    test_check(env, spins > 0);
    seL4_Word seen = spins;
    seL4_Yield();
    test_check(env, spins > seen);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(PREEMPT0001, "a spinning thread of equal priority loses the CPU at its slice end",
            timeslice_preemption);

#include <al4/debug.h>

static void preempt_revoke(struct env *env)
{
    // 16384 endpoints in one CNode, all children of one untyped: revoking them takes
    // long enough for timer ticks to arrive, which stop the revoke at a preemption
    // point; the restarted call finishes the job.
    seL4_CPtr ut, cn;
    test_assert(env, long_revoke_setup(env, &ut, &cn));
    test_eq(env, seL4_DebugCapIdentify(cn), seL4_CapTag_CNode);
    al4_counters_t before = al4_kernel_counters();
    test_eq(env, seL4_CNode_Revoke(ROOT, ut, 64), seL4_NoError);
    al4_counters_t after = al4_kernel_counters();
    printf("# revoke of 16384 caps: %lu preemptions\n",
           (unsigned long)(after.preemptions - before.preemptions));
    // Everything went: the untyped can be retyped whole again.
    seL4_CPtr again = alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_UntypedObject, 19, ROOT, 0, 0, again, 1), seL4_NoError);
    for (seL4_Word i = 0; i < 16384; i += 997)
        test_eq(env, seL4_CNode_Delete(cn, i, 14), seL4_NoError);
}
DEFINE_TEST(PREEMPT0002, "a long revoke is preempted and still completes", preempt_revoke);

#define UART_PADDR 0x10000000ul
#define UART_IRQ 10
#define UART_VADDR 0x20000000ul
#define UART_IER 1
#define UART_IER_THRI 0x02

static void uart_interrupt(struct env *env)
{
    seL4_CPtr frame = device_frame(env, UART_PADDR);
    test_assert(env, frame);
    seL4_RISCV_Page_GetAddress_t a = seL4_RISCV_Page_GetAddress(frame);
    test_eq(env, a.paddr, UART_PADDR);
    test_assert(env, map_in_root(env, frame, UART_VADDR) == seL4_NoError);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), badged = alloc_slot(env);
    seL4_CPtr handler = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, badged, 64, ROOT, nt, 64, seL4_AllRights, 1ul << UART_IRQ),
            seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, UART_IRQ, ROOT, handler, 64), seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(handler, badged), seL4_NoError);
    volatile uint8_t *uart = (volatile uint8_t *)UART_VADDR;
    // "Transmitter empty" interrupts: the line stays raised while enabled and empty.
    uart[UART_IER] = UART_IER_THRI;
    seL4_Word badge = 0;
    seL4_Wait(nt, &badge);
    test_eq(env, badge, 1ul << UART_IRQ);
    // The device asks again (its interrupt line drops and rises), but until the
    // handler acks, the PLIC holds the line: nothing more arrives.
    uart[UART_IER] = 0;
    uart[UART_IER] = UART_IER_THRI;
    for (int i = 0; i < 100; i++)
        seL4_Yield();
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 0);
    // Acking re-arms the line and the waiting request is delivered.
    test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
    seL4_Wait(nt, &badge);
    test_eq(env, badge, 1ul << UART_IRQ);
    uart[UART_IER] = 0;
    test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, handler, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
}
DEFINE_TEST(IRQ0003, "the UART's interrupt reaches a user notification; acking re-arms it",
            uart_interrupt);

#define BIG_VA 0x40000000ul

static void preempt_retype(struct env *env)
{
    // Four 2 MiB frames in one retype: 8 MiB to zero, stopped by ticks at preemption
    // points and finished by the restarted call. The memory is dirtied first, so a
    // frame that comes back not all zero shows an interrupted clear that was skipped.
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 24 - 1);
    test_assert(env, ut);
    seL4_CPtr f = alloc_slot(env);
    for (int i = 1; i < 4; i++)
        alloc_slot(env);
    test_assert(env, seL4_Untyped_Retype(ut, seL4_RISCV_Mega_Page, 0, ROOT, 0, 0, f, 4) == seL4_NoError);
    for (int i = 0; i < 4; i++) {
        test_assert(env, map_in_root(env, f + i, BIG_VA) == seL4_NoError);
        volatile seL4_Word *p = (volatile seL4_Word *)BIG_VA;
        for (seL4_Word w = 0; w < (2ul << 20) / 8; w += 509)
            p[w] = 0xd1d1d1d1d1d1d1d1ul;
        test_eq(env, seL4_RISCV_Page_Unmap(f + i), seL4_NoError);
    }
    test_eq(env, seL4_CNode_Revoke(ROOT, ut, 64), seL4_NoError);
    al4_counters_t before = al4_kernel_counters();
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_Mega_Page, 0, ROOT, 0, 0, f, 4), seL4_NoError);
    al4_counters_t after = al4_kernel_counters();
    printf("# retype of 8 MiB: %lu preemptions\n", (unsigned long)(after.preemptions - before.preemptions));
    seL4_Word dirty = 0;
    for (int i = 0; i < 4; i++) {
        test_assert(env, map_in_root(env, f + i, BIG_VA) == seL4_NoError);
        volatile seL4_Word *p = (volatile seL4_Word *)BIG_VA;
        for (seL4_Word w = 0; w < (2ul << 20) / 8; w += 509)
            dirty += p[w] != 0;
        test_eq(env, seL4_RISCV_Page_Unmap(f + i), seL4_NoError);
    }
    test_eq(env, dirty, 0);
}
DEFINE_TEST(PREEMPT0003, "a large retype is preempted while zeroing and still zeroes it all",
            preempt_retype);

// seL4's decodeIRQControlInvocation and decodeIRQHandlerInvocation, check by check and
// in their order: message length, IRQ range, line already issued, destination slot.
static void irq_refusals(struct env *env)
{
    const seL4_CPtr ctl = seL4_CapIRQControl;
    seL4_CPtr h = alloc_slot(env), h2 = alloc_slot(env);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_SetCap(0, ROOT);
    seL4_SetMR(0, 23);
    seL4_SetMR(1, h);
    seL4_SetMR(2, 64);
    seL4_SetMR(3, 64);
    seL4_MessageInfo_t info = seL4_Call(ctl, seL4_MessageInfo_new(IRQIssueIRQHandler, 0, 1, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    info = seL4_Call(ctl, seL4_MessageInfo_new(IRQIssueIRQHandler, 0, 0, 3));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    info = seL4_Call(ctl, seL4_MessageInfo_new(RISCVIRQIssueIRQHandlerTrigger, 0, 1, 3));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    // The range comes before the destination is looked at.
    test_eq(env, seL4_IRQControl_Get(ctl, 200, nt, h, 64), seL4_RangeError);
    // The destination: a depth outside 1..64, a root that is not a CNode.
    test_eq(env, seL4_IRQControl_Get(ctl, 23, ROOT, h, 0), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_GetMR(1), 64);
    test_eq(env, seL4_IRQControl_Get(ctl, 23, nt, h, 64), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_InvalidRoot);
    // The trigger variant checks the same; the trigger word only picks level or edge.
    test_eq(env, seL4_IRQControl_GetTrigger(ctl, 0, 1, ROOT, h, 64), seL4_RangeError);
    test_eq(env, seL4_GetMR(1), MAX_IRQ);
    test_eq(env, seL4_IRQControl_GetTrigger(ctl, 23, 1, ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(h), seL4_CapTag_IRQHandler);
    // An issued line is refused before the destination is looked at.
    test_eq(env, seL4_IRQControl_Get(ctl, 23, nt, h2, 64), seL4_RevokeFirst);
    test_eq(env, seL4_IRQControl_GetTrigger(ctl, 23, 0, ROOT, h2, 64), seL4_RevokeFirst);
    // Labels IRQ control does not have; SetNotification without its cap.
    info = seL4_Call(ctl, seL4_MessageInfo_new(IRQAckIRQ, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_IllegalOperation);
    info = seL4_Call(h, seL4_MessageInfo_new(IRQSetIRQHandler, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    info = seL4_Call(h, seL4_MessageInfo_new(IRQIssueIRQHandler, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_IllegalOperation);
    // Deleting the last handler cap frees the line.
    test_eq(env, seL4_CNode_Delete(ROOT, h, 64), seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(ctl, 23, ROOT, h2, 64), seL4_NoError);
}
DEFINE_TEST(IRQ0005, "IRQControl and IRQHandler refuse as seL4 does, in seL4's order",
            irq_refusals);
