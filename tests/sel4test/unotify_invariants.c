// UNOTIFY and the kernel invariant checker (docs/invariants.md, INV_UNOTIFY): the
// checker runs after every step of a U-notification's life that changes the kernel's
// receiver entries, sender tables or the caps their entries belong to (registration,
// copy, move, revoke, unbind, deletion of the table's thread, of the notification),
// and from a thread that takes part, so that the hart it runs on holds its
// user-interrupt state while the check looks (on another hart too in the SMP build).
// FUZZ0002 reaches registered senders seldom; this is where their checks are met.
#include "unotify_test.h"

#define CHECK(env) test_eq(env, al4_check_invariants().violation, 0)

static void check_from_inside(struct test_thread *t)
{
    t->result[0] = al4_check_invariants().violation;
}

// A thread bound to nt, its receiver, with a sender table of its own holding `cap`,
// runs the check itself (on `hart` in the SMP build).
static void check_in_thread(struct env *env, seL4_CPtr nt, seL4_CPtr cap, seL4_Word hart)
{
    static struct test_thread th;
    thread_create(env, &th, check_from_inside, 255, 0);
    test_assert(env, un_receiver(env, th.tcb, nt) != UN_NONE);
    test_assert(env, un_sender(env, cap, th.tcb) != UN_NONE);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, hart), seL4_NoError);
#else
    (void)hart;
#endif
    th.result[0] = ~0ul;
    thread_start(&th);
    test_assert(env, thread_wait(&th, 100000));
    test_eq(env, th.result[0], 0);
    test_eq(env, seL4_TCB_Suspend(th.tcb), seL4_NoError);
    test_eq(env, seL4_TCB_UnbindNotification(th.tcb), seL4_NoError);
    CHECK(env);
}

static void life(struct env *env)
{
    CHECK(env);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr rx = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr s1 = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr s2 = alloc_object(env, seL4_TCBObject, 0);
    test_assert(env, nt && rx && s1 && s2);
    test_assert(env, un_receiver(env, rx, nt) != UN_NONE);
    CHECK(env);

    // Senders in two tables, two entries in one of them.
    seL4_CPtr a = un_mint(env, nt, 1ul << 3), b = un_mint(env, nt, 1ul << 5);
    seL4_CPtr c = un_mint(env, nt, 1ul << 63);
    seL4_Word ia = un_sender(env, a, s1);
    test_assert(env, ia != UN_NONE && un_sender(env, b, s1) != UN_NONE);
    test_assert(env, un_sender(env, c, s2) != UN_NONE);
    CHECK(env);

    // A copy has no entry; a move takes it along (the same index for the same thread).
    seL4_CPtr copy = alloc_slot(env), moved = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(UN_ROOT, copy, UN_DEPTH, UN_ROOT, a, UN_DEPTH, seL4_AllRights),
            seL4_NoError);
    CHECK(env);
    test_eq(env, seL4_CNode_Move(UN_ROOT, moved, UN_DEPTH, UN_ROOT, a, UN_DEPTH), seL4_NoError);
    CHECK(env);
    seL4_Word again = UN_NONE;
    test_eq(env, al4_unotify_register_sender(moved, s1, &again), seL4_NoError);
    test_eq(env, again, ia);
    // The copy registers an entry of its own.
    test_assert(env, un_sender(env, copy, s2) != UN_NONE);
    CHECK(env);

    // Revoking the cap ends its entry (and deletes the copy, derived from it: seL4's
    // badged-cap rule); registering again gives a new one.
    test_eq(env, seL4_CNode_Revoke(UN_ROOT, moved, UN_DEPTH), seL4_NoError);
    CHECK(env);
    test_assert(env, un_sender(env, moved, s1) != UN_NONE);
    CHECK(env);

    // The table's thread goes: its entries and their caps' fields with it.
    test_eq(env, seL4_CNode_Delete(UN_ROOT, s2, UN_DEPTH), seL4_NoError);
    CHECK(env);

    // Unbinding releases the receiver entry and every sender entry aimed at it.
    test_eq(env, seL4_TCB_UnbindNotification(rx), seL4_NoError);
    CHECK(env);
    test_assert(env, un_receiver(env, rx, nt) != UN_NONE);
    test_assert(env, un_sender(env, b, s1) != UN_NONE);
    CHECK(env);

    // A thread that takes part runs the check: its hart holds its state meanwhile.
    test_eq(env, seL4_TCB_UnbindNotification(rx), seL4_NoError);
    check_in_thread(env, nt, c, 0);
    if (env->bi->numNodes > 1)
        check_in_thread(env, nt, un_mint(env, nt, 1ul << 7), env->bi->numNodes - 1);

    // The notification goes, with its receiver entry and what aimed at it.
    seL4_CPtr nt2 = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, nt2 && un_receiver(env, rx, nt2) != UN_NONE);
    test_assert(env, un_sender(env, un_mint(env, nt2, 1), s1) != UN_NONE);
    test_eq(env, seL4_CNode_Revoke(UN_ROOT, nt2, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, nt2, UN_DEPTH), seL4_NoError);
    CHECK(env);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, rx, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, s1, UN_DEPTH), seL4_NoError);
    CHECK(env);
}
DEFINE_TEST(UNOTIFY0053, "the kernel invariant checker holds through registration, copy, move, "
            "revoke, unbind and deletions, and from a thread that takes part", life);
