// ASYNCSYS: a 2 MiB ring frame (docs/asyncsys.md, "The frame"): 8192 slots per ring,
// batches far larger than a 4 KiB frame's 16 served from one wake, replies in the
// slots after the requests, and the free-running indices across the ring's wrap.
#include "asyncsys_test.h"

#define ROUND 3000  // three rounds pass the 8192-slot wrap

static void mega_ring(struct env *env)
{
    struct async_env a;
    test_assert(env, async_setup_sized(env, &a, seL4_CapInitThreadTCB, ASYNC_MEGA_VA,
                                       AL4_ASYNCSYS_MEGA_BITS));
    test_eq(env, a.as.slots, AL4_ASYNCSYS_MEGA_SLOTS);
    seL4_RISCV_Page_GetAddress_t ga = seL4_RISCV_Page_GetAddress(a.frame);
    test_eq(env, ga.error, seL4_NoError);
    seL4_CPtr empty = alloc_slot(env);
    uint32_t n = 0;
    for (int round = 0; round < 3; round++) {
        // Every seventh request names an empty slot: errors deep in the ring.
        for (uint32_t i = n; i < n + ROUND; i++) {
            struct al4_asyncsys_req r = {
                .tag = i,
                .info = seL4_MessageInfo_new(RISCVPageGetAddress, 0, 0, 0).words[0],
                .cptr = i % 7 == 3 ? empty : a.frame,
            };
            *al4_asyncsys_req_slot(a.sh, a.as.slots, i) = r;
        }
        n += ROUND;
        __atomic_store_n(&a.sh->user.req_tail, n, __ATOMIC_RELEASE);
        test_eq(env, al4_asyncsys_wake(), seL4_NoError);
        settle(a.sh);
        test_eq(env, a.sh->kern.req_head, n);
        test_eq(env, a.sh->kern.rep_tail, n);
        unsigned wrong = 0;
        for (uint32_t i = n - ROUND; i < n; i++) {
            const struct al4_asyncsys_rep *p = al4_asyncsys_rep_slot(a.sh, a.as.slots, i);
            bool bad = i % 7 == 3;
            seL4_MessageInfo_t info = {{p->info}};
            if (p->tag != i || seL4_MessageInfo_get_length(info) != 1 ||
                seL4_MessageInfo_get_label(info) != (bad ? seL4_InvalidCapability : seL4_NoError) ||
                p->mr[0] != (bad ? 0 : ga.paddr))
                wrong++;
        }
        test_eq(env, wrong, 0);
        __atomic_store_n(&a.sh->user.rep_head, n, __ATOMIC_RELEASE);
    }
    // The requests never reached into the replies: the last request slot and the first
    // reply slot are what they were written as.
    test_eq(env, al4_asyncsys_req_slot(a.sh, a.as.slots, AL4_ASYNCSYS_MEGA_SLOTS - 1)->tag,
            AL4_ASYNCSYS_MEGA_SLOTS - 1);
    test_eq(env, al4_asyncsys_rep_slot(a.sh, a.as.slots, AL4_ASYNCSYS_MEGA_SLOTS)->tag,
            AL4_ASYNCSYS_MEGA_SLOTS);
    // Revoking the frame takes the kernel's copy with it: no more serving.
    test_eq(env, seL4_CNode_Revoke(ROOT, a.frame, DEPTH), seL4_NoError);
    test_eq(env, al4_asyncsys_wake(), seL4_IllegalOperation);
    test_eq(env, seL4_CNode_Delete(ROOT, a.frame, DEPTH), seL4_NoError);
}
DEFINE_TEST(ASYNCSYS0016, "a 2 MiB ring frame: 8192 slots, large batches, wrap, errors deep in the ring",
            mega_ring);
