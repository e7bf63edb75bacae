#include "string.h"
#include <stdint.h>

// The compiler emits calls to memcpy and memset itself, even during link-time
// optimisation, after it may have dropped or renamed these definitions: `used`
// keeps them as they are.
#define LIBC_FN __attribute__((used))

LIBC_FN void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    // Word copies when both sides are aligned: boot copies whole pages.
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(uint64_t *)d = *(const uint64_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

LIBC_FN void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    if (((uintptr_t)d & 7) == 0 && c == 0) {
        for (; n >= 8; n -= 8, d += 8)
            *(uint64_t *)d = 0;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}
