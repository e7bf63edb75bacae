// NET0002: a device that writes nonsense into the used ring is refused, not trusted.
// The test plays the buggy device: with the real one reset (it no longer touches the
// rings), it writes used entries into the receive queue itself, as a device with bugs
// would, and checks each answer of the driver and of the virtqueue under it.
#include "net_test.h"
#include <string.h>

// Publishes a used entry in the receive queue, as the device does: entry, then index.
static void device_writes(struct vnet *n, uint32_t id, uint32_t len)
{
    volatile struct virtq_used *u = n->rx.used;
    uint16_t idx = u->idx;
    u->ring[idx % n->rx.size].id = id;
    u->ring[idx % n->rx.size].len = len;
    u->idx = idx + 1;
}

static void malformed_used_entries(struct env *env)
{
    static struct net_dev d;
    test_assert(env, net_open(env, &d));
    struct vnet *n = &d.n;
    vnet_stop(n);
    // After init every receive buffer is with the device, in descriptors 0..qsize-1.
    test_eq(env, n->rx.outstanding, NET_QSIZE);
    test_eq(env, n->n_rx_idle, 0);
    struct vnet_frame f;

    device_writes(n, NET_QSIZE + 3, 100);  // no such descriptor
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADID);
    test_eq(env, n->rx.outstanding, NET_QSIZE);

    device_writes(n, 0x10000, 100);  // an id that truncates to a valid one
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADID);

    device_writes(n, 0, VNET_BUF_SIZE + 1);  // longer than the buffer
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADLEN);
    test_eq(env, n->n_rx_idle, 1);  // the buffer is back, its content unused
    test_eq(env, n->rx.outstanding, NET_QSIZE - 1);

    device_writes(n, 0, 100);  // descriptor 0 again: no longer the device's
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADID);

    device_writes(n, 1, n->hdr_len - 1);  // shorter than the virtio-net header
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADLEN);
    test_eq(env, n->n_rx_idle, 2);

    device_writes(n, 2, n->hdr_len + 60);  // a good entry still goes through
    test_eq(env, vnet_receive(n, &f), 1);
    test_eq(env, f.len, 60);
    test_eq(env, f.buf, n->rx_buf_of[2]);
    vnet_release(n, f.buf);

    test_eq(env, vnet_receive(n, &f), 0);  // nothing more
    // An index that runs ahead of what the device holds: nothing is consumed.
    n->rx.used->idx += NET_QSIZE + 1;
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADIDX);
    test_eq(env, vnet_receive(n, &f), VIRTIO_EBADIDX);
    test_eq(env, n->rx.outstanding, NET_QSIZE - 3);

    test_eq(env, n->stats.refused, 7);
    test_eq(env, n->stats.rx_frames, 1);
    test_eq(env, n->rx.errors, 6);  // the short frame is the driver's refusal
    net_close(env, &d);
}
DEFINE_TEST(NET0002, "virtio-net: used-ring entries with bad ids, lengths or index are refused",
            malformed_used_entries);
