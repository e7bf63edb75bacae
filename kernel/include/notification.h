// Notifications: badge words that threads signal and wait on (seL4's notification.c).
#pragma once
#include "object.h"
#include "tcb.h"

void send_signal(struct notification *n, word_t badge);
void complete_signal(struct notification *n, struct tcb *t);
void receive_signal(struct tcb *t, struct cap cap, bool blocking);
// A receive on an endpoint by t, bound to n: true if a signal was pending (t has it).
bool receive_bound_signal(struct notification *n, struct tcb *t);
void cancel_signal(struct tcb *t, struct notification *n);
void cancel_all_signals(struct notification *n);
void notification_unbind(struct notification *n);
void notification_bind(struct notification *n, struct tcb *t);
