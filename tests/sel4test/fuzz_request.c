// A random asynchronous request (fuzz_ring.h).
#include "fuzz_ring.h"
#include <al4/invocation.h>

static seL4_Word arg(const struct fz_source *s)
{
    switch (s->rnd(s->ctx) % 6) {
    case 0: return s->rnd(s->ctx);
    case 1: return s->depth;
    case 2: return s->rnd(s->ctx) % 16;
    case 3: return s->rnd(s->ctx) % 40;
    case 4: return s->rnd(s->ctx) & 0xf;
    default: return (s->rnd(s->ctx) % 4) << 12;
    }
}

struct al4_asyncsys_req fz_random_request(const struct fz_source *s)
{
    struct al4_asyncsys_req r = {.tag = s->rnd(s->ctx), .cptr = s->cptr(s->ctx)};
    seL4_Word label = s->rnd(s->ctx) % (al4_nInvocationLabels + 2);
    seL4_Word len = s->rnd(s->ctx) % 16 == 0 ? 11 + s->rnd(s->ctx) % 100
                                              : s->rnd(s->ctx) % (AL4_ASYNCSYS_MRS + 1);
    r.info = seL4_MessageInfo_new(label, 0, s->rnd(s->ctx) % 4, len & 0x7f).words[0];
    for (unsigned k = 0; k < AL4_ASYNCSYS_CAPS; k++)
        r.caps[k] = s->cptr(s->ctx);
    for (unsigned k = 0; k < AL4_ASYNCSYS_MRS; k++)
        r.mr[k] = arg(s);
    return r;
}
