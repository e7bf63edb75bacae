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
