// The network configuration the root task gives the network server, from the kernel
// command line (the DTB's bootargs), e.g.
//   net_ip=10.0.3.2 net_mask=255.255.255.0 net_gw=10.0.3.1 net_poll=classic
// Missing keys keep the defaults: QEMU's user network (10.0.2.15/24, gateway 10.0.2.2)
// and the split poll.
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct net_config {
    uint32_t ip, mask, gw;  // host byte order
    bool classic;
};

// Fills c from `bootargs` (may be NULL); false, with c left at the defaults for the
// keys in question, if a value does not parse.
bool net_config_parse(struct net_config *c, const char *bootargs);
