// The TCP application server (servers/tcpapp, docs/sockets.md): TCP echo in a process of
// its own, over the network server's socket service (servers/net/sock.h). What the root
// task (servers/netroot) tells it: its AL4_BOOTINFO_ARGS words.
#pragma once
#include <stdint.h>
#include <sel4/sel4.h>

enum tcpapp_arg {
    TA_HZ,       // the timebase frequency
    TA_PORT,     // the TCP port it serves echo on
    TA_REGION,   // where the data region shared with the network server is mapped
    TA_SYNC_EP,  // slot of the socket service's endpoint: over synchronous IPC (0: aipc)
    TA_UNTYPED,  // synchronous: slot of an untyped for its threads
    TA_COUNT
};

#define TCPAPP_PORT 7007       // over async IPC
#define TCPAPP_SYNC_PORT 7008  // over synchronous IPC
// Where the root task maps the data region in the application and its aipc connection's
// frames, free in its VSpace (the image is linked far below).
#define TCPAPP_REGION_VA 0x30000000ul
#define TCPAPP_AIPC_VA 0x31000000ul

// The data region (main.c), and the two ways to serve; each returns when it cannot go on.
extern uint8_t *tcpapp_region;
void tcpapp_async(const seL4_BootInfo *bi, uint16_t port);
void tcpapp_sync(const seL4_BootInfo *bi, uint16_t port);
