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
