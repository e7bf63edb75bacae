// The few string functions the freestanding kernel needs (lib/string.c). GCC may emit
// calls to memcpy/memset itself, so they keep their standard names.
#pragma once
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);
