// THREADS and DOMAINS: TCB configuration and its refusals, domains with one domain.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode

static char page[4096] __attribute__((aligned(4096)));

static void configure_errors(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr frame = image_frame_cap(env, page);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    // A CSpace that is not a CNode, a VSpace that is not a root, a misaligned buffer,
    // a buffer that is not a frame, a truncated message.
    test_eq(env, seL4_TCB_Configure(tcb, 0, ep, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page, frame),
            seL4_IllegalOperation);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, ep, 0, (seL4_Word)page, frame), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page + 8, frame),
            seL4_AlignmentError);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page, ep),
            seL4_IllegalOperation);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page, frame),
            seL4_NoError);
    seL4_MessageInfo_t r = seL4_Call(tcb, seL4_MessageInfo_new(TCBConfigure, 0, 0, 2));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
    // A buffer address of 0 clears the buffer.
    test_eq(env, seL4_TCB_SetIPCBuffer(tcb, 0, frame), seL4_NoError);
    test_eq(env, seL4_TCB_SetIPCBuffer(tcb, (seL4_Word)page + 1024, frame), seL4_NoError);
    test_eq(env, seL4_TCB_SetIPCBuffer(tcb, (seL4_Word)page + 1000, frame), seL4_AlignmentError);
}
DEFINE_TEST(THREADS0001, "TCB Configure and SetIPCBuffer refuse bad caps and addresses",
            configure_errors);

static void set_space_errors(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError);
    // An invalid guard makes the CSpace cap invalid.
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, ROOT, seL4_CNode_CapData_new(0, 60), seL4_CapInitThreadVSpace, 0),
            seL4_IllegalOperation);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    // An unassigned page table is not a VSpace; it cannot even be copied.
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, ROOT, 0, pt, 0), seL4_IllegalOperation);
    seL4_MessageInfo_t r = seL4_Call(tcb, seL4_MessageInfo_new(TCBSetSpace, 0, 0, 3));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
}
DEFINE_TEST(THREADS0002, "TCB SetSpace checks the CSpace and VSpace caps", set_space_errors);

// seL4's slotCapLongRunningDelete: replacing a CTable cap that is the last cap to its
// CNode would delete the whole CSpace in one invocation; refused instead.
static void long_running_delete(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0), tcb2 = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, 4), ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr frame = image_frame_cap(env, page);
    // The CNode's liveness shows through a notification whose only cap it holds: while
    // the notification lives, it stays bound to tcb2.
    test_eq(env, seL4_TCB_BindNotification(tcb2, nt), seL4_NoError);
    test_eq(env, seL4_CNode_Move(cn, 1, 4, ROOT, nt, 64), seL4_NoError);
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, cn, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError);
    // Not the last cap to the CNode: replacing it just drops the thread's copy.
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, cn, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, cn, 64), seL4_NoError);
    // Now the thread holds the only cap to the CNode.
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page, frame),
            seL4_IllegalOperation);
    // Configure checks the buffer first; SetSpace checks this before its caps.
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0, (seL4_Word)page + 8, frame),
            seL4_AlignmentError);
    test_eq(env, seL4_TCB_SetSpace(tcb, 0, ep, 0, ep, 0), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_SetIPCBuffer(tcb, (seL4_Word)page, frame), seL4_NoError);
    // The CNode and the notification live on.
    test_eq(env, seL4_TCB_UnbindNotification(tcb2), seL4_NoError);
}
DEFINE_TEST(THREADS0008, "SetSpace and Configure refuse to delete a thread's last CSpace cap",
            long_running_delete);

static void bind_errors(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0), tcb2 = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), ro = alloc_slot(env);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    // Not a notification: IllegalOperation, as seL4's decodeBindNotification.
    test_eq(env, seL4_TCB_BindNotification(tcb, ep), seL4_IllegalOperation);
    // No cap at all: a truncated message.
    seL4_MessageInfo_t r = seL4_Call(tcb, seL4_MessageInfo_new(TCBBindNotification, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
    test_eq(env, seL4_CNode_Copy(ROOT, ro, 64, ROOT, nt, 64, seL4_CanWrite), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(tcb, ro), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_BindNotification(tcb, nt), seL4_NoError);
    // A notification binds one TCB only.
    test_eq(env, seL4_TCB_BindNotification(tcb2, nt), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_UnbindNotification(tcb), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(tcb2, nt), seL4_NoError);
    // Deleting the notification unbinds it.
    test_eq(env, seL4_CNode_Revoke(ROOT, nt, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, nt, 64), seL4_NoError);
    test_eq(env, seL4_TCB_UnbindNotification(tcb2), seL4_IllegalOperation);
}
DEFINE_TEST(BIND0002, "binding checks the cap, its rights and existing bindings", bind_errors);

static void waiter(struct test_thread *t)
{
    seL4_Word badge;
    seL4_Wait(t->arg[0], &badge);
    t->result[0] = badge;
}

static void bound_wait_on_other(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr fault_ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, waiter, 255, fault_ep);
    th.arg[0] = nt;
    // Bound to the root task: another thread waiting on it takes a cap fault in the
    // receive phase (were it let wait, this Recv would never return).
    test_eq(env, seL4_TCB_BindNotification(seL4_CapInitThreadTCB, nt), seL4_NoError);
    thread_start(&th);
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_CapFault);
    test_eq(env, seL4_GetMR(seL4_CapFault_Addr), nt);
    test_eq(env, seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    test_check(env, !th.done);
    test_eq(env, seL4_TCB_UnbindNotification(seL4_CapInitThreadTCB), seL4_NoError);
}
DEFINE_TEST(BIND0003, "only the bound thread may wait on a bound notification", bound_wait_on_other);

static void waiters_fifo(struct env *env)
{
    static struct test_thread a, b;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), s1 = alloc_slot(env), s2 = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, s1, 64, ROOT, nt, 64, seL4_AllRights, 1), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(ROOT, s2, 64, ROOT, nt, 64, seL4_AllRights, 2), seL4_NoError);
    thread_create(env, &a, waiter, 255, 0);
    thread_create(env, &b, waiter, 255, 0);
    a.arg[0] = b.arg[0] = nt;
    thread_start(&a);
    thread_start(&b);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    seL4_Signal(s1);  // the first waiter gets badge 1
    seL4_Signal(s2);
    test_check(env, thread_wait(&a, 50) && thread_wait(&b, 50));
    test_eq(env, a.result[0], 1);
    test_eq(env, b.result[0], 2);
}
DEFINE_TEST(NBWAIT0002, "waiters on a notification are woken in order", waiters_fifo);

static void domains(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    test_eq(env, seL4_DomainSet_Set(seL4_CapDomain, 0, tcb), seL4_NoError);
    test_eq(env, seL4_DomainSet_Set(seL4_CapDomain, 1, tcb), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_DomainSet_Set(seL4_CapDomain, 0, seL4_CapInitThreadCNode), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 1);
}
DEFINE_TEST(DOMAINS0001, "with one domain only domain 0 is valid", domains);

static void sender_then_done(struct test_thread *t)
{
    seL4_SetMR(0, 31);
    seL4_Send(t->arg[0], seL4_MessageInfo_new(3, 0, 0, 1));
    t->result[0] = 1;
}

static void send_blocks(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    thread_create(env, &th, sender_then_done, 255, 0);
    th.arg[0] = ep;
    thread_start(&th);
    for (int i = 0; i < 5; i++)
        seL4_Yield();
    test_eq(env, th.result[0], 0);  // blocked in Send: nobody received yet
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), 3);
    test_eq(env, seL4_GetMR(0), 31);
    test_check(env, thread_wait(&th, 50));
}
DEFINE_TEST(IPC0010, "Send blocks until a receiver takes the message", send_blocks);

static void save_caller(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), saved = alloc_slot(env);
    thread_create(env, &th, sender_then_done, 255, 0);
    th.arg[0] = ep;
    thread_start(&th);
    seL4_Recv(ep, NULL);
    // A Send leaves no caller: nothing to save.
    test_eq(env, seL4_CNode_SaveCaller(ROOT, saved, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(saved), seL4_CapTag_Null);
    test_eq(env, seL4_CNode_SaveCaller(ROOT, seL4_CapInitThreadTCB, 64), seL4_DeleteFirst);
}
DEFINE_TEST(CNODEOP0007, "SaveCaller with no caller saves nothing", save_caller);

static void caller(struct test_thread *t)
{
    seL4_SetMR(0, 5);
    seL4_MessageInfo_t r = seL4_Call(t->arg[0], seL4_MessageInfo_new(0, 0, 0, 1));
    t->result[0] = seL4_GetMR(0);
    t->result[1] = seL4_MessageInfo_get_label(r);
}

static void saved_reply(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), saved = alloc_slot(env);
    thread_create(env, &th, caller, 255, 0);
    th.arg[0] = ep;
    thread_start(&th);
    seL4_Recv(ep, NULL);
    test_eq(env, seL4_CNode_SaveCaller(ROOT, saved, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(saved), seL4_CapTag_Reply);
    // A reply through the saved cap: a Send on it.
    seL4_SetMR(0, 55);
    seL4_Send(saved, seL4_MessageInfo_new(9, 0, 0, 1));
    test_check(env, thread_wait(&th, 50));
    test_eq(env, th.result[0], 55);
    test_eq(env, th.result[1], 9);
    // The reply cap is used up.
    test_eq(env, seL4_DebugCapIdentify(saved), seL4_CapTag_Null);
}
DEFINE_TEST(CNODEOP0008, "a saved reply cap answers the caller once", saved_reply);

static void delete_reply_target(struct env *env)
{
    static struct test_thread th;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), saved = alloc_slot(env);
    thread_create(env, &th, caller, 255, 0);
    th.arg[0] = ep;
    thread_start(&th);
    seL4_Recv(ep, NULL);
    test_eq(env, seL4_CNode_SaveCaller(ROOT, saved, 64), seL4_NoError);
    // The caller is suspended: its reply cap disappears with its blocked call.
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(saved), seL4_CapTag_Null);
}
DEFINE_TEST(CNODEOP0009, "suspending a caller deletes the reply cap to it", delete_reply_target);

static seL4_Word call_label(seL4_CPtr tcb, seL4_Word label, seL4_Word len, seL4_Word caps)
{
    return seL4_MessageInfo_get_label(seL4_Call(tcb, seL4_MessageInfo_new(label, 0, caps, len)));
}

// decodeTCBInvocation check by check: the argument counts, the error words.
static void tcb_decode_errors(struct env *env)
{
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    static const struct {
        seL4_Word label, len, caps;
    } truncated[] = {
        {TCBReadRegisters, 1, 0},  {TCBWriteRegisters, 1, 0}, {TCBCopyRegisters, 0, 1},
        {TCBCopyRegisters, 1, 0},  {TCBConfigure, 3, 3},      {TCBConfigure, 4, 2},
        {TCBSetPriority, 0, 1},    {TCBSetPriority, 1, 0},    {TCBSetMCPriority, 0, 1},
        {TCBSetMCPriority, 1, 0},  {TCBSetSchedParams, 1, 1}, {TCBSetSchedParams, 2, 0},
        {TCBSetIPCBuffer, 0, 1},   {TCBSetIPCBuffer, 1, 0},   {TCBSetSpace, 2, 2},
        {TCBSetSpace, 3, 1},       {TCBSetTLSBase, 0, 0},     {TCBSetFlags, 1, 0},
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        {TCBSetAffinity, 0, 0},
#endif
    };
    for (unsigned i = 0; i < sizeof(truncated) / sizeof(truncated[0]); i++) {
        // Extra caps: the root TCB, valid wherever a TCB is wanted: only counts matter.
        for (seL4_Word c = 0; c < truncated[i].caps; c++)
            seL4_SetCap(c, seL4_CapInitThreadTCB);
        seL4_Word l = call_label(tcb, truncated[i].label, truncated[i].len, truncated[i].caps);
        if (l != seL4_TruncatedMessage)
            printf("# label %lu, %lu words, %lu caps\n", (unsigned long)truncated[i].label,
                   (unsigned long)truncated[i].len, (unsigned long)truncated[i].caps);
        test_eq(env, l, seL4_TruncatedMessage);
    }
    // WriteRegisters: fewer words than it names.
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 3);
    test_eq(env, call_label(tcb, TCBWriteRegisters, 4, 0), seL4_TruncatedMessage);
    // ReadRegisters: 1..32 registers, RangeError with the bounds in MR0 and MR1.
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 33);
    test_eq(env, call_label(tcb, TCBReadRegisters, 2, 0), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_GetMR(1), 32);
    // Priorities above the authority's MCP: RangeError 0..MCP; a non-TCB authority:
    // InvalidCapability 1.
    test_eq(env, seL4_TCB_SetMCPriority(tcb, tcb, 1), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), 0);
    test_eq(env, seL4_TCB_SetSchedParams(tcb, seL4_CapInitThreadTCB, 255, 256), seL4_RangeError);
    test_eq(env, seL4_GetMR(1), 255);
    test_eq(env, seL4_TCB_SetSchedParams(tcb, seL4_CapInitThreadCNode, 0, 0), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_TCB_CopyRegisters(tcb, seL4_CapInitThreadCNode, 0, 0, 1, 1, 0), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    // A label that is not a TCB invocation.
    test_eq(env, call_label(tcb, CNodeRevoke, 2, 0), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_UnbindNotification(tcb), seL4_IllegalOperation);
}
DEFINE_TEST(THREADS0009, "TCB invocations refuse short messages with seL4's errors and words",
            tcb_decode_errors);
