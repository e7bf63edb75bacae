// Kernel objects that are not threads: endpoint and notification layouts, and the
// IRQ and ASID tables.
#pragma once
#include "types.h"

struct tcb;

// Endpoint (16 bytes, seL4_EndpointBits): a queue of threads all sending or all
// receiving.
enum ep_state { EP_IDLE = 0, EP_SEND = 1, EP_RECV = 2 };
struct endpoint {
    word_t head_state;  // struct tcb * | enum ep_state (pointers are 8-aligned)
    struct tcb *tail;
};
_Static_assert(sizeof(struct endpoint) == 16, "endpoint is seL4_EndpointBits");

// Notification (32 bytes, seL4_NotificationBits).
enum ntfn_state { NTFN_IDLE = 0, NTFN_WAITING = 1, NTFN_ACTIVE = 2 };
struct notification {
    word_t head_state;    // struct tcb * | enum ntfn_state
    struct tcb *tail;
    word_t badge;         // accumulated while active
    struct tcb *bound;    // bound TCB, or NULL
};
_Static_assert(sizeof(struct notification) == 32, "notification is seL4_NotificationBits");

static inline enum ep_state ep_state(const struct endpoint *e) { return e->head_state & 3; }
static inline struct tcb *ep_head(const struct endpoint *e) { return (struct tcb *)(e->head_state & ~3ul); }
static inline void ep_set(struct endpoint *e, struct tcb *head, enum ep_state s)
{
    e->head_state = (word_t)head | s;
}
static inline enum ntfn_state ntfn_state(const struct notification *n) { return n->head_state & 3; }
static inline struct tcb *ntfn_head(const struct notification *n) { return (struct tcb *)(n->head_state & ~3ul); }
static inline void ntfn_set(struct notification *n, struct tcb *head, enum ntfn_state s)
{
    n->head_state = (word_t)head | s;
}
