// VSPACE: ASID pools. ASID control makes up to 127 pools besides the root task's, each
// gives out 512 ASIDs; a VSpace needs one before anything can be mapped into it.
#include "vm.h"
#include <sel4/invocation.h>

#define N_ASID_POOLS (1 << seL4_NumASIDPoolsBits)
#define ASID_POOL_SIZE (1 << seL4_ASIDPoolIndexBits)

static void asid_pool_make(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits);
    seL4_CPtr pool = alloc_slot(env);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, pool, 64),
            seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(pool), seL4_CapTag_ASIDPool);
    // Its copies are its siblings (seL4 inserts it as not revocable): revoking it
    // leaves them.
    seL4_CPtr copy = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT_CNODE, copy, 64, ROOT_CNODE, pool, 64, seL4_AllRights),
            seL4_NoError);
    test_eq(env, seL4_CNode_Revoke(ROOT_CNODE, pool, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(copy), seL4_CapTag_ASIDPool);
    // The untyped is used up.
    test_eq(env,
            seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, alloc_slot(env), 1),
            seL4_NotEnoughMemory);
    // A VSpace that has an ASID already cannot have a second.
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, ROOT_VSPACE), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    seL4_CPtr vspace = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, vspace), seL4_NoError);
    // Now a VSpace: frames can be mapped into it.
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_Mega_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, vspace, 0x40000000, 0), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Map(frame, vspace, 0x40000000, seL4_ReadWrite, 0), seL4_NoError);
}
DEFINE_TEST(VSPACE0002, "make an ASID pool and assign a VSpace from it", asid_pool_make);

// Makes every pool there is room for (all but the root task's), or stops at a refusal.
static int make_pools(struct env *env, seL4_CPtr *last_pool)
{
    int made = 0;
    for (int i = 0; i < N_ASID_POOLS - 1; i++) {
        seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits);
        seL4_CPtr pool = alloc_slot(env);
        seL4_Error e =
            seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, pool, 64);
        test_eq(env, e, seL4_NoError);
        if (e)
            break;
        *last_pool = pool;
        made++;
    }
    return made;
}

static void asid_pools_all(struct env *env)
{
    seL4_CPtr last = 0;
    test_eq(env, make_pools(env, &last), N_ASID_POOLS - 1);
}
DEFINE_TEST(VSPACE0003, "make every ASID pool there is", asid_pools_all);

static void asid_pools_run_out(struct env *env)
{
    seL4_CPtr last = 0;
    test_eq(env, make_pools(env, &last), N_ASID_POOLS - 1);
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits), slot = alloc_slot(env);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, slot, 64),
            seL4_DeleteFirst);
    // Deleting a pool frees its place.
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, last, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, slot, 64),
            seL4_NoError);
}
DEFINE_TEST(VSPACE0004, "run out of ASID pools, then free one", asid_pools_run_out);

static void asid_pool_overassign(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits), pool = alloc_slot(env);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, pool, 64),
            seL4_NoError);
    int i;
    for (i = 0; i < ASID_POOL_SIZE; i++) {
        seL4_Error e =
            seL4_RISCV_ASIDPool_Assign(pool, alloc_object(env, seL4_RISCV_PageTableObject, 0));
        test_eq(env, e, seL4_NoError);
        if (e)
            break;
    }
    test_eq(env, i, ASID_POOL_SIZE);
    seL4_CPtr one_more = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, one_more), seL4_DeleteFirst);
}
DEFINE_TEST(VSPACE0005, "a new pool gives out exactly 512 ASIDs", asid_pool_overassign);

static void asid_pools_touch(struct env *env)
{
    struct al4_alloc a;
    lib_alloc(env, &a, 1000, 23);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    for (int i = 0; i < N_ASID_POOLS - 1; i++) {
        seL4_CPtr ut = al4_alloc_object(&a, seL4_UntypedObject, seL4_ASIDPoolBits);
        seL4_CPtr pool = al4_alloc_slot(&a);
        test_assert(env, ut && pool);
        test_eq(env, seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, pool, 64),
                seL4_NoError);
        seL4_CPtr vspace = al4_vspace_new(&a, pool);
        seL4_CPtr code = al4_alloc_frame_with(&a, touch_blob, blob_size(), 0);
        test_assert(env, vspace && code);
        test_eq(env, al4_map_frame(&a, vspace, code, FREE_VA, seL4_ReadWrite, 0), seL4_NoError);
        start_blob_thread(env, &a, vspace, ROOT_CNODE, 0, FREE_VA, FREE_VA + 2048, ep, i);
        seL4_Recv(ep, NULL);
        test_eq(env, seL4_GetMR(0), i);
        if (env->failures)
            break;
    }
}
DEFINE_TEST(VSPACE0006, "a thread runs in a VSpace from every ASID pool", asid_pools_touch);

static void asid_refusals(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits);
    seL4_CPtr big_ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits + 1);
    seL4_CPtr used_ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr pool = alloc_slot(env), child = alloc_slot(env), spare = alloc_slot(env);
    const seL4_CPtr ctl = seL4_CapASIDControl;
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, frame, ROOT_CNODE, pool, 64),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, big_ut, ROOT_CNODE, pool, 64),
            seL4_InvalidCapability);
    test_eq(env, seL4_Untyped_Retype(used_ut, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, child, 1),
            seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, used_ut, ROOT_CNODE, pool, 64),
            seL4_RevokeFirst);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ROOT_CNODE, ep, 64), seL4_DeleteFirst);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ROOT_CNODE, pool, 0), seL4_RangeError);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ep, pool, 64), seL4_FailedLookup);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(ctl, frame), seL4_IllegalOperation);
    seL4_SetCap(0, ut);
    seL4_SetMR(0, pool);
    seL4_MessageInfo_t info =
        seL4_Call(ctl, seL4_MessageInfo_new(RISCVASIDControlMakePool, 0, 1, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ROOT_CNODE, pool, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ROOT_CNODE, spare, 64), seL4_RevokeFirst);

    // Assign: only an unassigned, unmapped page table.
    seL4_CPtr vspace = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, frame), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    info = seL4_Call(pool, seL4_MessageInfo_new(RISCVASIDPoolAssign, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(pool, ut, ROOT_CNODE, spare, 64),
            seL4_IllegalOperation);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, vspace), seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, vspace), seL4_InvalidCapability);
    // Deleting the pool takes its ASIDs from the VSpaces: they can no longer be mapped into.
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, pool, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, vspace, FREE_VA, 0), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_InvalidRoot);
    test_eq(env, seL4_RISCV_Page_Map(frame, vspace, FREE_VA, seL4_ReadWrite, 0), seL4_FailedLookup);
}
DEFINE_TEST(VSPACE0012, "ASID control and pool invocations refuse as seL4 does", asid_refusals);

// A 4 KiB untyped of device memory, from a device untyped away from the devices the
// other tests carve frames from, or 0.
static seL4_CPtr device_untyped_4k(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || d->sizeBits < seL4_ASIDPoolBits ||
            (d->paddr <= 0x10000000ul && 0x10000000ul < d->paddr + (1ul << d->sizeBits)))
            continue;
        seL4_CPtr s = alloc_slot(env);
        if (seL4_Untyped_Retype(bi->untyped.start + i, seL4_UntypedObject, seL4_ASIDPoolBits,
                                ROOT_CNODE, 0, 0, s, 1) == seL4_NoError)
            return s;
    }
    return 0;
}

// What seL4's ASID control and pool decoders check that VSPACE0012 does not, and the
// order of the Map checks against a VSpace whose ASID is gone.
static void asid_check_order(struct env *env)
{
    const seL4_CPtr ctl = seL4_CapASIDControl;
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, seL4_ASIDPoolBits);
    seL4_CPtr dev = device_untyped_4k(env), pool = alloc_slot(env);
    seL4_CPtr vspace = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_assert(env, dev != 0);
    // MakePool needs the untyped and the destination CNode.
    seL4_SetCap(0, ut);
    seL4_SetMR(0, pool);
    seL4_SetMR(1, 64);
    seL4_MessageInfo_t info =
        seL4_Call(ctl, seL4_MessageInfo_new(RISCVASIDControlMakePool, 0, 1, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    // Device memory cannot hold a pool.
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, dev, ROOT_CNODE, pool, 64),
            seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    // The untyped is checked before the destination.
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, dev, ROOT_CNODE, pool, 0),
            seL4_InvalidCapability);
    test_eq(env, seL4_RISCV_ASIDControl_MakePool(ctl, ut, ROOT_CNODE, pool, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(pool, vspace), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT_CNODE, pool, 64), seL4_NoError);
    // Its ASID gone, the VSpace names nothing: a table's address is checked before the
    // ASID, a frame's after it.
    test_eq(env, seL4_RISCV_PageTable_Map(pt, vspace, seL4_UserTop, 0), seL4_InvalidArgument);
    test_eq(env, seL4_RISCV_Page_Map(frame, vspace, seL4_UserTop, seL4_ReadWrite, 0),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_InvalidRoot);
    // It still says it is mapped, so no pool takes it, until it is unmapped (no longer
    // a root, it may be).
    test_eq(env, seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace),
            seL4_InvalidCapability);
    test_eq(env, seL4_RISCV_PageTable_Unmap(vspace), seL4_NoError);
    test_eq(env, seL4_RISCV_ASIDPool_Assign(seL4_CapInitThreadASIDPool, vspace), seL4_NoError);
    test_eq(env, seL4_RISCV_PageTable_Map(pt, vspace, FREE_VA, 0), seL4_NoError);
}
DEFINE_TEST(VSPACE0016, "ASID control and pool checks in seL4's order; a VSpace whose ASID is gone",
            asid_check_order);
