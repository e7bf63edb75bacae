// UNOTIFY review: defects found in a review of the kernel side of U-notification, one
// test each, each checking the property docs/unotify.md states where the kernel broke it.
#include "unotify_test.h"

#define REVIEW_IRQ 40  // a PLIC source no other test issues

// seL4's IRQHandler_SetNotification inserts the notification cap itself into the IRQ's
// slot, with no derivation. That copy must not carry the sender entry of a registered
// cap: the entry belongs to the one cap (copies never inherit it), so clearing the
// handler, which deletes the copy, must leave the registered cap's sends working.
static void irq_copy_has_no_entry(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr a = un_mint(env, nt, 1ul << 3);
    seL4_Word ia = un_sender(env, a, UN_SELF);
    test_eq(env, un_send_read(ia), 1ul << 3);

    seL4_CPtr h = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, REVIEW_IRQ, UN_ROOT, h, UN_DEPTH),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(h, a), seL4_NoError);
    test_eq(env, seL4_IRQHandler_Clear(h), seL4_NoError);
    test_eq(env, un_send_read(ia), 1ul << 3);
    // Registering again is the same entry, and it works.
    test_eq(env, un_sender(env, a, UN_SELF), ia);
    test_eq(env, un_send_read(ia), 1ul << 3);

    test_eq(env, seL4_CNode_Delete(UN_ROOT, h, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, a, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0050, "an IRQ handler's copy of a registered sender cap has no entry: Clear leaves the cap's",
            irq_copy_has_no_entry);

// A kernel-path signal with a nonzero badge to a registered notification whose
// receiver is not blocked goes to the entry, where the running receiver sees it
// (al4_uipi_read, its handler): also when the kernel word is already active, here
// through an unbadged Signal. The word Poll returns is still seL4's: 0 | 0x10.
static void active_word_badge_to_entry(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr k = un_mint(env, nt, 0x10);
    seL4_Signal(nt);  // badge 0: the kernel word becomes active with 0
    seL4_Signal(k);
    test_eq(env, al4_uipi_read(), 0x10);

    seL4_Signal(nt);
    seL4_Signal(k);
    seL4_Word w = 0;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0x10);
    w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    test_eq(env, al4_uipi_read(), 0);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0051, "a badged kernel signal reaches the running receiver's entry when the word is already active",
            active_word_badge_to_entry);

// --- A receiver's own pending user interrupt is not a kernel interrupt ---

#define PREEMPT_OBJECTS 1024
static volatile seL4_Word masked_bits;

static void masked_handler(seL4_Word bits, void *arg)
{
    (void)arg;
    masked_bits |= bits;
}

// A long operation (here a revoke deleting PREEMPT_OBJECTS caps) stops at a
// preemption point only for an interrupt the kernel must take, as on seL4. A receiver
// whose handler is masked (ustatus.UIE = 0, as in al4_unotify_wait or any critical
// section) with bits pending has USIP raised and uie.USIE on the whole time: that is
// its own, delegated to U mode, and must not chop the revoke into one system call per
// PREEMPT_WORK_UNITS deletions. Allowed: one preemption per tick that passed, and one.
static void masked_bits_do_not_preempt(struct env *env)
{
    static struct al4_unotify_handler h = {masked_handler, NULL};
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr b = un_mint(env, nt, 1ul << 2);
    seL4_Word ib = un_sender(env, b, UN_SELF);
    seL4_CPtr objs = env->bi->empty.end - PREEMPT_OBJECTS;
    test_assert(env, objs > env->bi->empty.start + 1 + 1024);
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 16);  // 2048 notifications
    test_assert(env, ut);
    for (seL4_Word i = 0; i < PREEMPT_OBJECTS; i += 256)
        test_assert(env, seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, UN_ROOT, 0, 0,
                                             objs + i, 256) == seL4_NoError);

    masked_bits = 0;
    al4_unotify_install(&h);
    seL4_Word was = al4_unotify_mask();
    al4_uipi_send(ib);
    seL4_Word p0 = al4_kernel_counters().preemptions, t0 = un_rdtime();
    test_eq(env, seL4_CNode_Revoke(UN_ROOT, ut, UN_DEPTH), seL4_NoError);
    seL4_Word p1 = al4_kernel_counters().preemptions, t1 = un_rdtime();
    al4_unotify_unmask(was);
    test_eq(env, masked_bits, 1ul << 2);  // the bit waited for the unmask

    seL4_Word ticks = (t1 - t0) / un_ticks(env, 1);
    printf("# %lu preemptions in %lu ticks\n", p1 - p0, ticks);
    test_check(env, p1 - p0 <= ticks + 1);
    test_eq(env, seL4_DebugCapIdentify(objs), 0);

    un_uninstall();
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0052, "a masked receiver's pending user interrupt does not preempt its long operations",
            masked_bits_do_not_preempt);
