// Synchronous IPC through endpoints (seL4's endpoint.c and ipc transfer).
#pragma once
#include "object.h"
#include "tcb.h"

void send_ipc(bool blocking, bool do_call, word_t badge, bool can_grant, bool can_grant_reply,
              struct tcb *t, struct endpoint *ep);
void receive_ipc(struct tcb *t, struct cap cap, bool blocking);
void cancel_ipc(struct tcb *t);
// Queue operations the fastpath shares.
void ep_dequeue(struct endpoint *ep, struct tcb *t);
void ep_enqueue_receiver(struct endpoint *ep, struct tcb *t, bool grant);
void ep_block(struct tcb *t, struct endpoint *ep, enum thread_state s, word_t badge, bool grant,
              bool grant_reply, bool is_call);
void cancel_all_ipc(struct endpoint *ep);
void cancel_badged_sends(struct endpoint *ep, word_t badge);
void do_reply_transfer(struct tcb *sender, struct tcb *receiver, struct cte *reply_slot, bool grant);
void setup_caller_cap(struct tcb *sender, struct tcb *receiver, bool can_grant);
void delete_caller_cap(struct tcb *receiver);
