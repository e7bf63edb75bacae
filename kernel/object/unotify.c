// U-notification state: the pool of UINTC receiver entries and the sender tables.
//
// Sender tables are kernel memory that user code can never map: a table entry names a
// receiver entry and a vector, so a thread that could write its table could signal any
// receiver. They come from a fixed pool in the kernel image (UNOTIFY_TABLES tables of
// one page) rather than from untyped memory: the hardware reads them by physical
// address for as long as a thread may send, which would tie an untyped's reuse to
// every thread holding a pointer into it (docs/unotify.md says more).
#include "unotify.h"
#include "notification.h"
#include "tcb.h"
#include "sched.h"
#include "uintc.h"
#include "uintr.h"
#include "smp.h"
#include "string.h"

#define ENTRY_VALID      1ul
#define ENTRY_VECTOR(e)  (((e) >> 16) & 0xffff)
#define ENTRY_RX(e)      ((e) >> 48)

static uint64_t tables[UNOTIFY_TABLES][UNOTIFY_TABLE_ENTRIES] ALIGNED(4096);
// Per table its owner thread, per entry the slot of the cap it belongs to.
static struct tcb *table_owner[UNOTIFY_TABLES];
static unsigned table_used[UNOTIFY_TABLES];  // entries that belong to a cap
static struct cte *entry_slot[UNOTIFY_TABLES][UNOTIFY_TABLE_ENTRIES];
// Per receiver entry the thread it belongs to; a bitmap of the ones in use.
static struct tcb *rx_owner[UINTC_MAX_ENTRIES];
static word_t rx_used[UINTC_MAX_ENTRIES / 64];

int unotify_rx(const struct notification *n)
{
    return n->bound && n->bound->uintr.rx ? n->bound->uintr.rx - 1 : -1;
}

word_t unotify_take(const struct notification *n)
{
    // The entry's address kept in the thread (uintr_derive): Wait and Signal take
    // here on every asynchronous call.
    volatile uint64_t *e = n->bound ? n->bound->uintr.rx_regs : NULL;
    return e ? uintc_entry_take(e) : 0;
}

bool unotify_post(const struct notification *n, word_t badge)
{
    int rx = unotify_rx(n);
    if (rx < 0)
        return false;
    uintc_or(rx, badge);
    return true;
}

int unotify_rx_alloc(void)
{
    for (unsigned i = 0; i < uintc.entries; i++)
        if (!rx_owner[i])
            return i;
    return -1;
}

void unotify_register_receiver(struct tcb *t, unsigned idx)
{
    uintr_forget(t);  // its next return to user mode loads suirs and sideleg
    uintc_reset(idx);
    rx_owner[idx] = t;
    rx_used[idx / 64] |= BIT(idx % 64);
    t->uintr.rx = idx + 1;
    uintr_derive(t);
    uintr_poison(t);
}

int unotify_table_of(struct tcb *t)
{
    if (t->uintr.st)
        return t->uintr.st - 1;
    for (unsigned i = 0; i < UNOTIFY_TABLES; i++) {
        if (table_owner[i])
            continue;
        uintr_forget(t);  // its next return to user mode loads suist
        memset(tables[i], 0, sizeof(tables[i]));
        table_owner[i] = t;
        t->uintr.st = i + 1;
        uintr_derive(t);
        uintr_poison(t);
        return i;
    }
    return -1;
}

int unotify_table_free_entry(unsigned table)
{
    for (unsigned i = 0; i < UNOTIFY_TABLE_ENTRIES; i++)
        if (!entry_slot[table][i])
            return i;
    return -1;
}

word_t unotify_sender_ref(unsigned table, unsigned index)
{
    return (word_t)(table + 1) << 9 | index;
}
unsigned unotify_ref_table(word_t ref) { return (ref >> 9) - 1; }
unsigned unotify_ref_index(word_t ref) { return ref & MASK(9); }

void unotify_register_sender(struct cte *slot, unsigned table, unsigned index, unsigned rx,
                             unsigned vector)
{
    entry_slot[table][index] = slot;
    table_used[table]++;
    slot->cap = cap_ntfn_set_sender(slot->cap, unotify_sender_ref(table, index));
    __atomic_store_n(&tables[table][index], (word_t)rx << 48 | (word_t)vector << 16 | ENTRY_VALID,
                     __ATOMIC_RELEASE);
}

// A table whose last entry went: its thread takes no part any more (unless it is a
// receiver), so that it costs nothing on switches again and the table is free for
// another thread.
static void table_release(unsigned table)
{
    struct tcb *t = table_owner[table];
    uintr_forget(t);  // no hart keeps suist naming the table
    table_owner[table] = NULL;
    t->uintr.st = 0;
    uintr_derive(t);
}

// The entry stops working at once: a send on any hart after this reads it invalid.
static void invalidate(unsigned table, unsigned index)
{
    __atomic_store_n(&tables[table][index], 0, __ATOMIC_SEQ_CST);
    entry_slot[table][index] = NULL;
    if (--table_used[table] == 0)
        table_release(table);
}

// An entry whose cap still exists (its notification's receiver went away, or its
// table's thread did): the cap forgets it too.
static void invalidate_with_cap(unsigned table, unsigned index)
{
    struct cte *slot = entry_slot[table][index];
    if (slot)
        slot->cap = cap_ntfn_set_sender(slot->cap, 0);
    invalidate(table, index);
}

// The sender entry of a notification cap (any other cap has none).
static word_t sender_ref(struct cap cap)
{
    return cap_get_tag(cap) == cap_notification ? cap_ntfn_sender(cap) : 0;
}

void unotify_sender_release(struct cap cap)
{
    word_t ref = sender_ref(cap);
    if (ref)
        invalidate(unotify_ref_table(ref), unotify_ref_index(ref));
}

void unotify_sender_revoked(struct cte *slot)
{
    if (sender_ref(slot->cap)) {
        unotify_sender_release(slot->cap);
        slot->cap = cap_ntfn_set_sender(slot->cap, 0);
    }
}

void unotify_sender_moved(struct cap cap, struct cte *dest)
{
    word_t ref = sender_ref(cap);
    if (ref)
        entry_slot[unotify_ref_table(ref)][unotify_ref_index(ref)] = dest;
}

// The entry goes back to the pool with every sender aimed at it invalidated (a later
// owner of the entry must not get their signals). Bits still pending are the
// notification's: they stay its word, as a seL4 notification keeps its word when
// its thread is unbound.
void unotify_receiver_release(struct tcb *t, struct notification *n)
{
    if (!t->uintr.rx)
        return;
    unsigned idx = t->uintr.rx - 1;
    uintr_forget(t);
    for (unsigned tb = 0; tb < UNOTIFY_TABLES; tb++) {
        struct tcb *owner = table_owner[tb];  // the loop may release the table
        if (!owner)
            continue;
        bool touched = false;
        for (unsigned i = 0; i < UNOTIFY_TABLE_ENTRIES; i++) {
            if (entry_slot[tb][i] && ENTRY_RX(tables[tb][i]) == idx) {
                invalidate_with_cap(tb, i);
                touched = true;
            }
        }
        // A `uipi send` reads its table entry, then writes the UINTC: one running on
        // another hart may have read the entry before it was invalidated. Stalling the
        // table's thread lets such a send finish before the entry is reset below and
        // handed to another receiver.
        if (touched)
            smp_stall(owner);
    }
    t->uintr.rx = 0;
    // Without a receiver nothing is delegated to it (sideleg 0): the saved U bits of sie
    // and USIP would reach the hart as a supervisor interrupt if a sender table keeps
    // the thread taking part.
    t->uintr.uie = 0;
    t->uintr.usip = 0;
    uintr_derive(t);
    rx_owner[idx] = NULL;
    rx_used[idx / 64] &= ~BIT(idx % 64);
    word_t w = uintc_take(idx);
    uintc_reset(idx);
    if (w) {
        // Not registered any more: this is the kernel path (n->bound is still t here,
        // so a bound thread blocked on an endpoint takes them, as seL4 would).
        send_signal(n, w);
    }
}

void unotify_thread_gone(struct tcb *t)
{
    uintr_forget(t);
    if (t->uintr.st) {
        unsigned tb = t->uintr.st - 1;
        // The last invalidation releases the table.
        for (unsigned i = 0; i < UNOTIFY_TABLE_ENTRIES; i++)
            if (entry_slot[tb][i])
                invalidate_with_cap(tb, i);
    }
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
        if (harts[i].uintr_owner == t)
            harts[i].uintr_owner = NULL;
}

word_t unotify_suist(unsigned table)
{
    extern char kernel_image_start[];
    // The table is in the kernel image: its physical address follows from the link map.
    paddr_t p = (word_t)tables[table] - (word_t)kernel_image_start + KERNEL_PADDR;
    return BIT(63) | 1ul << 44 | p >> 12;
}

// A registered notification with a thread blocked on it in the kernel (or its bound
// thread blocked on an endpoint): what a kernel-path signal would wake.
static bool sleeping(unsigned idx)
{
    struct tcb *t = rx_owner[idx];
    struct notification *n = t->bound_ntfn;
    return ntfn_state(n) == NTFN_WAITING || t->state == THREAD_BLOCKED_ON_RECEIVE;
}

// The first sleeping receiver entry at or after idx, or -1.
static int next_sleeper(unsigned idx)
{
    for (unsigned w = idx / 64; w < ARRAY_SIZE(rx_used); w++) {
        word_t m = rx_used[w] & (w == idx / 64 ? ~MASK(idx % 64) : ~0ul);
        for (; m; m &= m - 1)
            if (sleeping(w * 64 + __builtin_ctzl(m)))
                return w * 64 + __builtin_ctzl(m);
    }
    return -1;
}

bool unotify_have_sleepers(void)
{
    return next_sleeper(0) >= 0;
}

bool unotify_ticker(const struct hart *h)
{
    return h->index == 0 && unotify_have_sleepers();
}

void unotify_poll(void)
{
    for (int idx = next_sleeper(0); idx >= 0; idx = next_sleeper(idx + 1)) {
        word_t bits = uintc_take(idx);
        if (bits)
            send_signal(rx_owner[idx]->bound_ntfn, bits);
    }
}

#ifdef CONFIG_DEBUG_BUILD
void unotify_view_rx(unsigned idx, struct unotify_rx_view *v)
{
    v->owner = rx_owner[idx];
    v->used = rx_used[idx / 64] >> (idx % 64) & 1;
}

struct tcb *unotify_view_table(unsigned table) { return table_owner[table]; }

void unotify_view_sender(unsigned table, unsigned index, struct unotify_sender_view *v)
{
    word_t e = __atomic_load_n(&tables[table][index], __ATOMIC_RELAXED);
    v->slot = entry_slot[table][index];
    v->word = e;
    v->valid = e & ENTRY_VALID;
    v->rx = ENTRY_RX(e);
    v->vector = ENTRY_VECTOR(e);
}
#endif
