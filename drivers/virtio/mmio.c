// The virtio-mmio transport (mmio.h).
#include "mmio.h"
#include "fence.h"

#define PAGE_SIZE 4096u

static uint32_t rd(struct virtio_mmio *d, uint32_t off)
{
    return d->regs[off / 4];
}

static void wr(struct virtio_mmio *d, uint32_t off, uint32_t v)
{
    d->regs[off / 4] = v;
}

int virtio_mmio_probe(struct virtio_mmio *d, volatile void *regs)
{
    d->regs = regs;
    d->features = 0;
    if (rd(d, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
        return VIRTIO_ENODEV;
    d->version = rd(d, VIRTIO_MMIO_VERSION);
    if (d->version != 1 && d->version != 2)
        return VIRTIO_EVERSION;
    d->device_id = rd(d, VIRTIO_MMIO_DEVICE_ID);
    return d->device_id == 0 ? VIRTIO_ENODEV : VIRTIO_OK;
}

void virtio_mmio_reset(struct virtio_mmio *d)
{
    wr(d, VIRTIO_MMIO_STATUS, 0);
    // A modern device may take time to reset; it reads 0 once done (4.2.3.1.1: "wait
    // until it reads back 0"). A legacy one resets at the write. Bounded: a broken
    // device must not hang its driver (its later steps then fail).
    for (unsigned i = 0; d->version == 2 && i < 1000000; i++)
        if (rd(d, VIRTIO_MMIO_STATUS) == 0)
            break;
}

uint32_t virtio_mmio_status(struct virtio_mmio *d)
{
    return rd(d, VIRTIO_MMIO_STATUS);
}

static void add_status(struct virtio_mmio *d, uint32_t bits)
{
    wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | bits);
}

static uint64_t device_features(struct virtio_mmio *d)
{
    wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t hi = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
    wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return hi << 32 | rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void driver_features(struct virtio_mmio *d, uint64_t f)
{
    wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
    wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
}

int virtio_mmio_init(struct virtio_mmio *d, uint64_t wanted, uint64_t required)
{
    virtio_mmio_reset(d);
    add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    add_status(d, VIRTIO_STATUS_DRIVER);
    if (d->version == 2)
        required |= VIRTIO_F_VERSION_1;
    else
        required &= ~VIRTIO_F_VERSION_1;  // a legacy device has no such bit
    uint64_t offered = device_features(d);
    if ((offered & required) != required) {
        add_status(d, VIRTIO_STATUS_FAILED);
        return VIRTIO_EFEATURES;
    }
    d->features = offered & (wanted | required);
    driver_features(d, d->features);
    if (d->version == 1) {
        // Legacy queues are given by page frame number (4.2.4).
        wr(d, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
        return VIRTIO_OK;
    }
    // The device may refuse the subset (3.1.1 step 6): it then leaves FEATURES_OK clear.
    add_status(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        add_status(d, VIRTIO_STATUS_FAILED);
        return VIRTIO_EFEATURES;
    }
    return VIRTIO_OK;
}

uint32_t virtio_mmio_queue_max(struct virtio_mmio *d, unsigned index)
{
    wr(d, VIRTIO_MMIO_QUEUE_SEL, index);
    return rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

int virtio_mmio_queue_setup(struct virtio_mmio *d, unsigned index, const struct virtq *q)
{
    uint32_t max = virtio_mmio_queue_max(d, index);  // selects the queue too
    if (max == 0 || max < q->size)
        return VIRTIO_EQUEUE;
    if (d->version == 1) {
        if (q->desc_pa % PAGE_SIZE != 0 || (q->desc_pa / PAGE_SIZE) >> 32 != 0)
            return VIRTIO_EINVAL;
        if (rd(d, VIRTIO_MMIO_QUEUE_PFN) != 0)
            return VIRTIO_EQUEUE;
        wr(d, VIRTIO_MMIO_QUEUE_NUM, q->size);
        wr(d, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
        wr(d, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(q->desc_pa / PAGE_SIZE));
        return VIRTIO_OK;
    }
    if (rd(d, VIRTIO_MMIO_QUEUE_READY) != 0)
        return VIRTIO_EQUEUE;
    wr(d, VIRTIO_MMIO_QUEUE_NUM, q->size);
    wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc_pa);
    wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc_pa >> 32));
    wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail_pa);
    wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail_pa >> 32));
    wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used_pa);
    wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used_pa >> 32));
    wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
    return VIRTIO_OK;
}

void virtio_mmio_ready(struct virtio_mmio *d)
{
    // The rings virtq_init zeroed must be in memory before the device may look.
    virtio_fence_wo();
    add_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_mmio_notify(struct virtio_mmio *d, unsigned index)
{
    virtio_fence_wo();  // the available index before the doorbell
    wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

uint32_t virtio_mmio_interrupt_ack(struct virtio_mmio *d)
{
    uint32_t bits = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
    if (bits)
        wr(d, VIRTIO_MMIO_INTERRUPT_ACK, bits);
    virtio_fence_ir();
    return bits;
}

int virtio_mmio_config_read(struct virtio_mmio *d, uint32_t offset, void *buf, uint32_t len)
{
    volatile uint8_t *cfg = (volatile uint8_t *)d->regs + VIRTIO_MMIO_CONFIG + offset;
    uint8_t *out = buf;
    for (unsigned t = 0; t < VIRTIO_CONFIG_TRIES; t++) {
        uint32_t gen = d->version == 2 ? rd(d, VIRTIO_MMIO_CONFIG_GENERATION) : 0;
        for (uint32_t i = 0; i < len; i++)
            out[i] = cfg[i];
        if (d->version != 2 || rd(d, VIRTIO_MMIO_CONFIG_GENERATION) == gen)
            return VIRTIO_OK;
    }
    return VIRTIO_ECONFIG;
}
