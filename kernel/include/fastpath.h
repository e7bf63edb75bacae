// IPC fastpath: Call and ReplyRecv between two threads on one hart, when nothing but
// a register message moves (seL4's fastpath.c). trap.S enters it straight from the
// ecall; when a precondition fails it hands the call to the full system call path.
#pragma once
#include "types.h"

#ifdef CONFIG_FASTPATH
extern bool fastpath_enabled;  // al4_SysSetFastpath, for comparing both paths in one run
NORETURN void c_handle_fastpath_call(word_t cptr, word_t info);
NORETURN void c_handle_fastpath_reply_recv(word_t cptr, word_t info);
#else
#define fastpath_enabled false
#endif
