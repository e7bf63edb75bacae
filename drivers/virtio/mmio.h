// The virtio-mmio transport (virtio 1.2, 4.2): a device behind one page of registers,
// in its modern form (Version 2) or the legacy one (Version 1, 4.2.4), which QEMU gives
// unless started with -global virtio-mmio.force-legacy=false. The caller maps the
// registers and supplies the queues' memory; nothing is allocated here.
//
// Bring-up, in the order the spec asks (3.1.1): virtio_mmio_probe, virtio_mmio_init
// (reset, ACKNOWLEDGE, DRIVER, features), virtio_mmio_queue_setup per queue, the
// device-specific setup, virtio_mmio_ready (DRIVER_OK).
#pragma once
#include <stdint.h>
#include "virtio.h"
#include "virtq.h"

struct virtio_mmio {
    volatile uint32_t *regs;
    uint32_t version;    // 1 legacy, 2 modern
    uint32_t device_id;  // VIRTIO_ID_*
    uint64_t features;   // negotiated
};

// Checks the magic value, the version (1 or 2) and that a device is present (device id
// 0 is an empty transport). VIRTIO_ENODEV or VIRTIO_EVERSION otherwise.
int virtio_mmio_probe(struct virtio_mmio *d, volatile void *regs);

// Resets the device (it forgets its queues and stops using their memory).
void virtio_mmio_reset(struct virtio_mmio *d);

// Reset, ACKNOWLEDGE, DRIVER, then features: accepts what the device offers of
// `wanted`, fails unless it offers all of `required`. A modern device must also offer
// VIRTIO_F_VERSION_1, which is always accepted there, and must keep FEATURES_OK set.
// VIRTIO_EFEATURES (the device marked FAILED) otherwise.
int virtio_mmio_init(struct virtio_mmio *d, uint64_t wanted, uint64_t required);

// Largest size of queue `index` (0: the queue does not exist).
uint32_t virtio_mmio_queue_max(struct virtio_mmio *d, unsigned index);

// Gives queue `index` to the device: its size and rings from q (virtq_init first).
// VIRTIO_EQUEUE when the queue is missing, already in use or smaller than q; a legacy
// device needs the queue page-aligned (VIRTIO_EINVAL otherwise).
int virtio_mmio_queue_setup(struct virtio_mmio *d, unsigned index, const struct virtq *q);

// DRIVER_OK: the device may use its queues.
void virtio_mmio_ready(struct virtio_mmio *d);

uint32_t virtio_mmio_status(struct virtio_mmio *d);

// Tells the device that queue `index` has new buffers (after virtq_add).
void virtio_mmio_notify(struct virtio_mmio *d, unsigned index);

// Reads and acknowledges the interrupt status (VIRTIO_INT_* bits); the rings may be
// read after it returns.
uint32_t virtio_mmio_interrupt_ack(struct virtio_mmio *d);

// Copies `len` bytes of the device's configuration space from `offset`, byte by byte
// (any field alignment), retrying while a modern device's configuration generation
// changes under the read (4.2.2.2), at most VIRTIO_CONFIG_TRIES times: a device whose
// generation never settles gets VIRTIO_ECONFIG, not a driver spinning forever.
#define VIRTIO_CONFIG_TRIES 16
int virtio_mmio_config_read(struct virtio_mmio *d, uint32_t offset, void *buf, uint32_t len);
