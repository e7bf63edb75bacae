// A process's async IPC runtime (al4/aipc.h): attach reads what the root task wrote in
// the boot info, registers the U-notification receiver and senders, and sets up the
// executor that runs every connection's dispatcher.
#include <al4/aipc.h>
#include <al4/bootinfo.h>
#include <string.h>

// Only the creator writes the boot info, but check the chunk as input anyway: a bad
// one refuses the attach instead of sending the dispatchers into wild memory.
static bool boot_ok(const struct al4_aipc_boot *b)
{
    if (b->n > AL4_AIPC_MAX_CONN)
        return false;
    for (unsigned i = 0; i < b->n; i++) {
        const struct al4_aipc_desc *d = &b->conn[i];
        if ((d->role != AL4_AIPC_SERVER && d->role != AL4_AIPC_CLIENT) || d->own_bit >= 64 ||
            d->capacity == 0 || d->capacity > AL4_AIPC_MAX_CAPACITY ||
            (d->capacity & (d->capacity - 1)) || d->base % (1ul << seL4_PageBits))
            return false;
    }
    return true;
}

static void on_uintr(seL4_Word bits, void *arg)
{
    struct al4_aipc_rt *rt = arg;
    rt->uintr++;
    co_exec_signal(&rt->ex, bits);
}

seL4_Error al4_aipc_attach_rx(struct al4_aipc_rt *rt, const seL4_BootInfo *bi)
{
    memset(rt, 0, sizeof(*rt));
    size_t size = 0;
    const void *chunk = al4_bootinfo_chunk(bi, AL4_BOOTINFO_AIPC, &size);
    if (!chunk || size < sizeof(rt->boot))
        return seL4_InvalidArgument;
    memcpy(&rt->boot, chunk, sizeof(rt->boot));
    if (!boot_ok(&rt->boot))
        return seL4_InvalidArgument;
    // The root task bound the notification and registered the receiver (connect);
    // registering again returns the same entry, and fails if that was not done.
    seL4_Word index;
    seL4_Error e = al4_unotify_register_receiver(rt->boot.ntfn, seL4_CapInitThreadTCB, &index);
    for (unsigned i = 0; !e && i < rt->boot.n; i++)
        e = al4_unotify_register_sender(rt->boot.conn[i].peer_ntfn, seL4_CapInitThreadTCB,
                                        &rt->sender_index[i]);
    if (e)
        return e;
    // This side's copy of the "asleep" word in every connection it shares with a peer.
    for (unsigned i = 0; i < rt->boot.n; i++) {
        struct al4_aipc_ctrl *ctrl = (void *)rt->boot.conn[i].base;
        rt->sleeping_copies[i] = rt->boot.conn[i].role == AL4_AIPC_SERVER
                                     ? &ctrl->server_sleeping.v
                                     : &ctrl->client_sleeping.v;
    }
    rt->rx = (struct al4_unotify_rx){
        .ntfn = rt->boot.ntfn, .also = rt->sleeping_copies, .n_also = rt->boot.n};
    return seL4_NoError;
}

void al4_aipc_attach_exec(struct al4_aipc_rt *rt, const struct co_ops *ops, uint64_t hz)
{
    co_exec_init(&rt->ex, ops, hz, rt->timer_heap,
                 sizeof(rt->timer_heap) / sizeof(rt->timer_heap[0]));
    co_exec_set_flush(&rt->ex, al4_aipc_flush, rt, AL4_AIPC_FLUSH_EVERY);
    rt->handler = (struct al4_unotify_handler){on_uintr, rt};
    al4_unotify_install(&rt->handler);
}

seL4_Error al4_aipc_attach(struct al4_aipc_rt *rt, const seL4_BootInfo *bi, uint64_t hz)
{
    seL4_Error e = al4_aipc_attach_rx(rt, bi);
    if (e)
        return e;
    co_sel4_init(&rt->plat, &rt->rx);
    al4_aipc_attach_exec(rt, &rt->plat.ops, hz);
    return seL4_NoError;
}

const struct al4_aipc_desc *al4_aipc_conn(const struct al4_aipc_rt *rt, unsigned i)
{
    return i < rt->boot.n ? &rt->boot.conn[i] : NULL;
}
