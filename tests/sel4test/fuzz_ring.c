// FUZZ0002's ring operation (docs/asyncsys.md, "What the kernel checks"): the fuzzer
// fills its own request ring with random requests on random cptrs of its CSpace
// (fuzz_ring.h, as FUZZ0003 does in a scratch CSpace) and wakes the kernel's handler.
// Every request is answered, in order, with its tag and an seL4 error; the ones the
// table refuses (IPC, U-notification set-up) are refused; what the others did is not
// predicted, and the model reads back what they may have touched, as for fz_garbage.
#include "fuzz.h"
#include "fuzz_ring.h"
#include <al4/asyncsys.h>

#define SLOTS AL4_ASYNCSYS_SLOTS

static uint64_t rnd(void *f)
{
    return fz_rnd(f);
}

static seL4_CPtr cptr(void *f)
{
    return fz_rnd_cptr(f);
}

static bool unotify_label(seL4_Word label)
{
    return label >= al4_NotificationRegisterReceiver && label < al4_nInvocationLabels;
}

static bool is_ipc(seL4_Word tag)
{
    return tag == seL4_CapTag_Endpoint || tag == seL4_CapTag_Reply;
}

// Checks the reply to r, whose cap was of type `before` when submitted and is of type
// `now`; true if the request may have acted.
static bool check(struct fuzzer *f, const struct al4_asyncsys_req *r, seL4_Word before,
                  seL4_Word now, const struct al4_asyncsys_rep *p)
{
    seL4_MessageInfo_t info = {{p->info}}, rinfo = {{r->info}};
    seL4_Word e = seL4_MessageInfo_get_label(info);
    fz_expect(f, "ring reply: the request's tag", r->tag, p->tag);
    fz_expect(f, "ring reply: an seL4 error", 1, e < seL4_NumErrors);
    fz_expect(f, "ring reply: fits an item", 1, seL4_MessageInfo_get_length(info) <= AL4_ASYNCSYS_REPLY_MRS);
    fz_count(f, e < seL4_NumErrors ? e : seL4_IllegalOperation);
    // (An earlier request of the batch may have put another cap there meanwhile: only
    // a cap of the same kind before and after is known.)
    bool ipc = is_ipc(before) && is_ipc(now);
    bool setup = before == seL4_CapTag_Notification && now == seL4_CapTag_Notification &&
                 unotify_label(seL4_MessageInfo_get_label(rinfo));
    if (ipc || setup)
        fz_expect(f, "ring: IPC and runtime set-up never run asynchronously", 1, e != seL4_NoError);
    return e == seL4_NoError;
}

void fz_ring_step(struct fuzzer *f)
{
    struct al4_asyncsys_shared *sh = f->ring;
    const struct fz_source src = {rnd, cptr, f, FZ_DEPTH};
    struct al4_asyncsys_req r[SLOTS];
    seL4_Word tag[SLOTS];
    unsigned n = 1 + fz_rnd(f) % SLOTS;
    for (unsigned i = 0; i < n; i++) {
        r[i] = fz_random_request(&src);
        // CNode arguments are (index, depth) pairs: F resolves at depth 63.
        if (fz_rnd(f) % 2)
            r[i].mr[1] = r[i].mr[3] = FZ_DEPTH;
        tag[i] = seL4_DebugCapIdentify(r[i].cptr);
        *al4_asyncsys_req_slot(sh, SLOTS, f->ring_n + i) = r[i];
    }
    uint32_t end = f->ring_n + n;
    __atomic_store_n(&sh->user.req_tail, end, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&sh->kern.handler_running, __ATOMIC_ACQUIRE))
        al4_asyncsys_wake();
    // On one hart the wake served them; on several, another hart may be at it.
    for (int spin = 0; spin < 1000000 && __atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE) != end; spin++)
        seL4_Yield();
    if (sh->kern.rep_tail != end) {
        fz_fail(f, "ring: every request answered", end, sh->kern.rep_tail);
        return;
    }
    bool untypeds = false;
    for (unsigned i = 0; i < n; i++) {
        seL4_Word now = seL4_DebugCapIdentify(r[i].cptr);
        if (!check(f, &r[i], tag[i], now, al4_asyncsys_rep_slot(sh, SLOTS, f->ring_n + i)))
            continue;  // refused: seL4 decodes before it acts
        seL4_MessageInfo_t info = {{r[i].info}};
        seL4_Word extra = seL4_MessageInfo_get_extraCaps(info);
        // The cap may have been another when it ran (an earlier request changed the
        // slot): what it is now counts too.
        fz_acted(f, tag[i], r[i].cptr, r[i].caps, extra);
        fz_acted(f, now, r[i].cptr, r[i].caps, extra);
        untypeds = untypeds || extra || tag[i] == seL4_CapTag_Untyped || tag[i] == seL4_CapTag_Thread ||
                   now == seL4_CapTag_Untyped || now == seL4_CapTag_Thread;
    }
    f->ring_n = end;
    __atomic_store_n(&sh->user.rep_head, end, __ATOMIC_RELEASE);
    fz_settle(f, untypeds);
}
