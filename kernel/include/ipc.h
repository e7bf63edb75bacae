// Message transfer between threads: registers, IPC buffers, capabilities, faults.
#pragma once
#include "tcb.h"
#include "object.h"

void do_ipc_transfer(struct tcb *sender, struct endpoint *ep, word_t badge, bool grant,
                     struct tcb *receiver);
bool handle_fault_reply(struct tcb *receiver, struct tcb *sender);
