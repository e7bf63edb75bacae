// Host unit tests for the network stack (netstack/, docs/netstack.md): lwIP's core
// compiled with the project's lwipopts.h, the port and the split poll, on the simulated
// wire of net_wire.h. TCP runs across it: an echo server on B, a client on A that sends
// random data and checks the echo byte for byte.
#include "net_wire.h"

#define ECHO_PORT 7

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

// --- Setup: one lwIP for the whole file (its state is global) ---

static int setup(void **state)
{
    (void)state;
    wire_setup();
    co_init(&app, &ex, app_run, 10);

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

// netstack_busy_also's hook: when it ran, in which window, and whether one was open.
static struct {
    uint64_t last, min_gap, window;
    unsigned calls, outside;
} also;
static void also_hook(void *arg)
{
    (void)arg;
    uint64_t now = co_now(&ex);
    // The period holds within a window (the first look comes at its start).
    if (also.calls && also.window == ns.busy.windows && now - also.last < also.min_gap)
        also.min_gap = now - also.last;
    also.window = ns.busy.windows;
    also.last = now;
    also.calls++;
    also.outside += !ns.busy.active;
}

// Busy polling (busy.c) over a wire with 20 us of latency: with a 50 us budget the
// echo finds most frames in the ring with the interrupts off (far fewer raised than
// without), every window ends with the interrupts back on, and nothing leaks. The
// `also` hook runs in windows only, at least its period apart, at least once a window.
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
    also = (typeof(also)){.min_gap = UINT64_MAX};
    netstack_busy_also(&ns, also_hook, NULL, 10);
    irqs0 = sa.irqs + sb.irqs;
    echo_once(100000, 10);
    unsigned with = sa.irqs + sb.irqs - irqs0;
    netstack_busy_also(&ns, NULL, NULL, 0);
    wire_delay = 0;
    printf("# busy polling: %u interrupts without, %u with; %lu windows, %lu rounds, %lu hits, "
           "%lu drains\n", without, with, (unsigned long)(ns.busy.windows - b0.windows),
           (unsigned long)(ns.busy.rounds - b0.rounds), (unsigned long)(ns.busy.hits - b0.hits),
           (unsigned long)(ns.stats.busy_drains - drains));
    assert_true(ns.busy.windows > b0.windows);
    assert_true(ns.busy.hits > b0.hits);
    assert_true(ns.stats.busy_drains > drains);
    assert_true(with * 4 < without);
    printf("# the also hook: %u calls, %u windows, %lu looks, closest in a window %lu ticks apart\n",
           also.calls, (unsigned)(ns.busy.windows - b0.windows),
           (unsigned long)(ns.busy.also_looks - b0.also_looks), (unsigned long)also.min_gap);
    assert_int_equal(also.outside, 0);
    assert_true(also.calls >= ns.busy.windows - b0.windows);
    assert_int_equal(also.calls, ns.busy.also_looks - b0.also_looks);
    assert_true(also.min_gap >= co_us(&ex, 10));
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

// A frame that finds the receive pool empty wakes egress at once: lwIP gives back
// out-of-order pbufs under pool pressure only from its timer check (pbuf_free_ooseq,
// called by sys_check_timeouts), which must not wait for the next deadline.
static void test_pool_empty_wakes_egress(void **state)
{
    (void)state;
    static struct pbuf *held[NETSTACK_PBUFS];
    unsigned n = 0;
    while (n < NETSTACK_PBUFS && (held[n] = pbuf_alloc(PBUF_RAW, 1, PBUF_POOL)))
        n++;
    co_exec_run_ready(&ex);
    uint64_t egress = ns.stats.egress_runs, nobuf = ifb.stats.rx_nobuf;
    struct frame f = {.len = 60};
    memcpy(f.data, ifb.netif.hwaddr, 6);
    f.data[12] = 0x08;  // IPv4; it never gets that far
    sb.rx[(sb.rx_head + sb.rx_len++) % WIRE_SLOTS] = f;
    netstack_wake_ingress(&ifb);
    co_exec_run_ready(&ex);
    assert_int_equal(ifb.stats.rx_nobuf, nobuf + 1);
    assert_int_equal(sb.rx_len, 0);
    assert_true(ns.stats.egress_runs > egress);
    while (n)
        pbuf_free(held[--n]);
    echo_once(2000, 9);
}

// A sustained flood keeps ingress at its budget round after round; lwIP's timers
// (egress, at a lower priority) must still run on time, or retransmissions, delayed
// ACKs and ARP stop for as long as the flood lasts.
static void test_flood_runs_timers(void **state)
{
    (void)state;
    const unsigned frames = 500000, seconds = frames * FLOOD_GAP / HZ;
    uint64_t egress = ns.stats.egress_runs;
    sb.flood = frames;
    netstack_wake_ingress(&ifb);
    (void)run_for(seconds + 2);
    assert_int_equal(sb.flood, 0);
    uint64_t runs = sb.flood_egress - egress;
    printf("# flood of %u frames over %u s (simulated): egress ran %lu times during it\n",
           frames, seconds, (unsigned long)runs);
    // With no connection open lwIP's timers are ARP's and reassembly's, due once a
    // second each (as in test_idle_wakers): egress runs at least that often.
    assert_true(runs >= seconds - 1);
    echo_once(2000, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_small),  cmocka_unit_test(test_echo_bulk),
        cmocka_unit_test(test_echo_lossy),  cmocka_unit_test(test_idle_wakers),
        cmocka_unit_test(test_echo_classic), cmocka_unit_test(test_garbage_frames),
        cmocka_unit_test(test_refusing_device), cmocka_unit_test(test_busy_echo),
        cmocka_unit_test(test_busy_idle),   cmocka_unit_test(test_busy_refusing),
        cmocka_unit_test(test_pool_empty_wakes_egress), cmocka_unit_test(test_flood_runs_timers),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
