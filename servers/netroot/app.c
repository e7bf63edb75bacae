// Starting the TCP application server (servers/tcpapp) beside the network server: its
// process, the aipc connection between the two, and the socket service's data region
// mapped into both (docs/sockets.md).
#include "app.h"
#include <al4/aipc.h>
#include "../net/net.h"
#include "../net/sock.h"
#include "../tcpapp/tcpapp.h"

#define APP_CNODE_BITS 8
#define APP_PRIO 199  // below the network server: the stack's work comes first
#define PAGE 4096ul

extern const char tcpapp_elf[], tcpapp_elf_end[];

static struct al4_aipc_proc server_ap, app_ap;

// One frame, two caps (a frame cap maps once): the server's copy at sva, the app's at ava.
static seL4_Error share(struct al4_alloc *a, struct al4_process *server, struct al4_process *app,
                        seL4_Word sva, seL4_Word ava)
{
    seL4_CPtr f = al4_alloc_object(a, seL4_RISCV_4K_Page, 0), c = al4_alloc_slot(a);
    if (!f || !c ||
        seL4_CNode_Copy(seL4_CapInitThreadCNode, c, seL4_WordBits, seL4_CapInitThreadCNode, f,
                        seL4_WordBits, seL4_AllRights))
        return seL4_NotEnoughMemory;
    seL4_Error e = al4_map_frame(a, server->vspace, f, sva, seL4_ReadWrite, seL4_RISCV_ExecuteNever);
    return e ? e : al4_map_frame(a, app->vspace, c, ava, seL4_ReadWrite, seL4_RISCV_ExecuteNever);
}

seL4_Error app_connect(struct app_start *as)
{
    struct al4_alloc *a = as->alloc;
    size_t size = (uintptr_t)tcpapp_elf_end - (uintptr_t)tcpapp_elf;
    seL4_Error e = al4_process_create(as->app, a, tcpapp_elf, size, seL4_CapInitThreadASIDPool,
                                      APP_CNODE_BITS);
    if (e)
        return e;
    al4_aipc_proc_init(&server_ap, as->server, NET_AIPC_VA);
    al4_aipc_proc_init(&app_ap, as->app, TCPAPP_AIPC_VA);
    al4_aipc_proc_use_ntfn(&server_ap, as->ntfn, as->ntfn_slot, as->bits_used);
    unsigned conn;
    if ((e = al4_aipc_connect(&server_ap, &app_ap, AL4_AIPC_MAX_CAPACITY, &conn)))
        return e;
    if (conn != 0)
        return seL4_IllegalOperation;  // the server serves its first connection
    for (seL4_Word off = 0; off < SOCK_REGION_BYTES; off += PAGE)
        if ((e = share(a, as->server, as->app, NET_SOCK_VA + off, TCPAPP_REGION_VA + off)))
            return e;
    seL4_Word args[TA_COUNT] = {[TA_HZ] = as->hz, [TA_PORT] = TCPAPP_PORT,
                                [TA_REGION] = TCPAPP_REGION_VA};
    if ((e = al4_process_set_args(as->app, args, TA_COUNT)))
        return e;
    // Badge 2 on its faults (the server's are 1): the root task says whose it was.
    seL4_CPtr fault = as->fault_ep ? al4_process_give(as->app, as->fault_ep, seL4_AllRights, 2) : 0;
    if (as->fault_ep && !fault)
        return seL4_NotEnoughMemory;
    return al4_process_start(as->app, fault, APP_PRIO, seL4_CapInitThreadTCB);
}
