// Decoders of the RISC-V VSpace invocations, one file per object (seL4's
// decodeRISCVMMUInvocation and its helpers), and what they share.
#pragma once
#include "decode.h"
#include "pte.h"

word_t decode_frame(struct invocation *inv);
word_t decode_page_table(struct invocation *inv);
word_t decode_asid_control(struct invocation *inv);
word_t decode_asid_pool(struct invocation *inv);

// The VSpace named by extra cap 0 of a Map: a root page table whose ASID still
// resolves to it. Refuses as seL4 does; `who` names the invocation in the refusal.
word_t decode_vspace_root(struct invocation *inv, const char *who, pte_t **root, word_t *asid);
