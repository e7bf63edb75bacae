// Benchmark threads in an address space of their own that maps the same image frames
// as the root task: shared code and data (so counters written on one side are read
// on the other), but separate page tables and ASID, so that switching to them
// switches address spaces as a real server or driver would.
#pragma once
#include <stdbool.h>
#include <sel4/sel4.h>
#include <al4/process.h>

struct twin_thread {
    seL4_CPtr tcb;
    char stack[16384] __attribute__((aligned(16)));
    char ipc[4096] __attribute__((aligned(4096)));
    char tls[512] __attribute__((aligned(16)));
};

// The twin VSpace (once per run); 0 on failure (printed).
seL4_CPtr twin_vspace(struct al4_alloc *a, seL4_BootInfo *bi);
// Creates t in `vspace` at `prio`, running entry(arg) with its IPC buffer set; not yet
// resumed. False on failure (printed).
bool twin_thread_create(struct al4_alloc *a, seL4_BootInfo *bi, seL4_CPtr vspace,
                        struct twin_thread *t, void (*entry)(seL4_Word), seL4_Word arg,
                        seL4_Word prio);
