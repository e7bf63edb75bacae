// The TCP application server (servers/tcpapp, docs/sockets.md): TCP echo in a process of
// its own, over the network server's socket service (servers/net/sock.h). What the root
// task (servers/netroot) tells it: its AL4_BOOTINFO_ARGS words.
#pragma once

enum tcpapp_arg {
    TA_HZ,      // the timebase frequency
    TA_PORT,    // the TCP port it serves echo on
    TA_REGION,  // where the data region shared with the network server is mapped
    TA_COUNT
};

#define TCPAPP_PORT 7007
// Where the root task maps the data region in the application and its aipc connection's
// frames, free in its VSpace (the image is linked far below).
#define TCPAPP_REGION_VA 0x30000000ul
#define TCPAPP_AIPC_VA 0x31000000ul
