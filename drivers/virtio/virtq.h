// A split virtqueue (virtio 1.2, 2.7): the descriptor table, the available ring the
// driver fills and the used ring the device fills, laid out in one block of memory the
// caller supplies (virtual and physical address), in the legacy order so that one
// layout serves both transports: descriptors, available ring, then the used ring at the
// next VIRTQ_ALIGN boundary (2.7.2 legacy, with QueueAlign = VIRTQ_ALIGN).
//
// The device is not trusted: what it writes (the used index, each entry's descriptor id
// and length) is checked against the driver's own record of what it handed over before
// anything is freed or returned. That record lives in struct virtq, never in the shared
// memory, so a device scribbling over the rings cannot make the driver free a
// descriptor twice or read past a buffer.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "virtio.h"

// Largest queue this library drives: 128 entries keep the whole queue in one 4 KiB page
// (16 * 128 descriptor bytes, 262 available, 1030 used after alignment), so a legacy
// device, which takes one physically contiguous block, needs no more than a page.
#define VIRTQ_MAX 128u
#define VIRTQ_ALIGN 64u

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u  // the driver asks for no used-buffer interrupts

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct virtq_avail {
    uint16_t flags, idx;
    uint16_t ring[];  // then used_event, unused here (no VIRTIO_F_EVENT_IDX)
};
struct virtq_used_elem {
    uint32_t id, len;
};
struct virtq_used {
    uint16_t flags, idx;
    struct virtq_used_elem ring[];
};

struct virtq {
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint64_t desc_pa, avail_pa, used_pa;
    uint16_t size;         // entries, a power of two <= VIRTQ_MAX
    uint16_t free_head;    // first free descriptor; the free ones are chained through next[]
    uint16_t num_free;
    uint16_t outstanding;  // chains the device holds
    uint16_t avail_idx;    // the driver's copy of avail->idx
    uint16_t used_seen;    // used entries consumed so far (mod 2^16)
    uint32_t errors;       // used entries refused
    // The driver's record of each descriptor: the next one in its chain (or in the free
    // list), and at a chain's head the chain's length (0: not an outstanding head) and
    // how many bytes the device may write into it.
    uint16_t next[VIRTQ_MAX];
    uint16_t chain[VIRTQ_MAX];
    uint32_t writable[VIRTQ_MAX];
};

// One buffer of a chain: physical address and length.
struct virtq_seg {
    uint64_t pa;
    uint32_t len;
};

// A completed chain: the head descriptor's id and the bytes the device wrote.
struct virtq_done {
    uint16_t id;
    uint32_t len;
};

// Bytes of shared memory a queue of `size` entries takes.
size_t virtq_bytes(uint16_t size);

// Lays the queue out at va (physical pa, `bytes` available, VIRTQ_ALIGN-aligned), zeroes
// the rings and frees every descriptor. VIRTIO_EINVAL for a size that is not a power of
// two up to VIRTQ_MAX, misaligned or too little memory.
int virtq_init(struct virtq *q, uint16_t size, void *va, uint64_t pa, size_t bytes);

// Hands the device a chain of n_out device-readable then n_in device-writable buffers
// and publishes it in the available ring (the caller notifies the device afterwards).
// Returns the head descriptor's id, which virtq_get later reports, or VIRTIO_EINVAL
// (no buffers, a zero length) or VIRTIO_EFULL (fewer free descriptors than buffers).
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n_out, unsigned n_in);

// Takes the next used entry. 1: *done holds a completed chain, now free again. 0: none.
// Negative: the device broke the protocol, and the entry is refused (counted in errors):
//   VIRTIO_EBADIDX  the used index claims more entries than chains outstanding; nothing
//                   is consumed (the queue is unusable until the device is reset)
//   VIRTIO_EBADID   the entry's id is not the head of an outstanding chain; the entry
//                   is skipped, done->id holds the bad id
//                   (UINT16_MAX when it is out of range)
//   VIRTIO_EBADLEN  the length exceeds the chain's writable bytes; the chain is freed
//                   (done->id says which, so its buffers can be reused) but its content
//                   must not be
int virtq_get(struct virtq *q, struct virtq_done *done);

// Whether the device has put used entries that virtq_get has not taken yet: one read of
// shared memory, no register access, for polling (a bad index shows as pending too, and
// virtq_get then refuses it).
static inline int virtq_used_pending(const struct virtq *q)
{
    return q->used->idx != q->used_seen;
}

// Asks the device to interrupt, or not, when it puts used entries (virtio 1.2, 2.7.7:
// only a hint without VIRTIO_F_EVENT_IDX; the device may interrupt anyway). Turning them
// back on is followed by a full fence, so that a caller's next virtq_used_pending sees
// every entry the device put before it could have read the flag: one put after that
// raises an interrupt, and none falls in between (2.7.7.2's re-check).
void virtq_interrupts(struct virtq *q, int on);
