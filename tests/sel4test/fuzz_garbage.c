// The fuzzer's random operations, as FUZZ0001 makes them: any system call on any
// cptr (valid, empty, out of range) with random labels, lengths, arguments and extra
// caps. Nothing may block for good: receives are non-blocking, calls and sends to an
// endpoint too. What one of them did is not predicted: when it may have done
// something, the model reads back its slots and stops predicting for what it touched.
#include "fuzz.h"
#include "raw_syscall.h"
#include <sel4/syscall.h>
#include <al4/invocation.h>

seL4_CPtr fz_rnd_cptr(struct fuzzer *f)
{
    switch (fz_rnd(f) % 8) {
    case 0: return fz_rnd(f);                                        // anything
    // Guard bits set, never the top one: that is P, where the fuzzer's own TCB is (a
    // random Suspend of itself would end the run).
    case 1: return (fz_rnd(f) % FZ_SLOTS) | (1ul << (FZ_RADIX + fz_rnd(f) % (63 - FZ_RADIX)));
    default: return fz_rnd(f) % (FZ_SLOTS + 8);                      // slots, some past the end
    }
}

static void unsure(struct fuzzer *f, seL4_CPtr c)
{
    if (c >= FZ_SLOTS || !f->caps[c].tag)
        return;
    f->caps[c].unsure = true;
    if (f->caps[c].obj >= 0)
        f->objs[f->caps[c].obj].unsure = true;
}

void fz_garbage(struct fuzzer *f)
{
    static const long syscalls[] = {seL4_SysCall, seL4_SysSend, seL4_SysNBSend, seL4_SysRecv,
                                    seL4_SysNBRecv, seL4_SysReply, seL4_SysReplyRecv, seL4_SysYield};
    long sys = syscalls[fz_rnd(f) % 8];
    seL4_CPtr cptr = fz_rnd_cptr(f);
    seL4_Word tag = seL4_DebugCapIdentify(cptr);
    if (sys == seL4_SysRecv || sys == seL4_SysReplyRecv)
        sys = seL4_SysNBRecv;
    if (tag == seL4_CapTag_Endpoint && (sys == seL4_SysCall || sys == seL4_SysSend))
        sys = seL4_SysNBSend;
    seL4_Word len = fz_rnd(f) % 8 == 0 ? fz_rnd(f) % 128 : fz_rnd(f) % 10;
    seL4_Word label = fz_rnd(f) % 64, extra = fz_rnd(f) % 4;
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    for (seL4_Word i = 0; i < 12; i++)
        b->msg[i] = fz_word(f);
    // CNode arguments are (index, depth) pairs: F resolves at depth 63.
    if (fz_rnd(f) % 2)
        b->msg[1] = b->msg[3] = FZ_DEPTH;
    seL4_CPtr extras[3];
    for (seL4_Word i = 0; i < extra; i++)
        b->caps_or_badges[i] = extras[i] = fz_rnd_cptr(f);
    b->receiveCNode = fz_rnd(f) % 2 ? 1 : fz_rnd_cptr(f);
    b->receiveIndex = fz_rnd(f) % FZ_SLOTS;
    b->receiveDepth = fz_rnd(f) % 2 ? FZ_DEPTH : fz_rnd(f) % 70;
    seL4_Word faults = f->faults;
    seL4_Word info = seL4_MessageInfo_new(label, 0, extra, len).words[0];
    seL4_Word a1 = raw_syscall(sys, cptr, info, b->msg);
    b->receiveCNode = b->receiveIndex = b->receiveDepth = 0;
    if (f->faults != faults) {
        f->outcome[OUT_FAULT]++;
        return;
    }
    seL4_Word err = seL4_MessageInfo_get_label((seL4_MessageInfo_t){{a1}});
    bool unotify = label >= al4_NotificationRegisterReceiver && label < al4_nInvocationLabels;
    if (sys == seL4_SysCall && tag == seL4_CapTag_Notification && unotify) {
        fz_count(f, err < seL4_NumErrors ? err : seL4_IllegalOperation);
        fz_expect(f, "random U-notification call: a refusal docs/unotify.md names", 1,
                  fz_unotify_allowed(label, extra, err, b->msg[0]));
    } else if (sys == seL4_SysCall && tag != seL4_CapTag_Notification && tag != seL4_CapTag_Reply) {
        fz_count(f, err < seL4_NumErrors ? err : seL4_IllegalOperation);
        if (err != seL4_NoError)
            return;  // refused: seL4 decodes before it acts
    } else {
        f->outcome[OUT_NOREPLY]++;
    }
    if (sys == seL4_SysYield || sys == seL4_SysReply)
        return;
    fz_acted(f, tag, cptr, extras, extra);
    fz_settle(f, tag == seL4_CapTag_Untyped || tag == seL4_CapTag_Thread || extra);
}

void fz_acted(struct fuzzer *f, seL4_Word tag, seL4_CPtr cptr, const seL4_CPtr *extras,
              seL4_Word extra)
{
    // It may have acted: on its target, on its extra caps, on any slot.
    if (tag == seL4_CapTag_Thread || tag == seL4_CapTag_Notification)
        f->bind_unsure = true;
    if (tag == seL4_CapTag_Thread || tag == seL4_CapTag_Notification || tag == seL4_CapTag_CNode)
        f->unotify_unsure = true;
    // A frame or page table unmapped (or a table mapped) behind the model's back.
    if (tag == seL4_CapTag_Frame || tag == seL4_CapTag_PageTable || extra)
        f->vm_unsure = true;
    unsure(f, cptr);
    for (seL4_Word i = 0; i < extra; i++)
        unsure(f, extras[i]);
}

void fz_settle(struct fuzzer *f, bool untypeds)
{
    // New caps of unknown origin, or copies a TCB now holds, may be an untyped's
    // descendants: no untyped's watermark is predicted until it is revoked.
    if (fz_resync(f) || untypeds)
        for (int s = FZ_FIRST; s < FZ_SLOTS; s++)
            if (f->caps[s].tag == seL4_CapTag_Untyped)
                unsure(f, s);
}
