// A virtio-mmio entropy device driven from the root task (virtio_rng.h).
#include "virtio_rng.h"

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
#define QSIZE VIRTIO_QSIZE
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
struct virtio_queue_page {
    struct desc desc[QSIZE];
    struct avail avail;
    struct used used __attribute__((aligned(QALIGN)));
    uint8_t buf[QSIZE][64] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct virtio_queue_page) <= 4096, "the queue fits one page");

bool virtio_rng_open(struct env *env, struct virtio_rng *v, seL4_Word mmio_va, seL4_Word ring_va)
{
    int failures = env->failures;
    v->frame = device_frame(env, VIRTIO_PADDR);
    if (!v->frame || map_in_root(env, v->frame, mmio_va) != seL4_NoError)
        return false;
    volatile uint32_t *mmio = v->mmio = (volatile uint32_t *)mmio_va;
    test_eq(env, mmio[VM_MAGIC], VIRTIO_MAGIC);
    test_eq(env, mmio[VM_VERSION], 1);
    test_eq(env, mmio[VM_DEVICE_ID], VIRTIO_ID_ENTROPY);
    v->ring = alloc_object(env, seL4_RISCV_4K_Page, 0);
    if (!v->ring || map_in_root(env, v->ring, ring_va) != seL4_NoError)
        return false;
    v->paddr = seL4_RISCV_Page_GetAddress(v->ring).paddr;
    v->q = (volatile struct virtio_queue_page *)ring_va;
    // Reset, then the legacy initialisation: no features, queue 0 at the page.
    mmio[VM_STATUS] = 0;
    mmio[VM_STATUS] = STATUS_ACK;
    mmio[VM_STATUS] = STATUS_ACK | STATUS_DRIVER;
    mmio[VM_GUEST_FEATURES] = 0;
    mmio[VM_GUEST_PAGE_SIZE] = 4096;
    mmio[VM_QUEUE_SEL] = 0;
    test_check(env, mmio[VM_QUEUE_NUM_MAX] >= QSIZE);
    mmio[VM_QUEUE_NUM] = QSIZE;
    mmio[VM_QUEUE_ALIGN] = QALIGN;
    mmio[VM_QUEUE_PFN] = v->paddr >> 12;
    mmio[VM_STATUS] = STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK;
    return env->failures == failures;
}

void virtio_rng_request(struct virtio_rng *v, unsigned i)
{
    volatile struct virtio_queue_page *q = v->q;
    q->desc[i].addr = v->paddr + __builtin_offsetof(struct virtio_queue_page, buf[i]);
    q->desc[i].len = sizeof(q->buf[i]);
    q->desc[i].flags = DESC_F_WRITE;
    q->avail.ring[q->avail.idx % QSIZE] = i;
    asm volatile("fence w, w" ::: "memory");  // the slot before the index
    q->avail.idx++;
    asm volatile("fence w, o" ::: "memory");  // the index before the doorbell
    v->mmio[VM_QUEUE_NOTIFY] = 0;
}

void virtio_rng_completed(struct env *env, struct virtio_rng *v, unsigned n, unsigned id)
{
    volatile struct virtio_queue_page *q = v->q;
    test_eq(env, q->used.idx, n);
    test_eq(env, q->used.ring[(n - 1) % QSIZE].id, id);
    test_eq(env, q->used.ring[(n - 1) % QSIZE].len, sizeof(q->buf[id]));
    test_check(env, v->mmio[VM_INTERRUPT_STATUS] & INT_USED_BUFFER);
    v->mmio[VM_INTERRUPT_ACK] = INT_USED_BUFFER;
}

bool virtio_rng_filled(struct virtio_rng *v)
{
    seL4_Word nonzero = 0;
    for (unsigned i = 0; i < 16; i++)
        nonzero |= v->q->buf[0][i] | v->q->buf[1][i];
    return nonzero != 0;
}

void virtio_rng_close(struct env *env, struct virtio_rng *v)
{
    v->mmio[VM_STATUS] = 0;
    test_eq(env, seL4_RISCV_Page_Unmap(v->ring), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(v->frame), seL4_NoError);
}
