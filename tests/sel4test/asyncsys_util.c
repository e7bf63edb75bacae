// ASYNCSYS test support (asyncsys_test.h).
#include "asyncsys_test.h"
#include <string.h>

bool async_setup(struct env *env, struct async_env *a, seL4_CPtr tcb, seL4_Word va)
{
    return async_setup_sized(env, a, tcb, va, AL4_ASYNCSYS_FRAME_BITS);
}

bool async_setup_sized(struct env *env, struct async_env *a, seL4_CPtr tcb, seL4_Word va,
                       unsigned frame_bits)
{
    memset(a, 0, sizeof(*a));
    a->ntfn = alloc_object(env, seL4_NotificationObject, 0);
    a->frame = alloc_object(env, frame_bits == AL4_ASYNCSYS_MEGA_BITS ? seL4_RISCV_Mega_Page
                                                                      : seL4_RISCV_4K_Page, 0);
    if (!a->ntfn || !a->frame)
        return false;
    seL4_Error e = map_in_root(env, a->frame, va);
    test_eq(env, e, seL4_NoError);
    if (e)
        return false;
    e = al4_asyncsys_register(a->ntfn, tcb, a->frame);
    test_eq(env, e, seL4_NoError);
    a->sh = (struct al4_asyncsys_shared *)va;
    test_check(env, al4_asyncsys_init(&a->as, a->sh, frame_bits));
    return e == seL4_NoError;
}

bool call_async(struct async_env *a, const struct request *r, struct outcome *o)
{
    return call_async_on(&a->as, a->ntfn, r, o);
}

void raw_put(struct al4_asyncsys_shared *sh, uint32_t i, struct al4_asyncsys_req r)
{
    *al4_asyncsys_req_slot(sh, AL4_ASYNCSYS_SLOTS, i) = r;
}

void put_then_signals(struct al4_asyncsys_shared *sh, struct al4_asyncsys_req first,
                      seL4_CPtr sink, unsigned rest)
{
    const seL4_Word signal = seL4_MessageInfo_new(0, 0, 0, 0).words[0];
    raw_put(sh, 0, first);
    for (unsigned k = 1; k <= rest; k++)
        raw_put(sh, k, (struct al4_asyncsys_req){.tag = k, .info = signal, .cptr = sink});
    __atomic_store_n(&sh->user.req_tail, 1 + rest, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    al4_asyncsys_wake();
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
