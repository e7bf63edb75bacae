// Counter overhead and medians for the benchmarks (measure.h).
#include "measure.h"
#include <stdlib.h>
#include <al4/debug.h>

seL4_Word measure_overhead(volatile seL4_Word *slot)
{
    seL4_Word best = ~0ul;
    for (int i = 0; i < 50; i++) {
        seL4_Word t0, t1;
        asm volatile("rdcycle %0\n sd %0, 0(%2)\n rdcycle %1"
                     : "=&r"(t0), "=r"(t1) : "r"(slot) : "memory");
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return best;
}

static int cmp(const void *a, const void *b)
{
    seL4_Word x = *(const seL4_Word *)a, y = *(const seL4_Word *)b;
    return x < y ? -1 : x > y;
}

seL4_Word median_of(seL4_Word *v, size_t n)
{
    qsort(v, n, sizeof(seL4_Word), cmp);
    return v[n / 2];
}
