// memcpy and memset for user programs, ahead of picolibc's in the link (libuser.a comes
// first): Debian's picolibc for riscv64 is built for size and copies one byte per loop
// round, six instructions a byte, which made a 64-byte ring item cost more than the
// rest of an asynchronous IPC call. These move a word per round when the addresses
// allow it. The attribute keeps gcc from turning the loops back into calls to
// memcpy and memset, that is, into themselves.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALLS void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(uint64_t *)d = *(const uint64_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LIBCALLS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (((uintptr_t)d & 7) == 0) {
        uint64_t w = (unsigned char)c * 0x0101010101010101ull;
        for (; n >= 8; n -= 8, d += 8)
            *(uint64_t *)d = w;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
