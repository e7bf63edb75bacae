// ASYNCSYS: one invocation both ways (asyncsys_call.h).
#include "asyncsys_call.h"
#include <string.h>

void call_sync(const struct request *r, struct outcome *o)
{
    for (unsigned i = 0; i < r->ncaps; i++)
        seL4_SetCap(i, r->caps[i]);
    for (unsigned i = 0; i < r->nmr; i++)
        seL4_SetMR(i, r->mr[i]);
    seL4_MessageInfo_t info =
        seL4_Call(r->service, seL4_MessageInfo_new(r->label, 0, r->ncaps, r->nmr));
    memset(o, 0, sizeof(*o));
    o->label = seL4_MessageInfo_get_label(info);
    o->length = seL4_MessageInfo_get_length(info);
    for (unsigned i = 0; i < o->length && i < AL4_ASYNCSYS_REPLY_MRS; i++)
        o->mr[i] = seL4_GetMR(i);
}

bool call_async_on(struct al4_asyncsys *as, seL4_CPtr ntfn, const struct request *r,
                   struct outcome *o)
{
    struct al4_async c;
    al4_async_init(&c, as, NULL);
    if (!al4_async_invoke(&c, r->service, r->label, r->ncaps, r->caps, r->nmr, r->mr))
        return false;
    al4_asyncsys_poll(as);
    while (!c.done) {
        if (al4_asyncsys_idle(as))
            seL4_Wait(ntfn, NULL);
        al4_asyncsys_busy(as);
        al4_asyncsys_poll(as);
    }
    memset(o, 0, sizeof(*o));
    o->label = seL4_MessageInfo_get_label(c.info);
    o->length = seL4_MessageInfo_get_length(c.info);
    for (unsigned i = 0; i < o->length && i < AL4_ASYNCSYS_REPLY_MRS; i++)
        o->mr[i] = c.mr[i];
    return true;
}

bool outcome_eq(const struct outcome *x, const struct outcome *y)
{
    return memcmp(x, y, sizeof(*x)) == 0;
}
