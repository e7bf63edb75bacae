// The doubly linked thread queues of endpoints and notifications (through
// tcb->ep_next/ep_prev). The objects keep head and tail their own way (an endpoint
// packs its state into the head word), so these take the head and return the new one.
#pragma once
#include "tcb.h"

static inline struct tcb *tq_append(struct tcb *head, struct tcb **tail, struct tcb *t)
{
    t->ep_next = NULL;
    t->ep_prev = head ? *tail : NULL;
    if (head)
        (*tail)->ep_next = t;
    else
        head = t;
    *tail = t;
    return head;
}

static inline struct tcb *tq_remove(struct tcb *head, struct tcb **tail, struct tcb *t)
{
    if (t->ep_prev)
        t->ep_prev->ep_next = t->ep_next;
    else
        head = t->ep_next;
    if (t->ep_next)
        t->ep_next->ep_prev = t->ep_prev;
    else
        *tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
    return head;
}
