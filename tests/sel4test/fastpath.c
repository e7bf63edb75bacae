// FASTPATH: the fastpath switches address spaces with a satp cached per thread. It
// must not trust that cache once the thread's VSpace has lost its ASID.
#include "vm.h"
#include <al4/debug.h>
#include <sel4/invocation.h>

#define CODE_VA 0x10000ul
#define CALLER_BADGE 0xb1
#define FAULT_BADGE 0xfa

static void stale_vspace(struct env *env)
{
    struct al4_alloc a;
    lib_alloc(env, &a, 64, 20);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    // A pool of our own, so that deleting it takes the caller's ASID away.
    seL4_CPtr pool = alloc_slot(env);
    test_eq(env,
            seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl,
                                            alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits),
                                            ROOT_CNODE, pool, 64),
            seL4_NoError);
    seL4_CPtr vspace = al4_vspace_new(&a, pool);
    test_assert(env, vspace != 0);
    seL4_CPtr code = al4_alloc_frame_with(&a, call_blob, call_blob_end - call_blob, 0);
    test_eq(env, al4_map_frame(&a, vspace, code, CODE_VA, seL4_CanRead, 0), seL4_NoError);
    // Its CSpace: the endpoint to call in slot 1, its fault endpoint in slot 2.
    seL4_CPtr cnode = al4_alloc_object(&a, seL4_CapTableObject, 4);
    test_eq(env, seL4_CNode_Mint(cnode, 1, 4, ROOT_CNODE, ep, 64, seL4_AllRights, CALLER_BADGE),
            seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cnode, 2, 4, ROOT_CNODE, ep, 64, seL4_AllRights, FAULT_BADGE),
            seL4_NoError);
    seL4_CPtr tcb = al4_alloc_object(&a, seL4_TCBObject, 0);
    test_assert(env, tcb != 0);
    seL4_Word cspace_data = seL4_CNode_CapData_new(0, 60);
    test_eq(env, seL4_TCB_Configure(tcb, 2, cnode, cspace_data, vspace, 0, 0, 0), seL4_NoError);
    // Our priority: the fastpath switches only to a thread not below the current one.
    test_eq(env, seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, seL4_MaxPrio), seL4_NoError);
    seL4_UserContext regs = {.pc = CODE_VA, .a0 = 100, .a2 = 1};
    test_eq(env, seL4_TCB_WriteRegisters(tcb, true, 0, sizeof(regs) / sizeof(seL4_Word), &regs),
            seL4_NoError);

    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    test_eq(env, badge, CALLER_BADGE);
    test_eq(env, seL4_GetMR(0), 100);
    // Answered, it calls again at once: both directions qualify for the fastpath.
    al4_counters_t before = al4_kernel_counters();
    seL4_Word busy = al4_ntfn_counters().fastpath_busy;
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    al4_counters_t after = al4_kernel_counters();
    busy = al4_ntfn_counters().fastpath_busy - busy;
    test_eq(env, badge, CALLER_BADGE);
    test_eq(env, seL4_GetMR(0), 101);
    // Both by the fastpath, but for one that found the kernel lock taken (SMP: another
    // hart in the kernel), which went the slow path's way in and was counted so.
    test_check(env, after.fastpath_reply_recv - before.fastpath_reply_recv <= 1);
    test_check(env, after.fastpath_call - before.fastpath_call <= 1);
    test_eq(env, after.fastpath_reply_recv - before.fastpath_reply_recv +
                     after.fastpath_call - before.fastpath_call + busy, 2);

    // Without its pool the caller's VSpace is no VSpace: woken, it runs on the kernel's
    // table and faults on its next instruction fetch, as on seL4. A fastpath that kept
    // using its old satp would let it call a third time instead.
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, pool, 64), seL4_NoError);
    before = al4_kernel_counters();
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    after = al4_kernel_counters();
    test_eq(env, badge, FAULT_BADGE);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_VMFault);
    test_eq(env, seL4_GetMR(seL4_VMFault_FSR), 1);
    test_eq(env, after.fastpath_reply_recv, before.fastpath_reply_recv);
}
DEFINE_TEST(FASTPATH0002, "a thread whose VSpace lost its ASID is not switched to by the fastpath",
            stale_vspace);
