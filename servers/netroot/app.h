// Starting the TCP application servers beside the network server (app.c).
#pragma once
#include <stdbool.h>
#include <al4/process.h>

// Their fault badges at the root task's endpoint (the network server's is 1).
#define APP_FAULT_BADGE 2
#define APP_SYNC_FAULT_BADGE 3

struct app_start {
    struct al4_alloc *alloc;
    struct al4_process *server;   // created, not started
    struct al4_process *app, *sync_app;  // to make: over aipc, over synchronous IPC
    seL4_CPtr ntfn;       // the server's notification (root's cap), bound and registered
    seL4_CPtr ntfn_slot;  // the server's cap to it
    seL4_Word bits_used;  // its badge bits the interrupts and synchronous calls take
    seL4_CPtr fault_ep;   // the root task's fault endpoint, 0: none
    seL4_Word hz;
    bool app_fault;       // net_app_fault=1: their fault injection (config.h)
};

// Creates the application over aipc, connected to the server (its connection 0, the
// data region at NET_SOCK_VA in the server).
seL4_Error app_connect(struct app_start *as);
// Creates the application over synchronous IPC (the data region at NET_SYNC_SOCK_VA in
// the server); *server_ep: the server's slot of the endpoint.
seL4_Error app_connect_sync(struct app_start *as, seL4_CPtr *server_ep);
// Starts those created on hart `hart` (below the machine's number of harts), once the
// server runs (so that a failure before leaves no application running without its
// server). The threads the synchronous one makes are then on that hart too: a new TCB
// is bound to the hart of the thread that retyped it, as on seL4.
seL4_Error app_start_all(unsigned hart);
// The application of client `via` (0: aipc, 1: sync) faulted or sent on its fault cap:
// it is stopped (its thread suspended, its threads' untyped revoked) and the server
// told (its "gone" bit), which drops its sockets and ports. The server goes on.
void app_stop(unsigned via);
