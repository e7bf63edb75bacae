// IRQ0004: a virtio device's interrupt reaches a user-level driver as a notification.
// The driver here is the least that makes a virtio-mmio (legacy, version 1) entropy
// device complete requests: one virtqueue in one page, one descriptor per request.
// `make test` starts QEMU with -device virtio-rng-device,bus=virtio-mmio-bus.0, which
// puts the device at the first transport: 0x10001000, PLIC line 1.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode
#define VIRTIO_PADDR 0x10001000ul
#define VIRTIO_IRQ 1
#define MMIO_VADDR 0x21000000ul
#define RING_VADDR 0x21200000ul

// virtio-mmio registers (virtio 1.2, 4.2.4 for the legacy interface), word indices.
enum {
    VM_MAGIC = 0x000 / 4,
    VM_VERSION = 0x004 / 4,
    VM_DEVICE_ID = 0x008 / 4,
    VM_GUEST_FEATURES = 0x020 / 4,
    VM_GUEST_PAGE_SIZE = 0x028 / 4,
    VM_QUEUE_SEL = 0x030 / 4,
    VM_QUEUE_NUM_MAX = 0x034 / 4,
    VM_QUEUE_NUM = 0x038 / 4,
    VM_QUEUE_ALIGN = 0x03c / 4,
    VM_QUEUE_PFN = 0x040 / 4,
    VM_QUEUE_NOTIFY = 0x050 / 4,
    VM_INTERRUPT_STATUS = 0x060 / 4,
    VM_INTERRUPT_ACK = 0x064 / 4,
    VM_STATUS = 0x070 / 4,
};
#define VIRTIO_MAGIC 0x74726976u  // "virt"
#define VIRTIO_ID_ENTROPY 4
#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define DESC_F_WRITE 2
#define INT_USED_BUFFER 1

// The queue's layout in its page: descriptors, then the available ring, then (at the
// alignment given to the device) the used ring; the request buffers after that.
#define QSIZE 8
#define QALIGN 64
struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct avail {
    uint16_t flags, idx, ring[QSIZE], used_event;
};
struct used {
    uint16_t flags, idx;
    struct {
        uint32_t id, len;
    } ring[QSIZE];
};
struct queue_page {
    struct desc desc[QSIZE];
    struct avail avail;
    struct used used __attribute__((aligned(QALIGN)));
    uint8_t buf[QSIZE][64] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct queue_page) <= 4096, "the queue fits one page");

// Hands buffer i to the device (it writes random bytes there) and rings the doorbell.
static void request(volatile uint32_t *mmio, volatile struct queue_page *q, seL4_Word paddr,
                    unsigned i)
{
    q->desc[i].addr = paddr + __builtin_offsetof(struct queue_page, buf[i]);
    q->desc[i].len = sizeof(q->buf[i]);
    q->desc[i].flags = DESC_F_WRITE;
    q->avail.ring[q->avail.idx % QSIZE] = i;
    asm volatile("fence w, w" ::: "memory");  // the slot before the index
    q->avail.idx++;
    asm volatile("fence w, o" ::: "memory");  // the index before the doorbell
    mmio[VM_QUEUE_NOTIFY] = 0;
}

// Waits for the device's interrupt, checks that it reports request `n` done (writing
// `len` bytes into buffer `id`), and acknowledges it at the device and at the kernel.
static void completion(struct env *env, volatile uint32_t *mmio, volatile struct queue_page *q,
                       seL4_CPtr nt, seL4_CPtr handler, unsigned n, unsigned id)
{
    seL4_Word badge = 0;
    seL4_Wait(nt, &badge);
    test_eq(env, badge, 1ul << VIRTIO_IRQ);
    test_eq(env, q->used.idx, n);
    test_eq(env, q->used.ring[(n - 1) % QSIZE].id, id);
    test_eq(env, q->used.ring[(n - 1) % QSIZE].len, sizeof(q->buf[id]));
    test_check(env, mmio[VM_INTERRUPT_STATUS] & INT_USED_BUFFER);
    mmio[VM_INTERRUPT_ACK] = INT_USED_BUFFER;
    test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
}

static void virtio_interrupt(struct env *env)
{
    seL4_CPtr frame = device_frame(env, VIRTIO_PADDR);
    test_assert(env, frame);
    test_assert(env, map_in_root(env, frame, MMIO_VADDR) == seL4_NoError);
    volatile uint32_t *mmio = (volatile uint32_t *)MMIO_VADDR;
    test_eq(env, mmio[VM_MAGIC], VIRTIO_MAGIC);
    test_eq(env, mmio[VM_VERSION], 1);
    test_assert(env, mmio[VM_DEVICE_ID] == VIRTIO_ID_ENTROPY);

    seL4_CPtr ring = alloc_object(env, seL4_RISCV_4K_Page, 0);
    test_assert(env, ring && map_in_root(env, ring, RING_VADDR) == seL4_NoError);
    seL4_Word paddr = seL4_RISCV_Page_GetAddress(ring).paddr;
    volatile struct queue_page *q = (volatile struct queue_page *)RING_VADDR;

    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), badged = alloc_slot(env);
    seL4_CPtr handler = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(ROOT, badged, 64, ROOT, nt, 64, seL4_AllRights, 1ul << VIRTIO_IRQ),
            seL4_NoError);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, VIRTIO_IRQ, ROOT, handler, 64),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(handler, badged), seL4_NoError);

    // Reset, then the legacy initialisation: no features, queue 0 at the page.
    mmio[VM_STATUS] = 0;
    mmio[VM_STATUS] = STATUS_ACK;
    mmio[VM_STATUS] = STATUS_ACK | STATUS_DRIVER;
    mmio[VM_GUEST_FEATURES] = 0;
    mmio[VM_GUEST_PAGE_SIZE] = 4096;
    mmio[VM_QUEUE_SEL] = 0;
    test_assert(env, mmio[VM_QUEUE_NUM_MAX] >= QSIZE);
    mmio[VM_QUEUE_NUM] = QSIZE;
    mmio[VM_QUEUE_ALIGN] = QALIGN;
    mmio[VM_QUEUE_PFN] = paddr >> 12;
    mmio[VM_STATUS] = STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK;

    // Two requests, one at a time, each interrupt acknowledged (at the device and the
    // kernel) before the next request: the line is re-armed for the second.
    request(mmio, q, paddr, 0);
    completion(env, mmio, q, nt, handler, 1, 0);
    request(mmio, q, paddr, 1);
    completion(env, mmio, q, nt, handler, 2, 1);
    // Random bytes arrived (16 zero bytes in a row would be a broken device).
    seL4_Word nonzero = 0;
    for (unsigned i = 0; i < 16; i++)
        nonzero |= q->buf[0][i] | q->buf[1][i];
    test_check(env, nonzero != 0);

    mmio[VM_STATUS] = 0;  // reset: the device forgets the queue before the page goes
    test_eq(env, seL4_CNode_Delete(ROOT, handler, 64), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(ring), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(frame), seL4_NoError);
}
DEFINE_TEST(IRQ0004, "a virtio device's interrupt reaches a user-level driver's notification",
            virtio_interrupt);
