// Kernel console output, through SBI. Release builds keep only what a user needs to
// see (boot banner, halts); debug prints (user errors, refusals) are debug-only.
#pragma once
#include "types.h"
#include <stdarg.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kputchar(int c);

#ifdef CONFIG_DEBUG_BUILD
#define debug_printf(...) kprintf(__VA_ARGS__)
NORETURN void assert_fail(const char *expr, const char *file, int line, const char *fn);
#define assert(e) ((e) ? (void)0 : assert_fail(#e, __FILE__, __LINE__, __func__))
#else
// Still type-checks (and uses) the arguments, then compiles to nothing.
#define debug_printf(...) do { if (0) kprintf(__VA_ARGS__); } while (0)
#define assert(e) ((void)0)
#endif

// A refused user request, said the way seL4 says it: thread, function, line, reason.
// The thread is the one the kernel acts for: the current one, or the one whose
// asynchronous system call it serves (which may be on no hart, the hart idle).
#define user_error(...) \
    do { \
        user_error_begin(__func__, __LINE__); \
        debug_printf(__VA_ARGS__); \
        debug_printf(">>\n"); \
    } while (0)
#ifdef CONFIG_DEBUG_BUILD
void user_error_begin(const char *func, int line);
#else
static inline void user_error_begin(const char *func, int line)
{
    (void)func;
    (void)line;
}
#endif

NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
