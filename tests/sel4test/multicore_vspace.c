// MULTICORE: deleting the VSpace a thread is running on, on another hart. The hart
// must leave the VSpace's tables before the deletion returns: their memory can be
// retyped right after, and a hart still walking them would then translate through
// whatever the new owner writes there (kernel/smp.c, smp_drop_vspace).
#include "vm.h"

#ifdef CONFIG_ENABLE_SMP_SUPPORT
#define SPIN_CODE 0x10000ul
#define SHARED_VA (FREE_VA + 8 * PAGE)  // the counter, where the root task sees it

static void delete_running_vspace(struct env *env)
{
    if (!need_harts(env, 2))
        return;
    struct al4_alloc a;
    lib_alloc(env, &a, 64, 20);
    // The root table from an untyped of its own, so that one Revoke deletes the table's
    // last caps (the root task's and the thread's copy) and nothing else of the test.
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_PageTableBits);
    seL4_CPtr vspace = alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_PageTableObject, 0, ROOT_CNODE, 0, 0, vspace, 1),
            seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace), seL4_NoError);
    seL4_CPtr code = al4_alloc_frame_with(&a, spin_blob, spin_blob_end - spin_blob, 0);
    seL4_CPtr counter = al4_alloc_object(&a, seL4_RISCV_4K_Page, 0);
    seL4_CPtr mine = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, mine, 64, ROOT_CNODE, counter, 64, seL4_AllRights),
            seL4_NoError);
    test_eq(env, al4_map_frame(&a, vspace, code, SPIN_CODE, seL4_CanRead, 0), seL4_NoError);
    test_eq(env, al4_map_frame(&a, vspace, counter, FREE_VA, seL4_ReadWrite, seL4_RISCV_ExecuteNever),
            seL4_NoError);
    test_eq(env, map_in_root(env, mine, SHARED_VA), seL4_NoError);
    volatile seL4_Word *count = (volatile seL4_Word *)SHARED_VA;

    // The spinner on hart 1, in its own VSpace, without a fault handler.
    seL4_CPtr tcb = al4_alloc_object(&a, seL4_TCBObject, 0);
    test_eq(env, seL4_TCB_Configure(tcb, 0, ROOT_CNODE, 0, vspace, 0, 0, 0), seL4_NoError);
    test_eq(env, seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, VM_PRIO - 1), seL4_NoError);
    test_eq(env, seL4_TCB_SetAffinity(tcb, 1), seL4_NoError);
    seL4_UserContext regs = {.pc = SPIN_CODE, .a1 = FREE_VA};
    test_eq(env, seL4_TCB_WriteRegisters(tcb, true, 0, sizeof(regs) / sizeof(seL4_Word), &regs),
            seL4_NoError);
    for (int i = 0; i < 10000000 && *count < 1000; i++)
        ;
    test_check(env, *count >= 1000);

    // One system call deletes the root table's caps while its thread runs on hart 1;
    // the thread would otherwise go on until hart 1 next entered the kernel.
    test_eq(env, seL4_CNode_Revoke(ROOT_CNODE, ut, 64), seL4_NoError);
    seL4_Word at_delete = *count;
    for (int i = 0; i < 2000000; i++)
        ;
    // Not one more add: hart 1 left the tables before the deletion returned, and its
    // thread faulted at its next access (no handler: it stays stopped).
    test_eq(env, *count, at_delete);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, tcb, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(mine), seL4_NoError);
}
DEFINE_TEST(MULTICORE0008, "deleting the VSpace a thread runs on at another hart stops its accesses at once",
            delete_running_vspace);
#endif
