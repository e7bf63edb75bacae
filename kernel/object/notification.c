// Notifications: a word of badge bits that signals OR into and a wait consumes
// (seL4's notification.c), with an optional bound thread. A registered notification
// (U-notification, unotify.c) keeps its bits in its UINTC entry instead, where
// `uipi send` sets them too: every path here that reads the word takes those bits
// (unotify_take), and a signal nobody waits for in the kernel goes to the entry, so
// that the receiver sees it in user mode.
#include "notification.h"
#include "endpoint.h"
#include "ipc.h"
#include "sched.h"
#include "smp.h"
#include "tcb_queue.h"
#include "unotify.h"

static void wake(struct tcb *t, word_t badge)
{
    tcb_set_state(t, THREAD_RUNNING);
    t->ctx[CTX_A0] = badge;
    possible_switch_to(t);
}

void send_signal(struct notification *n, word_t badge)
{
    switch (ntfn_state(n)) {
    case NTFN_IDLE: {
        struct tcb *t = n->bound;
        // A bound thread waiting on an endpoint takes the signal instead.
        if (t && t->state == THREAD_BLOCKED_ON_RECEIVE) {
            cancel_ipc(t);
            wake(t, badge | unotify_take(n));
        } else if (!badge || !unotify_post(n, badge)) {
            // Not registered, or a zero badge (which no pending bit can carry).
            n->badge = badge;
            ntfn_set(n, NULL, NTFN_ACTIVE);
        }
        break;
    }
    case NTFN_WAITING: {
        struct tcb *t = ntfn_head(n);
        ntfn_queue_remove(n, t);
        wake(t, badge | unotify_take(n));
        break;
    }
    case NTFN_ACTIVE:
        // The word is already active (a zero badge, or a word from before registering):
        // a registered notification's running receiver still sees the badge at once,
        // and Wait/Poll return the same word either way (they take both).
        if (!(badge && unotify_post(n, badge)))
            n->badge |= badge;
        break;
    }
}

void complete_signal(struct notification *n, struct tcb *t)
{
    t->ctx[CTX_A0] = n->badge;
    n->badge = 0;
    ntfn_set(n, NULL, NTFN_IDLE);
}

// Whether a signal is there for t to take now; if so t has it in a0.
bool take_signal(struct notification *n, struct tcb *t)
{
    word_t bits = unotify_take(n);
    if (ntfn_state(n) == NTFN_ACTIVE) {
        complete_signal(n, t);
        t->ctx[CTX_A0] |= bits;
        return true;
    }
    t->ctx[CTX_A0] = bits;
    return bits != 0;
}

void receive_signal(struct tcb *t, struct cap cap, bool blocking)
{
    struct notification *n = cap_ptr(cap);
    // A registered notification's receiver rechecks its entry here, under the kernel
    // lock, before it blocks: the other half of the sleep/wake protocol
    // (docs/unotify-protocol.md).
    if (take_signal(n, t))
        return;
    if (!blocking) {
        t->ctx[CTX_A0] = 0;
        return;
    }
    ntfn_block(n, t);
}

void ntfn_block(struct notification *n, struct tcb *t)
{
    t->blocking_object = n;
    tcb_set_state(t, THREAD_BLOCKED_ON_NOTIFICATION);
    ntfn_queue_append(n, t);
}

void ntfn_block_running(struct notification *n, struct tcb *t)
{
    assert(t->state == THREAD_RUNNING);
    t->blocking_object = n;
    smp_stall(t);
    t->state = THREAD_BLOCKED_ON_NOTIFICATION;
    sched_dequeue_head(t);
    ntfn_queue_append(n, t);
}

void cancel_signal(struct tcb *t, struct notification *n)
{
    ntfn_queue_remove(n, t);
    tcb_set_state(t, THREAD_INACTIVE);
}

void cancel_all_signals(struct notification *n)
{
    if (ntfn_state(n) != NTFN_WAITING)
        return;
    struct tcb *t;
    while ((t = ntfn_head(n))) {
        ntfn_queue_remove(n, t);
        tcb_set_state(t, THREAD_RESTART);
    }
}

void notification_bind(struct notification *n, struct tcb *t)
{
    n->bound = t;
    t->bound_ntfn = n;
}

void notification_unbind(struct notification *n)
{
    if (n->bound) {
        unotify_receiver_release(n->bound, n);
        n->bound->bound_ntfn = NULL;
    }
    n->bound = NULL;
}
