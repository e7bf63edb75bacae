// Host unit tests for the network stack (netstack/, docs/netstack.md): lwIP's core
// compiled with the project's lwipopts.h, the port and the split poll, on the coroutine
// runtime with a simulated clock. Two interfaces of the one lwIP instance are joined by
// an in-memory wire (each side's transmit is the other's receive, with an interrupt
// bit per side), and TCP runs across it: an echo server on B, a client on A that sends
// random data and checks the echo byte for byte. Simulated time advances only when the
// executor sleeps (to the deadline it sleeps to), so retransmission and TIME_WAIT
// timers cost nothing to wait for.
#include "host_test.h"
#include <netstack.h>
#include "lwip/stats.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"

#define HZ 1000000u        // the executor's clock: microseconds
#define WIRE_SLOTS 64      // frames a receiver holds before the wire drops more
#define TX_SLOTS 4         // transmit buffers of a side until its next service
#define ECHO_PORT 7
#define BIT_A 0
#define BIT_B 1

// --- The platform: simulated time ---

struct sim {
    struct co_ops ops;
    uint64_t now;
    int sleeps;
};

static uint64_t sim_now(void *ctx)
{
    return ((struct sim *)ctx)->now;
}
static unsigned long sim_mask(void *ctx)
{
    (void)ctx;
    return 0;
}
static void sim_unmask(void *ctx, unsigned long was)
{
    (void)ctx;
    (void)was;
}
// Nothing runnable: jump to the deadline. lwIP always has a timer armed (ARP's), so
// an executor with nothing to wait for is a bug of the stack or the test.
static uint64_t sim_sleep(void *ctx, uint64_t deadline)
{
    struct sim *s = ctx;
    assert_true(deadline != CO_NEVER);
    s->sleeps++;
    if (deadline > s->now)
        s->now = deadline;
    return 0;
}

// --- The wire ---

struct frame {
    uint16_t len;
    uint64_t due;  // simulated time it reaches the receiver (wire_delay)
    uint8_t data[1514];
};

struct side {
    struct side *peer;
    unsigned bit;
    struct frame rx[WIRE_SLOTS];  // a FIFO of frames for this side
    unsigned rx_head, rx_len;
    unsigned rx_announced;        // frames at the head that are due (their interrupt raised)
    unsigned tx_used;             // transmit buffers in use until the next service
    unsigned drop_every, sent;    // loss: the peer never sees every drop_every'th frame
    unsigned dropped, released, refills, services;
    bool refusing;                // every receive is a refused entry (a broken device)
    bool irqs_off;                // busy polling turned this side's interrupts off
    unsigned irqs;                // interrupts raised (receive and completion)
    bool token_out;               // a received frame not yet released
};

static struct sim sim;
static struct co_exec ex;
static struct co_timer *heap[16];
static struct netstack ns;
static struct side sa, sb;
static struct netstack_if ifa, ifb;
// The wire's latency in simulated microseconds (0: frames arrive as they are sent).
// With one, the wire coroutine raises each frame's receive interrupt when it is due.
static uint64_t wire_delay;
static struct co wire_co;
static struct co_timer wire_timer;

// A device interrupt, unless busy polling turned them off (then, as virtio, none is
// raised later for what came meanwhile).
static void wire_irq(struct side *s)
{
    if (!s->irqs_off) {
        s->irqs++;
        co_exec_signal(&ex, 1ull << s->bit);
    }
}

static int wire_tx(void *dev, const void *frame, size_t len)
{
    struct side *s = dev;
    struct side *p = s->peer;
    // Sent buffers are done at once; like vnet_transmit, a device polled without its
    // interrupts takes them back itself when it runs out.
    if (s->tx_used == TX_SLOTS && s->irqs_off)
        s->tx_used = 0;
    if (s->tx_used == TX_SLOTS)
        return NETSTACK_EFULL;
    s->tx_used++;
    wire_irq(s);  // its completion interrupt
    if (s->drop_every && ++s->sent % s->drop_every == 0) {
        s->dropped++;
        return 0;
    }
    if (p->rx_len == WIRE_SLOTS) {
        p->dropped++;
        return 0;
    }
    struct frame *f = &p->rx[(p->rx_head + p->rx_len++) % WIRE_SLOTS];
    assert_in_range(len, 60, sizeof(f->data));  // link_output pads to the minimum
    f->len = (uint16_t)len;
    memcpy(f->data, frame, len);
    f->due = sim.now + wire_delay;
    if (wire_delay)
        co_wake(&wire_co);  // it arms its timer for the frame
    else
        wire_irq(p);  // the peer's receive interrupt
    return 0;
}

static int wire_rx(void *dev, const uint8_t **data, size_t *len, uint32_t *token)
{
    struct side *s = dev;
    assert_false(s->token_out);  // the stack gives each frame back before the next
    if (s->refusing)
        return -1;
    if (!s->rx_len || s->rx[s->rx_head].due > sim.now)
        return 0;
    struct frame *f = &s->rx[s->rx_head];
    *data = f->data;
    *len = f->len;
    *token = s->rx_head;
    s->token_out = true;
    return 1;
}

static void wire_release(void *dev, uint32_t token)
{
    struct side *s = dev;
    assert_true(s->token_out);
    assert_int_equal(token, s->rx_head);
    s->token_out = false;
    s->rx_head = (s->rx_head + 1) % WIRE_SLOTS;
    s->rx_len--;
    s->released++;
    if (s->rx_announced)
        s->rx_announced--;
}

// The wire with latency: each side's frames that came due get their receive
// interrupt (one for the lot), then the timer waits for the next one.
static bool announce(struct side *s, uint64_t *next)
{
    bool due = false;
    for (; s->rx_announced < s->rx_len; s->rx_announced++) {
        const struct frame *f = &s->rx[(s->rx_head + s->rx_announced) % WIRE_SLOTS];
        if (f->due > sim.now) {
            if (f->due < *next)
                *next = f->due;
            break;
        }
        due = true;
    }
    return due;
}

static enum co_status wire_run(struct co *co)
{
    uint64_t next = CO_NEVER;
    struct side *sides[2] = {&sa, &sb};
    for (int i = 0; i < 2; i++)
        if (announce(sides[i], &next))
            wire_irq(sides[i]);
    co_timer_cancel(&ex, &wire_timer);
    if (next != CO_NEVER)
        assert_true(co_timer_start(&ex, &wire_timer, co, next));
    return CO_PENDING;
}

static void wire_refill(void *dev)
{
    ((struct side *)dev)->refills++;
}

static void wire_service(void *dev)
{
    struct side *s = dev;
    s->services++;
    s->tx_used = 0;
    // The classic loop services every round: let simulated time pass there too.
    if (ns.mode == NETSTACK_CLASSIC)
        sim.now += 100;
}

// Busy polling's looks: each costs a microsecond of simulated time, so that a budget
// runs out (time passes otherwise only in sleeps). A refusing device shows an entry.
static int wire_rx_pending(void *dev)
{
    struct side *s = dev;
    sim.now++;
    return (s->rx_len > 0 && s->rx[s->rx_head].due <= sim.now) || s->refusing;
}

static int wire_tx_pending(void *dev)
{
    return ((struct side *)dev)->tx_used > 0;
}

static void wire_interrupts(void *dev, bool on)
{
    ((struct side *)dev)->irqs_off = !on;
}

static const struct netstack_dev_ops wire_ops = {
    wire_tx, wire_rx, wire_release, wire_refill, wire_service,
    wire_rx_pending, wire_tx_pending, wire_interrupts,
};

// --- The applications: an echo server on B, a checking client on A ---

static uint64_t rng;
static uint8_t next_byte(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint8_t)(*state >> 56);
}

struct client {
    struct tcp_pcb *pcb;
    size_t total, sent, received;
    uint64_t tx_state, rx_state;  // the same generator: what was sent is what must come back
    bool connected, mismatch, closed, failed;
};
static struct client cl;
static struct tcp_pcb *listener;
static unsigned server_conns, server_closed;

static err_t server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    assert_int_equal(err, ERR_OK);
    if (!p) {
        server_closed++;
        assert_int_equal(tcp_close(pcb), ERR_OK);
        return ERR_OK;
    }
    // Echo only what fits; the rest stays unacknowledged in lwIP (refused) and comes
    // back in this callback when the send buffer has room.
    if (p->tot_len > tcp_sndbuf(pcb) ||
        tcp_sndqueuelen(pcb) + 2 * pbuf_clen(p) + 1 > TCP_SND_QUEUELEN)
        return ERR_MEM;
    for (struct pbuf *q = p; q; q = q->next)
        assert_int_equal(tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY), ERR_OK);
    tcp_recved(pcb, p->tot_len);  // inside a callback: tcp_input's tcp_output sends it
    pbuf_free(p);
    return ERR_OK;
}

static err_t server_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    assert_int_equal(err, ERR_OK);
    server_conns++;
    tcp_nagle_disable(pcb);
    tcp_recv(pcb, server_recv);
    return ERR_OK;
}

// Queues as much as the send buffer takes, from outside lwIP's callbacks when called
// from the test's driver coroutine: the egress waker must then send it.
static void client_push(void)
{
    uint8_t buf[TCP_MSS];
    while (cl.sent < cl.total && tcp_sndbuf(cl.pcb) > 0 && tcp_sndqueuelen(cl.pcb) < TCP_SND_QUEUELEN - 2) {
        size_t n = cl.total - cl.sent;
        if (n > sizeof(buf))
            n = sizeof(buf);
        if (n > tcp_sndbuf(cl.pcb))
            n = tcp_sndbuf(cl.pcb);
        uint64_t save = cl.tx_state;
        for (size_t i = 0; i < n; i++)
            buf[i] = next_byte(&cl.tx_state);
        if (netstack_write(&ns, cl.pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
            cl.tx_state = save;
            break;
        }
        cl.sent += n;
    }
}

static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)arg;
    (void)pcb;
    (void)len;
    client_push();
    return ERR_OK;
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    assert_int_equal(err, ERR_OK);
    if (!p)
        return ERR_OK;
    for (struct pbuf *q = p; q; q = q->next)
        for (u16_t i = 0; i < q->len; i++)
            if (((uint8_t *)q->payload)[i] != next_byte(&cl.rx_state))
                cl.mismatch = true;
    cl.received += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (cl.received == cl.total && !cl.closed) {
        cl.closed = true;
        assert_int_equal(netstack_close(&ns, pcb), ERR_OK);
        co_exec_stop(&ex);
    }
    return ERR_OK;
}

static void client_err(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    cl.failed = true;
    co_exec_stop(&ex);
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    assert_int_equal(err, ERR_OK);
    cl.connected = true;
    return ERR_OK;
}

// The test's own coroutine: the application outside lwIP's callbacks. It connects,
// then pushes data whenever woken (by the sent callback's progress it is not needed;
// it runs once to start the flow, like an application's first send).
static struct co app;
static enum co_status app_run(struct co *co)
{
    (void)co;
    client_push();
    return CO_PENDING;
}

// A watchdog: its timer stops the executor at a simulated deadline. It may be queued
// still from an earlier run when the next one starts: the clock tells whether it is due.
struct watchdog {
    struct co co;
    struct co_timer t;
    uint64_t deadline;
    bool expired;
};
static struct watchdog dog;
static enum co_status dog_run(struct co *co)
{
    struct watchdog *w = (struct watchdog *)co;
    if (co_now(co->ex) >= w->deadline) {
        w->expired = true;
        co_exec_stop(co->ex);
    }
    return CO_PENDING;
}

// Runs the stack until something stops it or `seconds` of simulated time pass.
static bool run_for(uint64_t seconds)
{
    dog.deadline = sim.now + seconds * HZ;
    dog.expired = false;
    assert_true(co_timer_start(&ex, &dog.t, &dog.co, dog.deadline));
    netstack_run(&ns);
    co_timer_cancel(&ex, &dog.t);
    return !dog.expired;
}

// --- Memory accounting ---

struct usage {
    mem_size_t heap;
    u16_t pcb, seg, pool, pbuf, arpq, reass;
};

static struct usage usage_now(void)
{
    return (struct usage){
        lwip_stats.mem.used,
        lwip_stats.memp[MEMP_TCP_PCB]->used,
        lwip_stats.memp[MEMP_TCP_SEG]->used,
        lwip_stats.memp[MEMP_PBUF_POOL]->used,
        lwip_stats.memp[MEMP_PBUF]->used,
        lwip_stats.memp[MEMP_ARP_QUEUE]->used,
        lwip_stats.memp[MEMP_REASSDATA]->used,
    };
}

static void assert_usage(struct usage a, struct usage b)
{
    assert_int_equal(a.heap, b.heap);
    assert_int_equal(a.pcb, b.pcb);
    assert_int_equal(a.seg, b.seg);
    assert_int_equal(a.pool, b.pool);
    assert_int_equal(a.pbuf, b.pbuf);
    assert_int_equal(a.arpq, b.arpq);
    assert_int_equal(a.reass, b.reass);
}

// --- Setup: one lwIP for the whole file (its state is global) ---

static int setup(void **state)
{
    (void)state;
    sim = (struct sim){{sim_now, sim_sleep, sim_mask, sim_unmask, &sim}, 1000 * HZ, 0};
    co_exec_init(&ex, &sim.ops, HZ, heap, 16);
    netstack_init(&ns, &ex, NETSTACK_WAKERS);
    sa.peer = &sb;
    sb.peer = &sa;
    sa.bit = BIT_A;
    sb.bit = BIT_B;
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0xa}, mac_b[6] = {0x02, 0, 0, 0, 0, 0xb};
    ip4_addr_t ip_a, ip_b, mask, none;
    IP4_ADDR(&ip_a, 10, 0, 0, 1);
    IP4_ADDR(&ip_b, 10, 0, 0, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&none);
    assert_true(netstack_add_if(&ns, &ifa, &wire_ops, &sa, mac_a, &ip_a, &mask, &none, BIT_A));
    assert_true(netstack_add_if(&ns, &ifb, &wire_ops, &sb, mac_b, &ip_b, &mask, &none, BIT_B));
    co_init(&app, &ex, app_run, 10);
    co_init(&dog.co, &ex, dog_run, 0);
    co_init(&wire_co, &ex, wire_run, 60);

    listener = tcp_new();
    assert_non_null(listener);
    tcp_bind_netif(listener, &ifb.netif);
    assert_int_equal(tcp_bind(listener, IP_ADDR_ANY, ECHO_PORT), ERR_OK);
    listener = tcp_listen(listener);
    assert_non_null(listener);
    tcp_accept(listener, server_accept);
    return 0;
}

// One connection from A to B's echo server carrying `total` random bytes each way;
// afterwards every PCB, segment and buffer is back (TIME_WAIT included: the test waits
// it out in simulated time).
static void echo_once(size_t total, uint64_t seed)
{
    struct usage before = usage_now();
    unsigned closed0 = server_closed;
    uint64_t t0 = sim.now;
    memset(&cl, 0, sizeof(cl));
    cl.total = total;
    cl.tx_state = cl.rx_state = seed;
    cl.pcb = tcp_new();
    assert_non_null(cl.pcb);
    // Two interfaces on one subnet: the connection leaves through A, whatever lwIP's
    // routing would pick.
    tcp_bind_netif(cl.pcb, &ifa.netif);
    assert_int_equal(tcp_bind(cl.pcb, netif_ip_addr4(&ifa.netif), 0), ERR_OK);
    tcp_nagle_disable(cl.pcb);
    tcp_sent(cl.pcb, client_sent);
    tcp_recv(cl.pcb, client_recv);
    tcp_err(cl.pcb, client_err);
    assert_int_equal(netstack_connect(&ns, cl.pcb, netif_ip_addr4(&ifb.netif), ECHO_PORT,
                                      client_connected), ERR_OK);
    co_wake(&app);
    assert_true(run_for(600));
    assert_false(cl.failed);
    assert_true(cl.connected);
    assert_false(cl.mismatch);
    assert_int_equal(cl.received, total);
    // Both closes and TIME_WAIT (2 MSL) run out in simulated time.
    for (int i = 0; i < 400 && (server_closed == closed0 || tcp_active_pcbs || tcp_tw_pcbs); i++)
        run_for(1);
    assert_int_equal(server_closed, closed0 + 1);
    assert_null(tcp_active_pcbs);
    assert_null(tcp_tw_pcbs);
    assert_false(sa.token_out);
    assert_false(sb.token_out);
    assert_usage(usage_now(), before);
    printf("# %zu bytes echoed, closed by %.1f s (simulated)\n", total, (double)(sim.now - t0) / HZ);
}

static void test_echo_small(void **state)
{
    (void)state;
    echo_once(1, 1);
    echo_once(100, 2);
    echo_once(TCP_MSS + 1, 3);
}

// More than the windows and the wire's transmit slots hold: the device runs full, and
// egress resends what it refused once ingress sees buffers come back.
static void test_echo_bulk(void **state)
{
    (void)state;
    uint64_t full_a = ifa.stats.tx_full + ifb.stats.tx_full;
    echo_once(1 << 20, 4);
    assert_true(ifa.stats.tx_full + ifb.stats.tx_full > full_a);
    printf("# 1 MiB echo: %lu frames A->B, %lu B->A, %lu refused full, %lu ingress runs, "
           "%lu egress runs\n", (unsigned long)ifa.stats.tx_frames, (unsigned long)ifb.stats.tx_frames,
           (unsigned long)(ifa.stats.tx_full + ifb.stats.tx_full),
           (unsigned long)ns.stats.ingress_runs, (unsigned long)ns.stats.egress_runs);
}

// A lossy wire: retransmissions, driven by egress's timer, still deliver every byte.
static void test_echo_lossy(void **state)
{
    (void)state;
    uint64_t timer_wakes = ns.stats.egress_timer_wakes;
    sa.drop_every = 7;
    sb.drop_every = 11;
    echo_once(200000, 5);
    sa.drop_every = sb.drop_every = 0;
    assert_true(sa.dropped + sb.dropped > 0);
    assert_true(ns.stats.egress_timer_wakes > timer_wakes);
}

// Idle with links up: no frame, so ingress never runs; egress runs only at lwIP's own
// timers (ARP's and reassembly's, once a second each).
static void test_idle_wakers(void **state)
{
    (void)state;
    struct netstack_stats s0 = ns.stats;
    uint64_t resumes = ex.resumes;
    run_for(10);
    assert_int_equal(ns.stats.ingress_runs, s0.ingress_runs);
    uint64_t egress = ns.stats.egress_runs - s0.egress_runs;
    printf("# idle 10 s: %lu egress runs, %lu resumes\n", (unsigned long)egress,
           (unsigned long)(ex.resumes - resumes));
    assert_in_range(egress, 5, 25);
}

// The classic loop: the same echo with nothing woken, everything polled.
static void test_echo_classic(void **state)
{
    (void)state;
    ns.mode = NETSTACK_CLASSIC;
    co_timer_cancel(&ex, &ns.egress_timer);
    co_exec_bind(&ex, BIT_A, NULL);
    co_exec_bind(&ex, BIT_B, NULL);
    uint64_t rounds = ns.stats.classic_rounds, egress = ns.stats.egress_runs;
    echo_once(300000, 6);
    assert_true(ns.stats.classic_rounds > rounds);
    assert_int_equal(ns.stats.egress_runs, egress);  // never woken
    (void)co_exec_take_stray(&ex);
    ns.mode = NETSTACK_WAKERS;
    co_exec_bind(&ex, BIT_A, &ifa.ingress);
    co_exec_bind(&ex, BIT_B, &ifb.ingress);
    netstack_wake_egress(&ns);
}

// Garbage on the wire (random frames, and valid headers with random rest) is dropped
// without leaking, and the stack still carries a connection afterwards.
static void test_garbage_frames(void **state)
{
    (void)state;
    struct usage before = usage_now();
    rng = 42;
    for (int i = 0; i < 20000; i++) {
        struct frame f;
        f.len = (uint16_t)(14 + next_byte(&rng) * 6 % 1500);
        for (unsigned j = 0; j < f.len; j++)
            f.data[j] = next_byte(&rng);
        if (i & 1) {  // to B, as IPv4 or ARP
            memcpy(f.data, ifb.netif.hwaddr, 6);
            f.data[12] = 0x08;
            f.data[13] = i & 2 ? 0x00 : 0x06;
            if (i & 4)
                f.data[14] = 0x45;
        }
        sa.rx_len = 0;
        struct side *s = &sb;
        s->rx[(s->rx_head + s->rx_len++) % WIRE_SLOTS] = f;
        netstack_wake_ingress(&ifb);
        co_exec_run_ready(&ex);
        assert_int_equal(sb.rx_len, 0);
    }
    sa.rx_len = sb.rx_len = 0;
    run_for(2);
    assert_usage(usage_now(), before);
    echo_once(5000, 7);
}

// A device whose every used entry is refused: ingress counts a batch of refusals and
// waits for the next interrupt instead of spinning; the clock still runs.
static void test_refusing_device(void **state)
{
    (void)state;
    uint64_t refused = ifb.stats.rx_refused;
    sb.refusing = true;
    netstack_wake_ingress(&ifb);
    assert_false(run_for(3));
    sb.refusing = false;
    assert_int_equal(ifb.stats.rx_refused - refused, NETSTACK_RX_BATCH);
    echo_once(3000, 8);
}

// Busy polling (busy.c) over a wire with 20 us of latency: with a 50 us budget the
// echo finds most frames in the ring with the interrupts off (far fewer raised than
// without), every window ends with the interrupts back on, and nothing leaks.
static void test_busy_echo(void **state)
{
    (void)state;
    wire_delay = 20;
    unsigned irqs0 = sa.irqs + sb.irqs;
    echo_once(100000, 9);
    unsigned without = sa.irqs + sb.irqs - irqs0;
    struct netstack_busy b0 = ns.busy;
    uint64_t drains = ns.stats.busy_drains;
    netstack_busy_poll(&ns, 50);
    irqs0 = sa.irqs + sb.irqs;
    echo_once(100000, 10);
    unsigned with = sa.irqs + sb.irqs - irqs0;
    wire_delay = 0;
    printf("# busy polling: %u interrupts without, %u with; %lu windows, %lu rounds, %lu hits, "
           "%lu drains\n", without, with, (unsigned long)(ns.busy.windows - b0.windows),
           (unsigned long)(ns.busy.rounds - b0.rounds), (unsigned long)(ns.busy.hits - b0.hits),
           (unsigned long)(ns.stats.busy_drains - drains));
    assert_true(ns.busy.windows > b0.windows);
    assert_true(ns.busy.hits > b0.hits);
    assert_true(ns.stats.busy_drains > drains);
    assert_true(with * 4 < without);
    assert_false(ns.busy.active);
    assert_false(sa.irqs_off);
    assert_false(sb.irqs_off);
}

// Idle with busy polling on: no frame, so no window opens and the poller never runs
// (the idle cost stays that of lwIP's timers).
static void test_busy_idle(void **state)
{
    (void)state;
    struct netstack_busy b0 = ns.busy;
    int sleeps = sim.sleeps;
    run_for(10);
    assert_int_equal(ns.busy.windows, b0.windows);
    assert_int_equal(ns.busy.rounds, b0.rounds);
    assert_in_range(sim.sleeps - sleeps, 5, 25);
}

// A window over a device that shows entries it then refuses: the budget counts from
// the last real frame, so the window ends after about 50 looks instead of spinning.
static void test_busy_refusing(void **state)
{
    (void)state;
    struct netstack_busy b0 = ns.busy;
    sb.refusing = true;
    netstack_busy_kick(&ns);
    assert_false(run_for(3));
    sb.refusing = false;
    assert_int_equal(ns.busy.windows - b0.windows, 1);
    assert_in_range(ns.busy.rounds - b0.rounds, 20, 60);
    assert_false(sb.irqs_off);
    netstack_busy_poll(&ns, 0);
    echo_once(3000, 11);
    assert_int_equal(ns.busy.windows - b0.windows, 1);  // off: no window
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_small),  cmocka_unit_test(test_echo_bulk),
        cmocka_unit_test(test_echo_lossy),  cmocka_unit_test(test_idle_wakers),
        cmocka_unit_test(test_echo_classic), cmocka_unit_test(test_garbage_frames),
        cmocka_unit_test(test_refusing_device), cmocka_unit_test(test_busy_echo),
        cmocka_unit_test(test_busy_idle),   cmocka_unit_test(test_busy_refusing),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
