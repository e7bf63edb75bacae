// RegisterAsyncSyscall on a notification cap (docs/asyncsys.md): the thread's rings
// and completion notification. Decode checks everything first; the invoke part below
// cannot fail. The kernel keeps derived copies of both caps in the thread's TCB slots,
// so revoking the process's frame or notification cap deletes them and ends serving.
#include "decode.h"
#include "objecttype.h"
#include "cdt.h"
#include "hart.h"
#include "printf.h"
#include <al4/asyncsys_ring.h>

// Registered and servable: both copies in place, the frame the one registered, and
// its indices never found out of range (a broken ring may be registered again).
static bool registered(struct tcb *t)
{
    struct cap f = tcb_slot(t, TCB_ASYNC_FRAME)->cap, n = tcb_slot(t, TCB_ASYNC_NTFN)->cap;
    return cap_get_tag(f) == cap_frame && cap_paddr(f) == t->async.frame &&
           cap_get_tag(n) == cap_notification && !t->async.broken;
}

static void invoke_register(struct tcb *t, struct cap frame, struct cte *frame_src,
                            struct cap ntfn, struct cte *ntfn_src)
{
    asyncsys_unlink(&t->async);
    // What is left of an earlier registration (one of the two copies revoked) goes;
    // neither copy can be a final cap that takes long to delete (a frame copy is
    // never mapped, a notification's finalisation is bounded).
    cte_delete(tcb_slot(t, TCB_ASYNC_FRAME));
    cte_delete(tcb_slot(t, TCB_ASYNC_NTFN));
    cte_insert(frame, frame_src, tcb_slot(t, TCB_ASYNC_FRAME));
    cte_insert(ntfn, ntfn_src, tcb_slot(t, TCB_ASYNC_NTFN));
    t->async = (struct asyncsys_handler){
        .frame = cap_paddr(frame),
        .slots = al4_asyncsys_slots(cap_frame_size(frame) == FRAME_2M ? AL4_ASYNCSYS_MEGA_BITS
                                                                     : AL4_ASYNCSYS_FRAME_BITS),
    };
    struct al4_asyncsys_shared *sh = paddr_to_pptr(cap_paddr(frame));
    __atomic_store_n(&sh->kern.req_head, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&sh->kern.rep_tail, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&sh->kern.handler_running, 0, __ATOMIC_RELEASE);
}

word_t decode_register_async_syscall(struct invocation *inv)
{
    if (!(cap_rights(inv->cap) & RIGHT_WRITE)) {
        user_error("RegisterAsyncSyscall: the notification cap cannot signal.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (inv->n_extra < 2) {
        user_error("RegisterAsyncSyscall: a thread and a frame cap are needed.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    struct cap tc = inv->extra[0]->cap;
    if (cap_get_tag(tc) != cap_thread) {
        user_error("RegisterAsyncSyscall: extra cap 0 is not a thread.");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    struct cte *fslot = inv->extra[1];
    struct cap fc = fslot->cap;
    if (cap_get_tag(fc) != cap_frame ||
        (cap_frame_size(fc) != FRAME_4K && cap_frame_size(fc) != FRAME_2M) ||
        cap_frame_is_device(fc) || cap_frame_rights(fc) != VM_READ_WRITE) {
        user_error("RegisterAsyncSyscall: extra cap 1 is not a writable 4 KiB or 2 MiB RAM frame.");
        return refuse_arg(inv, seL4_InvalidCapability, 2);
    }
    struct tcb *t = cap_ptr(tc);
    if (registered(t)) {
        user_error("RegisterAsyncSyscall: the thread has rings already.");
        return refuse(inv, seL4_DeleteFirst);
    }
    struct cap frame, ntfn;
    word_t st = derive_cap(fslot, fc, &frame, &inv->err);
    if (st || (st = derive_cap(inv->slot, inv->cap, &ntfn, &inv->err)))
        return st;
    invoke_register(t, frame, fslot, ntfn, inv->slot);
    return seL4_NoError;
}
