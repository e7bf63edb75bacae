// The virtio-net driver under the network stack (netstack_vnet.h).
#include <netstack_vnet.h>

static int vnet_tx(void *dev, const void *frame, size_t len)
{
    struct netstack_vnet *v = dev;
    int e = vnet_transmit(v->n, frame, len);
    return e == VIRTIO_OK ? 0 : e == VIRTIO_EFULL ? NETSTACK_EFULL : NETSTACK_EINVAL;
}

static int vnet_rx(void *dev, const uint8_t **data, size_t *len, uint32_t *token)
{
    struct netstack_vnet *v = dev;
    struct vnet_frame f;
    int r = vnet_receive(v->n, &f);
    if (r == 1) {
        *data = f.data;
        *len = f.len;
        *token = f.buf;
    }
    return r;
}

static void vnet_rel(void *dev, uint32_t token)
{
    struct netstack_vnet *v = dev;
    vnet_release(v->n, (uint16_t)token);
}

static void vnet_fill(void *dev)
{
    struct netstack_vnet *v = dev;
    vnet_refill(v->n);
}

// The device's status first, then the line: a frame that arrives after this raises a
// new interrupt.
static void vnet_service(void *dev)
{
    struct netstack_vnet *v = dev;
    vnet_handle_interrupt(v->n);
    if (v->irq_ack)
        v->irq_ack(v->arg);
}

static int vnet_rx_ready(void *dev)
{
    struct netstack_vnet *v = dev;
    return vnet_rx_pending(v->n);
}

static int vnet_tx_ready(void *dev)
{
    struct netstack_vnet *v = dev;
    return vnet_tx_pending(v->n);
}

static void vnet_irqs(void *dev, bool on)
{
    struct netstack_vnet *v = dev;
    vnet_interrupts(v->n, on);
}

const struct netstack_dev_ops netstack_vnet_ops = {
    .transmit = vnet_tx,
    .receive = vnet_rx,
    .release = vnet_rel,
    .refill = vnet_fill,
    .service = vnet_service,
    .rx_pending = vnet_rx_ready,
    .tx_pending = vnet_tx_ready,
    .interrupts = vnet_irqs,
};
