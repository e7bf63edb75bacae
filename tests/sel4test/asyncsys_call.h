// One invocation made synchronously or asynchronously with its whole reply recorded, so
// that the two can be compared word for word (docs/asyncsys.md). Shared by the ASYNCSYS
// tests in the root task and by the PROCESS child (child/asyncsys.c), which links
// asyncsys_call.c too: it needs nothing of the test runner.
#pragma once
#include <al4/asyncsys.h>

// One reply as the caller sees it: error label, length and message registers.
struct outcome {
    seL4_Word label, length;
    seL4_Word mr[AL4_ASYNCSYS_REPLY_MRS];
};

// The same request both ways.
struct request {
    seL4_CPtr service;
    seL4_Word label;
    unsigned ncaps, nmr;
    seL4_CPtr caps[AL4_ASYNCSYS_CAPS];
    seL4_Word mr[AL4_ASYNCSYS_MRS];
};

void call_sync(const struct request *r, struct outcome *o);
// Submits through `as` and waits for the reply (waiting on the completion notification
// `ntfn` when none is there yet); false if it could not be submitted.
bool call_async_on(struct al4_asyncsys *as, seL4_CPtr ntfn, const struct request *r,
                   struct outcome *o);
bool outcome_eq(const struct outcome *x, const struct outcome *y);
