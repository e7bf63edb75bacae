// ASYNCSYS: asynchronous system calls served by the kernel's handler (docs/asyncsys.md):
// registration, the same invocations answered identically both ways, and what may
// not be asynchronous.
#include "asyncsys_test.h"
#include <al4/syscall.h>
#include <string.h>

static seL4_Word register_label(seL4_CPtr ntfn, unsigned ncaps, seL4_CPtr c0, seL4_CPtr c1)
{
    seL4_SetCap(0, c0);
    seL4_SetCap(1, c1);
    seL4_MessageInfo_t r =
        seL4_Call(ntfn, seL4_MessageInfo_new(al4_NotificationRegisterAsyncSyscall, 0, ncaps, 0));
    return seL4_MessageInfo_get_label(r);
}

static void registration(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr ro = alloc_slot(env), ro_frame = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, ro, DEPTH, ROOT, nt, DEPTH, seL4_CanRead, 0), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(ROOT, ro_frame, DEPTH, ROOT, frame, DEPTH, seL4_CanRead),
            seL4_NoError);

    // Not registered: the wake call says so.
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    // The rights, the caps and their kinds, in the order docs/asyncsys.md gives.
    test_eq(env, register_label(ro, 2, tcb, frame), seL4_IllegalOperation);
    test_eq(env, register_label(nt, 1, tcb, frame), seL4_TruncatedMessage);
    test_eq(env, register_label(nt, 2, nt, frame), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);
    test_eq(env, register_label(nt, 2, tcb, nt), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 2);
    test_eq(env, register_label(nt, 2, tcb, ro_frame), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 2);
    // A Send with the label stays a Signal, as for the U-notification labels.
    seL4_Send(nt, seL4_MessageInfo_new(al4_NotificationRegisterAsyncSyscall, 0, 0, 0));
    seL4_Word w = 0;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    test_eq(env, al4_asyncsys_register(nt, tcb, frame), seL4_NoError);
    test_eq(env, al4_asyncsys_register(nt, tcb, frame), seL4_DeleteFirst);
    // The thread's rings go with the thread.
    test_eq(env, seL4_CNode_Delete(ROOT, tcb, DEPTH), seL4_NoError);
}
DEFINE_TEST(ASYNCSYS0001, "registration checks rights, thread and frame with seL4 errors",
            registration);

// --- One scripted sequence, run synchronously and asynchronously ---

#define SCRIPT_STEPS 24

struct script_res {
    seL4_CPtr ut, s[8], tcb, pt[2], frame;
    seL4_Word va;
};

static seL4_Word rights(seL4_CapRights_t r)
{
    return r.words[0];
}

// Step i of the script on res: the request and what it must give. Failing and
// succeeding invocations of every allowed kind; each run has its own objects and its
// own gigabyte of address space, so the two runs meet identical states.
static bool script_step(unsigned i, const struct script_res *x, struct request *r,
                        seL4_Word *want)
{
    memset(r, 0, sizeof(*r));
    r->ncaps = 1;
    r->caps[0] = ROOT;
    *want = seL4_NoError;
    switch (i) {
    case 0:  // Retype an endpoint into s0
        *r = (struct request){x->ut, UntypedRetype, 1, 6, {ROOT}, {seL4_EndpointObject, 0, 0, 0, x->s[0], 1}};
        return true;
    case 1:  // again into the same slot
        *r = (struct request){x->ut, UntypedRetype, 1, 6, {ROOT}, {seL4_EndpointObject, 0, 0, 0, x->s[0], 1}};
        *want = seL4_DeleteFirst;
        return true;
    case 2:  // an object type that does not exist
        *r = (struct request){x->ut, UntypedRetype, 1, 6, {ROOT}, {99, 0, 0, 0, x->s[1], 1}};
        *want = seL4_InvalidArgument;
        return true;
    case 3:  // more than the untyped holds
        *r = (struct request){x->ut, UntypedRetype, 1, 6, {ROOT}, {seL4_UntypedObject, 20, 0, 0, x->s[1], 1}};
        *want = seL4_NotEnoughMemory;
        return true;
    case 4:
        *r = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {x->s[1], DEPTH, x->s[0], DEPTH, rights(seL4_AllRights)}};
        return true;
    case 5:
        *r = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {x->s[1], DEPTH, x->s[0], DEPTH, rights(seL4_AllRights)}};
        *want = seL4_DeleteFirst;
        return true;
    case 6:  // depth out of range
        *r = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {x->s[2], 65, x->s[0], DEPTH, rights(seL4_AllRights)}};
        *want = seL4_RangeError;
        return true;
    case 7:  // empty source
        *r = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {x->s[2], DEPTH, x->s[7], DEPTH, rights(seL4_AllRights)}};
        *want = seL4_FailedLookup;
        return true;
    case 8:  // a source depth that leaves bits
        *r = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {x->s[2], DEPTH, x->s[0], 20, rights(seL4_AllRights)}};
        *want = seL4_FailedLookup;
        return true;
    case 9:  // truncated
        *r = (struct request){ROOT, CNodeCopy, 1, 2, {ROOT}, {x->s[2], DEPTH}};
        *want = seL4_TruncatedMessage;
        return true;
    case 10:
        *r = (struct request){ROOT, CNodeMint, 1, 6, {ROOT}, {x->s[2], DEPTH, x->s[0], DEPTH, rights(seL4_AllRights), 5}};
        return true;
    case 11:
        *r = (struct request){ROOT, CNodeMove, 1, 4, {ROOT}, {x->s[3], DEPTH, x->s[2], DEPTH}};
        return true;
    case 12:
        *r = (struct request){ROOT, CNodeDelete, 0, 2, {0}, {x->s[3], DEPTH}};
        return true;
    case 13:
        *r = (struct request){ROOT, CNodeRevoke, 0, 2, {0}, {x->s[0], DEPTH}};
        return true;
    case 14:  // a label the CNode does not take
        *r = (struct request){ROOT, UntypedRetype, 0, 2, {0}, {x->s[0], DEPTH}};
        *want = seL4_IllegalOperation;
        return true;
    case 15:  // the frame, with no page table yet for its gigabyte
        *r = (struct request){x->frame, RISCVPageMap, 1, 3, {seL4_CapInitThreadVSpace}, {x->va, rights(seL4_ReadWrite), 0}};
        *want = seL4_FailedLookup;
        return true;
    case 16:
        *r = (struct request){x->pt[0], RISCVPageTableMap, 1, 2, {seL4_CapInitThreadVSpace}, {x->va, 0}};
        return true;
    case 17:  // one level short
        *r = (struct request){x->frame, RISCVPageMap, 1, 3, {seL4_CapInitThreadVSpace}, {x->va, rights(seL4_ReadWrite), 0}};
        *want = seL4_FailedLookup;
        return true;
    case 18:
        *r = (struct request){x->pt[1], RISCVPageTableMap, 1, 2, {seL4_CapInitThreadVSpace}, {x->va, 0}};
        return true;
    case 19:  // misaligned
        *r = (struct request){x->frame, RISCVPageMap, 1, 3, {seL4_CapInitThreadVSpace}, {x->va + 8, rights(seL4_ReadWrite), 0}};
        *want = seL4_AlignmentError;
        return true;
    case 20:
        *r = (struct request){x->frame, RISCVPageMap, 1, 3, {seL4_CapInitThreadVSpace}, {x->va, rights(seL4_ReadWrite), 0}};
        return true;
    case 21:
        *r = (struct request){x->frame, RISCVPageUnmap, 0, 0, {0}, {0}};
        return true;
    case 22:  // a priority above the authority's MCP
        *r = (struct request){x->tcb, TCBSetPriority, 1, 1, {seL4_CapInitThreadTCB}, {256}};
        *want = seL4_RangeError;
        return true;
    case 23:
        *r = (struct request){x->tcb, TCBSetPriority, 1, 1, {seL4_CapInitThreadTCB}, {100}};
        return true;
    default:
        return false;
    }
}

static bool script_res(struct env *env, struct script_res *x, seL4_Word va)
{
    x->ut = alloc_object(env, seL4_UntypedObject, 14);
    for (unsigned i = 0; i < 8; i++)
        x->s[i] = alloc_slot(env);
    x->tcb = alloc_object(env, seL4_TCBObject, 0);
    x->pt[0] = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    x->pt[1] = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    x->frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    x->va = va;
    return x->ut && x->s[7] && x->tcb && x->pt[1] && x->frame;
}

static void sync_async_identical(struct env *env)
{
    struct async_env a;
    test_assert(env, async_setup(env, &a, seL4_CapInitThreadTCB, ASYNC_VA));
    struct script_res sx, ax;
    // Two fresh gigabytes of the root task's VSpace, one per run.
    test_assert(env, script_res(env, &sx, 0x3000000000ul) && script_res(env, &ax, 0x3040000000ul));
    for (unsigned i = 0; i < SCRIPT_STEPS; i++) {
        struct request rs, ra;
        seL4_Word want, want2;
        test_assert(env, script_step(i, &sx, &rs, &want) && script_step(i, &ax, &ra, &want2));
        struct outcome os, oa;
        call_sync(&rs, &os);
        test_assert(env, call_async(&a, &ra, &oa));
        if (os.label != want || !outcome_eq(&os, &oa))
            printf("# step %u: sync %lu/%lu [%lx %lx %lx] async %lu/%lu [%lx %lx %lx]\n", i,
                   os.label, os.length, os.mr[0], os.mr[1], os.mr[2], oa.label, oa.length,
                   oa.mr[0], oa.mr[1], oa.mr[2]);
        test_eq(env, os.label, want);
        test_check(env, outcome_eq(&os, &oa));
    }
    test_eq(env, al4_asyncsys_in_flight(&a.as), 0);
}
DEFINE_TEST(ASYNCSYS0002, "a scripted sequence with failures gives the same replies sync and async",
            sync_async_identical);

// --- What may not be asynchronous, and what a request cannot do ---

static void refusals(struct env *env)
{
    struct async_env a;
    test_assert(env, async_setup(env, &a, seL4_CapInitThreadTCB, ASYNC_VA));
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr slot = alloc_slot(env);
    struct outcome o;
    const struct request refused[] = {
        {ep, 0, 0, 1, {0}, {7}},                                    // IPC
        {ROOT, CNodeSaveCaller, 0, 2, {0}, {slot, DEPTH}},          // the reply cap
        {tcb, TCBReadRegisters, 0, 2, {0}, {0, 4}},                 // registers
        {tcb, TCBWriteRegisters, 0, 3, {0}, {0, 1, 0}},
        {nt, al4_NotificationRegisterReceiver, 1, 0, {tcb}, {0}},   // runtime set-up
        {nt, al4_NotificationRegisterSender, 1, 0, {tcb}, {0}},
        {nt, al4_NotificationRegisterAsyncSyscall, 2, 0, {tcb, frame}, {0}},
    };
    for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        test_assert(env, call_async(&a, &refused[i], &o));
        test_eq(env, o.label, seL4_IllegalOperation);
        test_eq(env, o.length, 0);
    }
    // The endpoint saw nothing: a NBRecv finds no message.
    seL4_Word badge = 0;
    seL4_NBRecv(ep, &badge);
    test_eq(env, seL4_GetMR(0) == 7 && badge, 0);

    // A cap that does not look up: a Call would fault; the request is told which cap.
    struct request bad = {slot, CNodeDelete, 0, 2, {0}, {slot, DEPTH}};
    test_assert(env, call_async(&a, &bad, &o));
    test_eq(env, o.label, seL4_InvalidCapability);
    test_eq(env, o.mr[0], 0);
    struct request bad_extra = {ROOT, CNodeCopy, 2, 5, {ROOT, 1ul << 40}, {slot, DEPTH, nt, DEPTH, 15}};
    bad_extra.ncaps = 2;
    test_assert(env, call_async(&a, &bad_extra, &o));
    test_eq(env, o.label, seL4_InvalidCapability);
    test_eq(env, o.mr[0], 2);

    // A Signal never blocks: it may be asynchronous.
    seL4_CPtr badged = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, badged, DEPTH, ROOT, nt, DEPTH, seL4_AllRights, 0x30),
            seL4_NoError);
    struct request sig = {badged, 0, 0, 0, {0}, {0}};
    test_assert(env, call_async(&a, &sig, &o));
    test_eq(env, o.label, seL4_NoError);
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 0x30);
    // A reply with data: the frame's physical address, as the synchronous stub gets it.
    struct request ga = {frame, RISCVPageGetAddress, 0, 0, {0}, {0}};
    test_assert(env, call_async(&a, &ga, &o));
    seL4_RISCV_Page_GetAddress_t s = seL4_RISCV_Page_GetAddress(frame);
    test_eq(env, o.label, seL4_NoError);
    test_eq(env, o.length, 1);
    test_eq(env, o.mr[0], s.paddr);
}
DEFINE_TEST(ASYNCSYS0003, "IPC, register access and runtime set-up are refused; lookups answer",
            refusals);
