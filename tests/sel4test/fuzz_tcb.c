// The fuzzer's thread sequences on TCBs it made (priority 0, never resumed: they
// would fault at once): notification binding, priorities against an authority's MCP,
// a CSpace root given with SetSpace (the TCB then holds a cap the model tracks).
#include "fuzz.h"
#include <sel4/sel4.h>

static void op_bind(struct fuzzer *f, int t)
{
    int n = fz_pick(f, seL4_CapTag_Notification);
    if (n < 0 || f->caps[n].obj < 0)
        return;
    struct mobj *to = &f->objs[f->caps[t].obj], *no = &f->objs[f->caps[n].obj];
    seL4_Error want = to->bound >= 0 || no->bound >= 0 ? seL4_IllegalOperation : seL4_NoError;
    seL4_Error e = seL4_TCB_BindNotification(t, n);
    fz_count(f, e);
    if (!to->unsure && !no->unsure && !f->bind_unsure)
        fz_expect(f, "TCB_BindNotification", want, e);
    if (e == seL4_NoError && want == seL4_NoError) {
        to->bound = f->caps[n].obj;
        no->bound = f->caps[t].obj;
    }
}

static void op_unbind(struct fuzzer *f, int t)
{
    struct mobj *to = &f->objs[f->caps[t].obj];
    seL4_Error e = seL4_TCB_UnbindNotification(t);
    fz_count(f, e);
    if (!to->unsure && !f->bind_unsure)
        fz_expect(f, "TCB_UnbindNotification", to->bound >= 0 ? seL4_NoError : seL4_IllegalOperation, e);
    if (e == seL4_NoError && to->bound >= 0) {
        fz_unotify_receiver_gone(f, f->caps[t].obj);
        f->objs[to->bound].bound = -1;
        to->bound = -1;
    }
}

// The authority is another TCB made here: its MCP is 0.
static void op_priority(struct fuzzer *f, int t)
{
    int a = fz_pick(f, seL4_CapTag_Thread);
    seL4_Word prio = fz_rnd(f) % 2 ? 0 : fz_rnd(f) % 256;
    seL4_Error e = seL4_TCB_SetPriority(t, a, prio);
    fz_count(f, e);
    if (!f->objs[f->caps[t].obj].unsure && !f->caps[a].unsure && f->caps[a].obj >= 0 &&
        !f->objs[f->caps[a].obj].unsure)
        fz_expect(f, "TCB_SetPriority", prio ? seL4_RangeError : seL4_NoError, e);
}

// SetSpace replaces the TCB's CSpace root with a copy of a CNode cap. A final cap
// there is not replaced: seL4 refuses (IllegalOperation) where aL4 used to delete it
// in one go, a defect being fixed apart; the sequence is skipped until then.
static void op_set_space(struct fuzzer *f, int t)
{
    int cn = fz_pick(f, seL4_CapTag_CNode), tobj = f->caps[t].obj;
    if (cn < 0 || f->caps[cn].obj < 0 || f->objs[tobj].unsure)
        return;
    int held = -1, free_virt = -1;
    for (int i = FZ_SLOTS; i < FZ_CAPS; i++) {
        if (f->caps[i].tag && f->caps[i].holder == tobj)
            held = i;
        if (!f->caps[i].tag && free_virt < 0)
            free_virt = i;
    }
    if ((held >= 0 && fz_is_final(f, held)) || (held < 0 && free_virt < 0))
        return;
    seL4_Error e = seL4_TCB_SetSpace(t, 0, cn, 0, FZ_VSPACE, 0);
    fz_count(f, e);
    fz_expect(f, "TCB_SetSpace", seL4_NoError, e);
    if (e != seL4_NoError)
        return;
    if (held >= 0)
        fz_model_delete(f, held);
    int slot = held >= 0 ? held : free_virt;
    struct mcap *s = &f->caps[cn];
    // A CNode cap is never revocable once copied: the copy is the original's child, or
    // the sibling of a copy.
    fz_set(f, slot, seL4_CapTag_CNode, s->obj, s->revocable ? cn : fz_by_serial(f, s->parent), false);
    f->caps[slot].holder = tobj;
}

bool fz_tcb_step(struct fuzzer *f)
{
    int t = fz_pick(f, seL4_CapTag_Thread);
    if (t < 0 || f->caps[t].obj < 0)
        return false;
    switch (fz_rnd(f) % 5) {
    case 0: op_bind(f, t); break;
    case 1: op_unbind(f, t); break;
    case 2: op_priority(f, t); break;
    case 3: op_set_space(f, t); break;
    default: {
        seL4_Error e = seL4_TCB_Suspend(t);
        fz_count(f, e);
        fz_expect(f, "TCB_Suspend", seL4_NoError, e);
    }
    }
    return true;
}
