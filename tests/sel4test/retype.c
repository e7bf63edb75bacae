// RETYPE: creating objects from untyped memory, and the errors seL4 gives.
#include "helpers.h"

static void retype_every_type(struct env *env)
{
    static const struct { seL4_Word type, bits, tag; } objs[] = {
        {seL4_UntypedObject, 12, seL4_CapTag_Untyped},
        {seL4_TCBObject, 0, seL4_CapTag_Thread},
        {seL4_EndpointObject, 0, seL4_CapTag_Endpoint},
        {seL4_NotificationObject, 0, seL4_CapTag_Notification},
        {seL4_CapTableObject, 4, seL4_CapTag_CNode},
        {seL4_RISCV_4K_Page, 0, seL4_CapTag_Frame},
        {seL4_RISCV_Mega_Page, 0, seL4_CapTag_Frame},
        {seL4_RISCV_PageTableObject, 0, seL4_CapTag_PageTable},
    };
    for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        seL4_CPtr c = alloc_object(env, objs[i].type, objs[i].bits);
        test_eq(env, seL4_DebugCapIdentify(c), objs[i].tag);
    }
}
DEFINE_TEST(RETYPE0000, "retype into every object type", retype_every_type);

static void retype_errors(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 16);
    seL4_CPtr slot = alloc_slot(env);
    seL4_CNode root = seL4_CapInitThreadCNode;
    // Unknown type, too-small untyped and CNode, window errors, occupied slot.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_ObjectTypeCount, 0, root, 0, 0, slot, 1),
            seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_UntypedObject, 3, root, 0, 0, slot, 1),
            seL4_InvalidArgument);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_CapTableObject, 0, root, 0, 0, slot, 1),
            seL4_InvalidArgument);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0, slot, 0),
            seL4_RangeError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0, 4096, 1),
            seL4_RangeError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0, 4095, 2),
            seL4_RangeError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0,
                                     seL4_CapInitThreadTCB, 1), seL4_DeleteFirst);
    // 64 KiB hold 16 pages, not 17; the error says how much is free.
    for (int i = 0; i < 17; i++)
        alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, root, 0, 0, slot, 17),
            seL4_NotEnoughMemory);
    test_eq(env, seL4_GetMR(0), 1ul << 16);
    test_eq(env, seL4_DebugCapIdentify(slot), seL4_CapTag_Null);
    // A non-CNode destination root is a failed lookup.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, seL4_CapInitThreadTCB, 0, 0,
                                     slot, 1), seL4_FailedLookup);
}
DEFINE_TEST(RETYPE0001, "retype refuses bad types, sizes, windows and slots", retype_errors);

static void retype_until_full(struct env *env)
{
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 14);  // 16 KiB: four pages
    seL4_CPtr s = alloc_slot(env);
    alloc_slot(env);
    alloc_slot(env);
    alloc_slot(env);
    seL4_CPtr extra = alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, seL4_CapInitThreadCNode, 0, 0, s, 4),
            seL4_NoError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, seL4_CapInitThreadCNode, 0, 0,
                                     extra, 1), seL4_NotEnoughMemory);
    test_eq(env, seL4_GetMR(0), 0);
    // Revoking the untyped deletes its children and makes the memory reusable.
    test_eq(env, seL4_CNode_Revoke(seL4_CapInitThreadCNode, ut, seL4_WordBits), seL4_NoError);
    for (int i = 0; i < 4; i++)
        test_eq(env, seL4_DebugCapIdentify(s + i), seL4_CapTag_Null);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, seL4_CapInitThreadCNode, 0, 0, s, 4),
            seL4_NoError);
}
DEFINE_TEST(RETYPE0002, "an untyped fills up and is reset by revoke", retype_until_full);
