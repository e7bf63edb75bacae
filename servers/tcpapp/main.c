// The TCP application server: echo (RFC 862) on its port for up to SOCK_MAX
// connections at once, through the network server's socket service (sock.h,
// docs/sockets.md), over asynchronous IPC (async.c: a coroutine per connection) or
// synchronous IPC (sync.c: a thread per connection), as the root task says. It prints
// one line when it serves and one if it stops.
#include "tcpapp.h"
#include "../net/sock.h"
#include <al4/bootinfo.h>
#include <al4/debug.h>
#include <stdio.h>
#include <string.h>

uint8_t *tcpapp_region;
bool tcpapp_fault;

void tcpapp_maybe_fault(seL4_Word sock, seL4_Word n)
{
    if (tcpapp_fault && n == sizeof(TCPAPP_FAULT_WORD) - 1 &&
        !memcmp(tcpapp_region + SOCK_RX(sock), TCPAPP_FAULT_WORD, n))
        *(volatile seL4_Word *)0 = 0;
}

const char *tcpapp_where(void)
{
#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)
    static char where[24];
    snprintf(where, sizeof(where), " on hart %lu", (unsigned long)al4_kernel_counters().hart);
    return where;
#else
    return "";
#endif
}

int main(void)
{
    const seL4_BootInfo *bi = platsupport_get_bootinfo();
    tcpapp_region = (uint8_t *)al4_bootinfo_arg(bi, TA_REGION, 0);
    uint16_t port = (uint16_t)al4_bootinfo_arg(bi, TA_PORT, TCPAPP_PORT);
    tcpapp_fault = al4_bootinfo_arg(bi, TA_FAULT, 0) == 1;
    if (!tcpapp_region)
        printf("tcpapp: not serving: no data region\n");
    else if (al4_bootinfo_arg(bi, TA_SYNC_EP, 0))
        tcpapp_sync(bi, port);
    else
        tcpapp_async(bi, port);
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    return 0;
}
