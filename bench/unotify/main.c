// U-notification benchmark (make bench-unotify): one-way latency of a notification,
// from just before the sender signals to the first instruction of C the receiver runs
// for it, and kernel entries per notification, for
//   uintc:  uipi send from a registered sender; the receiver takes a user interrupt
//           (al4_unotify_install's entry stub, then the handler) where it runs;
//   kernel: seL4_Signal; the receiver wakes from seL4_Wait, higher in priority than
//           the sender on the same hart, alone on its hart otherwise.
// Same hart: for uintc the receiver is the sender's own thread (a user interrupt on
// itself); for kernel a thread that preempts the sender. Other hart: the receiver runs
// on hart 1, the sender on hart 0. Receivers live in a twin address space (twin.h).
//
// Other hart: under -icount QEMU runs the harts in turn and hands the host CPU to the
// receiver's hart only when the sender's hart idles, so the sender waits in the kernel
// after each signal (for the receiver's acknowledgement) and every raw figure contains
// the sender's way from its signal into the idle loop. That hand-off is measured on
// its own (a "null" round: the sender stamps and waits, the receiver, spinning on hart
// 1, notices the new stamp) and subtracted from both paths, as the cost of reading the
// counter is; the raw figures and the hand-off are printed too.
//
// Output lines "BENCH,path,harts,instructions,kernel_entries", read by
// tools/bench/unotify, which writes build/bench/unotify.csv.
#include <sel4/sel4.h>
#include <al4/process.h>
#include <al4/debug.h>
#include <al4/unotify.h>
#include <stdio.h>
#include "../common/twin.h"
#include "../common/measure.h"

#define ROUNDS 101
#define WARMUP 5
#define N (ROUNDS + WARMUP)
#define SCRATCH 0x40000000ul

static volatile seL4_Word start;  // the sender's counter just before it signals
static volatile seL4_Word acks;   // notifications the receiver has seen
static seL4_Word cost[N];
static seL4_Word overhead;
static seL4_Word handoff;         // other hart: the null round's median (see above)
static volatile bool null_round;  // the spinning receiver reports new stamps
static seL4_CPtr kernel_ntfn;
// Other hart: the receiver acknowledges each notification with seL4_Signal and the
// sender waits for that in the kernel. Under -icount QEMU runs the harts in turn and
// moves on from a spinning hart only every 100 ms of virtual time; a sender asleep in
// the kernel hands the host CPU to the receiver's hart at once. The acknowledgement
// costs exactly two kernel entries per notification (its Signal and the sender's
// Wait), which are subtracted; the one-way figure ends before it.
static seL4_CPtr ack_ntfn;
static volatile bool ack_on;
static struct twin_thread kernel_rx;

static void arrived(void)
{
    seL4_Word now = rdcycle();
    cost[acks % N] = now - start;
    __atomic_store_n(&acks, acks + 1, __ATOMIC_RELEASE);
    if (ack_on)
        seL4_Signal(ack_ntfn);
}

static void on_interrupt(seL4_Word bits, void *arg)
{
    (void)bits, (void)arg;
    arrived();
}
static struct al4_unotify_handler handler = {on_interrupt, NULL};

// The kernel-path receiver: seL4_Wait, note the arrival, wait again.
static void kernel_receiver(seL4_Word ipc)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)ipc);
    for (;;) {
        seL4_Wait(kernel_ntfn, NULL);
        arrived();
    }
}

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static struct twin_thread uintc_rx;

// The U-notification receiver on another hart: runs (spins) with its handler on.
static void uintc_receiver(seL4_Word ipc)
{
    seL4_SetIPCBuffer((seL4_IPCBuffer *)ipc);
    al4_unotify_install(&handler);
    seL4_Word seen = start;
    for (;;) {
        seL4_Word s = start;
        if (null_round && s != seen)
            arrived();
        seen = s;
    }
}
#endif

// N notifications by `signal`, each waited for before the next; the median one-way
// cost (less the counter overhead) and the kernel entries of the loop in *entries.
static seL4_Word timed(int harts, void (*signal)(seL4_Word), seL4_Word arg, seL4_Word *entries_out)
{
    acks = 0;
    seL4_Word e0 = al4_kernel_entries(harts);
    for (seL4_Word i = 0; i < N; i++) {
        seL4_Word t;
        asm volatile("rdcycle %0\n sd %0, 0(%1)" : "=&r"(t) : "r"(&start) : "memory");
        signal(arg);
        if (ack_on)
            seL4_Wait(ack_ntfn, NULL);
        while (__atomic_load_n(&acks, __ATOMIC_ACQUIRE) <= i)
            ;
    }
    // Counted around the loop: the counter reads add one entry per hart.
    *entries_out = al4_kernel_entries(harts) - e0 - harts - (ack_on ? 2 * N : 0);
    return median_of(cost + WARMUP, ROUNDS) - overhead;
}

// Prints one row: the one-way cost (less the hand-off on another hart) and the kernel
// entries per notification (of the loop, or `burst` when given).
static void print_row(const char *path, int harts, seL4_Word raw, seL4_Word entries)
{
    seL4_Word net = harts > 1 ? raw - handoff : raw;
    if (harts > 1)
        printf("bench-unotify: %s on another hart: %lu raw, %lu less the hand-off\n", path,
               (unsigned long)raw, (unsigned long)net);
    printf("BENCH,%s,%d,%lu,%lu.%02lu\n", path, harts, (unsigned long)net,
           (unsigned long)(entries / N), (unsigned long)(entries % N * 100 / N));
}

static void run(const char *path, int harts, void (*signal)(seL4_Word), seL4_Word arg,
                seL4_Word burst)
{
    seL4_Word entries;
    seL4_Word raw = timed(harts, signal, arg, &entries);
    print_row(path, harts, raw, burst != ~0ul ? burst : entries);
}

static void uipi_signal(seL4_Word index) { al4_uipi_send(index); }
#ifdef CONFIG_ENABLE_SMP_SUPPORT
static void no_signal(seL4_Word unused) { (void)unused; }
#endif

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// Kernel entries per notification of a burst of N uipi sends to a receiver that runs:
// the figure printed for the UINTC path on another hart, where the acknowledged loop
// also counts the timer ticks of the receiver's hart while QEMU runs it alone.
static seL4_Word burst_entries(int harts, seL4_Word index)
{
    seL4_Word e0 = al4_kernel_entries(harts);
    for (int i = 0; i < N; i++)
        al4_uipi_send(index);
    return al4_kernel_entries(harts) - e0 - harts;
}
#endif
static void kernel_signal(seL4_Word cap) { seL4_Signal(cap); }

static struct al4_alloc alloc;

static bool check(seL4_Error e, const char *what)
{
    if (e != seL4_NoError)
        printf("bench-unotify: %s failed (%d)\n", what, e);
    return e == seL4_NoError;
}

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    al4_alloc_init_bootinfo(&alloc, bi, SCRATCH);
    seL4_CPtr vspace = twin_vspace(&alloc, bi);
    kernel_ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
    seL4_CPtr self_ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
    seL4_CPtr self_cap = al4_alloc_slot(&alloc);
    if (!vspace || !kernel_ntfn || !self_ntfn || !self_cap)
        return 1;
    overhead = measure_overhead(&start);
    printf("bench-unotify: %lu harts, counter overhead %lu, %d rounds (median)\n",
           (unsigned long)bi->numNodes, (unsigned long)overhead, ROUNDS);

    // Kernel path, same hart: the receiver preempts the signaller.
    if (!check(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 200), "priority") ||
        !twin_thread_create(&alloc, bi, vspace, &kernel_rx, kernel_receiver, (seL4_Word)kernel_rx.ipc, 250))
        return 1;
    seL4_TCB_Resume(kernel_rx.tcb);
    run("kernel", 1, kernel_signal, kernel_ntfn, ~0ul);

    // UINTC path, same hart: the root task signals itself.
    seL4_Word rx, tx;
    if (!check(seL4_TCB_BindNotification(seL4_CapInitThreadTCB, self_ntfn), "bind") ||
        !check(al4_unotify_register_receiver(self_ntfn, seL4_CapInitThreadTCB, &rx), "receiver") ||
        !check(seL4_CNode_Mint(seL4_CapInitThreadCNode, self_cap, 64, seL4_CapInitThreadCNode, self_ntfn, 64,
                               seL4_AllRights, 1), "mint") ||
        !check(al4_unotify_register_sender(self_cap, seL4_CapInitThreadTCB, &tx), "sender"))
        return 1;
    al4_unotify_install(&handler);
    run("uintc", 1, uipi_signal, tx, ~0ul);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
    if (bi->numNodes > 1) {
        // Kernel path, other hart: the same receiver, moved to hart 1 (printed once
        // the hand-off is known).
        ack_ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
        if (!ack_ntfn || !check(seL4_TCB_SetAffinity(kernel_rx.tcb, 1), "affinity"))
            return 1;
        ack_on = true;
        seL4_Word kernel_entries, kernel_raw = timed(2, kernel_signal, kernel_ntfn, &kernel_entries);
        seL4_TCB_Suspend(kernel_rx.tcb);
        // UINTC path, other hart: a registered receiver running on hart 1.
        seL4_CPtr ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
        seL4_CPtr cap = al4_alloc_slot(&alloc);
        seL4_Word rx1, tx1;
        if (!ntfn || !cap ||
            !twin_thread_create(&alloc, bi, vspace, &uintc_rx, uintc_receiver, (seL4_Word)uintc_rx.ipc, 250) ||
            !check(seL4_TCB_BindNotification(uintc_rx.tcb, ntfn), "bind") ||
            !check(al4_unotify_register_receiver(ntfn, uintc_rx.tcb, &rx1), "receiver") ||
            !check(seL4_CNode_Mint(seL4_CapInitThreadCNode, cap, 64, seL4_CapInitThreadCNode, ntfn, 64,
                                   seL4_AllRights, 1), "mint") ||
            !check(al4_unotify_register_sender(cap, seL4_CapInitThreadTCB, &tx1), "sender") ||
            !check(seL4_TCB_SetAffinity(uintc_rx.tcb, 1), "affinity"))
            return 1;
        seL4_TCB_Resume(uintc_rx.tcb);
        // Wait until it runs with its handler installed: a first signal comes back.
        al4_uipi_send(tx1);
        seL4_Wait(ack_ntfn, NULL);
        ack_on = false;
        seL4_Word burst = burst_entries(2, tx1);
        // The burst's bits make one more interrupt (one vector): acknowledged, then
        // the timed loop starts from a quiet receiver.
        ack_on = true;
        al4_uipi_send(tx1);
        seL4_Wait(ack_ntfn, NULL);
        // The hand-off alone: no signal, the spinning receiver notices the stamp.
        seL4_Word unused;
        null_round = true;
        handoff = timed(2, no_signal, 0, &unused);
        null_round = false;
        printf("bench-unotify: hand-off to the other hart (sender into its wait) %lu\n",
               (unsigned long)handoff);
        print_row("kernel", 2, kernel_raw, kernel_entries);
        run("uintc", 2, uipi_signal, tx1, burst);
    }
#endif
    printf("bench-unotify: done\n");
    return 0;
}
