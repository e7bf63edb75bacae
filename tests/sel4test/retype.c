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
    seL4_Word slots = 1ul << env->bi->initThreadCNodeSizeBits;
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0, slots, 1),
            seL4_RangeError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, 0, 0, slots - 1, 2),
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

static void copy_uses_up_parent(struct env *env)
{
    seL4_CNode root = seL4_CapInitThreadCNode;
    seL4_CPtr u = alloc_object(env, seL4_UntypedObject, 12), u2 = alloc_slot(env);
    seL4_CPtr cn = alloc_slot(env), frame = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(root, u2, 64, root, u, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_Untyped_Retype(u2, seL4_CapTableObject, 7, root, 0, 0, cn, 1), seL4_NoError);
    // The original shares the copy's memory (seL4's setUntypedCapAsFull): it has
    // nothing left to give, so the frame cannot overlay the live CNode.
    test_eq(env, seL4_Untyped_Retype(u, seL4_RISCV_4K_Page, 0, root, 0, 0, frame, 1),
            seL4_NotEnoughMemory);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_DebugCapIdentify(frame), seL4_CapTag_Null);
    // An untyped with children (the copy) cannot be copied again.
    seL4_CPtr u3 = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(root, u3, 64, root, u, 64, seL4_AllRights), seL4_RevokeFirst);
    // Once every child is gone the original is reset and whole again.
    test_eq(env, seL4_CNode_Revoke(root, u, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(cn), seL4_CapTag_Null);
    test_eq(env, seL4_Untyped_Retype(u, seL4_RISCV_4K_Page, 0, root, 0, 0, frame, 1), seL4_NoError);
}
DEFINE_TEST(RETYPE0003, "a copy of an untyped uses up the original", copy_uses_up_parent);

static void send_cap(struct test_thread *t)
{
    seL4_SetCap(0, t->arg[1]);
    seL4_Send(t->arg[0], seL4_MessageInfo_new(0, 0, 1, 0));
}

static void transfer_uses_up_parent(struct env *env)
{
    // The same rule when the copy is made by an IPC cap transfer (also cteInsert).
    static struct test_thread sender;
    seL4_CNode root = seL4_CapInitThreadCNode;
    seL4_CPtr u = alloc_object(env, seL4_UntypedObject, 12), got = alloc_slot(env);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), obj = alloc_slot(env);
    thread_create(env, &sender, send_cap, 255, 0);
    sender.arg[0] = ep;
    sender.arg[1] = u;
    thread_start(&sender);
    seL4_SetCapReceivePath(root, got, 64);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    seL4_SetCapReceivePath(0, 0, 0);
    test_eq(env, seL4_MessageInfo_get_extraCaps(info), 1);
    test_eq(env, seL4_DebugCapIdentify(got), seL4_CapTag_Untyped);
    test_eq(env, seL4_Untyped_Retype(got, seL4_EndpointObject, 0, root, 0, 0, obj, 1), seL4_NoError);
    seL4_CPtr frame = alloc_slot(env);
    test_eq(env, seL4_Untyped_Retype(u, seL4_RISCV_4K_Page, 0, root, 0, 0, frame, 1),
            seL4_NotEnoughMemory);
    test_check(env, thread_wait(&sender, 10));
}
DEFINE_TEST(RETYPE0004, "an untyped received over IPC uses up the sender's", transfer_uses_up_parent);

static void destination_depth(struct env *env)
{
    seL4_CNode root = seL4_CapInitThreadCNode;
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 16), slot = alloc_slot(env);
    // A CNode that holds a cap to itself resolves any number of bits: seL4 bounds the
    // depth to 1..64 before walking (a walk of 2^62 bits would never end).
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, 2), self = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(cn, 0, 2, root, cn, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(root, self, 64, root, cn, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, self, 0, 1ul << 62, 0, 1),
            seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_GetMR(1), 64);
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, slot, 65, 0, 1),
            seL4_RangeError);
    // A depth that ends inside a level (2 + 2 bits, then 1 of 2) is a depth mismatch.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, self, 0, 5, 0, 1),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_DepthMismatch);
    test_eq(env, seL4_GetMR(2), 1);
    test_eq(env, seL4_GetMR(3), 2);
    // A destination that is no CNode: missing capability, with the depth as bits left.
    test_eq(env, seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, root, seL4_CapInitThreadTCB,
                                     64, 0, 1), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), seL4_MissingCapability);
    test_eq(env, seL4_GetMR(2), 64);
    test_eq(env, seL4_DebugCapIdentify(slot), seL4_CapTag_Null);
}
DEFINE_TEST(RETYPE0005, "retype bounds the destination depth and names lookup failures",
            destination_depth);
