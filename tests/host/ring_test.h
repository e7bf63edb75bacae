// Helpers shared by the ring's host tests (test_ring.c under ASan/UBSan, tsan_ring.c
// under ThreadSanitizer): a zeroed, aligned shared region and a reproducible item for
// each sequence number, so that the consumer can check order and content.
#pragma once
#include <al4/ring.h>

#define RING_COUNT(a) (sizeof(a) / sizeof((a)[0]))

// A zeroed region for a ring of `cap` items, 64-byte aligned as a frame would be.
static inline struct al4_ring_shared *ring_region(uint32_t cap)
{
    void *p = aligned_alloc(AL4_RING_LINE, AL4_RING_BYTES(cap));
    assert_non_null(p);
    memset(p, 0, AL4_RING_BYTES(cap));
    return p;
}

// The n-th item of a stream: every word depends on n, so a lost, repeated, reordered
// or torn item is seen. A valid item (al4_ring_item_check passes with any limit > co).
static inline struct al4_ring_item ring_item(uint64_t n)
{
    struct al4_ring_item it = {
        .co = (uint32_t)(n % 1021),
        .info = seL4_MessageInfo_new(n & 0xfffff, 0, 0, n % (AL4_RING_MRS + 1)).words[0],
    };
    for (unsigned i = 0; i < AL4_RING_MRS; i++)
        it.mr[i] = n * 0x9e3779b97f4a7c15ull + i;
    return it;
}

// True if *it is the n-th item: header and the payload its length names (the ring
// moves only those words).
static inline bool ring_item_is(const struct al4_ring_item *it, uint64_t n)
{
    struct al4_ring_item want = ring_item(n);
    return it->co == want.co && it->reserved == want.reserved && it->info == want.info &&
           memcmp(it->mr, want.mr, al4_ring_item_words(want.info) * sizeof(uint64_t)) == 0;
}
