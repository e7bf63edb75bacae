// Endpoints: synchronous message passing (seL4's endpoint.c). Threads queue on an
// endpoint all sending or all receiving; a rendezvous transfers the message.
#include "endpoint.h"
#include "notification.h"
#include "ipc.h"
#include "cdt.h"
#include "sched.h"
#include "printf.h"
#include "tcb_queue.h"

static void queue_append(struct endpoint *ep, struct tcb *t, enum ep_state s)
{
    ep_set(ep, tq_append(ep_head(ep), &ep->tail, t), s);
}

void ep_dequeue(struct endpoint *ep, struct tcb *t)
{
    struct tcb *head = tq_remove(ep_head(ep), &ep->tail, t);
    ep_set(ep, head, head ? ep_state(ep) : EP_IDLE);
}

void ep_block(struct tcb *t, struct endpoint *ep, enum thread_state s, word_t badge, bool grant,
              bool grant_reply, bool is_call)
{
    t->blocking_object = ep;
    t->blocking_badge = badge;
    t->blocking_grant = grant;
    t->blocking_grant_reply = grant_reply;
    t->blocking_is_call = is_call;
    tcb_set_state(t, s);
    queue_append(ep, t, s == THREAD_BLOCKED_ON_SEND ? EP_SEND : EP_RECV);
}

// The fastpath's receive: the running thread (state set by the caller) joins the
// endpoint's receive queue.
void ep_enqueue_receiver(struct endpoint *ep, struct tcb *t, bool grant)
{
    t->blocking_object = ep;
    t->blocking_badge = 0;
    t->blocking_grant = grant;
    t->blocking_grant_reply = false;
    t->blocking_is_call = false;
    queue_append(ep, t, EP_RECV);
}

void send_ipc(bool blocking, bool do_call, word_t badge, bool can_grant, bool can_grant_reply,
              struct tcb *t, struct endpoint *ep)
{
    if (ep_state(ep) != EP_RECV) {
        if (blocking)
            ep_block(t, ep, THREAD_BLOCKED_ON_SEND, badge, can_grant, can_grant_reply, do_call);
        return;
    }
    struct tcb *dest = ep_head(ep);
    ep_dequeue(ep, dest);
    do_ipc_transfer(t, ep, badge, can_grant, dest);
    bool reply_grant = dest->blocking_grant;
    tcb_set_state(dest, THREAD_RUNNING);
    possible_switch_to(dest);
    if (do_call) {
        if (can_grant || can_grant_reply)
            setup_caller_cap(t, dest, reply_grant);
        else
            tcb_set_state(t, THREAD_INACTIVE);
    }
}

void receive_ipc(struct tcb *t, struct cap cap, bool blocking)
{
    struct endpoint *ep = cap_ptr(cap);
    bool grant = cap_rights(cap) & RIGHT_GRANT;
    struct notification *bound = t->bound_ntfn;
    // seL4's handleRecv deletes the caller cap before anything else: a receive that
    // returns a pending signal gives up the reply authority too.
    delete_caller_cap(t);
    if (bound && take_signal(bound, t))
        return;
    if (ep_state(ep) != EP_SEND) {
        if (blocking)
            ep_block(t, ep, THREAD_BLOCKED_ON_RECEIVE, 0, grant, false, false);
        else
            t->ctx[CTX_A0] = 0;  // NBRecv found nothing: badge 0
        return;
    }
    struct tcb *sender = ep_head(ep);
    ep_dequeue(ep, sender);
    do_ipc_transfer(sender, ep, sender->blocking_badge, sender->blocking_grant, t);
    if (sender->blocking_is_call) {
        if (sender->blocking_grant || sender->blocking_grant_reply)
            setup_caller_cap(sender, t, grant);
        else
            tcb_set_state(sender, THREAD_INACTIVE);
    } else {
        tcb_set_state(sender, THREAD_RUNNING);
        possible_switch_to(sender);
    }
}

void cancel_ipc(struct tcb *t)
{
    switch (t->state) {
    case THREAD_BLOCKED_ON_SEND:
    case THREAD_BLOCKED_ON_RECEIVE:
        ep_dequeue(t->blocking_object, t);
        tcb_set_state(t, THREAD_INACTIVE);
        break;
    case THREAD_BLOCKED_ON_NOTIFICATION:
        cancel_signal(t, t->blocking_object);
        break;
    case THREAD_BLOCKED_ON_REPLY: {
        // The caller cap some server holds for t goes away; t's fault is forgotten.
        t->fault.type = seL4_NoFault;
        struct cte *caller = mdb_next(tcb_slot(t, TCB_REPLY));
        if (caller)
            cte_delete(caller);
        break;
    }
    default:
        break;
    }
}

// Everyone queued restarts their system call (seL4: the endpoint was deleted).
void cancel_all_ipc(struct endpoint *ep)
{
    struct tcb *t;
    while ((t = ep_head(ep))) {
        ep_dequeue(ep, t);
        tcb_set_state(t, THREAD_RESTART);
    }
}

void cancel_badged_sends(struct endpoint *ep, word_t badge)
{
    if (ep_state(ep) != EP_SEND)
        return;
    for (struct tcb *t = ep_head(ep), *next; t; t = next) {
        next = t->ep_next;
        if (t->blocking_badge == badge) {
            ep_dequeue(ep, t);
            tcb_set_state(t, THREAD_RESTART);
        }
    }
}

void setup_caller_cap(struct tcb *sender, struct tcb *receiver, bool can_grant)
{
    tcb_set_state(sender, THREAD_BLOCKED_ON_REPLY);
    struct cte *master = tcb_slot(sender, TCB_REPLY);
    struct cte *caller = tcb_slot(receiver, TCB_CALLER);
    cte_insert(cap_reply_new(pptr_to_paddr(sender), false, can_grant), master, caller);
}

void delete_caller_cap(struct tcb *receiver)
{
    cte_delete(tcb_slot(receiver, TCB_CALLER));
}

// The reply: the message (or, to a faulted thread, the fault reply) goes to the
// waiting caller, whose reply cap is consumed.
void do_reply_transfer(struct tcb *sender, struct tcb *receiver, struct cte *reply_slot, bool grant)
{
    if (receiver->fault.type == seL4_NoFault) {
        do_ipc_transfer(sender, NULL, 0, grant, receiver);
        cte_delete(reply_slot);
        tcb_set_state(receiver, THREAD_RUNNING);
        possible_switch_to(receiver);
        return;
    }
    cte_delete(reply_slot);
    bool restart = handle_fault_reply(receiver, sender);
    receiver->fault.type = seL4_NoFault;
    if (restart) {
        tcb_set_state(receiver, THREAD_RESTART);
        possible_switch_to(receiver);
    } else {
        tcb_set_state(receiver, THREAD_INACTIVE);
    }
}
