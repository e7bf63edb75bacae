// The root task of `make run-net` (docs/netserver.md): starts the network server
// (servers/net) in a process of its own with the virtio-net device, the device's
// interrupt, memory for its queues and buffers, and the static IPv4 configuration from
// the kernel command line (config.h); then waits as the server's fault handler, and
// halts the machine, saying so, should the server fault.
#include <sel4/sel4.h>
#include <al4/bootinfo.h>
#include <al4/process.h>
#include <net/virtio_net.h>
#include <stdio.h>
#include "../net/net.h"
#include "config.h"
#include "fdt.h"

// QEMU virt's second virtio-mmio transport and its PLIC line: the Makefile attaches
// the network device there (bus virtio-mmio-bus.1), as for the NET tests.
#define NET_DEV_PADDR 0x10002000ul
#define NET_DEV_IRQ 2
#define NET_QSIZE VIRTQ_MAX
#define SERVER_CNODE_BITS 8
#define SERVER_PRIO 200
#define SCRATCH 0x40000000ul

extern const char net_server_elf[], net_server_elf_end[];

static struct al4_alloc alloc;
static struct al4_process server;
static struct fdt_info fdt;
static seL4_Word args[NET_ARGS_MAX];

// A frame cap for the device page at `paddr`, from the device untyped holding it: the
// bytes below it are first retyped into untypeds of falling size (the largest first
// keeps each naturally aligned), so the next 4 KiB retype lands on paddr.
static seL4_CPtr device_frame(const seL4_BootInfo *bi, seL4_Word paddr)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || paddr < d->paddr || paddr >= d->paddr + (1ul << d->sizeBits))
            continue;
        seL4_CPtr ut = bi->untyped.start + i;
        seL4_Word offset = paddr - d->paddr;
        for (int bits = d->sizeBits - 1; bits >= 12; bits--) {
            if (!(offset & (1ul << bits)))
                continue;
            seL4_CPtr s = al4_alloc_slot(&alloc);
            if (!s || seL4_Untyped_Retype(ut, seL4_UntypedObject, bits, seL4_CapInitThreadCNode,
                                          0, 0, s, 1) != seL4_NoError)
                return 0;
        }
        seL4_CPtr frame = al4_alloc_slot(&alloc);
        if (!frame || seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, seL4_CapInitThreadCNode, 0,
                                          0, frame, 1) != seL4_NoError)
            return 0;
        return frame;
    }
    return 0;
}

// The interrupt: a handler cap that signals `ntfn` with the line's bit as badge.
static seL4_CPtr irq_handler(seL4_CPtr ntfn)
{
    seL4_CPtr badged = al4_alloc_slot(&alloc), handler = al4_alloc_slot(&alloc);
    if (!badged || !handler ||
        seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, seL4_WordBits, seL4_CapInitThreadCNode,
                        ntfn, seL4_WordBits, seL4_AllRights, 1ul << NET_DEV_IRQ) ||
        seL4_IRQControl_Get(seL4_CapIRQControl, NET_DEV_IRQ, seL4_CapInitThreadCNode, handler,
                            seL4_WordBits) ||
        seL4_IRQHandler_SetNotification(handler, badged))
        return 0;
    return handler;
}

static seL4_Error set_up(const seL4_BootInfo *bi, const struct net_config *c, seL4_CPtr fault_ep)
{
    size_t size = (uintptr_t)net_server_elf_end - (uintptr_t)net_server_elf;
    seL4_Error e = al4_process_create(&server, &alloc, net_server_elf, size,
                                      seL4_CapInitThreadASIDPool, SERVER_CNODE_BITS);
    if (e)
        return e;
    seL4_CPtr regs = device_frame(bi, NET_DEV_PADDR);
    if (!regs)
        return seL4_FailedLookup;
    if ((e = al4_map_frame(&alloc, server.vspace, regs, NET_MMIO_VA, seL4_ReadWrite,
                           seL4_RISCV_ExecuteNever)))
        return e;
    unsigned pages = vnet_pages(NET_QSIZE);
    for (unsigned i = 0; i < pages; i++) {
        seL4_CPtr f = al4_alloc_object(&alloc, seL4_RISCV_4K_Page, 0);
        if (!f)
            return seL4_NotEnoughMemory;
        if ((e = al4_map_frame(&alloc, server.vspace, f, NET_DMA_VA + i * 4096ul, seL4_ReadWrite,
                               seL4_RISCV_ExecuteNever)))
            return e;
        args[NA_PADDR + i] = seL4_RISCV_Page_GetAddress(f).paddr;
    }
    seL4_CPtr ntfn = al4_alloc_object(&alloc, seL4_NotificationObject, 0);
    if (!ntfn)
        return seL4_NotEnoughMemory;
    // The classic loop polls the device: no interrupt is bound (docs/netserver.md).
    seL4_CPtr handler = c->classic ? 0 : irq_handler(ntfn);
    if (!c->classic && !handler)
        return seL4_IllegalOperation;
    args[NA_IP] = c->ip;
    args[NA_MASK] = c->mask;
    args[NA_GW] = c->gw;
    args[NA_MMIO] = NET_MMIO_VA;
    args[NA_DMA] = NET_DMA_VA;
    args[NA_PAGES] = pages;
    args[NA_QSIZE] = NET_QSIZE;
    args[NA_IRQ] = NET_DEV_IRQ;
    args[NA_HANDLER] = handler ? al4_process_give(&server, handler, seL4_AllRights, 0) : 0;
    args[NA_NTFN] = al4_process_give(&server, ntfn, seL4_AllRights, 0);
    args[NA_HZ] = fdt.timebase_hz ? fdt.timebase_hz : 10000000;
    args[NA_MODE] = c->classic;
    seL4_CPtr fault = al4_process_give(&server, fault_ep, seL4_AllRights, 1);
    if (!args[NA_NTFN] || !fault || (handler && !args[NA_HANDLER]))
        return seL4_NotEnoughMemory;
    if ((e = al4_process_set_args(&server, args, NA_PADDR + pages)))
        return e;
    return al4_process_start(&server, fault, SERVER_PRIO, seL4_CapInitThreadTCB);
}

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
    seL4_CPtr fault_ep = al4_alloc_object(&alloc, seL4_EndpointObject, 0);
    seL4_Error e = fault_ep ? set_up(bi, &c, fault_ep) : seL4_NotEnoughMemory;
    if (e) {
        printf("netroot: cannot start the network server (error %d)\n", e);
        return 1;
    }
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    printf("netroot: the network server faulted (fault label %lu, pc/addr %lx %lx); halting\n",
           (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)seL4_GetMR(0),
           (unsigned long)seL4_GetMR(1));
    return 1;
}
