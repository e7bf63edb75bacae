// Message transfer (seL4's doIPCTransfer and friends): message registers, the IPC
// buffer words beyond them, extra capabilities (granted or unwrapped to badges), and
// fault messages in the formats of sel4-abi.md.
#include "ipc.h"
#include "cspace.h"
#include "cdt.h"
#include "objecttype.h"
#include <sel4/shared_types.h>

static word_t copy_mrs(struct tcb *s, word_t *sbuf, struct tcb *r, word_t *rbuf, word_t n)
{
    word_t i = 0;
    for (; i < n && i < seL4_FastMessageRegisters; i++)
        r->ctx[CTX_A2 + i] = s->ctx[CTX_A2 + i];
    if (!sbuf || !rbuf)
        return i;
    for (; i < n; i++)
        rbuf[1 + i] = sbuf[1 + i];
    return i;
}

// The empty slot the receiver named in its IPC buffer, or NULL.
static struct cte *receive_slot(struct tcb *r, word_t *rbuf)
{
    const seL4_IPCBuffer *b = (const seL4_IPCBuffer *)rbuf;
    struct lookup root = lookup_slot(r, b->receiveCNode);
    if (!root.slot || cap_get_tag(root.slot->cap) != cap_cnode)
        return NULL;
    if (b->receiveDepth < 1 || b->receiveDepth > seL4_WordBits)
        return NULL;
    struct lookup lu = resolve_address_bits(root.slot->cap, b->receiveIndex, b->receiveDepth);
    if (!lu.slot || lu.bits_left || cap_get_tag(lu.slot->cap) != cap_null)
        return NULL;
    return lu.slot;
}

// Looks up the sender's extra caps; any failure means none are sent (seL4).
static unsigned lookup_extra_caps(struct tcb *s, word_t *sbuf, word_t count, struct cte **out)
{
    if (!sbuf)
        return 0;
    for (word_t i = 0; i < count; i++) {
        struct lookup lu = lookup_slot(s, ((seL4_IPCBuffer *)sbuf)->caps_or_badges[i]);
        if (!lu.slot)
            return 0;
        out[i] = lu.slot;
    }
    return count;
}

static seL4_MessageInfo_t transfer_caps(seL4_MessageInfo_t info, struct cte **caps, unsigned n,
                                        struct endpoint *ep, struct tcb *r, word_t *rbuf)
{
    info.words[0] &= ~((word_t)0xf << 7);  // extraCaps and capsUnwrapped = 0
    if (n == 0 || !rbuf)
        return info;
    struct cte *dest = receive_slot(r, rbuf);
    word_t unwrapped = 0, i = 0;
    for (; i < n; i++) {
        struct cap c = caps[i]->cap;
        if (cap_get_tag(c) == cap_endpoint && cap_ptr(c) == ep) {
            // A cap to the endpoint the message travels through arrives as its badge.
            ((seL4_IPCBuffer *)rbuf)->caps_or_badges[i] = cap_badge(c);
            unwrapped |= BIT(i);
            continue;
        }
        if (!dest)
            break;
        struct cap derived;
        struct syscall_error err;
        if (derive_cap(caps[i], c, &derived, &err) != seL4_NoError ||
            cap_get_tag(derived) == cap_null)
            break;
        cte_insert(derived, caps[i], dest);
        dest = NULL;
    }
    return seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), unwrapped, i,
                                seL4_MessageInfo_get_length(info));
}

static void do_normal_transfer(struct tcb *s, word_t *sbuf, struct endpoint *ep, word_t badge,
                               bool grant, struct tcb *r, word_t *rbuf)
{
    seL4_MessageInfo_t info = {{s->ctx[CTX_A1]}};
    word_t len = MIN(seL4_MessageInfo_get_length(info), (word_t)seL4_MsgMaxLength);
    struct cte *caps[seL4_MsgMaxExtraCaps];
    unsigned n = grant ? lookup_extra_caps(s, sbuf, seL4_MessageInfo_get_extraCaps(info), caps) : 0;
    len = copy_mrs(s, sbuf, r, rbuf, len);
    info = transfer_caps(info, caps, n, ep, r, rbuf);
    info = seL4_MessageInfo_set_length(info, len);
    r->ctx[CTX_A1] = info.words[0];
    r->ctx[CTX_A0] = badge;
}

static word_t lookup_fault_mrs(struct tcb *r, word_t *rbuf, word_t i, const struct lookup_fault *lf)
{
    i = set_mr(r, rbuf, i, lf->type);
    switch (lf->type) {
    case seL4_MissingCapability:
        return set_mr(r, rbuf, i, lf->bits_left);
    case seL4_DepthMismatch:
        i = set_mr(r, rbuf, i, lf->bits_left);
        return set_mr(r, rbuf, i, lf->bits_found);
    case seL4_GuardMismatch:
        i = set_mr(r, rbuf, i, lf->bits_left);
        i = set_mr(r, rbuf, i, lf->bits_found);
        return set_mr(r, rbuf, i, lf->guard_size);
    default:
        return i;
    }
}

static void do_fault_transfer(word_t badge, struct tcb *s, struct tcb *r, word_t *rbuf)
{
    const struct fault *f = &s->fault;
    word_t len = 0;
    switch (f->type) {
    case seL4_CapFault:
        len = set_mr(r, rbuf, 0, s->ctx[CTX_FAULT_PC]);
        len = set_mr(r, rbuf, len, f->w[0]);
        len = set_mr(r, rbuf, len, f->w[1]);
        len = lookup_fault_mrs(r, rbuf, len, &s->lookup_fault);
        break;
    case seL4_UnknownSyscall: {
        static const unsigned regs[] = {CTX_FAULT_PC, CTX_SP, CTX_RA, CTX_A0, CTX_A1, CTX_A2,
                                        CTX_A3, CTX_A4, CTX_A5, CTX_A6};
        for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
            len = set_mr(r, rbuf, i, s->ctx[regs[i]]);
        len = set_mr(r, rbuf, len, f->w[0]);
        break;
    }
    case seL4_UserException:
        len = set_mr(r, rbuf, 0, s->ctx[CTX_FAULT_PC]);
        len = set_mr(r, rbuf, len, s->ctx[CTX_SP]);
        len = set_mr(r, rbuf, len, f->w[0]);
        len = set_mr(r, rbuf, len, f->w[1]);
        break;
    case seL4_VMFault:
        len = set_mr(r, rbuf, 0, s->ctx[CTX_FAULT_PC]);
        len = set_mr(r, rbuf, len, f->w[0]);
        len = set_mr(r, rbuf, len, f->w[2]);
        len = set_mr(r, rbuf, len, f->w[1]);
        break;
    }
    r->ctx[CTX_A1] = seL4_MessageInfo_new(f->type, 0, 0, len).words[0];
    r->ctx[CTX_A0] = badge;
}

void do_ipc_transfer(struct tcb *sender, struct endpoint *ep, word_t badge, bool grant,
                     struct tcb *receiver)
{
    word_t *rbuf = tcb_ipc_buffer(receiver, true);
    if (sender->fault.type == seL4_NoFault)
        do_normal_transfer(sender, tcb_ipc_buffer(sender, false), ep, badge, grant, receiver, rbuf);
    else
        do_fault_transfer(badge, sender, receiver, rbuf);
}

// The handler's reply to a fault: for syscall and exception faults, label 0 resumes
// with the registers the reply carries; cap and VM faults always restart.
bool handle_fault_reply(struct tcb *receiver, struct tcb *sender)
{
    seL4_MessageInfo_t info = {{sender->ctx[CTX_A1]}};
    word_t label = seL4_MessageInfo_get_label(info);
    word_t len = MIN(seL4_MessageInfo_get_length(info), (word_t)seL4_MsgMaxLength);
    word_t *sbuf = tcb_ipc_buffer(sender, false);
    static const unsigned syscall_regs[] = {CTX_FAULT_PC, CTX_SP, CTX_RA, CTX_A0, CTX_A1,
                                            CTX_A2, CTX_A3, CTX_A4, CTX_A5, CTX_A6};
    static const unsigned exception_regs[] = {CTX_FAULT_PC, CTX_SP};
    const unsigned *regs = NULL;
    word_t n = 0;
    switch (receiver->fault.type) {
    case seL4_UnknownSyscall:
        regs = syscall_regs;
        n = ARRAY_SIZE(syscall_regs);
        break;
    case seL4_UserException:
        regs = exception_regs;
        n = ARRAY_SIZE(exception_regs);
        break;
    default:
        return true;
    }
    for (word_t i = 0; i < MIN(len, n); i++) {
        if (i >= seL4_FastMessageRegisters && !sbuf)
            break;
        receiver->ctx[regs[i]] = get_mr(sender, sbuf, i);
    }
    return label == 0;
}
