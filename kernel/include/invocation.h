// Invocation dispatch (kernel/api/invocation.c): which object a cap names, then that
// object's decode function. Only kernel/api/ includes this header; what decode
// functions share is in decode.h, below it.
#pragma once
#include "decode.h"

word_t decode_invocation(struct invocation *inv, bool blocking);

// Looks up inv->cptr and the n_extra caps named by extra_cptrs in inv->thread's CSpace
// (seL4's lookupCapAndSlot and lookupExtraCaps), filling inv->slot, inv->cap and
// inv->extra. INV_LOOKUP_OK, or which cap failed (0 the invoked one, i + 1 extra cap i)
// with its lookup failure: the system call raises a cap fault, an asynchronous request
// answers seL4_InvalidCapability with that number.
#define INV_LOOKUP_OK (-1)
int invocation_lookup(struct invocation *inv, word_t n_extra, const word_t *extra_cptrs,
                      struct lookup_fault *lf);

// The message registers of a refusal's reply (seL4's setMRs_syscall_error): returns
// how many of mr[] it filled. The label is e->type.
#define SYSCALL_ERROR_MAX_MRS 5
unsigned syscall_error_mrs(const struct syscall_error *e, word_t mr[SYSCALL_ERROR_MAX_MRS]);
