// The root task of `make run-net` and the NET group (docs/netserver.md): starts the
// network server (servers/net) in a process of its own with the virtio-net device, the
// device's interrupt, the RTC as its timer, memory for its queues and buffers, and the
// static IPv4 configuration from the kernel command line (config.h); then waits as the
// server's fault handler, and halts the machine, saying so, should the server fault.
// With net_bench=1 it runs make bench-net's sequence instead (bench.c).
#include <sel4/sel4.h>
#include <al4/bootinfo.h>
#include <stdio.h>
#include "config.h"
#include "devmem.h"
#include "start.h"
#include "app.h"
#include "bench.h"
#include "fdt.h"

// QEMU virt's second virtio-mmio transport (the Makefile attaches the NIC to
// virtio-mmio-bus.1) and its goldfish RTC (the DTB's rtc@101000).
#define NET_DEV_PADDR 0x10002000ul
#define RTC_PADDR 0x101000ul
#define SCRATCH 0x40000000ul

static struct al4_alloc alloc;
static struct al4_process server, app, sync_app;
static struct fdt_info fdt;

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    size_t dtb_size = 0;
    const void *dtb = al4_bootinfo_dtb(bi, &dtb_size);
    if (!dtb || fdt_parse(dtb, dtb_size, &fdt))
        printf("netroot: no usable DTB, default configuration\n");
    struct net_config c;
    if (!net_config_parse(&c, fdt.bootargs))
        printf("netroot: a net_ key on the command line does not parse; defaults for it\n");
    al4_alloc_init_bootinfo(&alloc, bi, SCRATCH);
    // The RTC first: pages of one device untyped come in rising order (devmem.h).
    struct net_start s = {
        .config = &c,
        .classic = c.classic,
        .rtc = c.timer ? device_frame(&alloc, bi, RTC_PADDR) : 0,
        .regs = device_frame(&alloc, bi, NET_DEV_PADDR),
        .hz = fdt.timebase_hz ? fdt.timebase_hz : 10000000,
    };
    if (!s.regs) {
        printf("netroot: no frame for the NIC's registers\n");
        return 1;
    }
    // The TCP application servers beside it (docs/sockets.md), for make bench-tcp too.
    s.app = &app;
    s.sync_app = &sync_app;
    // Beside the server's hart when there is another (the paper's multi-core set-up).
    s.app_hart = c.app_hart == NET_APP_HART_AUTO ? bi->numNodes > 1 : c.app_hart;
    if (s.app_hart >= bi->numNodes) {
        printf("netroot: net_app_hart=%u, but the machine has %lu hart(s); hart 0 instead\n",
               s.app_hart, (unsigned long)bi->numNodes);
        s.app_hart = 0;
    }
    if (c.bench)
        return net_bench_run(&alloc, &s);
    s.fault_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    seL4_Error e = s.fault_ep ? net_server_start(&server, &alloc, &s) : seL4_NotEnoughMemory;
    if (e) {
        printf("netroot: cannot start the network server and its applications (error %d)\n", e);
        return 1;
    }
    // An application's fault (or any message on its fault cap) stops that application
    // and the server goes on without it; the server's halts the machine.
    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(s.fault_ep, &badge);
        bool app_fault = badge == APP_FAULT_BADGE || badge == APP_SYNC_FAULT_BADGE;
        printf("netroot: %s faulted (fault label %lu, pc/addr %lx %lx); %s\n",
               badge == APP_FAULT_BADGE        ? "the application server (async IPC)"
               : badge == APP_SYNC_FAULT_BADGE ? "the application server (sync IPC)"
                                               : "the network server",
               (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)seL4_GetMR(0),
               (unsigned long)seL4_GetMR(1), app_fault ? "stopped it" : "halting");
        if (!app_fault)
            return 1;
        app_stop(badge == APP_FAULT_BADGE ? 0 : 1);
    }
}
