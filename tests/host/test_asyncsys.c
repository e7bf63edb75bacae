// Host unit tests for the asynchronous-system-call frame (al4/asyncsys_ring.h, compiled
// as is; the kernel and libuser use the same header): the index check across the 32-bit
// wrap and against every out-of-range distance for both ring sizes, the slots of both
// frame sizes, the request check over every length and unwrapped-caps value, and that a
// request is copied out once, word by word, only the words its info word names.
#include "host_test.h"
#include <al4/asyncsys_ring.h>

static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(offsetof(struct al4_asyncsys_shared, user.req_tail), 0);
    assert_int_equal(offsetof(struct al4_asyncsys_shared, user.rep_head), 4);
    assert_int_equal(offsetof(struct al4_asyncsys_shared, user.client_running), 8);
    assert_int_equal(offsetof(struct al4_asyncsys_shared, kern.req_head), 64);
    assert_int_equal(offsetof(struct al4_asyncsys_shared, kern.rep_tail), 68);
    assert_int_equal(offsetof(struct al4_asyncsys_shared, kern.handler_running), 72);
    assert_int_equal(offsetof(struct al4_asyncsys_req, info), 8);
    assert_int_equal(offsetof(struct al4_asyncsys_req, cptr), 16);
    assert_int_equal(offsetof(struct al4_asyncsys_req, caps), 24);
    assert_int_equal(offsetof(struct al4_asyncsys_req, mr), 48);
    assert_int_equal(offsetof(struct al4_asyncsys_rep, mr), 16);
    assert_int_equal(sizeof(struct al4_asyncsys_shared), 128);
    // 4 KiB: requests from 128, replies from 128 + 16 * 128 = 2176, the last ends at 3200.
    struct al4_asyncsys_shared *sh = 0;
    assert_int_equal(al4_asyncsys_slots(12), 16);
    assert_int_equal((uintptr_t)al4_asyncsys_req_slot(sh, 16, 0), 128);
    assert_int_equal((uintptr_t)al4_asyncsys_req_slot(sh, 16, 17), 128 + 128);
    assert_int_equal((uintptr_t)al4_asyncsys_rep_slot(sh, 16, 0), 2176);
    assert_int_equal((uintptr_t)(al4_asyncsys_rep_slot(sh, 16, 15) + 1), 3200);
    // 2 MiB: 8192 slots, replies from 128 + 8192 * 128, the last inside the frame.
    assert_int_equal(al4_asyncsys_slots(21), 8192);
    assert_int_equal((uintptr_t)al4_asyncsys_rep_slot(sh, 8192, 8192), 128 + 8192 * 128);
    assert_true((uintptr_t)(al4_asyncsys_rep_slot(sh, 8192, 8191) + 1) <= 1u << 21);
    // No other size holds rings.
    assert_int_equal(al4_asyncsys_slots(30), 0);
    assert_int_equal(al4_asyncsys_slots(13), 0);
}

static void test_index(void **state)
{
    (void)state;
    const uint32_t sizes[] = {AL4_ASYNCSYS_SLOTS, AL4_ASYNCSYS_MEGA_SLOTS};
    for (unsigned z = 0; z < 2; z++) {
        uint32_t n = sizes[z];
        const uint32_t bases[] = {0, 1, 1000, UINT32_MAX - n, UINT32_MAX - 3, UINT32_MAX};
        for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
            uint32_t behind = bases[b];
            for (uint32_t d = 0; d <= n; d++)
                assert_true(al4_asyncsys_index_ok(behind + d, behind, n));
            for (uint32_t d = n + 1; d < n + 100; d++)
                assert_false(al4_asyncsys_index_ok(behind + d, behind, n));
            // An index behind the reader's own is a huge distance, never a few items.
            for (uint32_t d = 1; d < 100; d++)
                assert_false(al4_asyncsys_index_ok(behind - d, behind, n));
        }
    }
}

static void test_req_ok(void **state)
{
    (void)state;
    for (uint64_t len = 0; len < 128; len++)
        for (uint64_t unwrapped = 0; unwrapped < 8; unwrapped++)
            for (uint64_t caps = 0; caps < 4; caps++) {
                struct al4_asyncsys_req r = {
                    .info = (0x1234ull << 12) | unwrapped << 9 | caps << 7 | len};
                assert_int_equal(al4_asyncsys_req_ok(&r), len <= AL4_ASYNCSYS_MRS && !unwrapped);
            }
    // The label and the other words do not matter to the check.
    struct al4_asyncsys_req r;
    memset(&r, 0xff, sizeof(r));
    r.info = ~0ull << 12;
    assert_true(al4_asyncsys_req_ok(&r));
}

static void test_copy(void **state)
{
    (void)state;
    struct al4_asyncsys_shared *sh = calloc(1, 4096);
    assert_non_null(sh);
    // Slot i: info names (i % 4) caps and (i % 11) message registers; every other word
    // is its slot and position, so a word copied that should not be shows.
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
        uint64_t *w = (uint64_t *)al4_asyncsys_req_slot(sh, AL4_ASYNCSYS_SLOTS, i);
        for (unsigned k = 0; k < 16; k++)
            w[k] = (uint64_t)i << 32 | k;
        w[1] = (uint64_t)i << 12 | (i % 4) << 7 | (i % 11);
    }
    // Slot i mod 16 across the wrap of the free-running index.
    const uint32_t idx[] = {0, 5, 15, 16, 37, 42, UINT32_MAX};
    for (unsigned j = 0; j < sizeof(idx) / sizeof(idx[0]); j++) {
        struct al4_asyncsys_req c;
        memset(&c, 0xee, sizeof(c));
        struct al4_asyncsys_req *src = al4_asyncsys_req_slot(sh, AL4_ASYNCSYS_SLOTS, idx[j]);
        assert_true(al4_asyncsys_req_copy(&c, src));
        uint32_t slot = idx[j] % AL4_ASYNCSYS_SLOTS;
        unsigned ncaps = slot % 4, nmr = slot % 11;
        assert_int_equal(c.tag, (uint64_t)slot << 32);
        assert_int_equal(c.cptr, (uint64_t)slot << 32 | 2);
        for (unsigned k = 0; k < AL4_ASYNCSYS_CAPS; k++)
            assert_int_equal(c.caps[k], k < ncaps ? (uint64_t)slot << 32 | (3 + k) : 0xeeeeeeeeeeeeeeeeull);
        for (unsigned k = 0; k < AL4_ASYNCSYS_MRS; k++)
            assert_int_equal(c.mr[k], k < nmr ? (uint64_t)slot << 32 | (6 + k) : 0xeeeeeeeeeeeeeeeeull);
        // The copy is the kernel's: a later write to the slot does not reach it.
        uint64_t info = src->info;
        src->info = 0x7f;
        assert_int_equal(c.info, info);
        src->info = info;
    }
    // An info word naming more than an item holds: refused after tag and info, no more
    // (al4_asyncsys_req_head, the kernel's own read of every request).
    struct al4_asyncsys_req *bad = al4_asyncsys_req_slot(sh, AL4_ASYNCSYS_SLOTS, 3);
    bad->info = AL4_ASYNCSYS_MRS + 1;
    struct al4_asyncsys_req c;
    memset(&c, 0xee, sizeof(c));
    assert_false(al4_asyncsys_req_copy(&c, bad));
    assert_int_equal(c.info, AL4_ASYNCSYS_MRS + 1);
    assert_int_equal(c.cptr, 0xeeeeeeeeeeeeeeeeull);  // not even the cptr is read
    assert_int_equal(c.mr[0], 0xeeeeeeeeeeeeeeeeull);
    bad->info = 1u << 9;  // an unwrapped cap
    assert_false(al4_asyncsys_req_copy(&c, bad));
    free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_req_ok),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests_name("asyncsys", tests, NULL, NULL);
}
