// CSpace lookup, step for step as seL4's resolveAddressBits: each level checks the
// guard, then the depth, then indexes the CNode; a non-CNode cap with bits left ends
// the walk early (the caller decides whether that is an error).
#include "cspace.h"

static struct lookup fail(struct lookup_fault f)
{
    return (struct lookup){.slot = NULL, .fault = f};
}

struct lookup resolve_address_bits(struct cap node, word_t cptr, word_t n_bits)
{
    if (cap_get_tag(node) != cap_cnode)
        return fail((struct lookup_fault){.type = seL4_InvalidRoot});
    for (;;) {
        word_t radix = cap_cnode_radix(node), guard_bits = cap_cnode_guard_size(node);
        word_t level_bits = radix + guard_bits;
        word_t want = cap_cnode_guard(node);
        // Masking the shift keeps n_bits == 64 with no guard defined behaviour.
        word_t guard = (cptr >> ((n_bits - guard_bits) & 63)) & MASK(guard_bits);
        if (guard_bits > n_bits || guard != want)
            return fail((struct lookup_fault){.type = seL4_GuardMismatch, .bits_left = n_bits,
                                              .bits_found = want, .guard_size = guard_bits});
        if (level_bits > n_bits || level_bits == 0)
            return fail((struct lookup_fault){.type = seL4_DepthMismatch, .bits_left = n_bits,
                                              .bits_found = level_bits});
        word_t offset = (cptr >> (n_bits - level_bits)) & MASK(radix);
        struct cte *slot = (struct cte *)cap_ptr(node) + offset;
        if (n_bits == level_bits)
            return (struct lookup){.slot = slot, .bits_left = 0};
        n_bits -= level_bits;
        node = slot->cap;
        if (cap_get_tag(node) != cap_cnode)
            return (struct lookup){.slot = slot, .bits_left = n_bits};
    }
}

// Invocation lookups resolve all 64 bits of the cptr from the thread's CSpace root.
struct lookup lookup_slot(struct tcb *t, word_t cptr)
{
    struct cte *slot = lookup_one_level(t, cptr);
    if (likely(slot))
        return (struct lookup){.slot = slot};
    return resolve_address_bits(tcb_slot(t, TCB_CTABLE)->cap, cptr, seL4_WordBits);
}
