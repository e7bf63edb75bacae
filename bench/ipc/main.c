// IPC benchmark (make bench-ipc): a client (the root task) and a server thread in its
// own address space do Call / ReplyRecv round trips. One-way costs are measured the
// way seL4's benchmark suite does: the counter is read in the sender just before the
// system call and in the receiver just after it returns, and the cost of reading and
// publishing the counter is subtracted. Under QEMU -icount shift=0 the cycle counter
// counts guest instructions, so the figures are instruction counts and repeat exactly.
//
// Output: one line per measurement, "BENCH,operation,path,harts,length,instructions,
// kernel_entries", read by tools/bench/ipc, which writes build/bench/ipc-sync.csv.
#include <sel4/sel4.h>
#include <al4/process.h>
#include <al4/debug.h>
#include <stdio.h>
#include "../common/twin.h"
#include "../common/measure.h"

#define ROUNDS 101  // per measurement; the median is reported
#define WARMUP 5
#define SCRATCH 0x40000000ul

// Shared by client and server: the server's VSpace maps the same frames.
static volatile seL4_Word call_start, reply_start;
static seL4_Word call_cost[ROUNDS + WARMUP], reply_cost[ROUNDS + WARMUP];
static seL4_Word overhead;

static struct twin_thread server;

// Server: receive, note the arrival time against the client's start, then publish
// its own start and ReplyRecv. Message registers stay in registers (a2..a5) and, for
// longer messages, in the IPC buffer; the server echoes the length it got.
static void server_entry(seL4_CPtr ep)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)server.ipc);
    register seL4_Word a0 asm("a0") = ep;
    register seL4_Word a1 asm("a1");
    register seL4_Word a2 asm("a2");
    register seL4_Word a3 asm("a3");
    register seL4_Word a4 asm("a4");
    register seL4_Word a5 asm("a5");
    register seL4_Word a7 asm("a7") = (seL4_Word)seL4_SysRecv;
    asm volatile("ecall" : "+r"(a0), "=r"(a1), "=r"(a2), "=r"(a3), "=r"(a4), "=r"(a5) : "r"(a7)
                 : "memory");
    for (int i = 0;; i++) {
        seL4_Word arrived = rdcycle();
        call_cost[i % (ROUNDS + WARMUP)] = arrived - call_start;
        seL4_Word len = a1 & 0x7f;
        seL4_Word t;
        a0 = ep;
        a1 = seL4_MessageInfo_new(0, 0, 0, len).words[0];
        a7 = (seL4_Word)seL4_SysReplyRecv;
        asm volatile("rdcycle %[t]\n sd %[t], 0(%[p])\n ecall"
                     : [t] "=&r"(t), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
                     : [p] "r"(&reply_start), "r"(a7)
                     : "memory");
    }
}

// ROUNDS + WARMUP round trips of `len` message words; prints both one-way costs.
static void run(seL4_CPtr ep, const char *path, int harts, seL4_Word len)
{
    // Counted around the loop: the two counter reads add one entry per hart.
    seL4_Word entries0 = al4_kernel_entries(harts);
    for (int i = 0; i < ROUNDS + WARMUP; i++) {
        for (seL4_Word m = 4; m < len; m++)
            seL4_SetMR(m, m);
        register seL4_Word a0 asm("a0") = ep;
        register seL4_Word a1 asm("a1") = seL4_MessageInfo_new(1, 0, 0, len).words[0];
        register seL4_Word a2 asm("a2") = 0;
        register seL4_Word a3 asm("a3") = 1;
        register seL4_Word a4 asm("a4") = 2;
        register seL4_Word a5 asm("a5") = 3;
        register seL4_Word a7 asm("a7") = (seL4_Word)seL4_SysCall;
        seL4_Word t;
        asm volatile("rdcycle %[t]\n sd %[t], 0(%[p])\n ecall"
                     : [t] "=&r"(t), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
                     : [p] "r"(&call_start), "r"(a7)
                     : "memory");
        seL4_Word back = rdcycle();
        reply_cost[i] = back - reply_start;
    }
    seL4_Word entries = al4_kernel_entries(harts) - entries0 - harts;
    seL4_Word per_trip = (entries + (ROUNDS + WARMUP) / 2) / (ROUNDS + WARMUP);
    printf("BENCH,call,%s,%d,%lu,%lu,%lu\n", path, harts, (unsigned long)len,
           (unsigned long)(median_of(call_cost + WARMUP, ROUNDS) - overhead), (unsigned long)per_trip);
    printf("BENCH,replyrecv,%s,%d,%lu,%lu,%lu\n", path, harts, (unsigned long)len,
           (unsigned long)(median_of(reply_cost + WARMUP, ROUNDS) - overhead), (unsigned long)per_trip);
}

static struct al4_alloc alloc;

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    al4_alloc_init_bootinfo(&alloc, bi, SCRATCH);
    seL4_CPtr ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    // The server's address space maps the same frames as ours: shared code and data,
    // but its own page tables and ASID, so every IPC switches address spaces.
    seL4_CPtr vspace = twin_vspace(&alloc, bi);
    if (!ep || !vspace || !twin_thread_create(&alloc, bi, vspace, &server, server_entry, ep, 255)) {
        printf("bench-ipc: cannot set up the server\n");
        return 1;
    }
    seL4_TCB_Resume(server.tcb);
    overhead = measure_overhead(&call_start);
    printf("bench-ipc: %lu harts, counter overhead %lu, %d rounds (median)\n",
           (unsigned long)bi->numNodes, (unsigned long)overhead, ROUNDS);

    // Same hart: fastpath, then the slow path for the same messages, then a long
    // message (slow path either way).
    run(ep, "fastpath", 1, 0);
    seL4_Word was = al4_set_fastpath(0);
    run(ep, "slowpath", 1, 0);
    al4_set_fastpath(was);
    run(ep, "slowpath", 1, 10);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    // The server on the second hart: the slow path (the fastpath is same-hart only).
    if (bi->numNodes > 1 && seL4_TCB_SetAffinity(server.tcb, 1) == seL4_NoError) {
        run(ep, "slowpath", 2, 0);
        run(ep, "slowpath", 2, 10);
    }
#endif
    al4_counters_t c = al4_kernel_counters();
    printf("bench-ipc: fastpath took %lu calls, %lu replyrecvs\n", (unsigned long)c.fastpath_call,
           (unsigned long)c.fastpath_reply_recv);
    printf("bench-ipc: done\n");
    return 0;
}
