// aL4's network stack: lwIP 2.1.3 (raw API, NO_SYS) on the coroutine runtime, with the
// stack's poll split in two (docs/netstack.md, ../shared/design/net.md):
//
// - ingress, one coroutine per interface, woken by the device's receive interrupt (a
//   signal bit of the executor): services the device, feeds every received frame to
//   netif->input, then sleeps. lwIP answers from inside input (ACKs, replies written in
//   callbacks), so most output leaves here.
// - egress, one coroutine per stack, woken by what makes new output possible (an
//   application's send, a window update, connect and close, transmit space freed after
//   the device was full) and by lwIP's next timer deadline: runs the due timers and
//   flushes queued TCP output, then sleeps until the next wake or deadline.
//
// With nothing to receive and no timer due the stack does no work at all. The classic
// loop (NETSTACK_CLASSIC: receive, timers, output, round and round, never sleeping) is
// kept as the baseline; the build switch NETSTACK_POLL=classic makes it the default.
//
// lwIP is one instance per program (its state is global): one struct netstack, any
// number of interfaces. Everything runs on the executor's thread.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <al4/co.h>
#include "lwip/netif.h"
#include "lwip/tcp.h"

// A device under the stack: whole Ethernet frames without FCS.
struct netstack_dev_ops {
    // Sends a frame: 0, NETSTACK_EFULL when every transmit buffer is in use (the
    // device's next interrupt frees some), NETSTACK_EINVAL when it refuses the frame.
    int (*transmit)(void *dev, const void *frame, size_t len);
    // The next received frame: 1 (*data, *len and *token set; the buffer stays the
    // device's until release(token)), 0 (none), negative (a refused entry, skipped).
    int (*receive)(void *dev, const uint8_t **data, size_t *len, uint32_t *token);
    void (*release)(void *dev, uint32_t token);
    // Hands the released buffers back to the device (once per batch).
    void (*refill)(void *dev);
    // Acknowledges the device's interrupt and takes back sent buffers; run before each
    // batch of receives, so a frame arriving later raises a new interrupt.
    void (*service)(void *dev);
    // Busy polling (netstack_busy_poll; all three NULL: the device is not polled):
    // whether frames wait for receive, whether sent buffers wait to be taken back (both
    // without a register access), and the device's interrupts off or on again (on: the
    // caller looks once more, since what came while they were off raised none).
    int (*rx_pending)(void *dev);
    int (*tx_pending)(void *dev);
    void (*interrupts)(void *dev, bool on);
};
#define NETSTACK_EFULL (-1)
#define NETSTACK_EINVAL (-2)

enum netstack_mode {
    NETSTACK_WAKERS,  // ingress and egress coroutines, each woken when it has work
    NETSTACK_CLASSIC, // one loop polling everything (the baseline)
};
#ifdef NETSTACK_POLL_CLASSIC
#define NETSTACK_MODE_DEFAULT NETSTACK_CLASSIC
#else
#define NETSTACK_MODE_DEFAULT NETSTACK_WAKERS
#endif

// Frames taken per ingress run before it lets the other coroutines in.
#define NETSTACK_RX_BATCH 64
// Coroutine priorities: ingress above egress, so received ACKs free sent data first.
#define NETSTACK_PRIO_INGRESS 40
#define NETSTACK_PRIO_EGRESS 30
// Busy polling looks at the devices only when nothing else is runnable.
#define NETSTACK_PRIO_BUSY 0

struct netstack;

struct netstack_if_stats {
    uint64_t rx_frames, rx_nobuf, rx_refused, tx_frames, tx_full, services;
};

struct netstack_if {
    struct netif netif;
    struct netstack *ns;
    const struct netstack_dev_ops *ops;
    void *dev;
    struct co ingress;
    struct co rx;     // busy polling's ingress: drains without servicing the device
    bool tx_blocked;  // a transmit found the device full: wake egress when it frees
    bool rx_more;     // stopped at the budget for a waiting egress, which wakes it
    struct netstack_if_stats stats;
    struct netstack_if *next;
};

struct netstack_stats {
    uint64_t ingress_runs, egress_runs, egress_timer_wakes, classic_rounds;
    uint64_t busy_drains;  // runs of the interfaces' rx (busy polling found frames)
};

// Busy polling (busy.c): after the stack received or sent a frame, a coroutine below
// all others keeps looking at the devices' rings for `budget` ticks of the executor's
// clock since the last frame, with their interrupts off, before the executor may sleep.
struct netstack_busy {
    struct co co;
    uint64_t budget;      // ticks; 0: off
    bool active;          // in a window: the devices' interrupts are off
    uint64_t start, last_work, frames;  // the window's start, the last frame, frames then
    // Windows opened, poller resumes, looks that found frames, ticks spent in windows.
    uint64_t windows, rounds, hits, ticks;
    // Something else that would wait for the executor's sleep (netstack_busy_also):
    // looked at every `also_every` ticks of a window (the first look at its start).
    void (*also)(void *arg);
    void *also_arg;
    uint64_t also_every, also_at, also_looks;
};

struct netstack {
    struct co egress;
    struct netstack_busy busy;
    struct co_timer egress_timer;
    struct co_exec *ex;
    enum netstack_mode mode;
    struct netstack_if *ifs;
    struct netstack_stats stats;
};

// Initialises lwIP (once per program) on the executor `ex`, whose clock becomes
// lwIP's sys_now(), and starts egress (waker mode). ex's timer heap needs one slot.
void netstack_init(struct netstack *ns, struct co_exec *ex, enum netstack_mode mode);

// Adds an Ethernet interface over `dev` with a static IPv4 configuration, up, and the
// default one if it is the first. In waker mode the executor's signal bit `irq_bit`
// (< 64) wakes its ingress: bind the device's interrupt to it. False if lwIP refused.
bool netstack_add_if(struct netstack *ns, struct netstack_if *nif,
                     const struct netstack_dev_ops *ops, void *dev, const uint8_t mac[6],
                     const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw,
                     unsigned irq_bit);

// Takes the interface out of lwIP and unbinds its signal bit (before its device stops).
void netstack_remove_if(struct netstack *ns, struct netstack_if *nif, unsigned irq_bit);

// --- Wakers (the executor's thread; no-ops in classic mode) ---

// New output is possible: after tcp_write or tcp_recved outside lwIP's callbacks, a
// connect, a close.
void netstack_wake_egress(struct netstack *ns);
// The device has something (for devices polled without an interrupt, and tests).
void netstack_wake_ingress(struct netstack_if *nif);

// lwIP's calls that make output possible, each with its wake.
err_t netstack_write(struct netstack *ns, struct tcp_pcb *pcb, const void *data, u16_t len,
                     u8_t flags);
void netstack_recved(struct netstack *ns, struct tcp_pcb *pcb, u16_t len);
err_t netstack_connect(struct netstack *ns, struct tcp_pcb *pcb, const ip_addr_t *ip,
                       u16_t port, tcp_connected_fn connected);
err_t netstack_close(struct netstack *ns, struct tcp_pcb *pcb);

// Busy polling's budget in microseconds (0: off, the default; waker mode only). Takes
// effect at the next frame.
void netstack_busy_poll(struct netstack *ns, uint32_t us);
// Called after a frame was received or sent: opens a window if the budget is set.
void netstack_busy_kick(struct netstack *ns);
// While a window keeps the executor from sleeping, `fn(arg)` is called every `us`
// microseconds of it: for work that only the sleep would otherwise find (the socket
// service's synchronous calls, taken in the sleep's Recv, docs/sockets.md). NULL: none.
void netstack_busy_also(struct netstack *ns, void (*fn)(void *arg), void *arg, uint32_t us);

// --- Running ---

// Runs the stack and the executor's other coroutines until one of them calls
// co_exec_stop: co_exec_run in waker mode, the polling loop in classic mode.
void netstack_run(struct netstack *ns);
// One round of the classic loop: service and drain every device, run due timers,
// flush output, run what else is runnable.
void netstack_poll_once(struct netstack *ns);

// Milliseconds in the executor's clock (lwIP's sys_now()); netstack_init sets which
// executor (port.c).
uint32_t netstack_now_ms(void);
void netstack_port_clock(struct co_exec *ex);
