// VSPACE: frames and page tables in the root task's own VSpace and in new ones (map,
// unmap, remap, and the refusals of seL4 15.0.0 on RISC-V). ASID pools: asid.c.
#include "vm.h"
#include <sel4/invocation.h>

static bool page_holds(volatile seL4_Word *p, seL4_Word seed)
{
    for (int i = 0; i < 512; i++)
        if (p[i] != seed + i)
            return false;
    return true;
}

static bool page_zero(volatile seL4_Word *p)
{
    for (int i = 0; i < 512; i++)
        if (p[i])
            return false;
    return true;
}

static void fill_page(volatile seL4_Word *p, seL4_Word seed)
{
    for (int i = 0; i < 512; i++)
        p[i] = seed + i;
}

// A new VSpace with an ASID from the root task's pool.
static seL4_CPtr new_vspace(struct env *env)
{
    seL4_CPtr root = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, root), seL4_NoError);
    return root;
}

static seL4_Word shadow[512] __attribute__((aligned(4096)));

static void own_spaces(struct env *env)
{
    struct al4_alloc a;
    lib_alloc(env, &a, 64, 20);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr vspace = al4_vspace_new(&a, seL4_CapInitThreadASIDPool);
    test_assert(env, vspace != 0);
    // Its code where the root task's code starts, its data where the root task has
    // `shadow`: the same addresses, other memory.
    seL4_CPtr code = al4_alloc_frame_with(&a, touch_blob, blob_size(), 0);
    seL4_CPtr data = al4_alloc_object(&a, seL4_RISCV_4K_Page, 0);
    test_eq(env, al4_map_frame(&a, vspace, code, 0x10000, seL4_CanRead, 0), seL4_NoError);
    test_eq(env,
            al4_map_frame(&a, vspace, data, (seL4_Word)shadow, seL4_ReadWrite,
                          seL4_RISCV_ExecuteNever),
            seL4_NoError);
    // A CSpace of 16 slots with the endpoint in slot 1.
    seL4_CPtr cnode = al4_alloc_object(&a, seL4_CapTableObject, 4);
    test_eq(env, seL4_CNode_Mint(cnode, 1, 4, ROOT_CNODE, ep, 64, seL4_AllRights, 0xb1),
            seL4_NoError);
    shadow[0] = 7;
    start_blob_thread(env, &a, vspace, cnode, seL4_CNode_CapData_new(0, 60), 0x10000,
                      (seL4_Word)shadow, 1, 0x5ca1ab1e);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), 0);
    test_eq(env, badge, 0xb1);
    test_eq(env, seL4_GetMR(0), 0x5ca1ab1e);
    test_eq(env, shadow[0], 7);
}
DEFINE_TEST(VSPACE0000, "a thread in a CSpace and VSpace of its own", own_spaces);

static void map_4k(struct env *env)
{
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    volatile seL4_Word *p = (volatile seL4_Word *)FREE_VA;
    // No level-0 table there yet: the walk ends at level 1, 21 bits left.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_MissingCapability);
    test_eq(env, seL4_GetMR(2), seL4_LargePageBits);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    test_check(env, page_zero(p));  // a new frame is zeroed
    fill_page(p, 0xf00d0000);
    test_check(env, page_holds(p, 0xf00d0000));
    // Mapping again at the same place is allowed (it is how rights change).
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
    // The frame keeps its contents: mapped one page on, it shows them there.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_NoError);
    test_check(env, page_holds(p + 512, 0xf00d0000));
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
}
DEFINE_TEST(VSPACE0001, "map, use, unmap and map elsewhere a 4 KiB frame", map_4k);

static void unmap_after_delete(struct env *env)
{
    seL4_CPtr vspace = new_vspace(env);
    seL4_CPtr l1 = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr l0 = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_eq(env, seL4_RISCV_PageTable_Map(l1, vspace, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(l0, vspace, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, vspace, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, vspace, 64), seL4_NoError);
    // The ASID is gone: mapping into a VSpace with that ASID fails, unmapping is a no-op.
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(l0), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(l1), seL4_NoError);
    // All three are free to be used again, here in the root task's VSpace.
    test_eq(env, seL4_RISCV_PageTable_Map(l0, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    *(volatile seL4_Word *)FREE_VA = 1;
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, frame, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, l0, 64), seL4_NoError);
}
DEFINE_TEST(VSPACE0007, "unmap frames and tables after their VSpace was deleted",
            unmap_after_delete);

static void map_2m(struct env *env)
{
    seL4_CPtr big = alloc_object(env, seL4_RISCV_Mega_Page, 0);
    seL4_CPtr small = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_Word va = FREE_VA + 2 * MEGA;
    volatile seL4_Word *p = (volatile seL4_Word *)va;
    // A 2 MiB frame hangs from the level-1 table directly: no table to add.
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, va, seL4_ReadWrite, 0), seL4_NoError);
    fill_page(p, 0x100);
    fill_page(p + (MEGA - PAGE) / 8, 0x200);
    test_check(env, page_holds(p, 0x100));
    test_check(env, page_holds(p + (MEGA - PAGE) / 8, 0x200));
    // Nothing else fits where it is: not a 4 KiB frame, not a table.
    test_eq(env, seL4_RISCV_Page_Map(small, ROOT_VSPACE, va + PAGE, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(2), seL4_LargePageBits);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, va, 0), seL4_DeleteFirst);
    test_eq(env, seL4_RISCV_Page_Unmap(big), seL4_NoError);
    // Once it is gone, a table and a 4 KiB frame can take its place; the 2 MiB frame
    // no longer fits (the walk now ends at level 0).
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, va, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(small, ROOT_VSPACE, va, seL4_ReadWrite, 0), seL4_NoError);
    test_check(env, page_zero(p));
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, va, seL4_ReadWrite, 0), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(2), seL4_PageBits);
    // Elsewhere the 2 MiB frame still holds what was written.
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, va + MEGA, seL4_ReadWrite, 0), seL4_NoError);
    test_check(env, page_holds(p + MEGA / 8, 0x100));
    test_check(env, page_holds(p + (2 * MEGA - PAGE) / 8, 0x200));
}
DEFINE_TEST(VSPACE0008, "map, use and unmap 2 MiB frames", map_2m);

// The RAM untyped every test's untyped is carved from, as helpers.c picks it.
static seL4_Word test_untyped_paddr(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    seL4_Word best = 0, paddr = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice && d->sizeBits > best) {
            best = d->sizeBits;
            paddr = d->paddr;
        }
    }
    return paddr;
}

static void get_address(struct env *env)
{
    seL4_Word base = test_untyped_paddr(env);
    seL4_CPtr f1 = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr f2 = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr big = alloc_object(env, seL4_RISCV_Mega_Page, 0);
    seL4_RISCV_Page_GetAddress_t a1 = seL4_RISCV_Page_GetAddress(f1);
    seL4_RISCV_Page_GetAddress_t a2 = seL4_RISCV_Page_GetAddress(f2);
    seL4_RISCV_Page_GetAddress_t a3 = seL4_RISCV_Page_GetAddress(big);
    test_eq(env, a1.error, seL4_NoError);
    test_eq(env, a2.error, seL4_NoError);
    test_eq(env, a3.error, seL4_NoError);
    // Objects come from the test's 16 MiB untyped in order, each aligned to its size.
    test_check(env, a1.paddr >= base && a1.paddr < base + (1ul << 24));
    test_eq(env, a2.paddr, a1.paddr + PAGE);
    test_eq(env, a3.paddr & (MEGA - 1), 0);
    test_check(env, a3.paddr > a2.paddr && a3.paddr < base + (1ul << 24));
    // The reply is one word.
    seL4_MessageInfo_t info = seL4_Call(f1, seL4_MessageInfo_new(RISCVPageGetAddress, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_length(info), 1);
    // Mapping does not change it; a copy answers the same.
    seL4_CPtr copy = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, copy, 64, ROOT_CNODE, f1, 64, seL4_CanRead),
            seL4_NoError);
    test_eq(env, seL4_RISCV_Page_GetAddress(copy).paddr, a1.paddr);
    // The root task's image is one physical run.
    seL4_CPtr img = env->bi->userImageFrames.start;
    seL4_Word first = seL4_RISCV_Page_GetAddress(img).paddr;
    for (seL4_Word i = 1; i < 8 && img + i < env->bi->userImageFrames.end; i++)
        test_eq(env, seL4_RISCV_Page_GetAddress(img + i).paddr, first + i * PAGE);
}
DEFINE_TEST(VSPACE0009, "GetAddress gives the frame's physical address", get_address);

static void frame_refusals(struct env *env)
{
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr other = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr big = alloc_object(env, seL4_RISCV_Mega_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr loose = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr vspace = new_vspace(env);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + 0x800, seL4_ReadWrite, 0),
            seL4_AlignmentError);
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_AlignmentError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, seL4_UserTop, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    // A 2 MiB frame at the last 2 MiB boundary would end above seL4_UserTop.
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, 0x3fffe00000, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    // The VSpace must be a page table that is the root of an ASID.
    test_eq(env, seL4_RISCV_Page_Map(frame, ep, FREE_VA, seL4_ReadWrite, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_RISCV_Page_Map(frame, loose, FREE_VA, seL4_ReadWrite, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, pt, FREE_VA, seL4_ReadWrite, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    // No table for the address: a new gigabyte has only the root's entry (30 bits left).
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, 0x80000000, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_MissingCapability);
    test_eq(env, seL4_GetMR(2), seL4_HugePageBits);
    // A 2 MiB frame where a table hangs: the walk goes down to level 0.
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(2), seL4_PageBits);
    // An occupied slot; a frame mapped elsewhere or in another VSpace.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(other, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_DeleteFirst);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    seL4_CPtr vpt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_Page_Map(big, vspace, 0x40000000, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_RISCV_PageTable_Map(vpt, vspace, 0x40000000, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, FREE_VA + 2 * MEGA, seL4_ReadWrite, 0),
            seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(big, vspace, 0x40000000, seL4_ReadWrite, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    // Short messages and invocations a frame does not have.
    seL4_SetMR(0, FREE_VA + 2 * PAGE);
    seL4_SetMR(1, seL4_ReadWrite.words[0]);
    seL4_SetMR(2, 0);
    seL4_MessageInfo_t info = seL4_Call(other, seL4_MessageInfo_new(RISCVPageMap, 0, 0, 3));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    seL4_SetCap(0, ROOT_VSPACE);
    info = seL4_Call(other, seL4_MessageInfo_new(RISCVPageMap, 0, 1, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    test_eq(env, seL4_RISCV_PageTable_Map(other, ROOT_VSPACE, FREE_VA + 2 * PAGE, 0),
            seL4_IllegalOperation);
    test_eq(env, seL4_RISCV_PageTable_Unmap(other), seL4_IllegalOperation);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(other, vspace), seL4_IllegalOperation);
    // None of it changed the mapping that was made.
    *(volatile seL4_Word *)FREE_VA = 0xabc;
    test_eq(env, *(volatile seL4_Word *)FREE_VA, 0xabc);
}
DEFINE_TEST(VSPACE0010, "Page_Map refuses as seL4 does", frame_refusals);

static void table_refusals(struct env *env)
{
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr pt2 = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr big = alloc_object(env, seL4_RISCV_Mega_Page, 0);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr loose = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr vspace = new_vspace(env), copy = alloc_slot(env);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, seL4_UserTop, 0), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ep, FREE_VA, 0), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, loose, FREE_VA, 0), seL4_InvalidCapability);
    // The cap's type is checked before the address.
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ep, seL4_UserTop, 0), seL4_InvalidCapability);
    // An unmapped table cannot be copied (it has no place to record a second mapping).
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, copy, 64, ROOT_CNODE, pt, 64, seL4_AllRights),
            seL4_IllegalOperation);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA + MEGA, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 0);
    // Occupied: a table there already; the walk reaches level 0; a 2 MiB frame there.
    test_eq(env, seL4_RISCV_PageTable_Map(pt2, ROOT_VSPACE, FREE_VA, 0), seL4_DeleteFirst);
    test_eq(env, seL4_RISCV_PageTable_Map(pt2, ROOT_VSPACE, 0x10000, 0), seL4_DeleteFirst);
    test_eq(env, seL4_RISCV_Page_Map(big, ROOT_VSPACE, FREE_VA + MEGA, seL4_ReadWrite, 0),
            seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(pt2, ROOT_VSPACE, FREE_VA + MEGA, 0), seL4_DeleteFirst);
    // Unmap: not while copies exist, never a VSpace root.
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, copy, 64, ROOT_CNODE, pt, 64, seL4_AllRights),
            seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(pt), seL4_RevokeFirst);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, copy, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(pt), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(pt), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Unmap(vspace), seL4_RevokeFirst);
    test_eq(env, seL4_RISCV_PageTable_Unmap(ROOT_VSPACE), seL4_RevokeFirst);  // the TCB has a copy
    // Short messages and invocations a table does not have.
    seL4_SetMR(0, FREE_VA);
    seL4_SetMR(1, 0);
    seL4_MessageInfo_t info = seL4_Call(pt, seL4_MessageInfo_new(RISCVPageTableMap, 0, 0, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    test_eq(env, seL4_RISCV_Page_Map(pt, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_IllegalOperation);
    test_eq(env, seL4_RISCV_Page_GetAddress(pt).error, seL4_IllegalOperation);
    // After all that, the table maps.
    test_eq(env, seL4_RISCV_PageTable_Map(pt, vspace, FREE_VA, 0), seL4_NoError);
}
DEFINE_TEST(VSPACE0011, "PageTable_Map and Unmap refuse as seL4 does", table_refusals);

static void unmapped_faults(struct env *env)
{
    static struct test_thread t1, t2;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    *(volatile seL4_Word *)FREE_VA = 0x1234;
    start_toucher(env, &t1, ep, FREE_VA, TOUCH_LOAD, 0);
    test_eq(env, expect_touched(env, ep), 0x1234);
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
    start_toucher(env, &t2, ep, FREE_VA, TOUCH_LOAD, 0);
    expect_vm_fault(env, ep, FREE_VA, 5);
    // The handler maps the frame back and the thread goes on where it stopped.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    test_eq(env, expect_touched(env, ep), 0x1234);
}
DEFINE_TEST(VSPACE0013, "an unmapped frame faults; mapped back, the thread resumes",
            unmapped_faults);

static void table_unmap_faults(struct env *env)
{
    static struct test_thread t;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_NoError);
    *(volatile seL4_Word *)(FREE_VA + PAGE) = 0x4321;
    // The frame goes with its table.
    test_eq(env, seL4_RISCV_PageTable_Unmap(pt), seL4_NoError);
    start_toucher(env, &t, ep, FREE_VA + PAGE, TOUCH_STORE, 0x5678);
    expect_vm_fault(env, ep, FREE_VA + PAGE, 7);
    // The table comes back empty; the frame's cap still names its old place, and
    // mapping it there again is a remap.
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_NoError);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    expect_touched(env, ep);
    test_eq(env, *(volatile seL4_Word *)(FREE_VA + PAGE), 0x5678);
}
DEFINE_TEST(VSPACE0014, "unmapping a page table takes the frames below it away",
            table_unmap_faults);

// The order of seL4's decodeRISCVFrameInvocation and decodeRISCVPageTableInvocation
// checks, where two refusals apply at once, and what a map without rights leaves.
static void map_check_order(struct env *env)
{
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr other = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr pt2 = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    // The VSpace before the address, the range before the alignment, the alignment
    // before the walk.
    test_eq(env, seL4_RISCV_Page_Map(frame, ep, seL4_UserTop + 0x800, seL4_ReadWrite, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, seL4_UserTop + 0x800, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, 0x80000800, seL4_ReadWrite, 0),
            seL4_AlignmentError);
    // The last page of the address space wraps: it does not end below seL4_UserTop.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, -PAGE, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
    // A mapped table that is not its ASID's root is no VSpace for a table either.
    test_eq(env, seL4_RISCV_PageTable_Map(pt, ROOT_VSPACE, FREE_VA, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(pt2, pt, FREE_VA + 2 * MEGA, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    // Write without read leaves no user rights (seL4's maskVMRights) and, not
    // executable, no entry at all (makeUserPTE): the map succeeds, the slot stays
    // free for another frame.
    test_eq(env,
            seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA, seL4_CanWrite, seL4_RISCV_ExecuteNever),
            seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(other, ROOT_VSPACE, FREE_VA, seL4_ReadWrite, 0),
            seL4_NoError);
    *(volatile seL4_Word *)FREE_VA = 0x5eed;
    test_eq(env, *(volatile seL4_Word *)FREE_VA, 0x5eed);
    // The first frame's cap records that place all the same: elsewhere is refused.
    test_eq(env, seL4_RISCV_Page_Map(frame, ROOT_VSPACE, FREE_VA + PAGE, seL4_ReadWrite, 0),
            seL4_InvalidArgument);
}
DEFINE_TEST(VSPACE0015, "Page_Map and PageTable_Map refuse in seL4's order", map_check_order);
