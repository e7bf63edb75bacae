// Building and starting one network server process (servers/net) from the embedded
// image: its device pages, interrupts, queue memory and boot args (net.h).
#pragma once
#include <stdbool.h>
#include <al4/process.h>
#include "config.h"

struct net_start {
    const struct net_config *config;
    bool classic;           // the polling loop: no interrupt, no timer
    seL4_CPtr regs, rtc;    // the NIC's and the RTC's register frames (rtc 0: none)
    seL4_CPtr fault_ep;     // 0: none
    seL4_CPtr bench, report;  // make bench-net: the shared page's frame, the handover notification
    seL4_Word hz;
    // The TCP application servers to start beside it, over aipc and over synchronous
    // IPC; NULL: none (not in classic mode: docs/sockets.md).
    struct al4_process *app, *sync_app;
    unsigned app_hart;  // the hart they run on (the server runs on hart 0)
};

seL4_Error net_server_start(struct al4_process *p, struct al4_alloc *a, const struct net_start *s);
