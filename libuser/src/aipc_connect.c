// The root task's half of an asynchronous IPC connection (al4/aipc.h): shared frames
// mapped into both processes, a notification per process, a badged cap each way, and
// each side's description in its boot info.
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <string.h>

#define PAGE_SIZE (1ul << seL4_PageBits)

static seL4_Word ring_pages(uint32_t capacity)
{
    return (AL4_RING_BYTES(capacity) + PAGE_SIZE - 1) / PAGE_SIZE;
}

seL4_Word al4_aipc_region_bytes(uint32_t capacity)
{
    return (1 + 2 * ring_pages(capacity)) * PAGE_SIZE;
}

void al4_aipc_proc_init(struct al4_aipc_proc *ap, struct al4_process *p, seL4_Word va)
{
    memset(ap, 0, sizeof(*ap));
    ap->p = p;
    ap->next_va = va;
}

void al4_aipc_proc_use_ntfn(struct al4_aipc_proc *ap, seL4_CPtr ntfn, seL4_CPtr slot,
                            seL4_Word bits_used)
{
    ap->ntfn = ntfn;
    ap->boot.ntfn = slot;
    ap->bits_used = bits_used;
}

// The process's notification, made on its first connection, bound to its thread and
// registered as its receiver here, before either process runs: a peer that starts
// first registers its sender at once, which needs the receiver in place.
static seL4_Error ensure_ntfn(struct al4_aipc_proc *ap)
{
    if (ap->ntfn)
        return seL4_NoError;
    ap->ntfn = al4_alloc_object(ap->p->alloc, seL4_NotificationObject, 0);
    if (!ap->ntfn)
        return seL4_NotEnoughMemory;
    ap->boot.ntfn = al4_process_give(ap->p, ap->ntfn, seL4_AllRights, 0);
    if (!ap->boot.ntfn)
        return seL4_NotEnoughMemory;
    seL4_Error e = seL4_TCB_BindNotification(ap->p->tcb, ap->ntfn);
    seL4_Word index;
    return e ? e : al4_unotify_register_receiver(ap->ntfn, ap->p->tcb, &index);
}

// A free badge bit of ap's notification: the bit its peer in this connection signals.
static int take_bit(struct al4_aipc_proc *ap)
{
    if (ap->bits_used == ~0ul)
        return -1;
    int b = __builtin_ctzl(~ap->bits_used);
    ap->bits_used |= 1ul << b;
    return b;
}

// Maps the region's frames into both processes: one frame, two caps (a frame cap maps
// once), the server's copy at server->next_va and the client's at client->next_va.
static seL4_Error map_region(struct al4_aipc_proc *server, struct al4_aipc_proc *client,
                             seL4_Word bytes)
{
    struct al4_alloc *a = server->p->alloc;
    for (seL4_Word off = 0; off < bytes; off += PAGE_SIZE) {
        seL4_CPtr frame = al4_alloc_object(a, seL4_RISCV_4K_Page, 0), copy = al4_alloc_slot(a);
        if (!frame || !copy)
            return seL4_NotEnoughMemory;
        seL4_Error e = seL4_CNode_Copy(a->cnode, copy, seL4_WordBits, a->cnode, frame,
                                       seL4_WordBits, seL4_AllRights);
        if (!e)
            e = al4_map_frame(a, server->p->vspace, frame, server->next_va + off, seL4_ReadWrite,
                              seL4_RISCV_ExecuteNever);
        if (!e)
            e = al4_map_frame(a, client->p->vspace, copy, client->next_va + off, seL4_ReadWrite,
                              seL4_RISCV_ExecuteNever);
        if (e)
            return e;
    }
    return seL4_NoError;
}

seL4_Error al4_aipc_connect(struct al4_aipc_proc *server, struct al4_aipc_proc *client,
                            uint32_t capacity, unsigned *server_conn)
{
    if (capacity == 0 || capacity > AL4_AIPC_MAX_CAPACITY || (capacity & (capacity - 1)) ||
        server->boot.n >= AL4_AIPC_MAX_CONN || client->boot.n >= AL4_AIPC_MAX_CONN)
        return seL4_RangeError;
    seL4_Error e;
    if ((e = ensure_ntfn(server)) || (e = ensure_ntfn(client)))
        return e;
    int sbit = take_bit(server), cbit = take_bit(client);
    if (sbit < 0 || cbit < 0)
        return seL4_RangeError;
    seL4_Word bytes = al4_aipc_region_bytes(capacity);
    if ((e = map_region(server, client, bytes)))
        return e;
    // Each side may only signal the other (Write), with the bit that names this
    // connection in the other's word.
    seL4_CPtr to_client = al4_process_give(server->p, client->ntfn, seL4_CanWrite, 1ul << cbit);
    seL4_CPtr to_server = al4_process_give(client->p, server->ntfn, seL4_CanWrite, 1ul << sbit);
    if (!to_client || !to_server)
        return seL4_NotEnoughMemory;
    *server_conn = server->boot.n;
    server->boot.conn[server->boot.n++] = (struct al4_aipc_desc){
        .role = AL4_AIPC_SERVER, .capacity = capacity, .base = server->next_va,
        .peer_ntfn = to_client, .own_bit = (uint32_t)sbit};
    client->boot.conn[client->boot.n++] = (struct al4_aipc_desc){
        .role = AL4_AIPC_CLIENT, .capacity = capacity, .base = client->next_va,
        .peer_ntfn = to_server, .own_bit = (uint32_t)cbit};
    server->next_va += bytes;
    client->next_va += bytes;
    if ((e = al4_process_set_bootinfo(server->p, AL4_BOOTINFO_AIPC, &server->boot,
                                      sizeof(server->boot))))
        return e;
    return al4_process_set_bootinfo(client->p, AL4_BOOTINFO_AIPC, &client->boot,
                                    sizeof(client->boot));
}
