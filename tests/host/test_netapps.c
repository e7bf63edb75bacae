// Host unit tests for the network server's services (servers/net/echo.c, listen.c;
// docs/netserver.md) on the simulated wire of net_wire.h: the real echo server on B,
// hostile and ordinary clients on A. What a peer may hold of the server's memory is
// bounded, and a peer that goes quiet gives its PCB back.
#include "net_wire.h"
#include "apps.h"
#include "net_peer.h"

// The hostile client's sender, a coroutine outside lwIP's callbacks: first a full
// window of data (echoed into A's window, which A never opens again), then one-byte
// segments, each its own frame, one every 50 us.
static struct {
    struct co co;
    struct co_timer t;
    struct peer *pe;
    size_t bulk, singles;
} pinner;

static enum co_status pinner_run(struct co *co)
{
    static const uint8_t data[TCP_MSS];
    struct tcp_pcb *pcb = pinner.pe->pcb;
    if (!pcb || !(pinner.bulk || pinner.singles) || !pinner.pe->connected || tcp_sndqueuelen(pcb) >= 8) {
    } else if (pinner.bulk) {
        u16_t n = pinner.bulk < TCP_MSS ? (u16_t)pinner.bulk : TCP_MSS;
        if (n <= tcp_sndbuf(pcb) && netstack_write(&ns, pcb, data, n, TCP_WRITE_FLAG_COPY) == ERR_OK)
            pinner.bulk -= n;
    } else if (pinner.singles && netstack_write(&ns, pcb, data, 1, TCP_WRITE_FLAG_COPY) == ERR_OK) {
        pinner.singles--;
    }
    if (pcb && (pinner.bulk || pinner.singles))
        co_timer_start(co->ex, &pinner.t, co, co_now(co->ex) + 50);
    return CO_PENDING;
}

// An ordinary client echoes `n` bytes; every byte comes back.
static void echo_check(size_t n)
{
    static struct peer pe;
    static const uint8_t data[1000];
    assert_true(peer_open(&pe, true, ECHO_PORT));
    for (int i = 0; i < 20 && !pe.connected; i++)
        run_for(1);
    assert_true(pe.connected);
    for (size_t sent = 0; sent < n;) {
        u16_t k = n - sent < sizeof(data) ? (u16_t)(n - sent) : sizeof(data);
        if (k <= tcp_sndbuf(pe.pcb) && netstack_write(&ns, pe.pcb, data, k, TCP_WRITE_FLAG_COPY) == ERR_OK)
            sent += k;
        else
            run_for(1);
    }
    for (int i = 0; i < 30 && pe.got < n; i++)
        run_for(1);
    assert_false(pe.failed);
    assert_int_equal(pe.got, n);
    assert_int_equal(netstack_close(&ns, pe.pcb), ERR_OK);
}

// Until every connection, TIME_WAIT included, is gone.
static void run_until_closed(void)
{
    for (int i = 0; i < 400 && (tcp_active_pcbs || tcp_tw_pcbs || app_stats.echo_open); i++)
        run_for(1);
    assert_null(tcp_active_pcbs);
    assert_null(tcp_tw_pcbs);
    assert_int_equal(app_stats.echo_open, 0);
}

static int setup(void **state)
{
    (void)state;
    wire_setup();
    co_init(&pinner.co, &ex, pinner_run, 10);
    assert_true(echo_start(&ns, ECHO_PORT));
    return 0;
}

// A peer with a zero window sending one-byte segments holds a bounded number of pool
// pbufs; the device keeps receiving, a second connection still echoes, and when the
// peer resets everything comes back.
static void test_zero_window_pin(void **state)
{
    (void)state;
    struct usage before = usage_now();
    uint64_t nobuf = ifa.stats.rx_nobuf + ifb.stats.rx_nobuf;
    static struct peer pe;
    assert_true(peer_open(&pe, false, ECHO_PORT));
    pinner.pe = &pe;
    pinner.bulk = TCP_WND;
    pinner.singles = 2 * NETSTACK_PBUFS;
    co_wake(&pinner.co);
    // Enough one-byte segments to take every pool pbuf, had the server kept them all;
    // once it refuses, their ACKs stop and the peer's send queue holds it back.
    for (int i = 0; i < 30 && pinner.singles; i++)
        run_for(1);
    assert_false(pe.failed);
    unsigned held = lwip_stats.memp[MEMP_PBUF_POOL]->used - before.pool;
    printf("# zero-window peer: %zu bytes echoed into its window, %zu one-byte segments "
           "sent, %u pool pbufs held, %lu frames dropped for lack of pbufs\n", pe.got,
           2 * NETSTACK_PBUFS - pinner.singles, held,
           (unsigned long)(ifa.stats.rx_nobuf + ifb.stats.rx_nobuf - nobuf));
    assert_int_equal(pe.got, TCP_WND);
    assert_in_range(held, 0, 4);
    assert_int_equal(ifa.stats.rx_nobuf + ifb.stats.rx_nobuf, nobuf);
    echo_check(20000);
    // The peer reads again and closes: what the server refused comes back too.
    size_t singles = 2 * NETSTACK_PBUFS - pinner.singles;
    pinner.singles = 0;
    pe.reads = true;
    tcp_recved(pe.pcb, TCP_WND);
    for (int i = 0; i < 60 && pe.got < TCP_WND + singles; i++)
        run_for(1);
    assert_int_equal(pe.got, TCP_WND + singles);
    assert_int_equal(netstack_close(&ns, pe.pcb), ERR_OK);
    run_until_closed();
    assert_usage(usage_now(), before);
}

// Peers that vanish (no FIN, no RST) while holding every PCB: the server gives each
// up after its idle timeout, and a new connection is served again.
static void test_idle_timeout(void **state)
{
    (void)state;
    struct usage before = usage_now();
    static struct peer idle[NETSTACK_TCP_PCBS];
    uint64_t t0 = sim.now;
    unsigned n = 0;
    // A few at a time, so that B's side of each takes its PCB as A's does, and well
    // within the idle timeout.
    for (bool more = true; more;) {
        for (int i = 0; i < 4 && (more = n < NETSTACK_TCP_PCBS && peer_open(&idle[n], true, ECHO_PORT)); i++)
            n++;
        run_for(1);
    }
    assert_true(sim.now - t0 < APP_IDLE_S * HZ / 2);
    unsigned open = app_stats.echo_open;
    printf("# %u clients, %u echo connections held every PCB\n", n, open);
    assert_true(n < NETSTACK_TCP_PCBS);  // A ran out of PCBs: none left for anyone
    assert_in_range(open, NETSTACK_TCP_PCBS / 2 - 8, NETSTACK_TCP_PCBS / 2);
    for (unsigned i = 0; i < n; i++)
        if (idle[i].pcb)
            peer_vanish(&idle[i]);
    run_for(APP_IDLE_S / 2);  // not yet: idle, but not for long enough
    assert_int_equal(app_stats.echo_open, open);
    run_for(APP_IDLE_S);
    assert_int_equal(app_stats.echo_open, 0);
    echo_check(3000);
    run_until_closed();
    assert_usage(usage_now(), before);
}

// Zero-window peers sending full segments, each a window's worth (8 pool pbufs), with
// the pool already half used (held here, as other connections would): what echo keeps
// beyond half the pool goes to the heap, so each peer holds at most the one segment
// lwIP keeps refused, and the device never finds the pool empty.
static void test_pool_headroom(void **state)
{
    (void)state;
    enum { PEERS = 8 };
    static struct peer pe[PEERS];
    static struct pbuf *held[NETSTACK_PBUFS / 2 + 1];
    static const uint8_t data[TCP_MSS];
    struct usage before = usage_now();
    uint64_t nobuf = ifa.stats.rx_nobuf + ifb.stats.rx_nobuf;
    for (unsigned i = 0; i < PEERS; i++)
        assert_true(peer_open(&pe[i], false, ECHO_PORT));
    run_for(1);
    unsigned n = 0;
    while (n < NETSTACK_PBUFS / 2 + 1 && lwip_stats.memp[MEMP_PBUF_POOL]->used <= NETSTACK_PBUFS / 2)
        assert_non_null(held[n++] = pbuf_alloc(PBUF_RAW, 1, PBUF_POOL));
    unsigned base = lwip_stats.memp[MEMP_PBUF_POOL]->used, most = base;
    // Each peer sends a window that comes back into its own, a window that waits in the
    // server's send buffer, then 4 segments that echo must hold. The server's window
    // stays open: two lwIPs with both windows shut ACK each other's ACKs without end
    // (tcp_receive acks every segment outside a zero window), which a real peer does not.
    static size_t sent[PEERS];
    for (int round = 0; round < 10; round++) {
        for (unsigned i = 0; i < PEERS; i++)
            while (pe[i].connected && sent[i] < 2 * TCP_WND + 4 * TCP_MSS &&
                   tcp_sndbuf(pe[i].pcb) >= TCP_MSS &&
                   netstack_write(&ns, pe[i].pcb, data, TCP_MSS, TCP_WRITE_FLAG_COPY) == ERR_OK)
                sent[i] += TCP_MSS;
        run_for(1);
        unsigned used = lwip_stats.memp[MEMP_PBUF_POOL]->used;
        most = used > most ? used : most;
    }
    printf("# %d zero-window peers past half the pool: %u pool pbufs more at most\n", PEERS,
           most - base);
    assert_in_range(most - base, 0, PEERS);
    assert_int_equal(ifa.stats.rx_nobuf + ifb.stats.rx_nobuf, nobuf);
    while (n)
        pbuf_free(held[--n]);
    for (unsigned i = 0; i < PEERS; i++) {
        assert_false(pe[i].failed);
        assert_true(pe[i].got >= TCP_WND);  // its window was full: the test's premise
        pe[i].reads = true;
        tcp_recved(pe[i].pcb, pe[i].got);
    }
    run_for(10);
    for (unsigned i = 0; i < PEERS; i++)
        assert_int_equal(netstack_close(&ns, pe[i].pcb), ERR_OK);
    run_until_closed();
    assert_usage(usage_now(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_window_pin),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_pool_headroom),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
