// One end of a connection (al4/aipc.h): the rings, the marks and the signal rule of
// docs/aipc-protocol.md, shared by the client's and the server's dispatchers.
#include <al4/aipc.h>

#define PAGE_SIZE (1ul << seL4_PageBits)

seL4_Error al4_aipc_link_open(struct al4_aipc_rt *rt, unsigned i, enum al4_aipc_role role,
                              struct al4_aipc_link *l)
{
    const struct al4_aipc_desc *d = al4_aipc_conn(rt, i);
    if (!d || d->role != role)
        return seL4_RangeError;
    char *base = (char *)d->base;
    struct al4_aipc_ctrl *ctrl = (void *)base;
    void *req = base + PAGE_SIZE;
    void *reply = base + PAGE_SIZE + (al4_aipc_region_bytes(d->capacity) - PAGE_SIZE) / 2;
    *l = (struct al4_aipc_link){.ctrl = ctrl, .capacity = d->capacity, .rt = rt};
    bool server = role == AL4_AIPC_SERVER;
    int r = server ? al4_ring_rx_init(&l->rx, req, d->capacity) | al4_ring_tx_init(&l->tx, reply, d->capacity)
                   : al4_ring_tx_init(&l->tx, req, d->capacity) | al4_ring_rx_init(&l->rx, reply, d->capacity);
    if (r != AL4_RING_OK)
        return seL4_InvalidArgument;
    l->in_mark = server ? &ctrl->req_mark.v : &ctrl->reply_mark.v;
    l->out_mark = server ? &ctrl->reply_mark.v : &ctrl->req_mark.v;
    l->peer = (struct al4_unotify_tx){
        .cap = d->peer_ntfn, .index = rt->sender_index[i],
        .sleeping = server ? &ctrl->client_sleeping.v : &ctrl->server_sleeping.v};
    // Running until its dispatcher first finds the ring empty: the dispatcher starts
    // by draining, so a producer's signal meanwhile would be wasted.
    __atomic_store_n(l->in_mark, AL4_AIPC_RUNNING, __ATOMIC_RELAXED);
    return seL4_NoError;
}

bool al4_aipc_link_put(struct al4_aipc_link *l, const struct al4_ring_item *it)
{
    // Publishes with the slots consumed so far freed first: a server's handler may put
    // from inside its dispatcher's round (al4_aipc_link_publish).
    if (!al4_aipc_link_write_n(l, it->co | (uint64_t)it->reserved << 32, it->info, it->mr,
                               al4_ring_item_words(it->info)))
        return false;
    al4_aipc_link_publish(l);
    return true;
}

// The owing list is full (a caller opened more links than connections, or reopened
// one that owes): send what is owed now rather than write past the list.
static __attribute__((noinline)) void owe_when_full(struct al4_aipc_link *l)
{
    co_exec_wake_bits(&l->rt->ex, al4_aipc_flush(l->rt));
    l->owed = true;
    l->rt->owing[l->rt->n_owing++] = l;
}

// Out of line: once per batch, and kept out of the inline put's register use. The rare
// full list is a tail call, so the common case saves no registers.
void al4_aipc_link_owe(struct al4_aipc_link *l)
{
    struct al4_aipc_rt *rt = l->rt;
    if (rt->n_owing == AL4_AIPC_MAX_CONN) {
        owe_when_full(l);
        return;
    }
    l->owed = true;
    rt->owing[rt->n_owing++] = l;
}

// Deferred from the put to the end of the batch: the consumer's mark is running from
// the exchange on, so nobody else signals it meanwhile, and the signal still comes
// after the exchange read idle, which is all the protocol's argument needs
// (docs/aipc-protocol.md); the flush runs before this thread can sleep.
uint64_t al4_aipc_flush(void *arg)
{
    struct al4_aipc_rt *rt = arg;
    if (!rt->n_owing)
        return 0;
    // The items a link put while it owed (without a look at the mark) are published
    // before the notification that covers them.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    // Masked across the signals: one that enters the kernel to wake a sleeping peer of
    // higher priority on this hart comes back after the peer ran, typically with its
    // answer pending for this thread. Taking it here, as a read of the bits, costs one
    // instruction; as a user interrupt on the way out of the kernel it costs the entry
    // stub's saves and restores. The executor takes the bits right after the flush. A
    // caller that had masked them itself keeps them pending (the aipc peer's abandon).
    seL4_Word was = al4_unotify_mask();
    while (rt->n_owing) {
        struct al4_aipc_link *l = rt->owing[--rt->n_owing];
        l->owed = false;
        l->st.signals++;
        l->st.kernel_signals += al4_unotify_signal(&l->peer);
    }
    seL4_Word bits = was ? al4_uipi_read() : 0;
    al4_unotify_unmask(was);
    rt->polled += bits != 0;
    return bits;
}

bool al4_aipc_link_get(struct al4_aipc_link *l, struct al4_ring_item *it)
{
    if (l->broken)
        return false;
    int r = al4_ring_get(&l->rx, it);
    if (r == AL4_RING_OK)
        return true;
    l->broken |= r == AL4_RING_ECORRUPT;
    return false;
}
