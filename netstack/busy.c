// Busy polling for the split poll (netstack.h, docs/netserver.md "Busy polling"), what
// Linux does with NAPI and SO_BUSY_POLL: a request is often followed by the next one
// within microseconds, and waiting for it in the kernel costs the interrupt's entry,
// its acknowledgement, the sleep and (in QEMU) waking a parked vCPU. So after a frame
// was received or sent, the lowest coroutine keeps looking at the devices' used rings
// (plain memory reads) for a short budget since the last frame, with the devices'
// interrupts off; what it finds is drained by the interface's `rx` coroutine, which
// does not service the device (no interrupt came, so none is acknowledged). Only when a
// budget passes without a frame does it turn the interrupts back on and let the
// executor sleep. With no traffic no window opens: the idle cost stays zero.
#include "busy.h"

#define container_of(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))

static uint64_t frames(const struct netstack *ns)
{
    uint64_t n = 0;
    for (const struct netstack_if *nif = ns->ifs; nif; nif = nif->next)
        n += nif->stats.rx_frames + nif->stats.tx_frames;
    return n;
}

static void interrupts(struct netstack *ns, bool on)
{
    for (struct netstack_if *nif = ns->ifs; nif; nif = nif->next)
        if (nif->ops->interrupts)
            nif->ops->interrupts(nif->dev, on);
}

// Wakes the drain of every device with frames waiting, and egress where transmit
// buffers came back after the device was full (the interrupt that would have said so
// is off). True if a device had frames.
static bool look(struct netstack *ns)
{
    bool found = false;
    for (struct netstack_if *nif = ns->ifs; nif; nif = nif->next) {
        if (!nif->ops->rx_pending)
            continue;
        if (nif->ops->rx_pending(nif->dev)) {
            co_wake(&nif->rx);
            found = true;
        }
        if (nif->tx_blocked && nif->ops->tx_pending(nif->dev)) {
            nif->tx_blocked = false;
            netstack_wake_egress(ns);
        }
    }
    ns->busy.hits += found;
    return found;
}

static enum co_status busy_run(struct co *co)
{
    struct netstack *ns = container_of(co, struct netstack, busy.co);
    struct netstack_busy *b = &ns->busy;
    // A wake from before the budget went to 0 (netstack_busy_poll) opens no window.
    if (!b->active && !b->budget)
        return CO_PENDING;
    uint64_t now = co_now(ns->ex), n = frames(ns);
    b->rounds++;
    if (!b->active) {
        b->active = true;
        b->windows++;
        b->start = b->last_work = b->also_at = now;
        b->frames = n;
        interrupts(ns, false);
    } else if (n != b->frames) {
        b->frames = n;
        b->last_work = now;
    }
    // The budget counts from the last frame, not from what look() finds: a device whose
    // ring shows entries that the drain refuses (a broken used index) must not keep the
    // window open.
    bool found = look(ns);
    if (b->also && now >= b->also_at) {
        b->also_at = now + b->also_every;
        b->also_looks++;
        b->also(b->also_arg);
    }
    if (now - b->last_work < b->budget) {
        co_wake(co);
        return CO_PENDING;
    }
    interrupts(ns, true);
    // A frame put after the last look but before the device saw the interrupts on
    // raised none: found here, its drain's frames open the next window.
    if (!found)
        look(ns);
    b->active = false;
    b->ticks += now - b->start;
    return CO_PENDING;
}

void netstack_busy_poll(struct netstack *ns, uint32_t us)
{
    ns->busy.budget = co_us(ns->ex, us);
}

void netstack_busy_also(struct netstack *ns, void (*fn)(void *arg), void *arg, uint32_t us)
{
    ns->busy.also = fn;
    ns->busy.also_arg = arg;
    ns->busy.also_every = co_us(ns->ex, us);
}

void netstack_busy_kick(struct netstack *ns)
{
    if (ns->busy.budget && ns->mode == NETSTACK_WAKERS && !ns->busy.active)
        co_wake(&ns->busy.co);
}

void netstack_busy_init(struct netstack *ns)
{
    co_init(&ns->busy.co, ns->ex, busy_run, NETSTACK_PRIO_BUSY);
}
