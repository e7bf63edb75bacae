// NET0001: the virtio-net driver on QEMU's user network. It reads the MAC from the
// device, broadcasts an ARP request for the gateway and checks the reply field by
// field. The device's interrupt comes through an IRQ handler bound to a registered
// U-notification, so it reaches the driver's handler as a user interrupt and the
// receive path enters the kernel only for IRQHandler_Ack.
#include "net_test.h"
#include "unotify_test.h"
#include <string.h>

#define ETH_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define ARP_FRAME 42  // Ethernet header 14, ARP for IPv4 over Ethernet 28
#define ETH_MIN 60    // shortest frame without FCS: padded up to here

static volatile seL4_Word irq_bits, irq_count;

static void irq_handler(seL4_Word bits, void *arg)
{
    (void)arg;
    irq_bits |= bits;
    irq_count++;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, (uint16_t)v);
}
static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}
static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

// Who has `target`? Tell `ip` at `mac` (RFC 826, broadcast).
static void arp_request(uint8_t *f, const uint8_t *mac, uint32_t ip, uint32_t target)
{
    memset(f, 0, ETH_MIN);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    put16(f + 12, ETH_ARP);
    put16(f + 14, 1);       // hardware: Ethernet
    put16(f + 16, 0x0800);  // protocol: IPv4
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, ARP_REQUEST);
    memcpy(f + 22, mac, 6);
    put32(f + 28, ip);
    put32(f + 38, target);  // target hardware address (32..37) unknown: zero
}

static bool is_arp_reply(const struct vnet_frame *f)
{
    return f->len >= ARP_FRAME && get16(f->data + 12) == ETH_ARP && get16(f->data + 20) == ARP_REPLY;
}

// The gateway's answer: to us, from the address asked about, with a MAC that is the
// reply's Ethernet source.
static void check_reply(struct env *env, const uint8_t *r, const uint8_t *mac)
{
    test_check(env, memcmp(r, mac, 6) == 0);
    test_eq(env, get16(r + 14), 1);
    test_eq(env, get16(r + 16), 0x0800);
    test_eq(env, r[18], 6);
    test_eq(env, r[19], 4);
    test_check(env, memcmp(r + 22, r + 6, 6) == 0);
    test_check(env, (r[22] & 1) == 0);  // a unicast address
    test_eq(env, get32(r + 28), NET_GATEWAY_IP);
    test_check(env, memcmp(r + 32, mac, 6) == 0);
    test_eq(env, get32(r + 38), NET_GUEST_IP);
    printf("# gateway %02x:%02x:%02x:%02x:%02x:%02x\n", r[22], r[23], r[24], r[25], r[26], r[27]);
}

// Services interrupts until an ARP reply arrives or `ms` pass: true with the reply
// checked.
static bool await_reply(struct env *env, struct net_dev *d, seL4_CPtr handler, seL4_Word ms)
{
    seL4_Word deadline = un_deadline(env, ms), seen = 0;
    bool got = false;
    while (!got && un_rdtime() < deadline) {
        if (irq_count == seen)
            continue;
        seen = irq_count;
        vnet_handle_interrupt(&d->n);
        test_eq(env, seL4_IRQHandler_Ack(handler), seL4_NoError);
        struct vnet_frame f;
        int r;
        while ((r = vnet_receive(&d->n, &f)) != 0) {
            test_eq(env, r, 1);
            if (r != 1)
                break;
            if (!got && is_arp_reply(&f)) {
                check_reply(env, f.data, d->n.mac);
                got = true;
            }
            vnet_release(&d->n, f.buf);
        }
        vnet_refill(&d->n);
    }
    return got;
}

static void arp_gateway(struct env *env)
{
    static struct al4_unotify_handler h = {irq_handler, NULL};
    static struct net_dev d;
    test_assert(env, net_open(env, &d));
    const uint8_t mac[6] = NET_MAC;
    printf("# virtio-net, transport version %u, header %u bytes\n", (unsigned)d.n.dev.version,
           d.n.hdr_len);
    test_check(env, memcmp(d.n.mac, mac, 6) == 0);
    test_eq(env, d.n.hdr_len, d.n.dev.version == 2 ? 12 : 10);

    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr badged = un_mint(env, nt, 1ul << NET_IRQ), handler = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, NET_IRQ, UN_ROOT, handler, UN_DEPTH),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(handler, badged), seL4_NoError);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    irq_bits = irq_count = 0;
    al4_unotify_install(&h);

    uint8_t req[ETH_MIN];
    arp_request(req, d.n.mac, NET_GUEST_IP, NET_GATEWAY_IP);
    test_eq(env, vnet_transmit(&d.n, req, sizeof(req)), VIRTIO_OK);
    test_check(env, await_reply(env, &d, handler, 2000));
    test_check(env, irq_count > 0);
    test_eq(env, irq_bits, 1ul << NET_IRQ);
    test_eq(env, d.n.stats.tx_frames, 1);
    test_eq(env, d.n.stats.refused, 0);
    test_eq(env, d.n.n_tx_idle, NET_QSIZE);  // the request's buffer came back

    un_uninstall();
    seL4_Word w = 1;
    seL4_Poll(nt, &w);  // the handler took every bit: none went the kernel's way
    test_eq(env, w, 0);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, handler, UN_DEPTH), seL4_NoError);
    net_close(env, &d);
}
DEFINE_TEST(NET0001, "virtio-net: the MAC from the device, an ARP request to the gateway answered",
            arp_gateway);
