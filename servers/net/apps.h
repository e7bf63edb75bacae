// The network server's in-process services (the next issue moves applications into
// processes of their own): TCP echo, TCP discard and the control port. Each listens
// on its port and runs inside lwIP's callbacks on the executor's thread.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netstack.h>
#include <sel4/sel4.h>

// What the services count, reported by the control port.
struct app_stats {
    uint64_t echo_accepted, echo_bytes, echo_closed, echo_reset, echo_refused, idle_aborts;
    uint64_t discard_accepted, discard_bytes;
    uint32_t echo_open;  // echo connections with state held
};
extern struct app_stats app_stats;

// A peer that vanishes without FIN or RST (unplugged, rebooted, its RST lost) would hold
// its PCB and the service's state forever: lwIP's keepalive is off (lwipopts.h) and a
// connection with nothing to send has no timer. Every service aborts a connection
// after APP_IDLE_S seconds without progress, from lwIP's poll callback, which it
// registers every APP_POLL slow-timer periods (500 ms each: once a second).
#define APP_IDLE_S 60
#define APP_POLL 2
// Polls in APP_IDLE_S (TCP_SLOW_INTERVAL is in lwip/priv/tcp_priv.h).
#define APP_IDLE_POLLS (APP_IDLE_S * 1000 / (APP_POLL * TCP_SLOW_INTERVAL))

// Discard's and control's notion of progress: lwIP's time of the last segment received
// on pcb. True once the peer has been silent for APP_IDLE_S (listen.c).
bool app_silent(const struct tcp_pcb *pcb);

// The socket service's counters (sock.c), on the control line as sock_*.
struct sock_stats {
    uint64_t accepted, bytes_in, bytes_out, reset, refused, bad, gone;
    uint32_t open;  // sockets the application holds
};
extern struct sock_stats sock_stats;

// Each opens its listening PCB: false if lwIP refused.
bool echo_start(struct netstack *ns, uint16_t port);
bool discard_start(struct netstack *ns, uint16_t port);
bool control_start(struct netstack *ns, uint16_t port);

// Received data p (not NULL) a service keeps beside `held` (what it holds of that
// connection, or NULL): p itself, or, when it is small (below APP_COPY_BELOW bytes) or
// more than half the receive pool is in use, a heap pbuf of its exact size with p
// freed, so that peers which keep their windows shut cannot pin the pool the driver
// receives into (docs/netserver.md, "The services"). NULL, p kept, when the two would
// be more than APP_MAX_PBUFS pbufs or the heap has no room: refuse the data (ERR_MEM)
// and lwIP offers it again later.
#define APP_COPY_BELOW 512
#define APP_MAX_PBUFS 16  // pbufs held per connection (the window is 8 full segments)
struct pbuf *app_hold(const struct pbuf *held, struct pbuf *p);

// The socket service (sock.c, sock.h, docs/sockets.md). Its clients: an application
// over aipc and one over synchronous IPC (sock_sync.c), each with its own data region;
// a socket or listener is its opener's only.
enum sock_via { SOCK_VIA_AIPC, SOCK_VIA_SYNC, SOCK_CLIENTS };
struct al4_aipc_rt;
struct al4_aipc_req;
void sock_init(struct netstack *ns);
// The aipc application at the client end of connection `conn` of rt, its data region
// mapped at `region`.
seL4_Error sock_serve_aipc(struct al4_aipc_rt *rt, unsigned conn, void *region);
// The synchronous application's data region (its calls come through sock_sync.c).
void sock_serve_sync(void *region);
// One request of client `via` (req->id: an aipc tag, or SOCK_SYNC_ID | the front's
// slot): true with *reply filled to answer at once, false when it is answered later.
#define SOCK_SYNC_ID 0x80000000u
bool sock_request(enum sock_via via, const struct al4_aipc_req *req, struct al4_aipc_req *reply);
// Aborts and frees every socket of `owner` and closes its listeners.
void sock_drop(enum sock_via owner);
// Binds SOCK_GONE_BIT(via) of the server's notification (net.h): the root task's word
// that the client's application is gone, upon which its sockets, ports and whatever
// its front holds are dropped.
struct co_exec;
void sock_watch_gone(struct co_exec *ex);

// The synchronous front (sock_sync.c): the server's executor sleeps in seL4_Recv on
// `ep` (its notification bound to its thread still wakes it); calls carry `mark` in
// their badge and wake the front's coroutine with that same bit. `slot0`: the first of
// `slots` empty slots of the server's CNode, where callers' reply caps wait.
struct al4_unotify_rx;
void sock_sync_start(struct al4_unotify_rx *rx, struct co_exec *ex, seL4_CPtr ep, unsigned bit,
                     seL4_CPtr slot0, unsigned slots);
struct sync_stats {
    uint64_t calls, busy;  // calls taken; calls answered SOCK_EBUSY for want of a slot
    uint64_t polled;       // of the calls taken, those sock_sync_poll took
};
// Takes a call waiting on the front's endpoint while the executor is kept awake (a
// netstack_busy_also hook, for an application on another hart): as the sleep would.
void sock_sync_poll(void *arg);
extern struct sync_stats sync_stats;
// Answers the call of front id `id` (SOCK_SYNC_ID | slot) through its reply cap.
void sock_sync_answer(uint32_t id, unsigned err, seL4_Word w0);
// The application is gone: every saved reply cap deleted, every slot free, the queue
// emptied.
void sock_sync_reset(void);

// A PCB listening on `port` (any local address) whose connections go to `accept`;
// NULL if lwIP refused (listen.c).
struct tcp_pcb *app_listen(uint16_t port, tcp_accept_fn accept);

// The server's own counters for the control line (main.c): how often ingress, egress
// and the classic loop ran, the device was serviced, the executor slept in the kernel,
// and the RTC's alarms and interrupts. Appends "key=value" words to buf.
int server_counters(char *buf, size_t size);

// Busy polling's budget in microseconds, 0: off (main.c; docs/netserver.md "Busy
// polling"): set from the boot args, and by the control port's "busy N".
void server_busy_poll(uint32_t us);
