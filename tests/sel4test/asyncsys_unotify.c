// ASYNCSYS: completions to a U-notification. The completion notification has the root
// task as its registered receiver: the kernel's signal after a batch of replies reaches
// it as user-interrupt bits, read with no kernel entry of its own (docs/unotify.md, "The
// kernel path on a registered notification").
#include "asyncsys_test.h"
#include "unotify_test.h"

#define BIT5 (1ul << 5)

static void unotify_completion(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr badged = un_mint(env, nt, BIT5), empty = alloc_slot(env);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_assert(env, map_in_root(env, frame, ASYNC_VA) == seL4_NoError);
    struct al4_asyncsys_shared *sh = (struct al4_asyncsys_shared *)ASYNC_VA;
    test_eq(env, al4_asyncsys_register(badged, seL4_CapInitThreadTCB, frame), seL4_NoError);
    for (uint32_t i = 0; i < 4; i++)
        raw_put(sh, i, (struct al4_asyncsys_req){.tag = i, .info = seL4_MessageInfo_new(CNodeDelete, 0, 0, 2).words[0],
                                                 .cptr = ROOT, .mr = {empty, DEPTH}});
    __atomic_store_n(&sh->user.req_tail, 4, __ATOMIC_RELEASE);
    test_eq(env, al4_asyncsys_wake(), seL4_NoError);
    // Served here before the wake returned (one hart) or on another hart meanwhile.
    for (int i = 0; i < 10000000 && __atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE) != 4; i++)
        ;
    test_eq(env, sh->kern.rep_tail, 4);
    // The signal follows the last reply it covers: wait for it without a system call.
    seL4_Word bits = 0;
    for (int i = 0; i < 10000000 && !(bits & BIT5); i++)
        bits |= al4_uipi_read();
    test_eq(env, bits, BIT5);
    for (uint32_t i = 0; i < 4; i++)
        test_eq(env, rep_at(sh, i)->tag, i);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(ASYNCSYS0013, "completions reach a registered U-notification receiver as user-interrupt bits",
            unotify_completion);
