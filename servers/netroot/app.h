// Starting the TCP application server beside the network server (app.c).
#pragma once
#include <al4/process.h>

struct app_start {
    struct al4_alloc *alloc;
    struct al4_process *server, *app;  // the server created, not started; app: to make
    seL4_CPtr ntfn;       // the server's notification (root's cap), bound and registered
    seL4_CPtr ntfn_slot;  // the server's cap to it
    seL4_Word bits_used;  // its badge bits the interrupts take
    seL4_CPtr fault_ep;   // the root task's fault endpoint, 0: none
    seL4_Word hz;
};

// Creates and starts the application, connected to the server (its connection 0, the
// data region at NET_SOCK_VA in the server).
seL4_Error app_connect(struct app_start *as);
