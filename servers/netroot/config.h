// The network configuration the root task gives the network server, from the kernel
// command line (the DTB's bootargs), e.g.
//   net_ip=10.0.3.2 net_mask=255.255.255.0 net_gw=10.0.3.1 net_poll=classic net_timer=0
// Missing keys keep the defaults: QEMU's user network (10.0.2.15/24, gateway 10.0.2.2),
// the split poll, and the RTC as the server's timer (net_timer=0: none, the executor
// then polls with seL4_Yield while a timer is armed). net_bench=1: make bench-net.
// net_busy_us=N: busy polling's budget, N microseconds of guest time (0 to 1,000,000;
// 0: off; docs/netserver.md, "Busy polling", for how the default was chosen).
// net_app_fault=1: the applications' fault injection (docs/sockets.md, "Faults").
// net_app_hart=N: the hart the TCP applications run on (the server runs on hart 0);
// by default hart 1 when the machine has several, else 0 (docs/sockets.md, "Harts").
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define NET_BUSY_US_DEFAULT 50
#define NET_BUSY_US_MAX 1000000
#define NET_APP_HART_AUTO UINT32_MAX  // hart 1 when there are several, else 0
#define NET_APP_HART_MAX 255

struct net_config {
    uint32_t ip, mask, gw;  // host byte order
    bool classic;
    bool timer;  // give the server the RTC for its timed sleeps
    bool bench;  // net_bench=1: make bench-net's sequence (bench.c)
    uint32_t busy_us;  // busy polling's budget in the waker-driven server, 0: off
    // net_app_fault=1: the applications fault on purpose when a connection's first
    // bytes are TCPAPP_FAULT_WORD (servers/tcpapp/tcpapp.h), for the NET group's test
    // that a faulting application is stopped and the server goes on. Off by default.
    bool app_fault;
    uint32_t app_hart;  // net_app_hart=N (at most NET_APP_HART_MAX), or NET_APP_HART_AUTO
};

// Fills c from `bootargs` (may be NULL); false, with c left at the defaults for the
// keys in question, if a value does not parse.
bool net_config_parse(struct net_config *c, const char *bootargs);
