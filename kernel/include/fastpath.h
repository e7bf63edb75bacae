// IPC fastpath: Call and ReplyRecv between two threads on one hart, when nothing but
// a register message moves (seL4's fastpath.c), and Signal and Wait on a notification
// that switch between two threads of one hart (fastpath_signal.c). trap.S enters it straight from the
// ecall; when a precondition fails it hands the call to the full system call path.
#pragma once
#include "types.h"

#ifdef CONFIG_FASTPATH
extern bool fastpath_enabled;  // al4_SysSetFastpath, for comparing both paths in one run
NORETURN void c_handle_fastpath_call(word_t cptr, word_t info);
NORETURN void c_handle_fastpath_reply_recv(word_t cptr, word_t info);
// Signal and Wait on a notification (fastpath_signal.c).
NORETURN void c_handle_fastpath_signal(word_t cptr, word_t info);
NORETURN void c_handle_fastpath_wait(word_t cptr);
#else
#define fastpath_enabled false
#endif
