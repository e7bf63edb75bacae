// What the benchmarks measure with: under QEMU -icount shift=0 the cycle counter counts
// guest instructions, so a one-way cost is a difference of two counter reads, less
// what reading and publishing the counter itself adds.
#pragma once
#include <stddef.h>
#include <sel4/sel4.h>

static inline seL4_Word rdcycle(void)
{
    seL4_Word c;
    asm volatile("rdcycle %0" : "=r"(c) : : "memory");
    return c;
}

// The cost of "read the counter, publish it to *slot" followed by a second read: what
// every one-way figure contains besides what it measures.
seL4_Word measure_overhead(volatile seL4_Word *slot);
// The median of v[0..n) (sorts them).
seL4_Word median_of(seL4_Word *v, size_t n);
