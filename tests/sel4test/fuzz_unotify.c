// The fuzzer's U-notification sequences (docs/unotify.md): RegisterReceiver,
// RegisterSender and the reserved AsyncSyscall label on its notification caps, with a
// thread, another cap, an empty slot or nothing as the extra cap. Each answer is
// checked against the error the docs name for that case. The model follows what a
// registration holds: a receiver entry on a thread (gone when it is unbound or either
// object dies), a sender entry on a cap (gone when the cap is revoked or deleted, its
// notification's receiver goes, or the thread whose table holds it dies; a copy has
// none).
#include "fuzz.h"
#include <al4/invocation.h>

#define RX_ENTRIES 512  // the UINTC's receiver entries on QEMU virt
#define TX_ENTRIES 512  // entries in one sender table

bool fz_unotify_allowed(seL4_Word label, seL4_Word extra, seL4_Error e, seL4_Word mr0)
{
    switch (label) {
    case al4_NotificationRegisterReceiver:
        if (e == seL4_NoError)
            return extra && mr0 < RX_ENTRIES;
        if (e == seL4_InvalidCapability)
            return extra && mr0 == 1;  // the extra cap is not a thread
        return e == seL4_IllegalOperation || e == seL4_TruncatedMessage ||
               (extra && e == seL4_NotEnoughMemory);
    case al4_NotificationRegisterSender:
        if (e == seL4_NoError)
            return extra && mr0 < TX_ENTRIES;
        if (e == seL4_InvalidCapability)
            return mr0 == 0 || (extra && mr0 == 1);  // the badge, or the extra cap
        return e == seL4_IllegalOperation || e == seL4_TruncatedMessage ||
               (extra && (e == seL4_DeleteFirst || e == seL4_NotEnoughMemory));
    default:  // RegisterAsyncSyscall (docs/asyncsys.md): extra caps a thread and a frame
        if (e == seL4_InvalidCapability)
            return extra && (mr0 == 1 || mr0 == 2);
        return e == seL4_IllegalOperation || e == seL4_TruncatedMessage ||
               (extra && (e == seL4_NoError || e == seL4_DeleteFirst));
    }
}

static bool sure(const struct fuzzer *f, int slot)
{
    const struct mcap *c = &f->caps[slot];
    return !c->unsure && (c->obj < 0 || !f->objs[c->obj].unsure);
}

void fz_unotify_receiver_gone(struct fuzzer *f, int tcb)
{
    struct mobj *t = &f->objs[tcb];
    if (!t->rx)
        return;
    t->rx = false;
    for (int i = 0; i < FZ_CAPS; i++)
        if (f->caps[i].tag == seL4_CapTag_Notification && f->caps[i].obj == t->bound)
            f->caps[i].sender = 0;
}

void fz_unotify_thread_gone(struct fuzzer *f, int tcb)
{
    for (int i = 0; i < FZ_CAPS; i++)
        if (f->caps[i].sender == tcb + 1)
            f->caps[i].sender = 0;
}

static seL4_Error call(int n, seL4_Word label, int extra, seL4_Word *mr0)
{
    if (extra >= 0)
        seL4_SetCap(0, extra);
    seL4_MessageInfo_t info = seL4_Call(n, seL4_MessageInfo_new(label, 0, extra >= 0, 0));
    *mr0 = seL4_GetMR(0);
    return seL4_MessageInfo_get_label(info);
}

// What the kernel must answer, or -1 where the model cannot tell.
static int predict(struct fuzzer *f, int n, seL4_Word label, int x)
{
    struct mcap *c = &f->caps[n];
    const struct mcap *xc = x >= 0 ? &f->caps[x] : NULL;
    bool is_tcb = xc && xc->tag == seL4_CapTag_Thread && xc->obj >= 0;
    if (!sure(f, n) || (x >= 0 && !sure(f, x)))
        return -1;
    // This fuzzer gives at most one extra cap, and registration needs two: refused
    // for the right first, then as truncated.
    if (label == al4_NotificationRegisterAsyncSyscall)
        return c->rights & seL4_CanWrite.words[0] ? seL4_TruncatedMessage : -1;
    if (label == al4_NotificationRegisterSender && (!c->badge || (c->badge & (c->badge - 1))))
        return seL4_InvalidCapability;
    if (!xc)
        return seL4_TruncatedMessage;
    if (!is_tcb)
        return seL4_InvalidCapability;
    if (f->bind_unsure || f->unotify_unsure)
        return -1;
    struct mobj *t = &f->objs[xc->obj], *o = &f->objs[c->obj];
    if (label == al4_NotificationRegisterReceiver)
        return t->bound == c->obj ? seL4_NoError : seL4_IllegalOperation;
    if (o->bound < 0 || !f->objs[o->bound].rx)
        return seL4_IllegalOperation;
    if (c->sender)
        return c->sender == xc->obj + 1 ? seL4_NoError : seL4_DeleteFirst;
    return seL4_NoError;
}

bool fz_unotify_step(struct fuzzer *f)
{
    int n = fz_pick(f, seL4_CapTag_Notification);
    if (n < 0 || f->caps[n].obj < 0)
        return false;
    seL4_Word label = al4_NotificationRegisterReceiver + fz_rnd(f) % 3;
    if (label == al4_NotificationRegisterAsyncSyscall && fz_rnd(f) % 4)
        label = al4_NotificationRegisterSender;  // the reserved one less often
    int x;
    switch (fz_rnd(f) % 8) {
    case 0: x = -1; break;                           // no extra cap
    case 1: x = fz_rnd(f) % FZ_SLOTS; break;         // anything, empty slots too
    default: x = fz_pick(f, seL4_CapTag_Thread);     // a thread when there is one
    }
    if (x == 0 || x == 1)
        x = fz_pick(f, 0);  // slot 0 is empty and 1 is F: another one, as likely as any
    int want = predict(f, n, label, x);
    seL4_Word mr0;
    seL4_Error e = call(n, label, x, &mr0);
    fz_count(f, e);
    fz_expect(f, "U-notification refusal is one docs/unotify.md names",
              1, fz_unotify_allowed(label, x >= 0, e, mr0));
    // The sender tables are a pool of 16 for the whole system (the root task and the
    // other fuzzers hold some): a thread without one may find none left.
    bool no_table = label == al4_NotificationRegisterSender && x >= 0 &&
                    f->caps[x].obj >= 0 && !f->objs[f->caps[x].obj].table;
    if (want >= 0 && !(want == seL4_NoError && e == seL4_NotEnoughMemory && no_table))
        fz_expect(f, label == al4_NotificationRegisterReceiver ? "RegisterReceiver"
                     : label == al4_NotificationRegisterSender ? "RegisterSender"
                                                               : "RegisterAsyncSyscall",
                  want, e);
    if (e != seL4_NoError || x < 0 || f->caps[x].obj < 0)
        return true;
    // What the kernel did, taken as the model's state.
    int tcb = f->caps[x].obj;
    if (label == al4_NotificationRegisterReceiver) {
        f->objs[tcb].rx = true;
    } else {
        f->caps[n].sender = tcb + 1;
        f->objs[tcb].table = true;
    }
    return true;
}
