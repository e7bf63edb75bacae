// A virtio-mmio entropy device driven from the root task (virtio_rng.h) through the
// virtio library (drivers/virtio).
#include "virtio_rng.h"

// The queue at the start of its page, the request buffers in the page's second half.
#define BUF_OFFSET 2048
#define BUF_SIZE 64
_Static_assert(VIRTIO_QSIZE * BUF_SIZE <= 4096 - BUF_OFFSET, "the buffers fit the page");

bool virtio_rng_open(struct env *env, struct virtio_rng *v, seL4_Word mmio_va, seL4_Word ring_va)
{
    int failures = env->failures;
    v->frame = device_frame(env, VIRTIO_PADDR);
    if (!v->frame || map_in_root(env, v->frame, mmio_va) != seL4_NoError)
        return false;
    test_eq(env, virtio_mmio_probe(&v->dev, (volatile void *)mmio_va), VIRTIO_OK);
    test_eq(env, v->dev.device_id, VIRTIO_ID_ENTROPY);
    v->ring = alloc_object(env, seL4_RISCV_4K_Page, 0);
    if (!v->ring || map_in_root(env, v->ring, ring_va) != seL4_NoError)
        return false;
    v->paddr = seL4_RISCV_Page_GetAddress(v->ring).paddr;
    v->buf = (uint8_t *)ring_va + BUF_OFFSET;
    // No features: an entropy device has none, a modern one gets VERSION_1.
    test_eq(env, virtio_mmio_init(&v->dev, 0, 0), VIRTIO_OK);
    test_eq(env, virtq_init(&v->q, VIRTIO_QSIZE, (void *)ring_va, v->paddr, BUF_OFFSET), VIRTIO_OK);
    test_eq(env, virtio_mmio_queue_setup(&v->dev, 0, &v->q), VIRTIO_OK);
    virtio_mmio_ready(&v->dev);
    return env->failures == failures;
}

void virtio_rng_request(struct virtio_rng *v, unsigned i)
{
    struct virtq_seg seg = {v->paddr + BUF_OFFSET + i * BUF_SIZE, BUF_SIZE};
    int head = virtq_add(&v->q, &seg, 0, 1);
    if (head >= 0)
        v->buf_of[head] = i;
    virtio_mmio_notify(&v->dev, 0);
}

void virtio_rng_completed(struct env *env, struct virtio_rng *v, unsigned n, unsigned id)
{
    test_check(env, virtio_mmio_interrupt_ack(&v->dev) & VIRTIO_INT_USED_BUFFER);
    test_eq(env, v->q.used->idx, n);
    struct virtq_done done;
    int r = virtq_get(&v->q, &done);
    test_eq(env, r, 1);
    if (r == 1) {
        test_eq(env, v->buf_of[done.id], id);
        test_eq(env, done.len, BUF_SIZE);
    }
}

bool virtio_rng_filled(struct virtio_rng *v)
{
    seL4_Word nonzero = 0;
    for (unsigned i = 0; i < 16; i++)
        nonzero |= v->buf[i] | v->buf[BUF_SIZE + i];
    return nonzero != 0;
}

void virtio_rng_close(struct env *env, struct virtio_rng *v)
{
    virtio_mmio_reset(&v->dev);
    test_eq(env, seL4_RISCV_Page_Unmap(v->ring), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(v->frame), seL4_NoError);
}
