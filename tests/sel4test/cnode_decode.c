// CNODEOP0010: decodeCNodeInvocation's refusals, check by check, with seL4's error
// and message registers (docs/audit.md, "CNode"). Messages are built by hand so that
// lengths and extra caps can be short, as a hand-written client might send them.
#include "helpers.h"
#include <sel4/invocation.h>

#define ROOT seL4_CapInitThreadCNode

static seL4_Word call(seL4_CPtr cap, seL4_Word label, seL4_Word n_caps, seL4_Word len,
                      const seL4_Word *mr)
{
    for (seL4_Word i = 0; i < len; i++)
        seL4_SetMR(i, mr[i]);
    for (seL4_Word i = 0; i < n_caps; i++)
        seL4_SetCap(i, ROOT);
    return seL4_MessageInfo_get_label(seL4_Call(cap, seL4_MessageInfo_new(label, 0, n_caps, len)));
}

static void expect_missing(struct env *env, seL4_Word was_source, seL4_Word depth)
{
    test_eq(env, seL4_GetMR(0), was_source);
    test_eq(env, seL4_GetMR(1), seL4_MissingCapability);
    test_eq(env, seL4_GetMR(2), depth);
}

static void cnode_refusals(struct env *env)
{
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr empty = alloc_slot(env), empty2 = alloc_slot(env), weak = alloc_slot(env);
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, 4);
    // A label outside the CNode range, a message shorter than (index, depth).
    test_eq(env, call(ROOT, UntypedRetype, 0, 2, (seL4_Word[]){empty, 64}), seL4_IllegalOperation);
    test_eq(env, call(ROOT, CNodeDelete, 0, 1, (seL4_Word[]){empty}), seL4_TruncatedMessage);
    // Copy: needs 4 words and a source root before the lookups, 5 words after them.
    test_eq(env, call(ROOT, CNodeCopy, 1, 3, (seL4_Word[]){empty, 64, ep}), seL4_TruncatedMessage);
    test_eq(env, call(ROOT, CNodeCopy, 0, 5, (seL4_Word[]){empty, 64, ep, 64, 15}), seL4_TruncatedMessage);
    test_eq(env, call(ROOT, CNodeCopy, 1, 4, (seL4_Word[]){ep, 64, ep, 64}), seL4_DeleteFirst);
    test_eq(env, call(ROOT, CNodeCopy, 1, 4, (seL4_Word[]){empty, 64, ep, 64}), seL4_TruncatedMessage);
    test_eq(env, call(ROOT, CNodeMint, 1, 5, (seL4_Word[]){empty, 64, ep, 64, 15}), seL4_TruncatedMessage);
    test_eq(env, call(ROOT, CNodeMutate, 1, 4, (seL4_Word[]){empty, 64, ep, 64}), seL4_TruncatedMessage);
    // An empty source: a failed source lookup naming the source depth as bits left.
    test_eq(env, call(ROOT, CNodeCopy, 1, 5, (seL4_Word[]){empty, 64, empty2, 64, 15}), seL4_FailedLookup);
    expect_missing(env, 1, 64);
    test_eq(env, call(ROOT, CNodeMove, 1, 4, (seL4_Word[]){empty, 64, empty2, 64}), seL4_FailedLookup);
    expect_missing(env, 1, 64);
    // Caps that never derive (IRQ control, a CNode guard too wide): IllegalOperation.
    test_eq(env, seL4_CNode_Copy(ROOT, empty, 64, ROOT, seL4_CapIRQControl, 64, seL4_AllRights),
            seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Mint(ROOT, empty, 64, ROOT, cn, 64, seL4_AllRights, 61),
            seL4_IllegalOperation);
    test_eq(env, seL4_DebugCapIdentify(empty), seL4_CapTag_Null);
    // SaveCaller needs an empty slot; CancelBadgedSends an endpoint cap with all rights.
    test_eq(env, seL4_CNode_SaveCaller(ROOT, ep, 64), seL4_DeleteFirst);
    test_eq(env, seL4_CNode_Copy(ROOT, weak, 64, ROOT, ep, 64, seL4_CanWrite), seL4_NoError);
    test_eq(env, seL4_CNode_CancelBadgedSends(ROOT, weak, 64), seL4_IllegalOperation);
    test_eq(env, seL4_CNode_CancelBadgedSends(ROOT, nt, 64), seL4_IllegalOperation);
    test_eq(env, seL4_CNode_CancelBadgedSends(ROOT, ep, 64), seL4_NoError);
    // Rotate: 8 words and two roots; the pivot differs from source and destination;
    // an empty source or pivot is a missing cap (was-source 1 and 0).
    seL4_Word rot[8] = {empty, 64, 0, nt, 64, 0, ep, 64};
    test_eq(env, call(ROOT, CNodeRotate, 2, 7, rot), seL4_TruncatedMessage);
    test_eq(env, call(ROOT, CNodeRotate, 1, 8, rot), seL4_TruncatedMessage);
    test_eq(env, seL4_CNode_Rotate(ROOT, empty, 64, ROOT, ep, 64, 0, ROOT, ep, 64, 0),
            seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Rotate(ROOT, empty, 64, ROOT, nt, 64, 0, ROOT, empty2, 64, 0),
            seL4_FailedLookup);
    expect_missing(env, 1, 64);
    test_eq(env, seL4_CNode_Rotate(ROOT, empty, 64, ROOT, empty2, 64, 0, ROOT, ep, 64, 0),
            seL4_FailedLookup);
    expect_missing(env, 0, 64);
    test_eq(env, seL4_CNode_Rotate(ROOT, weak, 64, ROOT, nt, 64, 0, ROOT, ep, 64, 0),
            seL4_DeleteFirst);
    // Nothing above moved a cap.
    test_eq(env, seL4_DebugCapIdentify(ep), seL4_CapTag_Endpoint);
    test_eq(env, seL4_DebugCapIdentify(nt), seL4_CapTag_Notification);
    test_eq(env, seL4_DebugCapIdentify(empty2), seL4_CapTag_Null);
}
DEFINE_TEST(CNODEOP0010, "CNode invocations refuse as seL4 does, with its error words",
            cnode_refusals);
