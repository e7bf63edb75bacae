// The split poll of lwIP on the coroutine runtime (netstack.h, docs/netstack.md).
#include <netstack.h>
#include "busy.h"
#include <string.h>
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "lwip/etharp.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"

#define container_of(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))

// --- The interface: lwIP's netif over a device ---

// lwIP's linkoutput: one whole frame. The device copies it into its own buffer, so a
// chained pbuf is first gathered here (a second copy; a device API that hands out its
// transmit buffer would save it). Short frames are padded to Ethernet's minimum (60
// bytes without FCS), which a NIC would do itself.
static err_t link_output(struct netif *netif, struct pbuf *p)
{
    struct netstack_if *nif = container_of(netif, struct netstack_if, netif);
    uint8_t frame[1514];
    const void *data = p->payload;
    u16_t len = p->tot_len;
    if (len > sizeof(frame))
        return ERR_BUF;
    if (len < 60) {
        memset(frame, 0, 60);
        pbuf_copy_partial(p, frame, len, 0);
        data = frame;
        len = 60;
    } else if (p->len != len) {
        pbuf_copy_partial(p, frame, len, 0);
        data = frame;
    }
    int e = nif->ops->transmit(nif->dev, data, len);
    if (e == NETSTACK_EFULL) {
        // TCP keeps the segment queued; egress sends it once the device frees a buffer.
        nif->tx_blocked = true;
        nif->stats.tx_full++;
        LINK_STATS_INC(link.memerr);
        return ERR_MEM;
    }
    if (e != 0) {
        LINK_STATS_INC(link.err);
        return ERR_IF;
    }
    nif->stats.tx_frames++;
    LINK_STATS_INC(link.xmit);
    netstack_busy_kick(nif->ns);
    return ERR_OK;
}

static err_t if_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = link_output;
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

// Feeds up to `budget` received frames to lwIP: true if it stopped at the budget.
// Frames are copied into pool pbufs so that the device's buffer goes back at once
// (lwIP may hold a pbuf for long: out-of-order segments, unread data). A refused entry
// counts against the budget and ends the batch without asking for another: a device
// that refuses every look (virtio's bad used index) must not keep ingress running; what
// follows a refusal waits for the next interrupt.
static bool drain(struct netstack_if *nif, unsigned budget)
{
    const struct netstack_dev_ops *o = nif->ops;
    unsigned n = 0;
    const uint8_t *data;
    size_t len;
    uint32_t token;
    int r;
    bool refused = false;
    uint64_t frames0 = nif->stats.rx_frames;
    while (n < budget && (r = o->receive(nif->dev, &data, &len, &token)) != 0) {
        n++;
        if (r < 0) {
            nif->stats.rx_refused++;
            refused = true;
            continue;
        }
        nif->stats.rx_frames++;
        struct pbuf *p = len <= 0xffff ? pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL) : NULL;
        if (p)
            pbuf_take(p, data, (u16_t)len);
        o->release(nif->dev, token);
        if (!p) {
            // lwIP frees out-of-order data under pool pressure only from its timer
            // check (pbuf_free_ooseq): let egress run it now, not at its next deadline.
            netstack_wake_egress(nif->ns);
            nif->stats.rx_nobuf++;
            LINK_STATS_INC(link.memerr);
            LINK_STATS_INC(link.drop);
            continue;
        }
        LINK_STATS_INC(link.recv);
        if (nif->netif.input(p, &nif->netif) != ERR_OK)
            pbuf_free(p);
    }
    o->refill(nif->dev);
    if (nif->stats.rx_frames != frames0)  // refused entries are no work
        netstack_busy_kick(nif->ns);
    return n == budget && !refused;
}

// Services the device; wakes egress if transmit space came back after it ran out.
static void service(struct netstack_if *nif)
{
    nif->stats.services++;
    nif->ops->service(nif->dev);
    if (nif->tx_blocked) {
        nif->tx_blocked = false;
        netstack_wake_egress(nif->ns);
    }
}

// poll_ingress: woken by the device's interrupt (its signal bit).
static enum co_status ingress_run(struct co *co)
{
    struct netstack_if *nif = container_of(co, struct netstack_if, ingress);
    nif->ns->stats.ingress_runs++;
    service(nif);
    // At the budget, go round again after the others had their turn; the interrupt
    // that brought us here has been acknowledged, so the next one wakes us anew. Egress
    // has the lower priority: with egress waiting (its timer or a waker) ingress waking
    // itself would starve it for as long as a flood lasts, and lwIP's timers with it;
    // egress goes first then and wakes us after its round.
    if (drain(nif, NETSTACK_RX_BATCH)) {
        if (nif->ns->egress.state == CO_QUEUED)
            nif->rx_more = true;
        else
            co_wake(co);
    }
    return CO_PENDING;
}

// Busy polling's drain (busy.c): the poller saw frames in the ring with the device's
// interrupts off, so there is no interrupt to acknowledge.
static enum co_status rx_run(struct co *co)
{
    struct netstack_if *nif = container_of(co, struct netstack_if, rx);
    nif->ns->stats.busy_drains++;
    if (drain(nif, NETSTACK_RX_BATCH))
        co_wake(co);
    return CO_PENDING;
}

bool netstack_add_if(struct netstack *ns, struct netstack_if *nif,
                     const struct netstack_dev_ops *ops, void *dev, const uint8_t mac[6],
                     const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw,
                     unsigned irq_bit)
{
    memset(nif, 0, sizeof(*nif));
    nif->ns = ns;
    nif->ops = ops;
    nif->dev = dev;
    memcpy(nif->netif.hwaddr, mac, ETH_HWADDR_LEN);
    if (!netif_add(&nif->netif, ip, mask, gw, NULL, if_init, ethernet_input))
        return false;
    if (!ns->ifs)
        netif_set_default(&nif->netif);
    nif->next = ns->ifs;
    ns->ifs = nif;
    netif_set_up(&nif->netif);
    co_init(&nif->ingress, ns->ex, ingress_run, NETSTACK_PRIO_INGRESS);
    co_init(&nif->rx, ns->ex, rx_run, NETSTACK_PRIO_INGRESS);
    if (ns->mode == NETSTACK_WAKERS) {
        co_exec_bind(ns->ex, irq_bit, &nif->ingress);
        co_wake(&nif->ingress);  // frames may be waiting already
    }
    return true;
}

void netstack_remove_if(struct netstack *ns, struct netstack_if *nif, unsigned irq_bit)
{
    netif_remove(&nif->netif);
    for (struct netstack_if **l = &ns->ifs; *l; l = &(*l)->next)
        if (*l == nif) {
            *l = nif->next;
            break;
        }
    if (ns->ex->bound[irq_bit] == &nif->ingress)
        co_exec_bind(ns->ex, irq_bit, NULL);
}

// --- Output ---

// Sends what TCP has queued on every connection, including segments a full device
// refused earlier. tcp_output does nothing for a connection with nothing to send.
static void flush(void)
{
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        if (pcb->unsent || (pcb->flags & TF_ACK_NOW))
            tcp_output(pcb);
}

// Arms egress's timer for lwIP's next deadline, if it has one.
static void arm_deadline(struct netstack *ns)
{
    u32_t ms = sys_timeouts_sleeptime();
    if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        co_timer_start(ns->ex, &ns->egress_timer, &ns->egress,
                       co_now(ns->ex) + co_us(ns->ex, (uint64_t)ms * 1000));
}

// poll_egress: lwIP's due timers, then the output they and the wakers made possible,
// then sleep until woken or until lwIP's next deadline.
static enum co_status egress_run(struct co *co)
{
    struct netstack *ns = container_of(co, struct netstack, egress);
    CO_BEGIN(co);
    for (;;) {
        ns->stats.egress_runs++;
        sys_check_timeouts();
        flush();
        arm_deadline(ns);
        for (struct netstack_if *nif = ns->ifs; nif; nif = nif->next)
            if (nif->rx_more) {
                nif->rx_more = false;
                co_wake(&nif->ingress);
            }
        CO_SUSPEND(co);
        if (ns->egress_timer.fired)
            ns->stats.egress_timer_wakes++;
        co_timer_cancel(ns->ex, &ns->egress_timer);  // woken before the deadline
    }
    CO_END(co);
}

void netstack_init(struct netstack *ns, struct co_exec *ex, enum netstack_mode mode)
{
    memset(ns, 0, sizeof(*ns));
    ns->ex = ex;
    ns->mode = mode;
    netstack_port_clock(ex);
    lwip_init();
    co_init(&ns->egress, ex, egress_run, NETSTACK_PRIO_EGRESS);
    netstack_busy_init(ns);
    if (mode == NETSTACK_WAKERS)
        co_wake(&ns->egress);
}

// --- Wakers ---

void netstack_wake_egress(struct netstack *ns)
{
    if (ns->mode == NETSTACK_WAKERS)
        co_wake(&ns->egress);
}

void netstack_wake_ingress(struct netstack_if *nif)
{
    if (nif->ns->mode == NETSTACK_WAKERS)
        co_wake(&nif->ingress);
}

err_t netstack_write(struct netstack *ns, struct tcp_pcb *pcb, const void *data, u16_t len,
                     u8_t flags)
{
    err_t e = tcp_write(pcb, data, len, flags);
    if (e == ERR_OK)
        netstack_wake_egress(ns);
    return e;
}

// lwIP sends a window update itself only past TCP_WND_UPDATE_THRESHOLD; below it the
// update rides on the next segment or the delayed ACK, which egress flushes.
void netstack_recved(struct netstack *ns, struct tcp_pcb *pcb, u16_t len)
{
    tcp_recved(pcb, len);
    netstack_wake_egress(ns);
}

err_t netstack_connect(struct netstack *ns, struct tcp_pcb *pcb, const ip_addr_t *ip,
                       u16_t port, tcp_connected_fn connected)
{
    err_t e = tcp_connect(pcb, ip, port, connected);
    netstack_wake_egress(ns);  // the SYN, and the TCP timer that retransmits it
    return e;
}

err_t netstack_close(struct netstack *ns, struct tcp_pcb *pcb)
{
    err_t e = tcp_close(pcb);
    netstack_wake_egress(ns);
    return e;
}

// --- Running ---

void netstack_poll_once(struct netstack *ns)
{
    ns->stats.classic_rounds++;
    for (struct netstack_if *nif = ns->ifs; nif; nif = nif->next) {
        nif->stats.services++;
        nif->ops->service(nif->dev);
        nif->tx_blocked = false;
        drain(nif, NETSTACK_RX_BATCH);
    }
    sys_check_timeouts();
    flush();
    // co_exec_run_ready forgets a stop made before it: one made in lwIP's callbacks
    // above must end the loop first.
    if (!ns->ex->stop)
        co_exec_run_ready(ns->ex);
}

void netstack_run(struct netstack *ns)
{
    if (ns->mode == NETSTACK_WAKERS) {
        co_exec_run(ns->ex);
        return;
    }
    ns->ex->stop = false;
    while (!ns->ex->stop)
        netstack_poll_once(ns);
}
