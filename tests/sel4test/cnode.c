// CNODEOP and CSPACE: copying, minting, moving, mutating, rotating, deleting and
// revoking capabilities, and guarded lookup through a second-level CNode.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

static void copy_and_delete(struct env *env)
{
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), a = alloc_slot(env), b = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT, a, DEPTH, ROOT, ep, DEPTH, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(a), seL4_CapTag_Endpoint);
    // Occupied destination, empty source.
    test_eq(env, seL4_CNode_Copy(ROOT, a, DEPTH, ROOT, ep, DEPTH, seL4_AllRights), seL4_DeleteFirst);
    test_eq(env, seL4_CNode_Copy(ROOT, b + 1, DEPTH, ROOT, b, DEPTH, seL4_AllRights), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(0), 1);  // the source lookup failed
    test_eq(env, seL4_CNode_Delete(ROOT, a, DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(a), seL4_CapTag_Null);
    test_eq(env, seL4_CNode_Delete(ROOT, a, DEPTH), seL4_NoError);  // deleting nothing is fine
    (void)b;
}
DEFINE_TEST(CNODEOP0001, "copy and delete capabilities", copy_and_delete);

static void mint_badges(struct env *env)
{
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), a = alloc_slot(env), b = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, a, DEPTH, ROOT, ep, DEPTH, seL4_AllRights, 42), seL4_NoError);
    // A badged cap cannot be badged again.
    test_eq(env, seL4_CNode_Mint(ROOT, b, DEPTH, ROOT, a, DEPTH, seL4_AllRights, 43), seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Copy(ROOT, b, DEPTH, ROOT, a, DEPTH, seL4_AllRights), seL4_NoError);
    // Revoking the original removes the badged child and its copy.
    test_eq(env, seL4_CNode_Revoke(ROOT, ep, DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(a), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(b), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(ep), seL4_CapTag_Endpoint);
}
DEFINE_TEST(CNODEOP0002, "mint badges; revoke removes derived caps", mint_badges);

static void move_and_mutate(struct env *env)
{
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), a = alloc_slot(env), b = alloc_slot(env);
    test_eq(env, seL4_CNode_Move(ROOT, a, DEPTH, ROOT, ep, DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(ep), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(a), seL4_CapTag_Endpoint);
    test_eq(env, seL4_CNode_Mutate(ROOT, b, DEPTH, ROOT, a, DEPTH, 7), seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Move(ROOT, b, DEPTH, ROOT, a, DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(b), seL4_CapTag_Endpoint);
}
DEFINE_TEST(CNODEOP0003, "move and mutate capabilities", move_and_mutate);

static void rotate(struct env *env)
{
    // Rotate rewrites cap data as Mutate does: untyped and CNode caps (with a zero
    // guard) survive it, endpoint caps do not.
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 12);
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, 2);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr dest = alloc_slot(env);
    // The pivot's cap goes to dest, the source's to the pivot.
    test_eq(env, seL4_CNode_Rotate(ROOT, dest, DEPTH, ROOT, cn, DEPTH, 0, ROOT, ut, DEPTH, 0), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(dest), seL4_CapTag_CNode);
    test_eq(env, seL4_DebugCapIdentify(cn), seL4_CapTag_Untyped);
    test_eq(env, seL4_DebugCapIdentify(ut), seL4_CapTag_Null);
    // With dest the source, the two caps swap.
    test_eq(env, seL4_CNode_Rotate(ROOT, cn, DEPTH, ROOT, dest, DEPTH, 0, ROOT, cn, DEPTH, 0), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(cn), seL4_CapTag_CNode);
    test_eq(env, seL4_DebugCapIdentify(dest), seL4_CapTag_Untyped);
    test_eq(env, seL4_CNode_Rotate(ROOT, cn, DEPTH, ROOT, cn, DEPTH, 0, ROOT, dest, DEPTH, 0),
            seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Rotate(ROOT, ut, DEPTH, ROOT, dest, DEPTH, 0, ROOT, ep, DEPTH, 0),
            seL4_IllegalOperation);
}
DEFINE_TEST(CNODEOP0004, "rotate three slots and swap two", rotate);

static void bad_depths(struct env *env)
{
    seL4_CPtr s = alloc_slot(env);
    test_eq(env, seL4_CNode_Delete(ROOT, s, 0), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, seL4_GetMR(1), 64);
    // 12 bits resolve the radix but not the 52-bit guard: a guard mismatch.
    test_eq(env, seL4_CNode_Delete(ROOT, s, 12), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(1), seL4_GuardMismatch);
    test_eq(env, seL4_CNode_Delete(seL4_CapInitThreadTCB, s, DEPTH), seL4_IllegalOperation);
}
DEFINE_TEST(CNODEOP0005, "CNode operations check depth and guard", bad_depths);

static void two_level_cspace(struct env *env)
{
    // T (radix 8, no guard) holds in slot 1 a cap to C (radix 8) minted with a 48-bit
    // zero guard: a 64-bit cptr (1 << 56 | x) names slot x of C through T.
    seL4_CPtr t = alloc_object(env, seL4_CapTableObject, 8);
    seL4_CPtr c = alloc_object(env, seL4_CapTableObject, 8);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0), back = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(t, 1, 8, ROOT, c, DEPTH, seL4_AllRights,
                                 seL4_CNode_CapData_new(0, 48)), seL4_NoError);
    seL4_Word x5 = (1ul << 56) | 5;
    test_eq(env, seL4_CNode_Copy(t, x5, 64, ROOT, ep, DEPTH, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT, back, DEPTH, t, x5, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(back), seL4_CapTag_Endpoint);
    // Slot 5 of C directly, from C itself at depth 8.
    test_eq(env, seL4_CNode_Delete(c, 5, 8), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT, back, DEPTH, t, x5, 64, seL4_AllRights), seL4_DeleteFirst);
    test_eq(env, seL4_CNode_Delete(ROOT, back, DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT, back, DEPTH, t, x5, 64, seL4_AllRights), seL4_FailedLookup);
    // Depth 8 stops at T's slot 1 (the C cap); depth 60 cannot consume C's 56 bits.
    test_eq(env, seL4_CNode_Copy(t, 1, 8, ROOT, ep, DEPTH, seL4_AllRights), seL4_DeleteFirst);
    test_eq(env, seL4_CNode_Copy(t, x5 >> 4, 60, ROOT, ep, DEPTH, seL4_AllRights), seL4_FailedLookup);
    test_eq(env, seL4_GetMR(1), seL4_DepthMismatch);
    // A wrong guard value.
    test_eq(env, seL4_CNode_Copy(t, x5 | 1ul << 20, 64, ROOT, ep, DEPTH, seL4_AllRights),
            seL4_FailedLookup);
    test_eq(env, seL4_GetMR(1), seL4_GuardMismatch);
}
DEFINE_TEST(CSPACE0001, "guarded lookups through a two-level CSpace", two_level_cspace);
