// FRAMEEXPORTS: what a mapping lets a thread do, from the rights of the map call, the
// rights of the cap and the ExecuteNever attribute.
#include "vm.h"

#define RW_VA FREE_VA  // the frame, read-write, as the root task fills it
#define SHARED_VA (FREE_VA + PAGE)  // the same frame through a second cap

// A frame mapped read-write at RW_VA, and a copy of its cap with `rights` (unmapped).
static seL4_CPtr frame_and_copy(struct env *env, seL4_CapRights_t rights, seL4_CPtr *copy)
{
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    *copy = alloc_slot(env);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, RW_VA, seL4_ReadWrite, 0), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, *copy, 64, ROOT_CNODE, frame, 64, rights),
            seL4_NoError);
    return frame;
}

static void read_only(struct env *env)
{
    static struct test_thread t;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), copy;
    frame_and_copy(env, seL4_AllRights, &copy);
    test_eq(env,
            seL4_RISCV_Page_Map(copy, ROOT_VSPACE, SHARED_VA, seL4_CanRead,
                                seL4_RISCV_ExecuteNever),
            seL4_NoError);
    *(volatile seL4_Word *)RW_VA = 0x1111;
    test_eq(env, *(volatile seL4_Word *)SHARED_VA, 0x1111);
    start_toucher(env, &t, ep, SHARED_VA, TOUCH_STORE, 0x2222);
    expect_vm_fault(env, ep, SHARED_VA, 7);
    // Mapped again at the same place with write rights, the store goes through.
    test_eq(env,
            seL4_RISCV_Page_Map(copy, ROOT_VSPACE, SHARED_VA, seL4_ReadWrite,
                                seL4_RISCV_ExecuteNever),
            seL4_NoError);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    expect_touched(env, ep);
    test_eq(env, *(volatile seL4_Word *)RW_VA, 0x2222);
}
DEFINE_TEST(FRAMEEXPORTS0001, "a frame mapped read-only faults on a write", read_only);

static void execute_never(struct env *env)
{
    static struct test_thread t;
    // li a0, 42; ret
    static const uint32_t code[] = {0x02a00513, 0x00008067};
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), copy;
    frame_and_copy(env, seL4_AllRights, &copy);
    for (unsigned i = 0; i < sizeof(code) / sizeof(code[0]); i++)
        ((volatile uint32_t *)RW_VA)[i] = code[i];
    asm volatile("fence.i" ::: "memory");
    test_eq(env,
            seL4_RISCV_Page_Map(copy, ROOT_VSPACE, SHARED_VA, seL4_CanRead,
                                seL4_RISCV_ExecuteNever),
            seL4_NoError);
    start_toucher(env, &t, ep, SHARED_VA, TOUCH_EXEC, 0);
    expect_vm_fault(env, ep, SHARED_VA, 1);
    test_eq(env, seL4_GetMR(seL4_VMFault_IP), SHARED_VA);
    // Mapped again without ExecuteNever, the code runs.
    test_eq(env,
            seL4_RISCV_Page_Map(copy, ROOT_VSPACE, SHARED_VA, seL4_CanRead,
                                seL4_RISCV_Default_VMAttributes),
            seL4_NoError);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_eq(env, expect_touched(env, ep), 42);
}
DEFINE_TEST(FRAMEEXPORTS0002, "ExecuteNever forbids instruction fetches", execute_never);

static void cap_rights(struct env *env)
{
    static struct test_thread t1, t2;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), ro, wo = alloc_slot(env);
    seL4_CPtr frame = frame_and_copy(env, seL4_CanRead, &ro);
    // A read-only cap maps read-only whatever the call asks for.
    test_eq(env,
            seL4_RISCV_Page_Map(ro, ROOT_VSPACE, SHARED_VA, seL4_AllRights,
                                seL4_RISCV_ExecuteNever),
            seL4_NoError);
    *(volatile seL4_Word *)RW_VA = 0x3333;
    test_eq(env, *(volatile seL4_Word *)SHARED_VA, 0x3333);
    start_toucher(env, &t1, ep, SHARED_VA, TOUCH_STORE, 1);
    expect_vm_fault(env, ep, SHARED_VA, 7);
    // A cap without read right maps nothing a thread may touch (seL4 has no
    // write-only mappings: such a cap is kernel-only).
    test_eq(env, seL4_RISCV_Page_Unmap(ro), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, wo, 64, ROOT_CNODE, frame, 64, seL4_CanWrite),
            seL4_NoError);
    test_eq(env,
            seL4_RISCV_Page_Map(wo, ROOT_VSPACE, SHARED_VA, seL4_AllRights,
                                seL4_RISCV_ExecuteNever),
            seL4_NoError);
    start_toucher(env, &t2, ep, SHARED_VA, TOUCH_LOAD, 0);
    expect_vm_fault(env, ep, SHARED_VA, 5);
    test_eq(env, seL4_RISCV_Page_GetAddress(wo).paddr, seL4_RISCV_Page_GetAddress(frame).paddr);
}
DEFINE_TEST(FRAMEEXPORTS0003, "the cap's rights limit the mapping's", cap_rights);
