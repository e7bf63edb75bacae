// Fixed-width types and small helpers shared by every kernel file.
// The kernel is freestanding: no libc headers beyond the compiler's own.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint64_t word_t;
typedef uint64_t paddr_t;
typedef uint64_t vptr_t;  // a user virtual address
typedef uint64_t pptr_t;  // a kernel window address

#define BIT(n)       (1ul << (n))
#define MASK(n)      (BIT(n) - 1ul)
#define ROUND_DOWN(x, n) ((x) & ~MASK(n))
#define ROUND_UP(x, n)   ROUND_DOWN((x) + MASK(n), n)
#define IS_ALIGNED(x, n) (((x) & MASK(n)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define UNUSED      __attribute__((unused))
#define NORETURN    __attribute__((noreturn))
#define NOINLINE    __attribute__((noinline))
#define PACKED      __attribute__((packed))
#define ALIGNED(n)  __attribute__((aligned(n)))

// Index of the highest set bit of x != 0. The kernel's ISA has no clz instruction
// (Rocket has no Zbb), and libgcc's __clzdi2 costs twice this binary search, whose
// last three steps are a table lookup (kernel/lib/msb.c): it runs on every schedule()
// and on the notification fastpath's Wait.
extern const uint8_t msb_byte[256];
static inline word_t msb(word_t x)
{
    word_t n = 0;  // word_t, not unsigned: no zero-extensions when it indexes
#pragma GCC unroll 3  // three steps, no loop
    for (unsigned half = 32; half >= 8; half /= 2)
        if (x >> half) {
            x >>= half;
            n += half;
        }
    return n + msb_byte[x];
}
