// What every capability type answers (seL4's objecttype.c): comparison, derivation,
// rights, finalisation and creation. RISC-V types go to the arch_ hooks.
#include "objecttype.h"
#include "object.h"
#include "tcb.h"
#include "cdt.h"
#include "endpoint.h"
#include "notification.h"
#include "unotify.h"
#include "string.h"
#include <sel4/objecttype.h>

bool cap_is_physical(struct cap c)
{
    switch (cap_get_tag(c)) {
    case cap_untyped:
    case cap_endpoint:
    case cap_notification:
    case cap_cnode:
    case cap_thread:
    case cap_zombie:
    case cap_frame:
    case cap_page_table:
    case cap_asid_pool:
        return true;
    default:
        return false;
    }
}

word_t cap_region_bits(struct cap c)
{
    switch (cap_get_tag(c)) {
    case cap_untyped: return cap_untyped_bits(c);
    case cap_endpoint: return seL4_EndpointBits;
    case cap_notification: return seL4_NotificationBits;
    case cap_cnode: return cap_cnode_radix(c) + seL4_SlotBits;
    case cap_thread: return seL4_TCBBits;
    case cap_frame: return 12 + 9 * cap_frame_size(c);
    case cap_page_table: return seL4_PageTableBits;
    case cap_asid_pool: return seL4_ASIDPoolBits;
    default: return 0;
    }
}

// Thread caps name the tcb in the object's second half.
paddr_t cap_region_base(struct cap c)
{
    return cap_get_tag(c) == cap_thread ? cap_paddr(c) - TCB_OFFSET : cap_paddr(c);
}

bool same_region_as(struct cap a, struct cap b)
{
    enum cap_tag ta = cap_get_tag(a), tb = cap_get_tag(b);
    switch (ta) {
    case cap_untyped:
        if (!cap_is_physical(b))
            return false;
        {
            paddr_t a0 = cap_paddr(a), a1 = a0 + BIT(cap_untyped_bits(a)) - 1;
            paddr_t b0 = cap_region_base(b), b1 = b0 + BIT(cap_region_bits(b)) - 1;
            return a0 <= b0 && b1 <= a1 && b0 <= b1;
        }
    case cap_endpoint:
    case cap_notification:
    case cap_thread:
        return tb == ta && cap_paddr(a) == cap_paddr(b);
    case cap_cnode:
        return tb == cap_cnode && cap_paddr(a) == cap_paddr(b) &&
               cap_cnode_radix(a) == cap_cnode_radix(b);
    case cap_reply:
        return tb == cap_reply && cap_paddr(a) == cap_paddr(b);
    case cap_domain:
    case cap_asid_control:
        return tb == ta;
    case cap_irq_control:
        return tb == cap_irq_control || tb == cap_irq_handler;
    case cap_irq_handler:
        return tb == cap_irq_handler && a.w1 == b.w1;
    case cap_frame:
    case cap_page_table:
    case cap_asid_pool:
        return arch_same_region_as(a, b);
    default:
        return false;
    }
}

bool same_object_as(struct cap a, struct cap b)
{
    enum cap_tag ta = cap_get_tag(a), tb = cap_get_tag(b);
    if (ta == cap_untyped)
        return false;
    if (ta == cap_irq_control && tb == cap_irq_handler)
        return false;
    if (ta == cap_frame || ta == cap_page_table || ta == cap_asid_pool)
        return arch_same_object_as(a, b);
    return same_region_as(a, b);
}

word_t derive_cap(struct cte *slot, struct cap cap, struct cap *out, struct syscall_error *err)
{
    *out = cap;
    switch (cap_get_tag(cap)) {
    case cap_zombie:
    case cap_irq_control:
    case cap_reply:
        *out = cap_null_new();
        return seL4_NoError;
    case cap_untyped:
        // An untyped with children cannot be copied: the copy's watermark would lie.
        if (cte_has_children(slot)) {
            err->type = seL4_RevokeFirst;
            return err->type;
        }
        return seL4_NoError;
    case cap_frame:
    case cap_page_table:
    case cap_asid_pool:
    case cap_asid_control:
        return arch_derive_cap(slot, cap, out, err);
    default:
        // A notification cap's U-notification sender entry stays behind: cte_insert.
        return seL4_NoError;
    }
}

struct cap mask_cap_rights(seL4_CapRights_t rights, struct cap cap)
{
    word_t r = rights.words[0] & 0xf;
    switch (cap_get_tag(cap)) {
    case cap_endpoint:
        return cap_set_rights(cap, cap_rights(cap) & r);
    case cap_notification:
        return cap_set_rights(cap, cap_rights(cap) & r & (RIGHT_READ | RIGHT_WRITE));
    case cap_reply:
        // Only the grant right of a reply cap can be removed.
        return cap_reply_new(cap_paddr(cap), cap_reply_master(cap),
                             cap_reply_grant(cap) && (r & RIGHT_GRANT));
    case cap_frame:
        return arch_mask_cap_rights(rights, cap);
    default:
        return cap;
    }
}

// Mint/Mutate data: a badge for endpoints and notifications (only if none yet), a
// guard for CNodes. `preserve` (Mutate) refuses changing an existing badge.
struct cap update_cap_data(bool preserve, word_t data, struct cap cap)
{
    switch (cap_get_tag(cap)) {
    case cap_endpoint:
    case cap_notification:
        if (!preserve && cap_badge(cap) == 0) {
            cap.w1 = data;
            return cap;
        }
        return cap_null_new();
    case cap_cnode: {
        word_t guard_size = data & 0x3f, guard = data >> 6;
        word_t radix = cap_cnode_radix(cap);
        if (guard_size + radix > seL4_WordBits)
            return cap_null_new();
        guard &= guard_size < 64 ? MASK(guard_size) : ~0ul;
        return cap_cnode_new(cap_paddr(cap), radix, guard_size, guard);
    }
    default:
        return cap;
    }
}

bool cap_is_revocable(struct cap derived, struct cap src)
{
    switch (cap_get_tag(derived)) {
    case cap_endpoint:
    case cap_notification:
        return cap_badge(derived) != cap_badge(src);
    case cap_irq_handler:
        return cap_get_tag(src) == cap_irq_control;
    case cap_untyped:
        return true;
    default:
        return false;
    }
}

static struct finalise_result done(void)
{
    return (struct finalise_result){cap_null_new(), ~0ul};
}

struct finalise_result finalise_cap(struct cap cap, bool final)
{
    switch (cap_get_tag(cap)) {
    case cap_endpoint:
        if (final)
            cancel_all_ipc(cap_ptr(cap));
        return done();
    case cap_notification:
        unotify_sender_release(cap);
        if (final) {
            struct notification *n = cap_ptr(cap);
            notification_unbind(n);
            cancel_all_signals(n);
        }
        return done();
    case cap_cnode:
        if (final)
            return (struct finalise_result){
                cap_zombie_new(cap_paddr(cap), false, BIT(cap_cnode_radix(cap))), ~0ul};
        return done();
    case cap_thread:
        if (final) {
            struct tcb *t = cap_ptr(cap);
            tcb_unbind_notification(t);
            tcb_suspend(t);
            tcb_forget(t);
            return (struct finalise_result){
                cap_zombie_new(pptr_to_paddr(tcb_slot(t, 0)), true, TCB_SLOTS), ~0ul};
        }
        return done();
    case cap_zombie:
        return (struct finalise_result){cap, ~0ul};
    case cap_irq_handler:
        if (final)
            return (struct finalise_result){cap_null_new(), cap.w1};
        return done();
    case cap_frame:
    case cap_page_table:
    case cap_asid_pool:
    case cap_asid_control:
        return (struct finalise_result){arch_finalise_cap(cap, final), ~0ul};
    default:
        return done();
    }
}

word_t object_size_bits(word_t type, word_t user_bits)
{
    switch (type) {
    case seL4_UntypedObject: return user_bits;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return user_bits + seL4_SlotBits;
    default: return arch_object_size_bits(type);
    }
}

struct cap create_object(word_t type, void *region, word_t user_bits, bool device,
                         unsigned hart)
{
    paddr_t p = pptr_to_paddr(region);
    switch (type) {
    case seL4_UntypedObject:
        return cap_untyped_new(p, user_bits, device, 0);
    case seL4_TCBObject: {
        struct tcb *t = (struct tcb *)((uint8_t *)region + TCB_OFFSET);
        tcb_init(t, "child of untyped");
        t->hart = hart;
        return cap_thread_new(pptr_to_paddr(t));
    }
    case seL4_EndpointObject:
        return cap_endpoint_new(p, 0, RIGHT_WRITE | RIGHT_READ | RIGHT_GRANT | RIGHT_GRANT_REPLY);
    case seL4_NotificationObject:
        return cap_notification_new(p, 0, RIGHT_WRITE | RIGHT_READ);
    case seL4_CapTableObject:
        return cap_cnode_new(p, user_bits, 0, 0);
    default:
        return arch_create_object(type, region, device);
    }
}
