// The TCP application server (servers/tcpapp, docs/sockets.md): TCP echo in a process of
// its own, over the network server's socket service (servers/net/sock.h). What the root
// task (servers/netroot) tells it: its AL4_BOOTINFO_ARGS words.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sel4/sel4.h>

enum tcpapp_arg {
    TA_HZ,       // the timebase frequency
    TA_PORT,     // the TCP port it serves echo on
    TA_REGION,   // where the data region shared with the network server is mapped
    TA_SYNC_EP,  // slot of the socket service's endpoint: over synchronous IPC (0: aipc)
    TA_UNTYPED,  // synchronous: slot of an untyped for its threads
    TA_FAULT_EP, // synchronous: its fault endpoint's slot, for its threads too (0: none)
    TA_FAULT,    // 1: fault on TCPAPP_FAULT_WORD (the root task's net_app_fault=1)
    TA_COUNT
};

#define TCPAPP_PORT 7007       // over async IPC
#define TCPAPP_SYNC_PORT 7008  // over synchronous IPC
// Where the root task maps the data region in the application and its aipc connection's
// frames, free in its VSpace (the image is linked far below).
#define TCPAPP_REGION_VA 0x30000000ul
#define TCPAPP_AIPC_VA 0x31000000ul

// A connection whose first bytes are these makes the application fault on purpose
// when the root task asked for it (TA_FAULT): the NET group's test of a faulting
// application (docs/sockets.md, "Faults").
#define TCPAPP_FAULT_WORD "al4-fault-injection\n"

// The data region and the fault switch (main.c), and the two ways to serve; each
// returns when it cannot go on.
extern uint8_t *tcpapp_region;
extern bool tcpapp_fault;
// Faults (a store to address 0) if the switch is on and `n` bytes of socket `sock`'s
// receive buffer are TCPAPP_FAULT_WORD.
void tcpapp_maybe_fault(seL4_Word sock, seL4_Word n);
// " on hart N", the hart this thread runs on, for the line it prints when it serves
// (debug and benchmark builds: the kernel's counters say it; else "").
const char *tcpapp_where(void);
void tcpapp_async(const seL4_BootInfo *bi, uint16_t port);
void tcpapp_sync(const seL4_BootInfo *bi, uint16_t port);
