// NET0003: lwIP on the virtio-net driver through the network stack's split poll
// (netstack/, docs/netstack.md), on QEMU's user network: 10.0.2.15/24, gateway
// 10.0.2.2. The root task runs the coroutine executor as the receiver of the device's
// interrupt (a U-notification, as NET0001); ingress wakes on it, egress on lwIP's
// deadlines. A pinger coroutine sends ICMP echo requests to the gateway through lwIP's
// raw API: the first waits for ARP to resolve the gateway, and slirp answers each.
#include "net_test.h"
#include "unotify_test.h"
#include <al4/co_sel4.h>
#include <netstack_vnet.h>
#include <string.h>
#include "lwip/raw.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/etharp.h"
#include "lwip/stats.h"
#include "lwip/memp.h"
#include "lwip/prot/ip4.h"

#define PINGS 5        // replies wanted
#define PING_TRIES 20  // requests at most
#define PING_WAIT_MS 500
#define PING_DATA 32
#define PING_ID 0xa14

struct pinger {
    struct co co;
    struct co_timer t;
    struct raw_pcb *pcb;
    ip_addr_t to;
    uint16_t seq, answered;  // the request in flight; the last one answered
    unsigned sent, replies, bad;
    uint64_t t_sent, rtt_min, rtt_max, rtt_sum;
};

static struct {
    volatile seL4_Word sleeping;
    struct al4_unotify_rx rx;
    struct co_sel4 plat;
    struct co_exec ex;
    struct co_timer *heap[8];
    struct netstack ns;
    struct netstack_if nif;
    struct netstack_vnet v;
    struct net_dev d;
    struct pinger p;
    struct co_timer guard_t;
    struct co guard;
    seL4_CPtr handler;
    unsigned ack_errors;
} nl;

static void irq_ack(void *arg)
{
    if (seL4_IRQHandler_Ack(*(seL4_CPtr *)arg) != seL4_NoError)
        nl.ack_errors++;
}

static void fill_payload(uint8_t *d, uint16_t seq)
{
    for (unsigned i = 0; i < PING_DATA; i++)
        d[i] = (uint8_t)(seq + i);
}

// lwIP's raw receive: an IPv4 packet with its header. Eats echo replies to our id.
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    struct pinger *pg = arg;
    (void)pcb;
    (void)addr;
    uint8_t buf[IP_HLEN_MAX + sizeof(struct icmp_echo_hdr) + PING_DATA];
    u16_t n = pbuf_copy_partial(p, buf, sizeof(buf), 0);
    unsigned hl = (buf[0] & 0xf) * 4u;
    if (n < hl + sizeof(struct icmp_echo_hdr))
        return 0;
    const struct icmp_echo_hdr *e = (const struct icmp_echo_hdr *)(buf + hl);
    if (e->type != ICMP_ER || lwip_ntohs(e->id) != PING_ID)
        return 0;
    uint8_t want[PING_DATA];
    fill_payload(want, lwip_ntohs(e->seqno));
    if (lwip_ntohs(e->seqno) != pg->seq || n != hl + sizeof(*e) + PING_DATA ||
        memcmp(buf + hl + sizeof(*e), want, PING_DATA) != 0) {
        pg->bad++;
    } else if (pg->answered != pg->seq) {
        uint64_t rtt = co_now(&nl.ex) - pg->t_sent;
        pg->answered = pg->seq;
        pg->replies++;
        pg->rtt_sum += rtt;
        pg->rtt_min = pg->replies == 1 || rtt < pg->rtt_min ? rtt : pg->rtt_min;
        pg->rtt_max = rtt > pg->rtt_max ? rtt : pg->rtt_max;
        co_wake(&pg->co);
    }
    pbuf_free(p);
    return 1;
}

static void ping_send(struct pinger *pg)
{
    u16_t len = sizeof(struct icmp_echo_hdr) + PING_DATA;
    struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
    if (!p)
        return;
    struct icmp_echo_hdr *e = p->payload;
    pg->seq++;
    ICMPH_TYPE_SET(e, ICMP_ECHO);
    ICMPH_CODE_SET(e, 0);
    e->id = lwip_htons(PING_ID);
    e->seqno = lwip_htons(pg->seq);
    e->chksum = 0;
    fill_payload((uint8_t *)(e + 1), pg->seq);
    e->chksum = inet_chksum(e, len);
    pg->t_sent = co_now(&nl.ex);
    if (raw_sendto(pg->pcb, p, &pg->to) == ERR_OK)
        pg->sent++;
    pbuf_free(p);
}

// One request at a time: the next when the reply came or after PING_WAIT_MS.
static enum co_status pinger_run(struct co *co)
{
    struct pinger *pg = (struct pinger *)co;
    CO_BEGIN(co);
    while (pg->replies < PINGS && pg->sent < PING_TRIES) {
        ping_send(pg);
        co_timer_start(co->ex, &pg->t, co, co_now(co->ex) + co_us(co->ex, PING_WAIT_MS * 1000));
        CO_AWAIT(co, pg->t.fired || pg->answered == pg->seq);
        co_timer_cancel(co->ex, &pg->t);
    }
    co_exec_stop(co->ex);
    CO_END(co);
}

// Stops the executor should the pinger never finish (a lost interrupt, say).
static enum co_status guard_run(struct co *co)
{
    CO_BEGIN(co);
    CO_SLEEP_UNTIL(co, &nl.guard_t, co_now(co->ex) + co_us(co->ex, 15000000));
    co_exec_stop(co->ex);
    CO_END(co);
}

static void lwip_ping(struct env *env)
{
    static struct al4_unotify_handler h = {co_exec_handler, &nl.ex};
    memset(&nl, 0, sizeof(nl));
    test_assert(env, net_open(env, &nl.d));
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr badged = un_mint(env, nt, 1ul << NET_IRQ);
    nl.handler = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, NET_IRQ, UN_ROOT, nl.handler, UN_DEPTH),
            seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(nl.handler, badged), seL4_NoError);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    (void)al4_uipi_read();

    nl.rx = (struct al4_unotify_rx){.ntfn = nt, .sleeping = &nl.sleeping};
    co_sel4_init(&nl.plat, &nl.rx);
    co_exec_init(&nl.ex, &nl.plat.ops, un_hz(env), nl.heap, 8);
    netstack_init(&nl.ns, &nl.ex, NETSTACK_MODE_DEFAULT);
    nl.v = (struct netstack_vnet){&nl.d.n, irq_ack, &nl.handler};
    ip4_addr_t ip, mask, gw;
    ip4_addr_set_u32(&ip, lwip_htonl(NET_GUEST_IP));
    ip4_addr_set_u32(&gw, lwip_htonl(NET_GATEWAY_IP));
    IP4_ADDR(&mask, 255, 255, 255, 0);
    test_assert(env, netstack_add_if(&nl.ns, &nl.nif, &netstack_vnet_ops, &nl.v, nl.d.n.mac, &ip,
                                     &mask, &gw, NET_IRQ));
    struct stats_mem pool0 = *lwip_stats.memp[MEMP_PBUF_POOL];

    nl.p.pcb = raw_new(IP_PROTO_ICMP);
    test_assert(env, nl.p.pcb != NULL);
    raw_recv(nl.p.pcb, ping_recv, &nl.p);
    ip_addr_copy_from_ip4(nl.p.to, gw);
    co_init(&nl.p.co, &nl.ex, pinger_run, 10);
    co_init(&nl.guard, &nl.ex, guard_run, 0);
    co_wake(&nl.p.co);
    co_wake(&nl.guard);
    al4_unotify_install(&h);
    netstack_run(&nl.ns);
    un_uninstall();

    uint64_t us = co_us(&nl.ex, 1);
    printf("# %s: %u requests, %u replies, rtt min/avg/max %lu/%lu/%lu us; ingress %lu, "
           "egress %lu runs (%lu at a deadline), classic rounds %lu\n",
           nl.ns.mode == NETSTACK_WAKERS ? "wakers" : "classic", nl.p.sent, nl.p.replies,
           (unsigned long)(nl.p.rtt_min / us), (unsigned long)(nl.p.replies ? nl.p.rtt_sum / nl.p.replies / us : 0),
           (unsigned long)(nl.p.rtt_max / us), (unsigned long)nl.ns.stats.ingress_runs,
           (unsigned long)nl.ns.stats.egress_runs, (unsigned long)nl.ns.stats.egress_timer_wakes,
           (unsigned long)nl.ns.stats.classic_rounds);
    test_eq(env, nl.p.replies, PINGS);
    test_eq(env, nl.p.bad, 0);
    test_eq(env, nl.ack_errors, 0);
    test_eq(env, nl.nif.stats.rx_refused, 0);
    test_check(env, nl.ns.mode != NETSTACK_WAKERS || nl.ns.stats.ingress_runs > 0);
    // ARP resolved the gateway to the MAC slirp uses (52:55:0a:00:02:02).
    struct eth_addr *mac;
    const ip4_addr_t *found;
    test_check(env, etharp_find_addr(&nl.nif.netif, &gw, &mac, &found) >= 0);
    test_eq(env, lwip_stats.memp[MEMP_PBUF_POOL]->used, pool0.used);
    test_eq(env, lwip_stats.memp[MEMP_PBUF_POOL]->err, 0);

    raw_remove(nl.p.pcb);
    netstack_remove_if(&nl.ns, &nl.nif, NET_IRQ);
    co_timer_cancel(&nl.ex, &nl.guard_t);
    seL4_Word w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, nl.handler, UN_DEPTH), seL4_NoError);
    net_close(env, &nl.d);
}
DEFINE_TEST(NET0003, "lwIP over virtio-net with the split poll: ARP resolves the gateway, which answers ICMP echo",
            lwip_ping);
