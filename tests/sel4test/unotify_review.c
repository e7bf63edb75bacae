// UNOTIFY review: defects found in a review of the kernel side of U-notification, one
// test each, each checking the property docs/unotify.md states where the kernel broke it.
#include "unotify_test.h"

#define REVIEW_IRQ 40  // a PLIC source no other test issues

static seL4_Word send_read(seL4_Word index)
{
    al4_uipi_send(index);
    return al4_uipi_read();
}

// seL4's IRQHandler_SetNotification inserts the notification cap itself into the IRQ's
// slot, with no derivation. That copy must not carry the sender entry of a registered
// cap: the entry belongs to the one cap (copies never inherit it), so clearing the
// handler, which deletes the copy, must leave the registered cap's sends working.
static void irq_copy_has_no_entry(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    (void)al4_uipi_read();
    seL4_CPtr a = un_mint(env, nt, 1ul << 3);
    seL4_Word ia = un_sender(env, a, UN_SELF);
    test_eq(env, send_read(ia), 1ul << 3);

    seL4_CPtr h = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, REVIEW_IRQ, UN_ROOT, h, UN_DEPTH),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(h, a), seL4_NoError);
    test_eq(env, seL4_IRQHandler_Clear(h), seL4_NoError);
    test_eq(env, send_read(ia), 1ul << 3);
    // Registering again is the same entry, and it works.
    test_eq(env, un_sender(env, a, UN_SELF), ia);
    test_eq(env, send_read(ia), 1ul << 3);

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
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    (void)al4_uipi_read();
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
