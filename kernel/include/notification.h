// Notifications: badge words that threads signal and wait on (seL4's notification.c).
#pragma once
#include "object.h"
#include "tcb.h"

void send_signal(struct notification *n, word_t badge);
void complete_signal(struct notification *n, struct tcb *t);
void receive_signal(struct tcb *t, struct cap cap, bool blocking);
// A signal pending on n (its word and, registered, its UINTC entry's bits) goes to t:
// true if there was one (t has it in a0). Wait, Poll and a bound Recv all look here.
bool take_signal(struct notification *n, struct tcb *t);
void cancel_signal(struct tcb *t, struct notification *n);
void cancel_all_signals(struct notification *n);
void notification_unbind(struct notification *n);
void notification_bind(struct notification *n, struct tcb *t);
