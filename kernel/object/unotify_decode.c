// Decoding of the U-notification invocations on a notification cap (docs/unotify.md):
// every check and its seL4 error, then the invoke functions of unotify.c.
#include "decode.h"
#include "hart.h"
#include "unotify.h"
#include "uintc.h"
#include "printf.h"
#include <al4/invocation.h>

// Extra cap 0 must be a thread: seL4_TruncatedMessage without it, InvalidCapability
// (cap 1) for anything else, as seL4 reports a wrong extra cap.
static word_t extra_tcb(struct invocation *inv, struct tcb **out)
{
    if (inv->n_extra < 1)
        return refuse(inv, seL4_TruncatedMessage);
    struct cap c = inv->extra[0]->cap;
    if (cap_get_tag(c) != cap_thread) {
        user_error("U-notification: extra cap is not a thread.");
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    *out = cap_ptr(c);
    return seL4_NoError;
}

static void reply_index(struct invocation *inv, word_t idx)
{
    inv_reply_mr(inv, 0, idx);
    inv_reply_done(inv, 1);
}

static word_t register_receiver(struct invocation *inv, struct notification *n)
{
    if (!(cap_rights(inv->cap) & RIGHT_READ)) {
        user_error("RegisterReceiver: the notification cap cannot receive.");
        return refuse(inv, seL4_IllegalOperation);
    }
    struct tcb *t;
    word_t st = extra_tcb(inv, &t);
    if (st)
        return st;
    if (t->bound_ntfn != n) {
        user_error("RegisterReceiver: the thread is not bound to this notification.");
        return refuse(inv, seL4_IllegalOperation);
    }
    if (t->uintr.rx) {
        reply_index(inv, t->uintr.rx - 1);
        return seL4_NoError;
    }
    int idx = unotify_rx_alloc();
    if (idx < 0) {
        user_error("RegisterReceiver: all %u UINTC receiver entries are in use.", uintc.entries);
        return refuse_arg(inv, seL4_NotEnoughMemory, 0);
    }
    unotify_register_receiver(t, idx);
    reply_index(inv, idx);
    return seL4_NoError;
}

static word_t register_sender(struct invocation *inv, struct notification *n)
{
    struct cap c = inv->cap;
    if (!(cap_rights(c) & RIGHT_WRITE)) {
        user_error("RegisterSender: the notification cap cannot send.");
        return refuse(inv, seL4_IllegalOperation);
    }
    // The UINTC sets one bit per send: the badge must be that bit for the receiver's
    // word to be what seL4 would return (docs/unotify.md, "Badges").
    word_t badge = cap_badge(c);
    if (badge == 0 || (badge & (badge - 1))) {
        user_error("RegisterSender: badge %lx is not a single bit.", badge);
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
    struct tcb *t;
    word_t st = extra_tcb(inv, &t);
    if (st)
        return st;
    int rx = unotify_rx(n);
    if (rx < 0) {
        user_error("RegisterSender: the notification has no registered receiver.");
        return refuse(inv, seL4_IllegalOperation);
    }
    word_t ref = cap_ntfn_sender(c);
    if (ref) {
        if (t->uintr.st != unotify_ref_table(ref) + 1) {
            user_error("RegisterSender: the cap is registered for another thread.");
            return refuse(inv, seL4_DeleteFirst);
        }
        reply_index(inv, unotify_ref_index(ref));
        return seL4_NoError;
    }
    int table = unotify_table_of(t);
    int index = table < 0 ? -1 : unotify_table_free_entry(table);
    if (index < 0) {
        user_error("RegisterSender: no sender table entry left.");
        return refuse_arg(inv, seL4_NotEnoughMemory, 0);
    }
    unotify_register_sender(inv->slot, table, index, rx, __builtin_ctzl(badge));
    reply_index(inv, index);
    return seL4_NoError;
}

bool is_unotify_invocation(const struct invocation *inv)
{
    return inv->is_call && inv->label >= al4_NotificationRegisterReceiver &&
           inv->label < al4_nInvocationLabels;
}

word_t decode_unotify(struct invocation *inv)
{
    struct notification *n = cap_ptr(inv->cap);
    // Completions may go through the kernel path: no UINTC needed.
    if (inv->label == al4_NotificationRegisterAsyncSyscall)
        return decode_register_async_syscall(inv);
    if (!uintc_present()) {
        user_error("U-notification: this machine has no UINTC.");
        return refuse(inv, seL4_IllegalOperation);
    }
    switch (inv->label) {
    case al4_NotificationRegisterReceiver:
        return register_receiver(inv, n);
    case al4_NotificationRegisterSender:
        return register_sender(inv, n);
    default:
        user_error("U-notification: unknown label %lu.", inv->label);
        return refuse(inv, seL4_IllegalOperation);
    }
}
