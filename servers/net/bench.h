// The network server's part in make bench-net (net.h, struct net_bench): counter
// readings on the control port, and the handover to the next server.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <al4/co_sel4.h>
#include "net.h"

// Set up by main when the root task gave a bench page (else the commands are refused).
void bench_init(volatile struct net_bench *page, struct co_exec *ex, seL4_Word hz);
// The "mark" line into buf: false when there is no bench page.
bool bench_mark(char *buf, size_t size);
// "handover": stops the executor; main then resets the device and tells the root task.
bool bench_handover(void);
bool bench_handing_over(void);
