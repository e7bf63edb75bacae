// The virtio-net driver (drivers/net/virtio_net.h) as a device of the network stack:
// pass &netstack_vnet_ops and a struct netstack_vnet to netstack_add_if.
#pragma once
#include <netstack.h>
#include <net/virtio_net.h>

struct netstack_vnet {
    struct vnet *n;
    // Re-enables the device's interrupt line after servicing (on aL4
    // seL4_IRQHandler_Ack); NULL when the device is polled.
    void (*irq_ack)(void *arg);
    void *arg;
};

extern const struct netstack_dev_ops netstack_vnet_ops;
