// Capability space addressing: guarded, multi-level CNode lookup (sel4-abi.md).
#pragma once
#include "cap.h"
#include "tcb.h"

struct lookup {
    struct cte *slot;      // NULL on failure
    word_t bits_left;      // bits of the cptr not resolved when a leaf cap was found
    struct lookup_fault fault;
};

struct lookup resolve_address_bits(struct cap root, word_t cptr, word_t n_bits);
struct lookup lookup_slot(struct tcb *t, word_t cptr);

// The slot cptr names when t's CSpace root resolves all 64 bits in one level (the
// root task's shape: 52-bit guard, radix 12), else NULL: then the full walk decides,
// and reports any fault. A radix below 64 means such a root has a guard.
static inline struct cte *lookup_one_level(struct tcb *t, word_t cptr)
{
    struct cap cn = tcb_slot(t, TCB_CTABLE)->cap;
    word_t radix = cap_cnode_radix(cn);
    if (unlikely(cap_get_tag(cn) != cap_cnode ||
                 radix + cap_cnode_guard_size(cn) != seL4_WordBits ||
                 (cptr >> radix) != cap_cnode_guard(cn)))
        return NULL;
    // With the guard matched, the index is what lies below it (cptr & MASK(radix)),
    // two instructions fewer than building the mask.
    return (struct cte *)cap_ptr(cn) + (cptr - (cap_cnode_guard(cn) << radix));
}
