// Starting the TCP application servers (servers/tcpapp) beside the network server: one
// over aipc, one over synchronous IPC, each a process with its data region mapped into
// it and into the server, and its way to call the server (docs/sockets.md).
#include "app.h"
#include <al4/aipc.h>
#include "../net/net.h"
#include "../net/sock.h"
#include "../tcpapp/tcpapp.h"

#define APP_CNODE_BITS 10  // the synchronous one makes 64 threads: 193 objects
#define APP_PRIO 199       // below the network server: the stack's work comes first
#define APP_UNTYPED_BITS 21  // 64 threads: a TCB and two pages each, page tables
#define PAGE 4096ul

extern const char tcpapp_elf[], tcpapp_elf_end[];

static struct al4_aipc_proc server_ap, app_ap;

// What app_stop needs of each: the process, the untyped its threads came from (0: none),
// and a cap signalling the server's notification with the client's "gone" bit.
static struct {
    struct al4_process *p;
    seL4_CPtr fault;  // its slot of its fault cap, 0: none
    seL4_CPtr ut, gone;
} apps[2];

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

// The process and its data region, at sva in the server.
static seL4_Error make(const struct app_start *as, struct al4_process *app, seL4_Word sva)
{
    size_t size = (uintptr_t)tcpapp_elf_end - (uintptr_t)tcpapp_elf;
    seL4_Error e = al4_process_create(app, as->alloc, tcpapp_elf, size, seL4_CapInitThreadASIDPool,
                                      APP_CNODE_BITS);
    for (seL4_Word off = 0; !e && off < SOCK_REGION_BYTES; off += PAGE)
        e = share(as->alloc, as->server, app, sva + off, TCPAPP_REGION_VA + off);
    return e;
}

// Its fault cap, its args and what app_stop needs; it starts in app_start_all.
static seL4_Error prepare(const struct app_start *as, struct al4_process *app, seL4_Word *args,
                          unsigned via, seL4_CPtr ut)
{
    // Its faults badged (the server's are 1), so that the root task knows whose they
    // are. Write and GrantReply only, what a fault handler cap needs: the application
    // can send on it (its own end: the root task stops it for any message), not wait.
    // The synchronous one's threads fault there too (TA_FAULT_EP).
    if (as->fault_ep) {
        apps[via].fault = al4_process_give(app, as->fault_ep, seL4_CapRights_new(1, 0, 0, 1),
                                           via == 0 ? APP_FAULT_BADGE : APP_SYNC_FAULT_BADGE);
        if (!apps[via].fault)
            return seL4_NotEnoughMemory;
    }
    args[TA_FAULT_EP] = via == 1 ? apps[via].fault : 0;
    args[TA_FAULT] = as->app_fault;
    seL4_Error e = al4_process_set_args(app, args, TA_COUNT);
    if (e)
        return e;
    seL4_CPtr gone = al4_alloc_slot(as->alloc);
    if (!gone || seL4_CNode_Mint(seL4_CapInitThreadCNode, gone, seL4_WordBits,
                                 seL4_CapInitThreadCNode, as->ntfn, seL4_WordBits,
                                 seL4_CanWrite, 1ul << SOCK_GONE_BIT(via)))
        return seL4_NotEnoughMemory;
    apps[via].p = app;
    apps[via].ut = ut;
    apps[via].gone = gone;
    return seL4_NoError;
}

seL4_Error app_start_all(unsigned hart)
{
    for (unsigned via = 0; via < 2; via++) {
        struct al4_process *p = apps[via].p;
        if (!p)
            continue;
        seL4_Error e = seL4_NoError;
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        e = seL4_TCB_SetAffinity(p->tcb, hart);
#else
        e = hart ? seL4_IllegalOperation : seL4_NoError;  // as SetAffinity says of it
#endif
        if (e || (e = al4_process_start(p, apps[via].fault, APP_PRIO, seL4_CapInitThreadTCB)))
            return e;
    }
    return seL4_NoError;
}

void app_stop(unsigned via)
{
    if (via >= 2 || !apps[via].p)
        return;
    seL4_TCB_Suspend(apps[via].p->tcb);
    // Its threads, made from its untyped: revoking the root task's cap deletes them.
    // On several harts one not yet deleted may resume the main thread meanwhile (the
    // application holds its own TCB cap), so it is suspended again afterwards.
    if (apps[via].ut) {
        seL4_CNode_Revoke(seL4_CapInitThreadCNode, apps[via].ut, seL4_WordBits);
        seL4_TCB_Suspend(apps[via].p->tcb);
    }
    seL4_Signal(apps[via].gone);
    apps[via].p = NULL;
}

seL4_Error app_connect(struct app_start *as)
{
    seL4_Error e = make(as, as->app, NET_SOCK_VA);
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
    seL4_Word args[TA_COUNT] = {[TA_HZ] = as->hz, [TA_PORT] = TCPAPP_PORT,
                                [TA_REGION] = TCPAPP_REGION_VA};
    return prepare(as, as->app, args, 0, 0);
}

seL4_Error app_connect_sync(struct app_start *as, seL4_CPtr *server_ep)
{
    struct al4_alloc *a = as->alloc;
    seL4_Error e = make(as, as->sync_app, NET_SYNC_SOCK_VA);
    if (e)
        return e;
    seL4_CPtr ep = al4_alloc_object(a, seL4_EndpointObject, 0);
    seL4_CPtr ut = al4_alloc_object(a, seL4_UntypedObject, APP_UNTYPED_BITS);
    if (!ep || !ut)
        return seL4_NotEnoughMemory;
    // The application may Call (Write, GrantReply) and nothing else: no caps travel to
    // the server. Its badge carries SOCK_SYNC_BIT, which no signal of the server's
    // notification uses, so the server tells a call from a signal.
    seL4_Word args[TA_COUNT] = {
        [TA_HZ] = as->hz, [TA_PORT] = TCPAPP_SYNC_PORT, [TA_REGION] = TCPAPP_REGION_VA,
        [TA_SYNC_EP] = al4_process_give(as->sync_app, ep, seL4_CapRights_new(1, 0, 0, 1),
                                        1ul << SOCK_SYNC_BIT),
        [TA_UNTYPED] = al4_process_give(as->sync_app, ut, seL4_AllRights, 0)};
    *server_ep = al4_process_give(as->server, ep, seL4_AllRights, 0);
    if (!args[TA_SYNC_EP] || !args[TA_UNTYPED] || !*server_ep)
        return seL4_NotEnoughMemory;
    // Its threads run at its own priority, which its MCP must allow.
    if ((e = seL4_TCB_SetMCPriority(as->sync_app->tcb, seL4_CapInitThreadTCB, APP_PRIO)))
        return e;
    return prepare(as, as->sync_app, args, 1, ut);
}
