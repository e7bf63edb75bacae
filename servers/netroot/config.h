// The network configuration the root task gives the network server, from the kernel
// command line (the DTB's bootargs), e.g.
//   net_ip=10.0.3.2 net_mask=255.255.255.0 net_gw=10.0.3.1 net_poll=classic net_timer=0
// Missing keys keep the defaults: QEMU's user network (10.0.2.15/24, gateway 10.0.2.2),
// the split poll, and the RTC as the server's timer (net_timer=0: none, the executor
// then polls with seL4_Yield while a timer is armed). net_bench=1: make bench-net.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct net_config {
    uint32_t ip, mask, gw;  // host byte order
    bool classic;
    bool timer;  // give the server the RTC for its timed sleeps
    bool bench;  // net_bench=1: make bench-net's sequence (bench.c)
};

// Fills c from `bootargs` (may be NULL); false, with c left at the defaults for the
// keys in question, if a value does not parse.
bool net_config_parse(struct net_config *c, const char *bootargs);
