// The fuzzer's modelled operations on caps: retype, copy, mint, move, mutate, delete,
// revoke, signal and poll, transfer over IPC. Each computes what seL4 would answer
// from the model, makes the call, compares, and updates the model.
#include "fuzz.h"
#include <sel4/sel4.h>

static bool sure(const struct fuzzer *f, int slot)
{
    const struct mcap *c = &f->caps[slot];
    return !c->unsure && (c->obj < 0 || !f->objs[c->obj].unsure);
}

// The type of a slot, read back: a cheap check after every operation that changed it.
static void check_tag(struct fuzzer *f, const char *what, int slot)
{
    fz_expect(f, what, f->caps[slot].tag, seL4_DebugCapIdentify(slot));
}

static const seL4_Word retype_types[] = {
    seL4_UntypedObject, seL4_TCBObject, seL4_EndpointObject, seL4_NotificationObject,
    seL4_CapTableObject, seL4_RISCV_4K_Page, seL4_RISCV_Mega_Page, seL4_RISCV_PageTableObject,
};
static const uint8_t type_tag[] = {
    seL4_CapTag_Untyped, seL4_CapTag_Thread, seL4_CapTag_Endpoint, seL4_CapTag_Notification,
    seL4_CapTag_CNode, seL4_CapTag_Frame, seL4_CapTag_Frame, seL4_CapTag_PageTable,
};

// seL4's Retype: a destination window that is not empty is DeleteFirst; an untyped
// without children starts again from zero, else from its watermark, aligned to the
// object size; past its end is NotEnoughMemory.
static void op_retype(struct fuzzer *f)
{
    int ut = fz_pick(f, seL4_CapTag_Untyped);
    if (ut < 0 || f->caps[ut].obj < 0)
        return;
    struct mcap *u = &f->caps[ut];
    unsigned ut_bits = f->objs[u->obj].bits;
    unsigned k = fz_rnd(f) % 8;
    seL4_Word type = retype_types[k], user_bits = 0;
    if (type == seL4_RISCV_Mega_Page && fz_rnd(f) % 8)
        type = seL4_RISCV_4K_Page, k = 5;
    if (type == seL4_UntypedObject)
        user_bits = 4 + fz_rnd(f) % (ut_bits - 3);
    if (type == seL4_CapTableObject)
        user_bits = 1 + fz_rnd(f) % 4;
    seL4_Word bits = fz_object_bits(type, user_bits);
    int n = 1 + fz_rnd(f) % 3, dest = fz_empty_slot(f);
    if (fz_rnd(f) % 16 == 0)
        dest = fz_pick(f, 0);  // an occupied window
    if (dest < 0)
        return;
    n = dest + n > FZ_SLOTS ? FZ_SLOTS - dest : n;
    seL4_Error want = seL4_NoError;
    for (int i = 0; i < n; i++)
        if (f->caps[dest + i].tag)
            want = seL4_DeleteFirst;
    seL4_Word used = fz_has_children(f, ut) ? u->used : 0;
    seL4_Word start = (used + (1ul << bits) - 1) & ~((1ul << bits) - 1);
    if (want == seL4_NoError && (bits > ut_bits || start + ((seL4_Word)n << bits) > (1ul << ut_bits)))
        want = seL4_NotEnoughMemory;
    seL4_Error e = seL4_Untyped_Retype(ut, type, user_bits, FZ_ROOT, 0, 0, dest, n);
    fz_count(f, e);
    if (sure(f, ut))
        fz_expect(f, "Untyped_Retype", want, e);
    if (e != seL4_NoError)
        return;
    if (want != seL4_NoError)
        start = 0;  // the kernel disagreed and made them: carry on from its answer
    for (int i = 0; i < n; i++) {
        int obj = fz_new_obj(f, type, bits);
        fz_set(f, dest + i, type_tag[k], obj, ut, true);
        if (obj < 0)
            f->caps[dest + i].unsure = true;
        check_tag(f, "tag of a new object", dest + i);
    }
    u->used = start + ((seL4_Word)n << bits);
}

// What deriving the cap in `src` gives (seL4's deriveCap and the CNode decode's checks):
// an error, or NoError with the new cap's tag.
static seL4_Error derive(struct fuzzer *f, int src)
{
    struct mcap *s = &f->caps[src];
    switch (s->tag) {
    case seL4_CapTag_Null:
        return seL4_FailedLookup;
    case seL4_CapTag_Untyped:
        return fz_has_children(f, src) ? seL4_RevokeFirst : seL4_NoError;
    case seL4_CapTag_PageTable:
        // RISC-V: only a mapped page table (or VSpace root) may be copied.
        return s->va || (s->obj >= 0 && f->objs[s->obj].asid) ? seL4_NoError : seL4_IllegalOperation;
    case seL4_CapTag_Reply:
    case seL4_CapTag_Zombie:
    case seL4_CapTag_IRQControl:
        return seL4_IllegalOperation;
    default:
        return seL4_NoError;
    }
}

// The derived cap in dest, child of src when src is revocable (and, for badged caps,
// when the badge stays the same), else its sibling. Copying an untyped uses up the
// source: seL4's setUntypedCapAsFull.
static void model_derive(struct fuzzer *f, int src, int dest, seL4_Word badge, bool badged)
{
    struct mcap *s = &f->caps[src];
    bool ep = s->tag == seL4_CapTag_Endpoint || s->tag == seL4_CapTag_Notification;
    seL4_Word new_badge = ep && badged ? badge : s->badge;
    bool revocable = s->tag == seL4_CapTag_Untyped || (ep && new_badge != s->badge);
    bool child = s->revocable && (!ep || s->badge == 0 || (s->badge == new_badge && !revocable));
    int parent = child ? src : fz_by_serial(f, s->parent);
    struct mcap copy = *s;
    fz_set(f, dest, s->tag, s->obj, parent, revocable);
    f->caps[dest].badge = new_badge;
    f->caps[dest].rights = copy.rights;
    f->caps[dest].unsure = copy.unsure;
    f->caps[dest].va = s->tag == seL4_CapTag_PageTable ? copy.va : 0;
    f->caps[dest].used = copy.used;
    if (s->tag == seL4_CapTag_Untyped)
        s->used = 1ul << f->objs[s->obj].bits;
}

static void op_copy(struct fuzzer *f, bool mint)
{
    int src = fz_pick(f, 0), dest = fz_empty_slot(f);
    if (fz_rnd(f) % 16 == 0)
        dest = fz_pick(f, 0);
    if (fz_rnd(f) % 32 == 0)
        src = fz_empty_slot(f);
    if (src < 0 || dest < 0 || src == dest || (f->caps[src].tag && f->caps[src].obj < 0))
        return;
    struct mcap *s = &f->caps[src];
    // One-bit badges a quarter of the time: RegisterSender takes only those.
    seL4_Word badge = fz_rnd(f) % 4 ? 1 + fz_rnd(f) % 1000 : 1ul << (fz_rnd(f) % 64);
    seL4_Error want = f->caps[dest].tag ? seL4_DeleteFirst : derive(f, src);
    bool ep = s->tag == seL4_CapTag_Endpoint || s->tag == seL4_CapTag_Notification;
    if (want == seL4_NoError && mint && ep && s->badge)
        want = seL4_IllegalOperation;  // a badged cap cannot be badged again
    seL4_Error e;
    if (mint) {
        seL4_Word data = s->tag == seL4_CapTag_CNode ? seL4_CNode_CapData_new(0, 64 - 1 - FZ_RADIX)
                                                     : badge;
        e = seL4_CNode_Mint(FZ_ROOT, dest, FZ_DEPTH, FZ_ROOT, src, FZ_DEPTH, seL4_AllRights, data);
    } else {
        e = seL4_CNode_Copy(FZ_ROOT, dest, FZ_DEPTH, FZ_ROOT, src, FZ_DEPTH, seL4_AllRights);
    }
    fz_count(f, e);
    if (sure(f, src))
        fz_expect(f, mint ? "CNode_Mint" : "CNode_Copy", want, e);
    if (e != seL4_NoError) {
        if (want == seL4_NoError && f->caps[src].tag == seL4_CapTag_Untyped)
            f->caps[src].unsure = true;
        return;
    }
    if (f->caps[dest].tag)
        return;
    model_derive(f, src, dest, badge, mint && ep);
    if (mint && s->tag == seL4_CapTag_CNode)
        f->caps[dest].badge = 0;
    check_tag(f, "tag of a copy", dest);
}

// Move keeps the cap's place in the tree; Mutate also applies data (seL4's
// updateCapData with preserve: a badge never changes, so an endpoint fails).
static void op_move(struct fuzzer *f, bool mutate)
{
    int src = fz_pick_movable(f, 0), dest = fz_empty_slot(f);
    if (fz_rnd(f) % 16 == 0)
        dest = fz_pick(f, 0);
    if (src < 0 || dest < 0 || src == dest)
        return;
    struct mcap *s = &f->caps[src];
    bool ep = s->tag == seL4_CapTag_Endpoint || s->tag == seL4_CapTag_Notification;
    seL4_Error want = f->caps[dest].tag ? seL4_DeleteFirst
                      : mutate && ep     ? seL4_IllegalOperation
                                         : seL4_NoError;
    seL4_Error e = mutate ? seL4_CNode_Mutate(FZ_ROOT, dest, FZ_DEPTH, FZ_ROOT, src, FZ_DEPTH,
                                              s->tag == seL4_CapTag_CNode ? 64 - 1 - FZ_RADIX : 0)
                          : seL4_CNode_Move(FZ_ROOT, dest, FZ_DEPTH, FZ_ROOT, src, FZ_DEPTH);
    fz_count(f, e);
    if (sure(f, src))
        fz_expect(f, mutate ? "CNode_Mutate" : "CNode_Move", want, e);
    if (e != seL4_NoError || f->caps[dest].tag)
        return;
    f->caps[dest] = *s;
    f->caps[src] = (struct mcap){.obj = -1, .holder = -1};
    check_tag(f, "moved-from slot", src);
    check_tag(f, "moved-to slot", dest);
}

static void op_delete(struct fuzzer *f)
{
    int s = fz_pick_movable(f, 0);
    if (s < 0)
        return;
    seL4_Error e = seL4_CNode_Delete(FZ_ROOT, s, FZ_DEPTH);
    fz_count(f, e);
    fz_expect(f, "CNode_Delete", seL4_NoError, e);
    fz_model_delete(f, s);
    check_tag(f, "deleted slot", s);
}

// Every descendant the model knows is gone afterwards; an untyped with no child left
// is whole again.
static void op_revoke(struct fuzzer *f)
{
    int s = fz_rnd(f) % 2 ? fz_pick(f, seL4_CapTag_Untyped) : fz_pick(f, 0);
    if (s < 0 || (s == FZ_FIRST && fz_rnd(f) % 4))
        return;
    seL4_Error e = seL4_CNode_Revoke(FZ_ROOT, s, FZ_DEPTH);
    fz_count(f, e);
    fz_expect(f, "CNode_Revoke", seL4_NoError, e);
    uint32_t serial = f->caps[s].serial;
    int gone[FZ_CAPS], n = 0;
    for (int i = FZ_FIRST; i < FZ_SLOTS; i++)
        for (int p = i; p >= 0 && f->caps[p].tag; p = fz_by_serial(f, f->caps[p].parent))
            if (f->caps[p].parent == (int32_t)serial) {
                gone[n++] = i;
                break;
            }
    fz_model_revoke(f, s);
    f->caps[s].sender = 0;  // a revoke ends the cap's own sender entry too
    for (int i = 0; i < n; i++)
        fz_expect(f, "DebugCapIdentify of a revoked cap", seL4_CapTag_Null,
                  seL4_DebugCapIdentify(gone[i]));
    // Unknown caps (made by random invocations) may have been descendants too.
    fz_resync(f);
    if (s == FZ_FIRST && e == seL4_NoError)
        f->vm_unsure = f->bind_unsure = f->unotify_unsure = false;
    if (f->caps[s].tag == seL4_CapTag_Untyped) {
        f->caps[s].unsure = false;
        if (f->caps[s].obj >= 0)
            f->objs[f->caps[s].obj].unsure = false;
    }
}

// Signal through one cap, poll through another to the same object: the word is the
// OR of the badges signalled (a copy names the same object). A notification bound to
// a TCB cannot be waited on by another thread: a cap fault.
static void op_signal_poll(struct fuzzer *f)
{
    int s = fz_pick(f, seL4_CapTag_Notification);
    if (s < 0 || f->caps[s].obj < 0)
        return;
    struct mobj *o = &f->objs[f->caps[s].obj];
    if (fz_rnd(f) % 2) {
        seL4_Signal(s);
        f->outcome[OUT_NOREPLY]++;
        o->pending |= f->caps[s].badge;
        return;
    }
    seL4_Word faults = f->faults, badge = 0;
    seL4_Poll(s, &badge);
    bool faulted = f->faults != faults;
    f->outcome[faulted ? OUT_FAULT : OUT_NOREPLY]++;
    // A random invocation on the bound TCB (Unbind) changes the notification too.
    if (!sure(f, s) || f->bind_unsure || (o->bound >= 0 && f->objs[o->bound].unsure)) {
        o->pending = 0;
        o->unsure = o->bound >= 0;
        return;
    }
    fz_expect(f, "Poll faulted (bound notification)", o->bound >= 0, faulted);
    if (!faulted) {
        fz_expect(f, "Poll: the signalled word", o->pending, badge);
        o->pending = 0;
    }
}

// Transfer over IPC: the transfer server receives into the slot the fuzzer names and
// answers with the caps it got. With the grant right the cap arrives (derived, as a
// copy would be); without it, nothing does.
static void op_transfer(struct fuzzer *f)
{
    int src = fz_pick(f, 0), dest = fz_empty_slot(f);
    if (src < 0 || dest < 0 || f->caps[src].obj < 0)
        return;
    bool grant = fz_rnd(f) % 4 != 0;
    *f->xfer_mailbox = dest;
    seL4_SetCap(0, src);
    seL4_MessageInfo_t reply =
        seL4_Call(grant ? FZ_XFER : FZ_XFER_NOGRANT, seL4_MessageInfo_new(0, 0, 1, 0));
    f->outcome[seL4_NoError]++;
    // A cap that cannot be derived is not sent; an untyped with children neither.
    bool moves = grant && derive(f, src) == seL4_NoError;
    if (!sure(f, src)) {
        fz_resync(f);
        return;
    }
    fz_expect(f, "caps received over IPC", moves, seL4_MessageInfo_get_label(reply));
    if (moves) {
        model_derive(f, src, dest, 0, false);
        check_tag(f, "tag of a transferred cap", dest);
    }
}

void fz_step(struct fuzzer *f)
{
    switch (fz_rnd(f) % 20) {
    case 0: case 1: case 2: op_retype(f); break;
    case 3: case 4: op_copy(f, false); break;
    case 5: op_copy(f, true); break;
    case 6: op_move(f, false); break;
    case 7: op_move(f, true); break;
    case 8: op_delete(f); break;
    case 9: op_retype(f); break;
    case 10: op_revoke(f); break;
    case 11: op_signal_poll(f); break;
    case 12: op_transfer(f); break;
    case 13: case 14: if (!fz_vm_step(f)) op_retype(f); break;
    case 15: if (!fz_tcb_step(f)) op_delete(f); break;
    case 16: if (!fz_unotify_step(f)) fz_garbage(f); break;
    case 17: if (f->step % 4 == 1) fz_ring_step(f); else fz_garbage(f); break;
    default: fz_garbage(f); break;
    }
}
