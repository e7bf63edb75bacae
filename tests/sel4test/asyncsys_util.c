// ASYNCSYS test support (asyncsys_test.h).
#include "asyncsys_test.h"
#include <string.h>

bool async_setup(struct env *env, struct async_env *a, seL4_CPtr tcb, seL4_Word va)
{
    memset(a, 0, sizeof(*a));
    a->ntfn = alloc_object(env, seL4_NotificationObject, 0);
    a->frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    if (!a->ntfn || !a->frame)
        return false;
    seL4_Error e = map_in_root(env, a->frame, va);
    test_eq(env, e, seL4_NoError);
    if (e)
        return false;
    e = al4_asyncsys_register(a->ntfn, tcb, a->frame);
    test_eq(env, e, seL4_NoError);
    a->sh = (struct al4_asyncsys_shared *)va;
    al4_asyncsys_init(&a->as, a->sh);
    return e == seL4_NoError;
}

bool call_async(struct async_env *a, const struct request *r, struct outcome *o)
{
    return call_async_on(&a->as, a->ntfn, r, o);
}

void raw_put(struct al4_asyncsys_shared *sh, uint32_t i, struct al4_asyncsys_req r)
{
    sh->req[i % AL4_ASYNCSYS_SLOTS] = r;
}

void settle(const struct al4_asyncsys_shared *sh)
{
    for (unsigned i = 0; i < 1000000; i++) {
        if (!__atomic_load_n(&sh->kern.handler_running, __ATOMIC_ACQUIRE))
            return;
        // Queued or running: the wake does nothing but say whether it is servable.
        if (al4_asyncsys_wake() == seL4_IllegalOperation)
            return;
    }
}

bool settle_gone(void)
{
    for (unsigned i = 0; i < 1000000; i++)
        if (al4_asyncsys_wake() == seL4_IllegalOperation)
            return true;
    return false;
}
