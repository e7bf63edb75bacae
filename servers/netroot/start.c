// Starting a network server (start.h). Each mapping needs a cap of its own (a frame
// cap maps once), so the frames shared between servers are copied first.
#include "start.h"
#include <net/virtio_net.h>
#include "../net/net.h"
#include "app.h"
#include <al4/unotify.h>

// QEMU virt's second virtio-mmio transport's line (the Makefile puts the NIC there)
// and the goldfish RTC's (the DTB's rtc@101000).
#define NET_DEV_IRQ 2
#define RTC_IRQ 11
#define NET_QSIZE VIRTQ_MAX
#define SERVER_CNODE_BITS 8
#define SERVER_PRIO 200
// With the applications on another hart, how often a busy polling window looks for the
// synchronous application's calls (NA_SYNC_POLL_US), when nothing above the window's
// poller is runnable: each look takes the calls queued then (up to 16).
#define SYNC_POLL_US 10

extern const char net_server_elf[], net_server_elf_end[];

static seL4_Word args[NET_ARGS_MAX];

static seL4_CPtr copy(struct al4_alloc *a, seL4_CPtr cap)
{
    seL4_CPtr s = al4_alloc_slot(a);
    if (!s || seL4_CNode_Copy(seL4_CapInitThreadCNode, s, seL4_WordBits, seL4_CapInitThreadCNode,
                              cap, seL4_WordBits, seL4_AllRights))
        return 0;
    return s;
}

static seL4_Error map(struct al4_alloc *a, struct al4_process *p, seL4_CPtr frame, seL4_Word va)
{
    seL4_CPtr f = copy(a, frame);
    return f ? al4_map_frame(a, p->vspace, f, va, seL4_ReadWrite, seL4_RISCV_ExecuteNever)
             : seL4_NotEnoughMemory;
}

// An interrupt: a handler cap that signals `ntfn` with the line's bit as badge.
static seL4_CPtr irq_handler(struct al4_alloc *a, seL4_CPtr ntfn, seL4_Word irq)
{
    seL4_CPtr badged = al4_alloc_slot(a), handler = al4_alloc_slot(a);
    if (!badged || !handler ||
        seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, seL4_WordBits, seL4_CapInitThreadCNode,
                        ntfn, seL4_WordBits, seL4_AllRights, 1ul << irq) ||
        seL4_IRQControl_Get(seL4_CapIRQControl, irq, seL4_CapInitThreadCNode, handler,
                            seL4_WordBits) ||
        seL4_IRQHandler_SetNotification(handler, badged))
        return 0;
    return handler;
}

seL4_Error net_server_start(struct al4_process *p, struct al4_alloc *a, const struct net_start *s)
{
    size_t size = (uintptr_t)net_server_elf_end - (uintptr_t)net_server_elf;
    seL4_Error e = al4_process_create(p, a, net_server_elf, size, seL4_CapInitThreadASIDPool,
                                      SERVER_CNODE_BITS);
    if (e || (e = map(a, p, s->regs, NET_MMIO_VA)))
        return e;
    bool timer = !s->classic && s->rtc;
    if ((timer && (e = map(a, p, s->rtc, NET_RTC_VA))) ||
        (s->bench && (e = map(a, p, s->bench, NET_BENCH_VA))))
        return e;
    unsigned pages = vnet_pages(NET_QSIZE);
    for (unsigned i = 0; i < pages; i++) {
        seL4_CPtr f = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
        if (!f)
            return seL4_NotEnoughMemory;
        if ((e = al4_map_frame(a, p->vspace, f, NET_DMA_VA + i * 4096ul, seL4_ReadWrite,
                               seL4_RISCV_ExecuteNever)))
            return e;
        args[NA_PADDR + i] = seL4_RISCV_Page_GetAddress(f).paddr;
    }
    seL4_CPtr ntfn = al4_alloc_object(a, seL4_NotificationObject, 0);
    if (!ntfn)
        return seL4_NotEnoughMemory;
    // Bound and registered here, before anyone runs: an application registers as its
    // sender when it starts, which needs the receiver in place.
    seL4_Word idx;
    if ((e = seL4_TCB_BindNotification(p->tcb, ntfn)) ||
        (e = al4_unotify_register_receiver(ntfn, p->tcb, &idx)))
        return e;
    // The classic loop polls the device and never sleeps: no interrupt, no timer.
    seL4_CPtr handler = s->classic ? 0 : irq_handler(a, ntfn, NET_DEV_IRQ);
    seL4_CPtr rtc_handler = timer ? irq_handler(a, ntfn, RTC_IRQ) : 0;
    if ((!s->classic && !handler) || (timer && !rtc_handler))
        return seL4_IllegalOperation;
    const struct net_config *c = s->config;
    args[NA_IP] = c->ip;
    args[NA_MASK] = c->mask;
    args[NA_GW] = c->gw;
    args[NA_MMIO] = NET_MMIO_VA;
    args[NA_DMA] = NET_DMA_VA;
    args[NA_PAGES] = pages;
    args[NA_QSIZE] = NET_QSIZE;
    args[NA_IRQ] = NET_DEV_IRQ;
    args[NA_HANDLER] = handler ? al4_process_give(p, handler, seL4_AllRights, 0) : 0;
    args[NA_NTFN] = al4_process_give(p, ntfn, seL4_AllRights, 0);
    args[NA_HZ] = s->hz;
    args[NA_MODE] = s->classic;
    args[NA_BUSY_US] = s->classic ? 0 : c->busy_us;
    args[NA_RTC] = timer ? NET_RTC_VA : 0;
    args[NA_RTC_IRQ] = RTC_IRQ;
    args[NA_RTC_HANDLER] = timer ? al4_process_give(p, rtc_handler, seL4_AllRights, 0) : 0;
    args[NA_BENCH] = s->bench ? NET_BENCH_VA : 0;
    // Badge 1: a Signal through an unbadged cap leaves the word 0, which Poll cannot tell
    // from nothing.
    args[NA_REPORT] = s->report ? al4_process_give(p, s->report, seL4_AllRights, 1) : 0;
    seL4_CPtr fault = s->fault_ep ? al4_process_give(p, s->fault_ep, seL4_AllRights, 1) : 0;
    if (!args[NA_NTFN] || (s->fault_ep && !fault) || (handler && !args[NA_HANDLER]) ||
        (timer && !args[NA_RTC_HANDLER]) || (s->report && !args[NA_REPORT]))
        return seL4_NotEnoughMemory;
    args[NA_SOCK] = args[NA_SYNC_SOCK] = args[NA_SYNC_EP] = args[NA_SYNC_POLL_US] = 0;
    // No applications for the classic loop (it never sleeps on the notification) nor
    // without the RTC (the server then yield-polls at its priority while lwIP has a
    // timer armed, always, and the applications below it would never run).
    bool apps = s->app && !s->classic && timer;
    if (apps) {
        struct app_start as = {.alloc = a, .server = p, .app = s->app, .sync_app = s->sync_app,
                               .ntfn = ntfn, .ntfn_slot = args[NA_NTFN],
                               .bits_used = 1ul << NET_DEV_IRQ | 1ul << RTC_IRQ |
                                            1ul << SOCK_SYNC_BIT | 1ul << SOCK_GONE_BIT(0) |
                                            1ul << SOCK_GONE_BIT(1),
                               .fault_ep = s->fault_ep, .hz = s->hz,
                               .app_fault = s->config->app_fault};
        if ((e = app_connect(&as)) || (e = app_connect_sync(&as, &args[NA_SYNC_EP])))
            return e;
        args[NA_SOCK] = NET_SOCK_VA;
        args[NA_SYNC_SOCK] = NET_SYNC_SOCK_VA;
        // The server runs on hart 0: from another hart the application can call while
        // a window keeps the server awake, and its calls are looked for then too.
        args[NA_SYNC_POLL_US] = s->app_hart ? SYNC_POLL_US : 0;
    }
    if ((e = al4_process_set_args(p, args, NA_PADDR + pages)))
        return e;
    if ((e = al4_process_start(p, fault, SERVER_PRIO, seL4_CapInitThreadTCB)))
        return e;
    return apps ? app_start_all(s->app_hart) : seL4_NoError;
}
