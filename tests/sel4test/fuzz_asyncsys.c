// FUZZ0003: random ring contents (docs/asyncsys.md, "What the kernel checks"). A thread
// whose CSpace is a small scratch CNode of real objects registers its rings; the root
// task fills them with random requests (random caps of that CSpace, labels, lengths,
// arguments, some unreadable info words) and the thread wakes the handler. Every
// request must be answered, in order, with an seL4 error or success, and the kernel's
// invariants must hold throughout.
#include "asyncsys_test.h"
#include "fuzz_ring.h"
#include <al4/debug.h>

#define SCRATCH_BITS 4     // 16 slots
#define ROUNDS 48
#define FZ_VA (ASYNC_VA + 0x10000)

static volatile seL4_Word wake_cmd;

static void waker(struct test_thread *t)
{
    (void)t;
    seL4_Word seen = 0;
    for (;;) {
        while (wake_cmd == seen)
            seL4_Yield();
        seen = wake_cmd;
        al4_asyncsys_wake();
    }
}

static uint64_t state;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t next_ctx(void *ctx)
{
    (void)ctx;
    return next();
}

static seL4_CPtr scratch_cptr(void *ctx)
{
    (void)ctx;
    return next() % 16;
}

static void random_rings(struct env *env)
{
    static struct test_thread th;
    wake_cmd = 0;
    // The scratch CSpace: one level, 60 bits of guard, so cptrs 0..15 name its slots.
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, SCRATCH_BITS);
    seL4_CPtr cn_g = alloc_slot(env);
    test_assert(env, cn && cn_g);
    test_eq(env, seL4_CNode_Mint(ROOT, cn_g, DEPTH, ROOT, cn, DEPTH, seL4_AllRights,
                                 seL4_CNode_CapData_new(0, 64 - SCRATCH_BITS)), seL4_NoError);
    const seL4_Word types[] = {0, seL4_UntypedObject, seL4_NotificationObject, seL4_EndpointObject,
                               seL4_RISCV_4K_Page, seL4_RISCV_PageTableObject, seL4_TCBObject,
                               seL4_CapTableObject};
    for (seL4_Word i = 1; i < sizeof(types) / sizeof(types[0]); i++) {
        seL4_CPtr o = alloc_object(env, types[i], types[i] == seL4_UntypedObject ? 16 : 2);
        test_assert(env, o);
        test_eq(env, seL4_CNode_Move(cn, i, SCRATCH_BITS, ROOT, o, DEPTH), seL4_NoError);
    }
    test_eq(env, seL4_CNode_Copy(cn, 8, SCRATCH_BITS, ROOT, cn_g, DEPTH, seL4_AllRights), seL4_NoError);

    thread_create(env, &th, waker, 255, 0);
    test_eq(env, seL4_TCB_SetSpace(th.tcb, 0, cn_g, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_assert(env, map_in_root(env, frame, FZ_VA) == seL4_NoError);
    test_eq(env, al4_asyncsys_register(nt, th.tcb, frame), seL4_NoError);
    struct al4_asyncsys_shared *sh = (struct al4_asyncsys_shared *)FZ_VA;
    thread_start(&th);

    state = 0x2545f4914f6cdd1dull;
    const struct fz_source src = {next_ctx, scratch_cptr, NULL, DEPTH};
    uint32_t n = 0;
    unsigned count[seL4_NumErrors] = {0}, bad = 0;
    for (int round = 0; round < ROUNDS; round++) {
        seL4_Word tags[AL4_ASYNCSYS_SLOTS];
        for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
            struct al4_asyncsys_req r = fz_random_request(&src);
            tags[i] = r.tag;
            raw_put(sh, n + i, r);
        }
        n += AL4_ASYNCSYS_SLOTS;
        __atomic_store_n(&sh->user.req_tail, n, __ATOMIC_RELEASE);
        wake_cmd = round + 1;
        for (int spin = 0; spin < 1000000 && __atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE) != n; spin++)
            seL4_Yield();
        test_assert(env, sh->kern.rep_tail == n);
        for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
            const struct al4_asyncsys_rep *p = rep_at(sh, i);
            seL4_MessageInfo_t info = {{p->info}};
            seL4_Word e = seL4_MessageInfo_get_label(info);
            if (p->tag != tags[i] || e >= seL4_NumErrors ||
                seL4_MessageInfo_get_length(info) > AL4_ASYNCSYS_REPLY_MRS)
                bad++;
            else
                count[e]++;
        }
        __atomic_store_n(&sh->user.rep_head, n, __ATOMIC_RELEASE);
        if (round % 8 == 7)
            test_eq(env, al4_check_invariants().violation, 0);
    }
    test_eq(env, bad, 0);
    printf("# %u random requests:", (unsigned)n);
    for (unsigned e = 0; e < seL4_NumErrors; e++)
        printf(" %u", count[e]);
    printf(" (by seL4_Error)\n");
    // Some did something: not everything was refused.
    test_check(env, count[seL4_NoError] > 0);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(FUZZ0003, "random asynchronous-system-call ring contents: answered in order, invariants hold",
            random_rings);
