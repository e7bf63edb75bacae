// Support for the NET tests (net_*.c): the virtio-net device `make test` attaches to
// QEMU's user network, at the second virtio-mmio transport (0x10002000, PLIC line 2),
// brought up by the driver in drivers/net with its queues and buffers in pages of the
// test's untyped mapped at NET_DMA_VADDR.
#pragma once
#include "helpers.h"
#include <net/virtio_net.h>

#define NET_PADDR 0x10002000ul
#define NET_IRQ 2
#define NET_QSIZE 16
#define NET_PAGES (2 + NET_QSIZE)  // vnet_pages(NET_QSIZE)
#define NET_MMIO_VADDR 0x21000000ul
#define NET_DMA_VADDR 0x21400000ul

// QEMU's user network (slirp): the guest's address, the gateway's, and the MAC the
// Makefile gives the device.
#define NET_GUEST_IP 0x0a00020fu  // 10.0.2.15
#define NET_GATEWAY_IP 0x0a000202u  // 10.0.2.2
#define NET_MAC {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}

struct net_dev {
    struct vnet n;
    seL4_CPtr frame;  // the device's registers
    seL4_CPtr pages[NET_PAGES];
    uint64_t pa[NET_PAGES];
};

// Maps the device and NET_PAGES new pages and brings the driver up: false after a
// failed check.
bool net_open(struct env *env, struct net_dev *d);
// Resets the device (it stops using the pages) and unmaps everything.
void net_close(struct env *env, struct net_dev *d);
