// The network server (servers/net, docs/netserver.md): the virtio-net driver and lwIP
// on the coroutine runtime in a process of its own, started by a root task
// (servers/netroot) that hands it the device, its interrupt and memory for the queues.
// What the root task tells it (AL4_BOOTINFO_ARGS words) and what it serves.
#pragma once
#include <sel4/sel4.h>

// Boot args. Addresses are in host byte order (10.0.2.15 is 0x0a00020f).
enum net_arg {
    NA_IP,       // its IPv4 address
    NA_MASK,     // netmask
    NA_GW,       // gateway
    NA_MMIO,     // where the device's register page is mapped
    NA_DMA,      // where the queue and buffer pages are mapped (NA_PAGES of them, in a row)
    NA_PAGES,    // vnet_pages(NA_QSIZE)
    NA_QSIZE,    // queue size
    NA_IRQ,      // the device's interrupt line: the signal bit its handler's badge sets
    NA_HANDLER,  // slot of the IRQ handler cap
    NA_NTFN,     // slot of the notification the handler signals (the server binds it)
    NA_HZ,       // the timebase frequency
    NA_MODE,     // 0: the split poll (wakers), 1: the classic polling loop
    NA_RTC,      // where the goldfish RTC's registers are mapped, 0: none (rtc.h)
    NA_RTC_IRQ,  // its interrupt line: the signal bit its handler's badge sets
    NA_RTC_HANDLER,  // slot of its IRQ handler cap
    NA_BENCH,    // make bench-net: where the shared struct net_bench is mapped, 0: none
    NA_REPORT,   // make bench-net: slot of the notification signalled on handover
    NA_BUSY_US,  // busy polling's budget in microseconds, 0: off (docs/netserver.md)
    NA_SOCK,     // where the socket service's data region is mapped, 0: no application
                 // (docs/sockets.md; the aipc connection comes in the boot info)
    NA_SYNC_SOCK,  // where the synchronous application's data region is mapped, 0: none
    NA_SYNC_EP,    // slot of the endpoint it calls (its badge has SOCK_SYNC_BIT)
    NA_SYNC_POLL_US,  // it runs on another hart: look at the endpoint every N us of a
                      // busy polling window (sock_sync_poll); 0: only in the sleep
    NA_PADDR,    // NA_PAGES words: each page's physical address
};
#define NET_ARGS_MAX (NA_PADDR + 2 + 128)  // vnet_pages(VIRTQ_MAX)

// Where the root task maps the device and the pages in the server's VSpace (free there:
// the image is linked far below).
#define NET_MMIO_VA 0x30000000ul
#define NET_DMA_VA 0x30100000ul
#define NET_RTC_VA 0x30010000ul
#define NET_BENCH_VA 0x30020000ul
#define NET_SOCK_VA 0x31000000ul  // the socket service's data region (sock.h)
#define NET_AIPC_VA 0x32000000ul  // the application's aipc connection
#define NET_SYNC_SOCK_VA 0x31100000ul  // the synchronous application's data region
// The bit of a synchronous call's badge, and of the front's wake (no signal uses it).
#define SOCK_SYNC_BIT 62
// The root task's signal that client `via`'s application is gone (it faulted and was
// stopped): the server drops its sockets and ports (docs/sockets.md).
#define SOCK_GONE_BIT(via) (60 + (via))

// make bench-net (docs/netserver.md, "Benchmark"): the root task's spinner, a thread
// below the server's priority that runs whenever the server does not, counts its loops
// here; with the hart never idle, -icount shift=0's cycle counter counts instructions,
// and what the server and the kernel executed in a window is the counter's difference
// less the spinner's loops times its calibrated cost.
struct net_bench {
    volatile uint64_t loops;
    uint64_t milli_per_loop;  // instructions per 1000 loops, measured alone at boot
    uint64_t look_every;      // loops between the spinner's seL4_Poll (a kernel entry)
    uint64_t harts;           // the machine's harts, whose kernel entries a mark sums
};

// Services (RFC 862 echo, RFC 863 discard) and the control port: a line "stats\n"
// answered with one line of lwIP's counters (control.c).
#define NET_PORT_ECHO 7
#define NET_PORT_DISCARD 9
#define NET_PORT_CONTROL 7070
