// System call entry: the dispatcher and the pieces the slow paths share.
#pragma once
#include "tcb.h"

void handle_syscall(word_t nr);
void handle_fault(struct tcb *t);
bool handle_debug_syscall(word_t nr);
void handle_unknown_syscall(word_t nr);
