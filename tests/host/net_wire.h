// The simulated network of the host tests that run lwIP (test_netstack, test_netapps):
// one lwIP instance with two interfaces, A and B, joined by an in-memory wire (each
// side's transmit is the other's receive, with an interrupt bit per side), on the
// coroutine runtime with a simulated clock. Simulated time advances only when the
// executor sleeps (to the deadline it sleeps to), so retransmission and TIME_WAIT
// timers cost nothing to wait for. Header-only: each test is one program with one lwIP.
#pragma once
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
    unsigned flood;               // frames still to come back to back, FLOOD_GAP apart
    uint64_t flood_egress;        // egress runs when the flood ended
};
#define FLOOD_GAP 10  // us between flood frames: 100,000 frames a second

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
    // A flood: a frame on every look, and the clock runs meanwhile (the executor never
    // sleeps, so nothing else would advance it). Frames for another host, dropped by
    // lwIP's ethernet input.
    if (s->flood) {
        static struct frame junk = {.len = 60, .data = {0x02, 0, 0, 0, 0, 0xee, 0, 0, 0, 0, 0, 0, 0x08}};
        if (--s->flood == 0)
            s->flood_egress = ns.stats.egress_runs;
        sim.now += FLOOD_GAP;
        *data = junk.data;
        *len = junk.len;
        *token = s->rx_head;
        s->token_out = true;
        s->rx_len++;  // wire_release takes it back off
        return 1;
    }
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

// The clock, the executor, the stack and both interfaces on the one subnet (A is
// 10.0.0.1, B 10.0.0.2); `wait` runs the executor when nothing else is left to run.
static void wire_setup(void)
{
    sim = (struct sim){{sim_now, sim_sleep, sim_mask, sim_unmask, NULL, &sim}, 1000 * HZ, 0};
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
    co_init(&dog.co, &ex, dog_run, 0);
    co_init(&wire_co, &ex, wire_run, 60);
}
