// System call entry: the dispatcher and the pieces the slow paths share.
#pragma once
#include "tcb.h"

// An invocation's refusal: seL4's syscall_error_t.
struct syscall_error {
    word_t type;  // seL4_Error
    word_t arg0, arg1;  // argument / cap number / range / memory left
    bool was_source;
    struct lookup_fault lf;
};

void handle_syscall(word_t nr);
void handle_fault(struct tcb *t);
bool handle_debug_syscall(word_t nr);
void handle_unknown_syscall(word_t nr);
word_t decode_invocation(struct tcb *t, word_t label, word_t length, word_t cptr,
                         struct cte *slot, struct syscall_error *err);
void set_mr(struct tcb *t, word_t *buffer, word_t i, word_t v);
