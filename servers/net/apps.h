// The network server's in-process services (the next issue moves applications into
// processes of their own): TCP echo, TCP discard and the control port. Each listens
// on its port and runs inside lwIP's callbacks on the executor's thread.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netstack.h>

// What the services count, reported by the control port.
struct app_stats {
    uint64_t echo_accepted, echo_bytes, echo_closed, echo_reset, echo_refused;
    uint64_t discard_accepted, discard_bytes;
    uint32_t echo_open;  // echo connections with state held
};
extern struct app_stats app_stats;

// Each opens its listening PCB: false if lwIP refused.
bool echo_start(struct netstack *ns, uint16_t port);
bool discard_start(struct netstack *ns, uint16_t port);
bool control_start(struct netstack *ns, uint16_t port);

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
