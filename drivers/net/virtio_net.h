// A virtio-net driver (virtio 1.2, 5.1) on the virtio-mmio library: receive queue 0
// kept filled with buffers, transmit queue 1, the MAC address from configuration
// space. No offload is negotiated (no checksum, no segmentation, no merged receive
// buffers): a frame is one buffer preceded by the 10-byte legacy or 12-byte modern
// virtio_net_hdr, and checksums are the stack's job.
//
// Memory comes from the caller, as pages that need not be physically contiguous: page
// 0 holds the receive queue, page 1 the transmit queue, then 2 KiB buffers two to a
// page, qsize for receiving and qsize for transmitting (vnet_pages). Nothing the device
// writes is used unchecked: the virtqueues refuse bad ids and lengths (virtq.h), and a
// received frame shorter than its header is refused too.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "../virtio/mmio.h"

#define VNET_PAGE_SIZE 4096u
#define VNET_BUF_SIZE 2048u
#define VNET_MAC_LEN 6
#define VNET_FRAME_MIN 14u    // an Ethernet header
#define VNET_FRAME_MAX 1514u  // header and 1500 bytes of payload, no FCS
#define VIRTIO_NET_F_MAC (1ull << 5)

// The caller's DMA memory: page i is at va + i * VNET_PAGE_SIZE, physical pa[i].
struct vnet_mem {
    uint8_t *va;
    const uint64_t *pa;
    unsigned pages;
};

// Pages a driver with queues of qsize entries needs.
static inline unsigned vnet_pages(uint16_t qsize)
{
    return 2 + qsize;
}

// A received frame, in its buffer until vnet_release(buf).
struct vnet_frame {
    const uint8_t *data;
    uint32_t len;
    uint16_t buf;
};

struct vnet_stats {
    uint32_t rx_frames, tx_frames;
    uint32_t refused;  // used entries the device got wrong
};

struct vnet {
    struct virtio_mmio dev;
    struct virtq rx, tx;
    struct vnet_mem mem;
    uint8_t mac[VNET_MAC_LEN];
    uint16_t hdr_len;  // 10 legacy, 12 modern
    uint16_t qsize;
    uint16_t rx_buf_of[VIRTQ_MAX], tx_buf_of[VIRTQ_MAX];  // head descriptor -> buffer
    uint16_t rx_idle[VIRTQ_MAX], n_rx_idle;  // receive buffers waiting for vnet_refill
    uint16_t tx_idle[VIRTQ_MAX], n_tx_idle;  // free transmit buffers
    struct vnet_stats stats;
};

// Brings up the virtio-net device whose registers are mapped at regs, with queues of
// qsize entries (a power of two up to VIRTQ_MAX, at most what the device allows) and
// every receive buffer given to the device. A legacy device must offer
// VIRTIO_F_ANY_LAYOUT (header and frame in one buffer), any device VIRTIO_NET_F_MAC.
// VIRTIO_OK or a VIRTIO_E* error (the device is then left failed or reset).
int vnet_init(struct vnet *n, volatile void *regs, struct vnet_mem mem, uint16_t qsize);

// Copies an Ethernet frame (VNET_FRAME_MIN to VNET_FRAME_MAX bytes, no FCS) into a
// transmit buffer and hands it to the device. VIRTIO_EINVAL for a bad length,
// VIRTIO_EFULL when every transmit buffer is still with the device.
int vnet_transmit(struct vnet *n, const void *frame, size_t len);

// Takes the next received frame: 1 (*f filled; give the buffer back with vnet_release),
// 0 (none), or a refused used entry (negative, virtq_get's errors; the buffer of an
// entry with a bad length goes back to the idle pool). After VIRTIO_EBADIDX the
// receive queue is unusable until vnet_init again.
int vnet_receive(struct vnet *n, struct vnet_frame *f);

// Returns a received frame's buffer to the idle pool (vnet_refill re-posts it).
void vnet_release(struct vnet *n, uint16_t buf);

// Gives every idle receive buffer to the device and notifies it once; returns how many.
unsigned vnet_refill(struct vnet *n);

// Acknowledges the device's interrupt and takes back finished transmit buffers.
// Returns the interrupt status (VIRTIO_INT_* bits); received frames are then waiting
// for vnet_receive.
uint32_t vnet_handle_interrupt(struct vnet *n);

// Busy polling (docs/netserver.md, "Busy polling"), NAPI-style: the device's interrupts
// off for both queues while the driver polls, and whether received frames wait for
// vnet_receive or sent buffers for taking back, read from the used rings without
// touching the device's registers. After turning the interrupts back on, look once more
// (virtq_interrupts): what came before raised none.
static inline int vnet_rx_pending(const struct vnet *n)
{
    return virtq_used_pending(&n->rx);
}
static inline int vnet_tx_pending(const struct vnet *n)
{
    return virtq_used_pending(&n->tx);
}
void vnet_interrupts(struct vnet *n, int on);
// Resets the device: it stops using the queues and buffers, which may then be freed.
void vnet_stop(struct vnet *n);
