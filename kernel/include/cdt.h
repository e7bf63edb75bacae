// The capability derivation tree (seL4's mdb): slots in a doubly linked list where a
// cap's descendants follow it. Insertion, move, swap, deletion and revocation.
#pragma once
#include "cap.h"

struct cte *mdb_next(const struct cte *s);
struct cte *mdb_prev(const struct cte *s);
bool mdb_revocable(const struct cte *s);
bool mdb_first_badged(const struct cte *s);

// Stores new_cap in dest (empty) as a child of src.
void cte_insert(struct cap new_cap, struct cte *src, struct cte *dest);
// Stores a cap that is never revocable (a reply cap) in dest as src's child: what
// cte_insert does, without working out revocability.
static inline void cte_insert_leaf(struct cap cap, struct cte *src, struct cte *dest)
{
    struct cte *next = (struct cte *)(src->mdb_next & MDB_PTR_MASK);
    dest->cap = cap;
    dest->mdb_prev = (word_t)src;
    dest->mdb_next = (word_t)next;
    src->mdb_next = (word_t)dest | (src->mdb_next & ~MDB_PTR_MASK);
    if (next)
        next->mdb_prev = (word_t)dest;
}

// Stores a newly created object's cap in dest (empty), below its untyped.
void cte_insert_new(struct cap cap, struct cte *parent, struct cte *dest);
// Stores cap in dest (empty), taking over src's place in the tree; src becomes empty.
void cte_move(struct cap cap, struct cte *src, struct cte *dest);
void cte_swap(struct cap cap1, struct cte *slot1, struct cap cap2, struct cte *slot2);
// Deletes the cap in slot, finalising the object when it is the last cap to it
// (iteratively: no recursion however deep CNodes nest).
void cte_delete(struct cte *slot);
// The same, stopping at a preemption point: false when an interrupt is pending and the
// deletion is not finished (the slot then holds a zombie with the rest to do).
bool cte_delete_preemptible(struct cte *slot);
// Deletes every descendant of the cap in slot; false when preempted before the end.
bool cte_revoke(struct cte *slot);
bool cte_is_final(const struct cte *slot);
// Empties a slot whose cap needs no finalisation (a reply cap), freeing `irq` if not ~0.
void cte_unlink(struct cte *slot, word_t irq);
bool cte_has_children(const struct cte *slot);
bool is_mdb_parent_of(const struct cte *parent, const struct cte *child);
// Stores an original cap (no parent): boot-time caps and newly retyped objects' caps
// go through cte_insert instead, below their untyped.
void cte_set_original(struct cte *slot, struct cap cap);
