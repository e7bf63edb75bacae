// IRQ0004: a virtio device's interrupt reaches a user-level driver as a notification
// (the device and its driver: virtio_rng.h).
#include "virtio_rng.h"

#define ROOT seL4_CapInitThreadCNode
#define MMIO_VADDR 0x21000000ul
#define RING_VADDR 0x21200000ul

// Waits for the device's interrupt, checks that it reports request `n` done (in
// buffer `id`), and acknowledges it at the device and at the kernel.
static void completion(struct env *env, struct virtio_rng *v, seL4_CPtr nt, seL4_CPtr handler,
                       unsigned n, unsigned id)
{
    seL4_Word badge = 0;
    seL4_Wait(nt, &badge);
    test_eq(env, badge, 1ul << VIRTIO_IRQ);
    virtio_rng_completed(env, v, n, id);
    test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
}

static void virtio_interrupt(struct env *env)
{
    struct virtio_rng v;
    test_assert(env, virtio_rng_open(env, &v, MMIO_VADDR, RING_VADDR));
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), badged = alloc_slot(env);
    seL4_CPtr handler = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, badged, 64, ROOT, nt, 64, seL4_AllRights, 1ul << VIRTIO_IRQ),
            seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, VIRTIO_IRQ, ROOT, handler, 64),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(handler, badged), seL4_NoError);

    // Two requests, one at a time, each interrupt acknowledged (at the device and the
    // kernel) before the next request: the line is re-armed for the second.
    virtio_rng_request(&v, 0);
    completion(env, &v, nt, handler, 1, 0);
    virtio_rng_request(&v, 1);
    completion(env, &v, nt, handler, 2, 1);
    test_check(env, virtio_rng_filled(&v));

    test_eq(env, seL4_CNode_Delete(ROOT, handler, 64), seL4_NoError);
    virtio_rng_close(env, &v);
}
DEFINE_TEST(IRQ0004, "a virtio device's interrupt reaches a user-level driver's notification",
            virtio_interrupt);
