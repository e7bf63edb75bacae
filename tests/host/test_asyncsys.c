// Host unit tests for the asynchronous-system-call frame (al4/asyncsys_ring.h, compiled
// as is; the kernel and libuser use the same header): the index check across the 32-bit
// wrap and against every out-of-range distance, the request check over every length and
// unwrapped-caps value, and that a request is copied out once, word by word.
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
    assert_true(sizeof(struct al4_asyncsys_shared) <= 4096);
}

static void test_index(void **state)
{
    (void)state;
    const uint32_t bases[] = {0, 1, 1000, UINT32_MAX - AL4_ASYNCSYS_SLOTS, UINT32_MAX - 3, UINT32_MAX};
    for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
        uint32_t behind = bases[b];
        for (uint32_t d = 0; d <= AL4_ASYNCSYS_SLOTS; d++)
            assert_true(al4_asyncsys_index_ok(behind + d, behind));
        for (uint32_t d = AL4_ASYNCSYS_SLOTS + 1; d < AL4_ASYNCSYS_SLOTS + 100; d++)
            assert_false(al4_asyncsys_index_ok(behind + d, behind));
        // An index behind the reader's own is a huge distance, never a few items.
        for (uint32_t d = 1; d < 100; d++)
            assert_false(al4_asyncsys_index_ok(behind - d, behind));
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
    for (uint32_t i = 0; i < AL4_ASYNCSYS_SLOTS; i++) {
        uint64_t *w = (uint64_t *)&sh->req[i];
        for (unsigned k = 0; k < 16; k++)
            w[k] = (uint64_t)i << 32 | k;
    }
    // Slot i mod 16 across the wrap of the free-running index.
    const uint32_t idx[] = {0, 5, 15, 16, 37, UINT32_MAX};
    for (unsigned j = 0; j < sizeof(idx) / sizeof(idx[0]); j++) {
        struct al4_asyncsys_req c;
        al4_asyncsys_req_copy(&c, sh, idx[j]);
        uint32_t slot = idx[j] % AL4_ASYNCSYS_SLOTS;
        assert_int_equal(c.tag, (uint64_t)slot << 32);
        assert_int_equal(c.mr[9], (uint64_t)slot << 32 | 15);
        // The copy is the kernel's: a later write to the slot does not reach it.
        sh->req[slot].info = 0x7f;
        assert_int_equal(c.info, (uint64_t)slot << 32 | 1);
        sh->req[slot].info = (uint64_t)slot << 32 | 1;
    }
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
