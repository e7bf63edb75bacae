// UNOTIFY0035: a device interrupt reaches its driver as a user interrupt. The IRQ
// handler's notification is a registered U-notification of the root task, which has a
// handler installed: the kernel takes the PLIC interrupt and sets the badge bit in the
// root task's UINTC entry, and the handler runs on the way back to user mode. The
// driver enters the kernel for nothing but IRQHandler_Ack.
#include "unotify_test.h"
#include "virtio_rng.h"

#define ROOT seL4_CapInitThreadCNode
#define MMIO_VADDR 0x21000000ul
#define RING_VADDR 0x21200000ul
#define REQUESTS 6

static volatile seL4_Word irq_bits, irq_count;

static void irq_handler(seL4_Word bits, void *arg)
{
    (void)arg;
    irq_bits |= bits;
    irq_count++;
}

// User IRQs go to the boot hart, where the root task runs: its counter is the one that
// sees the interrupt's own trap.
static seL4_Word entries(void)
{
    return al4_kernel_counters_of(0).kernel_entries;
}

static void irq_as_user_interrupt(struct env *env)
{
    static struct al4_unotify_handler h = {irq_handler, NULL};
    struct virtio_rng v;
    test_assert(env, virtio_rng_open(env, &v, MMIO_VADDR, RING_VADDR));
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr badged = un_mint_rights(env, nt, seL4_AllRights, 1ul << VIRTIO_IRQ);
    seL4_CPtr handler = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, VIRTIO_IRQ, ROOT, handler, 64),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(handler, badged), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(seL4_CapInitThreadTCB, nt), seL4_NoError);
    seL4_Word rx;
    test_assert(env, al4_unotify_register_receiver(nt, seL4_CapInitThreadTCB, &rx) == seL4_NoError);
    irq_bits = irq_count = 0;
    al4_unotify_install(&h);

    // Per request: the counter read twice back to back gives what reading costs; from
    // the doorbell to the handler's count the hart may enter the kernel once, for the
    // interrupt itself, and the Ack once. A tick in between spoils one measurement.
    int quiet = 0, quiet_ack = 0;
    for (unsigned n = 1; n <= REQUESTS; n++) {
        unsigned id = (n - 1) % VIRTIO_QSIZE;
        seL4_Word count = irq_count;
        seL4_Word e0 = entries(), e1 = entries();
        virtio_rng_request(&v, id);
        uint64_t deadline = un_deadline(env, 1000);
        while (irq_count == count && un_rdtime() < deadline)
            ;
        seL4_Word e2 = entries();
        test_eq(env, irq_count, count + 1);
        test_eq(env, irq_bits, 1ul << VIRTIO_IRQ);
        if (irq_count != count + 1)
            break;
        irq_bits = 0;
        quiet += (e2 - e1) - (e1 - e0) == 1;
        virtio_rng_completed(env, &v, n, id);
        seL4_Word a0 = entries(), a1 = entries();
        test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
        seL4_Word a2 = entries();
        quiet_ack += (a2 - a1) - (a1 - a0) == 1;
    }
    printf("# %d of %d interrupts with one kernel entry (the IRQ's), %d Acks with one\n", quiet,
           REQUESTS, quiet_ack);
    test_check(env, quiet > 0);
    test_check(env, quiet_ack > 0);
    test_check(env, virtio_rng_filled(&v));
    un_uninstall();
    // The handler took every bit: none is left for the kernel path to return.
    seL4_Word w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    test_eq(env, irq_count, REQUESTS);
    test_eq(env, seL4_TCB_UnbindNotification(seL4_CapInitThreadTCB), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(ROOT, handler, 64), seL4_NoError);
    virtio_rng_close(env, &v);
}
DEFINE_TEST(UNOTIFY0035, "a virtio interrupt reaches the driver's handler as a user interrupt",
            irq_as_user_interrupt);
