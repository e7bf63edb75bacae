// DOMAINS: the domain cap's refusals, in the order of seL4's decodeDomainInvocation
// (one domain configured, as upstream's sel4test build for this board).
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode

static void domain_refusals(struct env *env)
{
    const seL4_CPtr dom = seL4_CapDomain;
    seL4_CPtr copy = alloc_slot(env);
    // SetSet needs the domain word and the TCB cap.
    seL4_SetCap(0, seL4_CapInitThreadTCB);
    seL4_MessageInfo_t info = seL4_Call(dom, seL4_MessageInfo_new(DomainSetSet, 0, 1, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    seL4_SetMR(0, 0);
    info = seL4_Call(dom, seL4_MessageInfo_new(DomainSetSet, 0, 0, 1));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    // The domain is checked before the cap is looked for.
    seL4_SetMR(0, 1);
    info = seL4_Call(dom, seL4_MessageInfo_new(DomainSetSet, 0, 0, 1));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 0);
    // A label the domain cap does not have.
    info = seL4_Call(dom, seL4_MessageInfo_new(TCBSuspend, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_IllegalOperation);
    // The cap can be copied (seL4's deriveCap keeps it) and the copy works.
    test_eq(env, seL4_CNode_Copy(ROOT, copy, 64, ROOT, dom, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_DomainSet_Set(copy, 0, seL4_CapInitThreadTCB), seL4_NoError);
}
DEFINE_TEST(DOMAINS0002, "the domain cap refuses as seL4 does, in seL4's order", domain_refusals);

static void domain_schedule(struct env *env)
{
    const seL4_CPtr dom = seL4_CapDomain;
    // Index 0..NUM_DOMAIN_SCHEDULES-1 (2 with one domain), domain 0..0, 56-bit duration.
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 2, 0, 10), seL4_RangeError);
    test_eq(env, seL4_GetMR(0), 0);
    test_eq(env, seL4_GetMR(1), 1);
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 1, 1, 10), seL4_RangeError);
    test_eq(env, seL4_GetMR(1), 0);
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 1, 0, 1ull << 56), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 2);
    // The start entry cannot become an end marker, nor can an end marker start.
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 0, 0, 0), seL4_InvalidArgument);
    test_eq(env, seL4_GetMR(0), 2);
    test_eq(env, seL4_DomainSet_ScheduleSetStart(dom, 1), seL4_InvalidArgument);
    test_eq(env, seL4_DomainSet_ScheduleSetStart(dom, 2), seL4_RangeError);
    // Entry 1 gets a duration, starts, and then entry 0 may end the list.
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 1, 0, 10), seL4_NoError);
    test_eq(env, seL4_DomainSet_ScheduleSetStart(dom, 1), seL4_NoError);
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 0, 0, 0), seL4_NoError);
    // Back to seL4's boot schedule: entry 0 for a long time, entry 1 the end marker.
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 0, 0, (1ull << 56) - 1), seL4_NoError);
    test_eq(env, seL4_DomainSet_ScheduleSetStart(dom, 0), seL4_NoError);
    test_eq(env, seL4_DomainSet_ScheduleConfigure(dom, 1, 0, 0), seL4_NoError);
    // Short messages.
    seL4_MessageInfo_t info = seL4_Call(dom, seL4_MessageInfo_new(DomainScheduleConfigure, 0, 0, 2));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    info = seL4_Call(dom, seL4_MessageInfo_new(DomainScheduleSetStart, 0, 0, 0));
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
}
DEFINE_TEST(DOMAINS0003, "the domain schedule is configured and started with seL4's checks",
            domain_schedule);
