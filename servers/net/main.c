// The network server (docs/netserver.md): brings up the virtio-net device the root
// task mapped for it, makes itself the U-notification receiver of the device's
// interrupt, and runs lwIP with the split poll (or the classic loop) on the coroutine
// executor, serving ICMP echo (lwIP answers it), TCP echo, discard and the control
// port. It prints one line when it is up and otherwise only when it stops.
#include "net.h"
#include "apps.h"
#include "rtc.h"
#include "bench.h"
#include <al4/bootinfo.h>
#include <al4/aipc.h>
#include <al4/co_sel4.h>
#include <netstack_vnet.h>
#include <stdio.h>

static struct {
    volatile seL4_Word sleeping;
    struct al4_unotify_rx rx;
    struct co_sel4 plat;
    struct rtc_sleep rtc;
    struct co_exec own_ex;
    struct co_exec *ex;  // own_ex, or with an application the aipc runtime's
    struct al4_aipc_rt rt;
    struct co_timer *heap[8];
    struct netstack ns;
    struct netstack_if nif;
    struct netstack_vnet v;
    struct vnet dev;
    uint64_t pa[NET_ARGS_MAX - NA_PADDR];
    seL4_CPtr handler;
    uint32_t busy_us;
} s;

int server_counters(char *buf, size_t size)
{
    const struct netstack_stats *n = &s.ns.stats;
    const struct co_sel4 *p = s.rtc.regs ? &s.rtc.base : &s.plat;
    const struct netstack_busy *b = &s.ns.busy;
    return snprintf(buf, size,
                    "ingress=%lu egress=%lu egress_timer=%lu rounds=%lu services=%lu "
                    "sleeps=%lu yields=%lu alarms=%lu rtc_irqs=%lu busy_us=%lu busy_windows=%lu "
                    "busy_rounds=%lu busy_hits=%lu busy_drains=%lu busy_ticks=%lu hz=%lu",
                    (unsigned long)n->ingress_runs, (unsigned long)n->egress_runs,
                    (unsigned long)n->egress_timer_wakes, (unsigned long)n->classic_rounds,
                    (unsigned long)s.nif.stats.services, (unsigned long)p->waits,
                    (unsigned long)p->polls, (unsigned long)s.rtc.alarms,
                    (unsigned long)s.rtc.irqs, (unsigned long)s.busy_us,
                    (unsigned long)b->windows, (unsigned long)b->rounds, (unsigned long)b->hits,
                    (unsigned long)n->busy_drains, (unsigned long)b->ticks,
                    (unsigned long)s.ex->hz);
}

void server_busy_poll(uint32_t us)
{
    s.busy_us = s.ns.mode == NETSTACK_WAKERS ? us : 0;
    netstack_busy_poll(&s.ns, s.busy_us);
}

static void irq_ack(void *arg)
{
    seL4_IRQHandler_Ack(*(seL4_CPtr *)arg);
}

static void ip_of(ip4_addr_t *a, seL4_Word host_order)
{
    ip4_addr_set_u32(a, lwip_htonl((u32_t)host_order));
}

// Why it cannot serve, or NULL once it is up.
static const char *start(const seL4_BootInfo *bi)
{
    seL4_Word pages = al4_bootinfo_arg(bi, NA_PAGES, 0);
    uint16_t qsize = (uint16_t)al4_bootinfo_arg(bi, NA_QSIZE, 0);
    if (pages == 0 || pages > NET_ARGS_MAX - NA_PADDR || pages != vnet_pages(qsize))
        return "boot args: bad page count";
    for (seL4_Word i = 0; i < pages; i++)
        s.pa[i] = al4_bootinfo_arg(bi, NA_PADDR + i, 0);
    struct vnet_mem mem = {(uint8_t *)al4_bootinfo_arg(bi, NA_DMA, 0), s.pa, pages};
    if (vnet_init(&s.dev, (volatile void *)al4_bootinfo_arg(bi, NA_MMIO, 0), mem, qsize) !=
        VIRTIO_OK)
        return "no virtio-net device at the given registers";

    // The interrupt: a handler cap signalling our notification with bit NA_IRQ. The
    // root task binds none in classic mode: that loop polls the device and never
    // acknowledges a line.
    unsigned irq = (unsigned)al4_bootinfo_arg(bi, NA_IRQ, 0);
    s.handler = al4_bootinfo_arg(bi, NA_HANDLER, 0);
    seL4_CPtr ntfn = al4_bootinfo_arg(bi, NA_NTFN, 0);
    // The root task bound the notification to this thread and registered it as the
    // receiver, before an application could register as its sender; this finds that.
    seL4_Word idx;
    if (irq >= 64 || al4_unotify_register_receiver(ntfn, seL4_CapInitThreadTCB, &idx) != seL4_NoError)
        return "cannot receive the device's interrupt as a U-notification";
    (void)al4_uipi_read();

    // With an application (docs/sockets.md) the executor is the aipc runtime's, and its
    // receiver carries the connection's "asleep" word; its notification is this one.
    seL4_Word sock = al4_bootinfo_arg(bi, NA_SOCK, 0);
    struct al4_unotify_rx *rx = &s.rx;
    if (sock) {
        if (al4_aipc_attach_rx(&s.rt, bi) != seL4_NoError || s.rt.rx.ntfn != ntfn)
            return "boot info: a bad connection to the application";
        rx = &s.rt.rx;
    } else {
        s.rx = (struct al4_unotify_rx){.ntfn = ntfn, .sleeping = &s.sleeping};
    }
    seL4_Word hz = al4_bootinfo_arg(bi, NA_HZ, 10000000);
    enum netstack_mode mode = al4_bootinfo_arg(bi, NA_MODE, 0) ? NETSTACK_CLASSIC : NETSTACK_WAKERS;
    // With a timer device the executor sleeps in the kernel until lwIP's next deadline;
    // without one it polls with seL4_Yield while a timer is armed (co_sel4).
    seL4_Word rtc = al4_bootinfo_arg(bi, NA_RTC, 0);
    unsigned rtc_irq = (unsigned)al4_bootinfo_arg(bi, NA_RTC_IRQ, 0);
    const struct co_ops *ops;
    if (rtc && rtc_irq < 64 && rtc_irq != irq) {
        rtc_sleep_init(&s.rtc, rx, (volatile void *)rtc, al4_bootinfo_arg(bi, NA_RTC_HANDLER, 0), hz);
        ops = &s.rtc.ops;
    } else {
        rtc = 0;
        co_sel4_init(&s.plat, rx);
        ops = &s.plat.ops;
    }
    if (sock) {
        al4_aipc_attach_exec(&s.rt, ops, hz);  // installs its user-interrupt handler
        s.ex = &s.rt.ex;
    } else {
        co_exec_init(&s.own_ex, ops, hz, s.heap, 8);
        s.ex = &s.own_ex;
    }
    if (rtc)
        rtc_sleep_bind(&s.rtc, s.ex, rtc_irq);
    netstack_init(&s.ns, s.ex, mode);
    server_busy_poll((uint32_t)al4_bootinfo_arg(bi, NA_BUSY_US, 0));
    s.v = (struct netstack_vnet){&s.dev, s.handler ? irq_ack : NULL, &s.handler};
    ip4_addr_t ip, mask, gw;
    ip_of(&ip, al4_bootinfo_arg(bi, NA_IP, 0));
    ip_of(&mask, al4_bootinfo_arg(bi, NA_MASK, 0));
    ip_of(&gw, al4_bootinfo_arg(bi, NA_GW, 0));
    if (!netstack_add_if(&s.ns, &s.nif, &netstack_vnet_ops, &s.v, s.dev.mac, &ip, &mask, &gw, irq))
        return "lwIP refused the interface";
    seL4_Word bench = al4_bootinfo_arg(bi, NA_BENCH, 0);
    if (bench)
        bench_init((volatile struct net_bench *)bench, s.ex, hz);
    if (!echo_start(&s.ns, NET_PORT_ECHO) || !discard_start(&s.ns, NET_PORT_DISCARD) ||
        !control_start(&s.ns, NET_PORT_CONTROL))
        return "lwIP refused a listening port";
    // The applications beside the server (docs/sockets.md): over aipc, over seL4_Call.
    seL4_Word sync_sock = al4_bootinfo_arg(bi, NA_SYNC_SOCK, 0);
    if (sock || sync_sock) {
        sock_init(&s.ns);
        sock_watch_gone(s.ex);
    }
    if (sock && sock_serve_aipc(&s.rt, 0, (void *)sock) != seL4_NoError)
        return "cannot serve the application's connection";
    if (sync_sock) {
        sock_serve_sync((void *)sync_sock);
        sock_sync_start(rx, s.ex, al4_bootinfo_arg(bi, NA_SYNC_EP, 0), SOCK_SYNC_BIT,
                        bi->empty.start, (unsigned)(bi->empty.end - bi->empty.start));
        seL4_Word poll_us = al4_bootinfo_arg(bi, NA_SYNC_POLL_US, 0);
        if (poll_us)
            netstack_busy_also(&s.ns, sock_sync_poll, NULL, (uint32_t)poll_us);
    }
    const uint8_t *m = s.dev.mac;
    printf("net: up at %s, mac %02x:%02x:%02x:%02x:%02x:%02x, %s%s; tcp echo %d, discard %d, "
           "control %d%s%s\n",
           ip4addr_ntoa(&ip), m[0], m[1], m[2], m[3], m[4], m[5],
           mode == NETSTACK_WAKERS ? "wakers" : "classic loop",
           mode == NETSTACK_CLASSIC ? "" : rtc ? ", timed sleep on the RTC" : ", yield-polling timers",
           NET_PORT_ECHO, NET_PORT_DISCARD, NET_PORT_CONTROL,
           sock ? "; sockets for the application over async IPC" : "",
           sync_sock ? "; sockets over sync IPC" : "");
    return NULL;
}

int main(void)
{
    const seL4_BootInfo *bi = platsupport_get_bootinfo();
    const char *why = start(bi);
    if (why) {
        printf("net: not serving: %s\n", why);
    } else {
        static struct al4_unotify_handler h;
        h = (struct al4_unotify_handler){co_exec_handler, s.ex};
        if (s.ex == &s.own_ex)
            al4_unotify_install(&h);
        netstack_run(&s.ns);  // serves until a handover stops it (make bench-net)
        if (bench_handing_over()) {
            // The next server re-initialises the device; this one must stop using it.
            vnet_stop(&s.dev);
            printf("net: handed over\n");
            seL4_Signal(al4_bootinfo_arg(bi, NA_REPORT, 0));
        } else {
            printf("net: stopped\n");
        }
    }
    // Returning from main would halt the machine, as for a root task.
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    return 0;
}
