// IPC fastpath: Call and ReplyRecv between two threads on one hart, when nothing but
// a register message moves (seL4's fastpath.c). Each returns only if a precondition
// fails; the slow path then handles the system call in full.
#pragma once
#include "types.h"

#ifdef CONFIG_FASTPATH
extern bool fastpath_enabled;  // al4_SysSetFastpath, for comparing both paths in one run
void fastpath_call(word_t cptr, word_t info);
void fastpath_reply_recv(word_t cptr, word_t info);
#else
#define fastpath_enabled false
static inline void fastpath_call(word_t cptr, word_t info) { (void)cptr; (void)info; }
static inline void fastpath_reply_recv(word_t cptr, word_t info) { (void)cptr; (void)info; }
#endif
