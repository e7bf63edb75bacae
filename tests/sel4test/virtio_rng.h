// The least driver that makes a virtio-mmio entropy device (legacy or modern: the
// library in drivers/virtio drives both) complete requests, shared by the tests that
// take its interrupt (IRQ0004 through the kernel, UNOTIFY0035 as a user interrupt):
// one virtqueue and its buffers in one page, one descriptor per request. `make test` starts QEMU with -device virtio-rng-device,bus=virtio-mmio-bus.0,
// which puts the device at the first transport: 0x10001000, PLIC line 1.
#pragma once
#include "helpers.h"
#include <virtio/mmio.h>

#define VIRTIO_PADDR 0x10001000ul
#define VIRTIO_IRQ 1
#define VIRTIO_QSIZE 8

struct virtio_rng {
    struct virtio_mmio dev;
    struct virtq q;
    uint8_t *buf;                     // VIRTIO_QSIZE request buffers, after the queue
    seL4_Word paddr;                  // of the queue page
    seL4_CPtr frame, ring;            // the device's page and the queue's
    uint16_t buf_of[VIRTIO_QSIZE];    // head descriptor -> request buffer
};

// Maps the device at mmio_va and a new queue page at ring_va, checks that an entropy
// device is there and initialises it with queue 0 in that page. False after a failed
// check.
bool virtio_rng_open(struct env *env, struct virtio_rng *v, seL4_Word mmio_va, seL4_Word ring_va);
// Hands buffer i to the device (it writes random bytes there) and rings the doorbell.
void virtio_rng_request(struct virtio_rng *v, unsigned i);
// Checks that the device reports request number n done (buffer id filled) with its
// interrupt raised, and acknowledges the interrupt at the device.
void virtio_rng_completed(struct env *env, struct virtio_rng *v, unsigned n, unsigned id);
// Whether buffers 0 and 1 hold random bytes (16 zero bytes in a row would be a broken
// device).
bool virtio_rng_filled(struct virtio_rng *v);
// Resets the device (it forgets the queue before the page goes) and unmaps both pages.
void virtio_rng_close(struct env *env, struct virtio_rng *v);
