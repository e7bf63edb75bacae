// The invariant checker's U-notification part (debug builds; docs/unotify.md): the
// receiver entries, the sender tables, the caps the sender entries belong to and the
// threads that take part all tell the same story. The pools are read through
// unotify.c's debug views. Bounded work: one pass over the TCBs, the 512 receiver
// entries, the 16 x 512 sender entries and the walked slots, each step a constant or
// a hash lookup; a linear search of the TCB list only once something is already wrong.
#ifdef CONFIG_DEBUG_BUILD
#include "walk.h"
#include "hart.h"
#include "uintc.h"
#include "uintr.h"
#include "unotify.h"
#include "asid.h"

// Per thread: its receiver entry and its table name it back; a receiver is bound both
// ways; a thread that takes part keeps failing the fastpath's VSpace check, the
// fastpath's only guard against switching to it (uintr_poison). Counts the entries
// and tables that live threads own.
static void check_thread_parts(word_t *nrx, word_t *nst)
{
    for (struct tcb *t = debug_tcbs; t; t = t->dbg_next) {
        const struct tcb_uintr *u = &t->uintr;
        if (u->rx) {
            struct unotify_rx_view v = {0};
            if (u->rx <= uintc.entries)
                unotify_view_rx(u->rx - 1, &v);
            if (!v.used || v.owner != t)
                violation(INV_UNOTIFY, "thread \"%s\": receiver entry %u (of %u) is owned by %p, "
                          "in use %d", t->name, u->rx - 1, uintc.entries, (void *)v.owner, v.used);
            else
                (*nrx)++;
            if (!t->bound_ntfn || t->bound_ntfn->bound != t)
                violation(INV_UNOTIFY, "thread \"%s\" has receiver entry %u but is bound to %p "
                          "(bound to %p)", t->name, u->rx - 1, (void *)t->bound_ntfn,
                          t->bound_ntfn ? (void *)t->bound_ntfn->bound : NULL);
        }
        if (u->st) {
            struct tcb *owner = u->st <= UNOTIFY_TABLES ? unotify_view_table(u->st - 1) : NULL;
            if (owner != t)
                violation(INV_UNOTIFY, "thread \"%s\": sender table %u is owned by %p",
                          t->name, u->st - 1, (void *)owner);
            else
                (*nst)++;
        }
        if (!uintr_derived_ok(t))
            violation(INV_UNOTIFY, "thread \"%s\": the suirs %lx, suist %lx, sideleg %lx or "
                      "entry %p it switches to are stale for rx %u, table %u", t->name,
                      u->suirs, u->suist, u->sideleg, (void *)u->rx_regs, u->rx, u->st);
        // The notification fastpath only ACTIVATEs the entry of a thread whose cache
        // holds: its LOW word must name the thread's hart (uintr_unaim).
        if (u->rx_regs && (t->vs_cache.epoch & ~VS_CACHE_TAKES_PART) == asid_epoch &&
            (u->rx_regs[UINTC_LOW / 8] | UINTC_LOW_ACTIVE) != harts[t->hart].uintc_active)
            violation(INV_UNOTIFY, "thread \"%s\" has a valid VSpace cache, but its receiver "
                      "entry %u's LOW word %lx does not name its hart %u (%lx)", t->name,
                      u->rx - 1, (word_t)u->rx_regs[UINTC_LOW / 8], t->hart,
                      harts[t->hart].uintc_active);
        if (u->any && !(t->vs_cache.epoch & VS_CACHE_TAKES_PART))
            violation(INV_UNOTIFY, "thread \"%s\" takes part (rx %u, table %u) but its VSpace "
                      "cache epoch is %lx: the fastpath could switch to it", t->name, u->rx,
                      u->st, t->vs_cache.epoch);
    }
}

// Every receiver entry in use belongs to a live thread that names it. The threads
// have been checked to own what they name, one entry each (an entry has one owner):
// so if as many entries are in use as live threads own, every one in use is such a
// thread's. Only when the counts differ is the culprit searched for. True when the
// owners of entries in use may be dereferenced.
static bool check_receivers(word_t nrx)
{
    word_t used = 0;
    for (unsigned i = 0; i < UINTC_MAX_ENTRIES; i++) {
        struct unotify_rx_view v;
        unotify_view_rx(i, &v);
        if (v.used != (v.owner != NULL) || (v.used && i >= uintc.entries))
            violation(INV_UNOTIFY, "receiver entry %u (of %u): in use %d, owner %p", i,
                      uintc.entries, v.used, (void *)v.owner);
        used += v.used;
    }
    if (used == nrx)
        return true;
    for (unsigned i = 0; i < UINTC_MAX_ENTRIES; i++) {
        struct unotify_rx_view v;
        unotify_view_rx(i, &v);
        if (v.used && (!walk_is_tcb(v.owner) || v.owner->uintr.rx != i + 1))
            violation(INV_UNOTIFY, "receiver entry %u belongs to %p, not a live thread that "
                      "names it", i, (void *)v.owner);
    }
    violation(INV_UNOTIFY, "%lu receiver entries in use, %lu owned by live threads", used, nrx);
    return false;
}

// The same for the sender tables.
static void check_tables(word_t nst)
{
    word_t owned = 0;
    for (unsigned tb = 0; tb < UNOTIFY_TABLES; tb++)
        owned += unotify_view_table(tb) != NULL;
    if (owned == nst)
        return;
    for (unsigned tb = 0; tb < UNOTIFY_TABLES; tb++) {
        struct tcb *t = unotify_view_table(tb);
        if (t && (!walk_is_tcb(t) || t->uintr.st != tb + 1))
            violation(INV_UNOTIFY, "sender table %u belongs to %p, not a live thread that "
                      "names it", tb, (void *)t);
    }
    violation(INV_UNOTIFY, "%lu sender tables owned, %lu by live threads", owned, nst);
}

// A sender entry in use: its cap is live, names it, can send, and its single badge
// bit is the entry's vector; the entry aims at the receiver entry of the cap's
// notification (rx_ok: that entry's owner is a live thread, see check_receivers).
static void check_sender(unsigned tb, unsigned i, const struct unotify_sender_view *v, bool rx_ok)
{
    if (!walk_has_slot(v->slot)) {
        violation(INV_UNOTIFY, "sender entry (%u, %u) belongs to slot %p, which is in no live "
                  "CNode or TCB (or empty)", tb, i, (void *)v->slot);
        return;
    }
    struct cap c = v->slot->cap;
    if (cap_get_tag(c) != cap_notification || cap_ntfn_sender(c) != unotify_sender_ref(tb, i)) {
        violation(INV_UNOTIFY, "sender entry (%u, %u) belongs to slot %p, whose cap (tag %u, "
                  "sender %lx) does not name it", tb, i, (void *)v->slot, cap_get_tag(c),
                  cap_get_tag(c) == cap_notification ? cap_ntfn_sender(c) : 0);
        return;
    }
    word_t badge = cap_badge(c);
    if (!v->valid || !(cap_rights(c) & RIGHT_WRITE) || !badge || (badge & (badge - 1)) ||
        v->vector != (unsigned)__builtin_ctzl(badge))
        violation(INV_UNOTIFY, "sender entry (%u, %u) = %lx for slot %p: valid %d, rights %lx, "
                  "badge %lx, vector %u", tb, i, v->word, (void *)v->slot, v->valid,
                  cap_rights(c), badge, v->vector);
    struct unotify_rx_view r = {0};
    if (v->rx < UINTC_MAX_ENTRIES)
        unotify_view_rx(v->rx, &r);
    if (!r.used || (rx_ok && r.owner->bound_ntfn != cap_ptr(c)))
        violation(INV_UNOTIFY, "sender entry (%u, %u) for notification %p aims at receiver "
                  "entry %u (in use %d, its thread bound to %p)", tb, i, cap_ptr(c), v->rx,
                  r.used, r.used && rx_ok ? (void *)r.owner->bound_ntfn : NULL);
}

static void check_senders(bool rx_ok)
{
    for (unsigned tb = 0; tb < UNOTIFY_TABLES; tb++) {
        bool owned = unotify_view_table(tb) != NULL;
        for (unsigned i = 0; i < UNOTIFY_TABLE_ENTRIES; i++) {
            struct unotify_sender_view v;
            unotify_view_sender(tb, i, &v);
            if (!v.slot) {
                // A free entry must do nothing when sent to (the hardware only reads it).
                if (v.word)
                    violation(INV_UNOTIFY, "free sender entry (%u, %u) = %lx", tb, i, v.word);
            } else if (!owned) {
                violation(INV_UNOTIFY, "sender entry (%u, %u) of an unowned table belongs to "
                          "slot %p", tb, i, (void *)v.slot);
            } else {
                check_sender(tb, i, &v, rx_ok);
            }
        }
    }
}

// Every cap that names a sender entry is the one the entry belongs to: no two caps
// share an entry, and no cap names a free one (a copy that kept the field would).
static void check_sender_caps(void)
{
    for (word_t h = 0; h < WALK_SLOTS; h++) {
        struct cte *s = walk.slot_set[h];
        if (!s || cap_get_tag(s->cap) != cap_notification || !cap_ntfn_sender(s->cap))
            continue;
        word_t ref = cap_ntfn_sender(s->cap);
        unsigned tb = unotify_ref_table(ref), i = unotify_ref_index(ref);
        struct unotify_sender_view v = {0};
        if (tb < UNOTIFY_TABLES)
            unotify_view_sender(tb, i, &v);
        if (v.slot != s)
            violation(INV_UNOTIFY, "slot %p names sender entry %lx (table %u, index %u), which "
                      "belongs to %p", (void *)s, ref, tb, i, (void *)v.slot);
    }
}

// A hart holds the U-level CSRs of a live thread that takes part, or of nobody.
static void check_harts(void)
{
    for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++) {
        struct tcb *t = harts[i].uintr_owner;
        if (t && (!walk_is_tcb(t) || !t->uintr.any))
            violation(INV_UNOTIFY, "hart %u holds the user-interrupt state of %p, not a live "
                      "thread that takes part", i, (void *)t);
    }
}

void check_unotify(void)
{
    word_t nrx = 0, nst = 0;
    check_thread_parts(&nrx, &nst);
    bool rx_ok = check_receivers(nrx);
    check_tables(nst);
    check_senders(rx_ok);
    check_sender_caps();
    check_harts();
}
#endif
