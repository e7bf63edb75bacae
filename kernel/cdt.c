// The capability derivation tree and deletion (seL4's cspace bookkeeping in cnode.c).
//
// Deleting the last cap to a CNode or TCB must delete every cap the object holds,
// which may hold the last cap to another CNode, and so on. Rather than recurse, the
// slot being deleted turns into a zombie (the object and how many of its slots are
// left); the loop in reduce() always works on the innermost zombie, found by walking
// from the outermost one down the chain of zombies that sit in each other's last
// slot. Kernel stack use stays constant however deep CNodes nest.
#include "cdt.h"
#include "objecttype.h"
#include "irq.h"
#include "printf.h"
#include "preempt.h"
#include "unotify.h"

struct cte *mdb_next(const struct cte *s) { return (struct cte *)(s->mdb_next & MDB_PTR_MASK); }
struct cte *mdb_prev(const struct cte *s) { return (struct cte *)s->mdb_prev; }
bool mdb_revocable(const struct cte *s) { return s->mdb_next & MDB_REVOCABLE; }
bool mdb_first_badged(const struct cte *s) { return s->mdb_next & MDB_FIRST_BADGED; }

static void set_next(struct cte *s, struct cte *next)
{
    s->mdb_next = (word_t)next | (s->mdb_next & ~MDB_PTR_MASK);
}

static void set_flags(struct cte *s, bool revocable, bool first_badged)
{
    s->mdb_next = (s->mdb_next & MDB_PTR_MASK) | (revocable ? MDB_REVOCABLE : 0) |
                  (first_badged ? MDB_FIRST_BADGED : 0);
}

void cte_set_original(struct cte *slot, struct cap cap)
{
    slot->cap = cap;
    slot->mdb_prev = 0;
    slot->mdb_next = MDB_REVOCABLE | MDB_FIRST_BADGED;
}

// seL4's setUntypedCapAsFull: a copy of an untyped covers the same memory, so the
// original may no longer retype from it (the copy's children would not count as its
// own and the two would hand out the same bytes). Only deleting every child resets it.
static void set_untyped_cap_as_full(struct cte *src, struct cap new_cap)
{
    struct cap s = src->cap;
    if (cap_get_tag(s) == cap_untyped && cap_get_tag(new_cap) == cap_untyped &&
        cap_paddr(s) == cap_paddr(new_cap) && cap_untyped_bits(s) == cap_untyped_bits(new_cap))
        src->cap.w1 = BIT(cap_untyped_bits(s));
}

void cte_insert(struct cap new_cap, struct cte *src, struct cte *dest)
{
    // A U-notification sender entry belongs to one cap, never to a copy: every copy
    // comes here (Copy, Mint, IPC transfer, and IRQHandler_SetNotification, which
    // inserts the notification cap itself, underived, as seL4 does).
    if (cap_get_tag(new_cap) == cap_notification)
        new_cap = cap_ntfn_set_sender(new_cap, 0);
    set_untyped_cap_as_full(src, new_cap);
    struct cap src_cap = src->cap;
    bool revocable = cap_is_revocable(new_cap, src_cap);
    struct cte *next = mdb_next(src);
    dest->cap = new_cap;
    dest->mdb_prev = (word_t)src;
    dest->mdb_next = (word_t)next;
    set_flags(dest, revocable, revocable);
    set_next(src, dest);
    if (next)
        next->mdb_prev = (word_t)dest;
}

// seL4's insertNewCap: a freshly retyped object's cap is revocable (it may have
// badged or derived children) and sits right after its untyped.
void cte_insert_new(struct cap cap, struct cte *parent, struct cte *dest)
{
    struct cte *next = mdb_next(parent);
    dest->cap = cap;
    dest->mdb_prev = (word_t)parent;
    dest->mdb_next = (word_t)next | MDB_REVOCABLE | MDB_FIRST_BADGED;
    set_next(parent, dest);
    if (next)
        next->mdb_prev = (word_t)dest;
}

void cte_move(struct cap cap, struct cte *src, struct cte *dest)
{
    unotify_sender_moved(cap, dest);
    dest->cap = cap;
    dest->mdb_prev = src->mdb_prev;
    dest->mdb_next = src->mdb_next;
    src->cap = cap_null_new();
    src->mdb_prev = 0;
    src->mdb_next = 0;
    if (mdb_prev(dest))
        set_next(mdb_prev(dest), dest);
    if (mdb_next(dest))
        mdb_next(dest)->mdb_prev = (word_t)dest;
}

void cte_swap(struct cap cap1, struct cte *slot1, struct cap cap2, struct cte *slot2)
{
    struct cte tmp1 = *slot1, tmp2 = *slot2;
    unotify_sender_moved(cap1, slot2);
    unotify_sender_moved(cap2, slot1);
    // Re-link through the neighbours, which may be the other slot itself.
    slot1->cap = cap2;
    slot2->cap = cap1;
    slot1->mdb_prev = tmp2.mdb_prev;
    slot1->mdb_next = tmp2.mdb_next;
    slot2->mdb_prev = tmp1.mdb_prev;
    slot2->mdb_next = tmp1.mdb_next;
    if (mdb_prev(slot1) == slot1)
        slot1->mdb_prev = (word_t)slot2;
    if (mdb_next(slot1) == slot1)
        set_next(slot1, slot2);
    if (mdb_prev(slot2) == slot2)
        slot2->mdb_prev = (word_t)slot1;
    if (mdb_next(slot2) == slot2)
        set_next(slot2, slot1);
    if (mdb_prev(slot1))
        set_next(mdb_prev(slot1), slot1);
    if (mdb_next(slot1))
        mdb_next(slot1)->mdb_prev = (word_t)slot1;
    if (mdb_prev(slot2))
        set_next(mdb_prev(slot2), slot2);
    if (mdb_next(slot2))
        mdb_next(slot2)->mdb_prev = (word_t)slot2;
}

bool is_mdb_parent_of(const struct cte *parent, const struct cte *child)
{
    if (!mdb_revocable(parent) || !same_region_as(parent->cap, child->cap))
        return false;
    switch (cap_get_tag(parent->cap)) {
    case cap_endpoint:
    case cap_notification: {
        word_t badge = cap_badge(parent->cap);
        if (badge == 0)
            return true;
        return badge == cap_badge(child->cap) && !mdb_first_badged(child);
    }
    default:
        return true;
    }
}

bool cte_has_children(const struct cte *slot)
{
    struct cte *next = mdb_next(slot);
    return next && is_mdb_parent_of(slot, next);
}

bool cte_is_final(const struct cte *slot)
{
    struct cte *prev = mdb_prev(slot), *next = mdb_next(slot);
    if (prev && same_object_as(prev->cap, slot->cap))
        return false;
    return !next || !same_object_as(slot->cap, next->cap);
}

// Removes a finalised cap from the tree and empties its slot.
void cte_unlink(struct cte *slot, word_t irq)
{
    if (cap_get_tag(slot->cap) == cap_null)
        return;
    struct cte *prev = mdb_prev(slot), *next = mdb_next(slot);
    if (prev)
        set_next(prev, next);
    if (next) {
        next->mdb_prev = (word_t)prev;
        // The first badged child of a revocable parent stays first once its elder
        // sibling is gone (seL4's firstBadged bookkeeping).
        set_flags(next, mdb_revocable(next), mdb_first_badged(next) || mdb_first_badged(slot));
    }
    slot->cap = cap_null_new();
    slot->mdb_prev = 0;
    slot->mdb_next = 0;
    if (irq != ~0ul)
        irq_free(irq);
}

static struct cte *zombie_slots(struct cap z)
{
    return cap_ptr(z);
}

// Deletes what `slot` holds as far as can be done without descending: returns true
// when the slot is empty, false when it now holds a zombie with slots left.
static bool finalise_step(struct cte *slot)
{
    struct cap cap = slot->cap;
    switch (cap_get_tag(cap)) {
    case cap_null:
        return true;
    case cap_reply:
        // Finalising a reply cap does nothing, final or not: skip the search for other
        // caps to its thread (each slow-path reply and receive deletes one).
        cte_unlink(slot, ~0ul);
        return true;
    case cap_zombie:
        return cap.w1 == 0 ? (cte_unlink(slot, ~0ul), true) : false;
    default:
        break;
    }
    struct finalise_result r = finalise_cap(cap, cte_is_final(slot));
    if (cap_get_tag(r.remainder) == cap_null) {
        cte_unlink(slot, r.irq);
        return true;
    }
    slot->cap = r.remainder;
    return false;
}

// Whether `slot` is one of the zombies on the chain from `top` down to `z`: a CNode
// that holds its own last cap, or two that hold each other's, would otherwise be
// descended into forever.
static bool on_chain(struct cte *top, struct cte *z, struct cte *slot)
{
    for (struct cte *c = top;; c = zombie_slots(c->cap) + c->cap.w1 - 1) {
        if (c == slot)
            return true;
        if (c == z)
            return false;
    }
}

// Finishes the zombie in `top`: repeatedly finds the innermost zombie along the chain
// of last slots and deletes that zombie's last slot. A slot that holds a zombie of
// the chain itself is left for that zombie's own end (it lies in memory that dies
// with the object being deleted).
static bool reduce(struct cte *top, bool preemptible)
{
    while (cap_get_tag(top->cap) == cap_zombie) {
        // The zombie records the progress: a preempted deletion resumes here.
        if (preemptible && preemption_point())
            return false;
        struct cte *z = top;
        for (;;) {
            struct cap zc = z->cap;
            if (zc.w1 == 0) {
                // All slots gone: the object is dead, drop the zombie.
                cte_unlink(z, ~0ul);
                break;
            }
            struct cte *last = zombie_slots(zc) + zc.w1 - 1;
            if (on_chain(top, z, last) || finalise_step(last)) {
                z->cap.w1--;
                break;
            }
            z = last;  // descend into the nested zombie
        }
    }
    return true;
}

void cte_delete(struct cte *slot)
{
    if (!finalise_step(slot))
        reduce(slot, false);
}

bool cte_delete_preemptible(struct cte *slot)
{
    return finalise_step(slot) || reduce(slot, true);
}

bool cte_revoke(struct cte *slot)
{
    struct cte *next;
    while ((next = mdb_next(slot)) && is_mdb_parent_of(slot, next)) {
        if (!cte_delete_preemptible(next) || preemption_point())
            return false;
    }
    // A U-notification sender entry counts as derived from its cap: revoked with it.
    unotify_sender_revoked(slot);
    return true;
}
