// Random asynchronous requests, for FUZZ0003 (fuzz_asyncsys.c: a scratch CSpace) and
// FUZZ0002's ring operation (fuzz_ring.c: the stateful fuzzer's CSpace).
#pragma once
#include <al4/asyncsys_ring.h>
#include <sel4/sel4.h>

struct fz_source {
    uint64_t (*rnd)(void *ctx);     // random words
    seL4_CPtr (*cptr)(void *ctx);   // caps to name, mostly existing ones
    void *ctx;
    seL4_Word depth;                // what resolves a cptr of the CSpace as a (index, depth)
};

// Random labels, lengths (sometimes more than an item holds), extra caps and
// arguments: mostly the small values decoders look for (slots, depths, types, sizes,
// rights), sometimes anything. The tag is random too.
struct al4_asyncsys_req fz_random_request(const struct fz_source *s);
