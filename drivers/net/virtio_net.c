// The virtio-net driver (virtio_net.h).
#include "virtio_net.h"
#include <string.h>

enum { RXQ = 0, TXQ = 1 };

// Buffer b (receive buffers 0..qsize-1, transmit buffers qsize..2*qsize-1) is half of
// page 2 + b / 2: a 2 KiB buffer never straddles two pages, so one physical address
// describes it whatever the pages' placement.
static uint8_t *buf_va(struct vnet *n, unsigned b)
{
    return n->mem.va + (2 + b / 2) * VNET_PAGE_SIZE + (b % 2) * VNET_BUF_SIZE;
}

static uint64_t buf_pa(struct vnet *n, unsigned b)
{
    return n->mem.pa[2 + b / 2] + (b % 2) * VNET_BUF_SIZE;
}

static int setup_queue(struct vnet *n, struct virtq *q, unsigned index)
{
    int e = virtq_init(q, n->qsize, n->mem.va + index * VNET_PAGE_SIZE, n->mem.pa[index],
                       VNET_PAGE_SIZE);
    return e ? e : virtio_mmio_queue_setup(&n->dev, index, q);
}

int vnet_init(struct vnet *n, volatile void *regs, struct vnet_mem mem, uint16_t qsize)
{
    memset(n, 0, sizeof(*n));
    n->mem = mem;
    n->qsize = qsize;
    if (qsize == 0 || qsize > VIRTQ_MAX || mem.pages < vnet_pages(qsize))
        return VIRTIO_EINVAL;
    int e = virtio_mmio_probe(&n->dev, regs);
    if (e)
        return e;
    if (n->dev.device_id != VIRTIO_ID_NET)
        return VIRTIO_ENODEV;
    // Header and frame share one descriptor: a modern device always allows it, a
    // legacy one only with ANY_LAYOUT (5.1.6.6 legacy interface).
    uint64_t required = VIRTIO_NET_F_MAC | (n->dev.version == 1 ? VIRTIO_F_ANY_LAYOUT : 0);
    e = virtio_mmio_init(&n->dev, required, required);
    if (e)
        return e;
    // Without MRG_RXBUF the header has no num_buffers field, except that VERSION_1
    // always has it (5.1.6).
    n->hdr_len = n->dev.version == 2 ? 12 : 10;
    if ((e = setup_queue(n, &n->rx, RXQ)) || (e = setup_queue(n, &n->tx, TXQ))) {
        virtio_mmio_reset(&n->dev);
        return e;
    }
    if ((e = virtio_mmio_config_read(&n->dev, 0, n->mac, VNET_MAC_LEN))) {
        virtio_mmio_reset(&n->dev);
        return e;
    }
    for (uint16_t b = 0; b < qsize; b++) {
        n->rx_idle[n->n_rx_idle++] = b;
        n->tx_idle[n->n_tx_idle++] = qsize + b;
    }
    // The device may not be notified before DRIVER_OK (3.1.1).
    virtio_mmio_ready(&n->dev);
    vnet_refill(n);
    return VIRTIO_OK;
}

// Takes back every transmit buffer the device is done with.
// At most one queue's worth per call: a device that keeps publishing used entries (even
// ones refused as EBADID, which free nothing) must not hold the caller here.
static void tx_reclaim(struct vnet *n)
{
    struct virtq_done d;
    int r;
    for (unsigned i = 0; i < n->tx.size && (r = virtq_get(&n->tx, &d)) != 0; i++) {
        if (r == VIRTIO_EBADIDX) {
            n->stats.refused++;
            return;
        }
        // A bad length on a transmit buffer frees it all the same: nothing is read back.
        if (r == 1 || r == VIRTIO_EBADLEN)
            n->tx_idle[n->n_tx_idle++] = n->tx_buf_of[d.id];
        if (r < 0)
            n->stats.refused++;
    }
}

int vnet_transmit(struct vnet *n, const void *frame, size_t len)
{
    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        return VIRTIO_EINVAL;
    if (n->n_tx_idle == 0)
        tx_reclaim(n);
    if (n->n_tx_idle == 0)
        return VIRTIO_EFULL;
    uint16_t b = n->tx_idle[--n->n_tx_idle];
    uint8_t *p = buf_va(n, b);
    memset(p, 0, n->hdr_len);  // no checksum or segmentation offload requested
    memcpy(p + n->hdr_len, frame, len);
    struct virtq_seg seg = {buf_pa(n, b), (uint32_t)(n->hdr_len + len)};
    int head = virtq_add(&n->tx, &seg, 1, 0);
    if (head < 0) {  // cannot happen: one descriptor per transmit buffer
        n->tx_idle[n->n_tx_idle++] = b;
        return head;
    }
    n->tx_buf_of[head] = b;
    n->stats.tx_frames++;
    virtio_mmio_notify(&n->dev, TXQ);
    return VIRTIO_OK;
}

int vnet_receive(struct vnet *n, struct vnet_frame *f)
{
    struct virtq_done d;
    int r = virtq_get(&n->rx, &d);
    if (r == 0)
        return 0;
    if (r == 1 && d.len < n->hdr_len)
        r = VIRTIO_EBADLEN;
    if (r < 0) {
        n->stats.refused++;
        if (r == VIRTIO_EBADLEN)  // the chain was freed: its buffer is idle again
            n->rx_idle[n->n_rx_idle++] = n->rx_buf_of[d.id];
        return r;
    }
    uint16_t b = n->rx_buf_of[d.id];
    f->data = buf_va(n, b) + n->hdr_len;
    f->len = d.len - n->hdr_len;
    f->buf = b;
    n->stats.rx_frames++;
    return 1;
}

void vnet_release(struct vnet *n, uint16_t buf)
{
    if (buf < n->qsize && n->n_rx_idle < n->qsize)
        n->rx_idle[n->n_rx_idle++] = buf;
}

unsigned vnet_refill(struct vnet *n)
{
    unsigned posted = 0;
    while (n->n_rx_idle > 0) {
        uint16_t b = n->rx_idle[n->n_rx_idle - 1];
        struct virtq_seg seg = {buf_pa(n, b), VNET_BUF_SIZE};
        int head = virtq_add(&n->rx, &seg, 0, 1);
        if (head < 0)
            break;
        n->n_rx_idle--;
        n->rx_buf_of[head] = b;
        posted++;
    }
    if (posted)
        virtio_mmio_notify(&n->dev, RXQ);
    return posted;
}

uint32_t vnet_handle_interrupt(struct vnet *n)
{
    uint32_t bits = virtio_mmio_interrupt_ack(&n->dev);
    tx_reclaim(n);
    return bits;
}

void vnet_interrupts(struct vnet *n, int on)
{
    virtq_interrupts(&n->tx, on);
    virtq_interrupts(&n->rx, on);
}

void vnet_stop(struct vnet *n)
{
    virtio_mmio_reset(&n->dev);
}
