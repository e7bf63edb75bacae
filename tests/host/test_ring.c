// Host unit tests for the SPSC ring (libuser/include/al4/ring.h, compiled as is):
// geometry, empty and full, FIFO order and content over many laps and across the
// 32-bit wrap of the indices, no overwrite of an unconsumed item, corrupted indices on
// either side, batched publication (write then publish, consume then free), and the
// item check. The two-thread stress runs under ThreadSanitizer in
// tsan_ring.c.
#include "host_test.h"
#include "ring_test.h"

struct ring {
    struct al4_ring_shared *sh;
    struct al4_ring_tx tx;
    struct al4_ring_rx rx;
};

static struct ring ring_new(uint32_t cap)
{
    struct ring r = {.sh = ring_region(cap)};
    assert_int_equal(al4_ring_tx_init(&r.tx, r.sh, cap), AL4_RING_OK);
    assert_int_equal(al4_ring_rx_init(&r.rx, r.sh, cap), AL4_RING_OK);
    return r;
}

// Both sides' indices (private and shared) set to `start`, as after `start` items.
static void ring_start_at(struct ring *r, uint32_t start)
{
    r->tx.tail = r->rx.head = r->rx.tail_seen = start;
    r->tx.limit = start + r->tx.mask + 1;
    r->sh->prod.tail = r->sh->cons.head = start;
}

// --- geometry and layout -----------------------------------------------------------

static void test_init_geometry(void **state)
{
    (void)state;
    struct al4_ring_tx tx;
    struct al4_ring_rx rx;
    uint8_t *p = aligned_alloc(AL4_RING_LINE, AL4_RING_BYTES(8) + AL4_RING_LINE);
    assert_non_null(p);
    const uint32_t bad[] = {0, 3, 6, 12, AL4_RING_MAX_CAPACITY + 1, AL4_RING_MAX_CAPACITY * 2,
                            UINT32_MAX};
    for (size_t i = 0; i < RING_COUNT(bad); i++) {
        assert_int_equal(al4_ring_tx_init(&tx, p, bad[i]), AL4_RING_EINVAL);
        assert_int_equal(al4_ring_rx_init(&rx, p, bad[i]), AL4_RING_EINVAL);
    }
    for (unsigned off = 1; off < AL4_RING_LINE; off *= 2) {
        assert_int_equal(al4_ring_tx_init(&tx, p + off, 8), AL4_RING_EINVAL);
        assert_int_equal(al4_ring_rx_init(&rx, p + off, 8), AL4_RING_EINVAL);
    }
    for (uint32_t cap = 1; cap <= AL4_RING_MAX_CAPACITY; cap *= 2)
        assert_true(al4_ring_geometry_ok(p, cap));
    free(p);
}

// The shared layout is ABI between two processes: tail at 0, head at 64, item i at
// 128 + 64 * (i mod C), fields at their documented offsets; each side writes only its
// own line at init.
// al4_ring_info_fits (one compare) says yes exactly where the header check's separate
// caps and length tests both pass, over every caps and length field value.
static void test_info_fits(void **state)
{
    (void)state;
    for (unsigned caps = 0; caps < 4; caps++)
        for (unsigned unwrapped = 0; unwrapped < 8; unwrapped++)
            for (unsigned len = 0; len < 128; len++) {
                uint64_t info = seL4_MessageInfo_new(0x1234, unwrapped, caps, len).words[0];
                bool checked = al4_ring_header_check(0, info, AL4_RING_CO_ANY) == AL4_RING_OK;
                assert_int_equal(al4_ring_info_fits(info), checked);
            }
}

static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(AL4_RING_BYTES(8), 128 + 8 * 64);
    const uint32_t cap = 4;
    uint8_t *raw = (uint8_t *)ring_region(cap);
    memset(raw, 0xa5, AL4_RING_BYTES(cap));
    struct al4_ring_tx tx;
    assert_int_equal(al4_ring_tx_init(&tx, raw, cap), AL4_RING_OK);
    uint32_t w;
    memcpy(&w, raw, 4);
    assert_int_equal(w, 0);
    assert_int_equal(raw[64], 0xa5);  // the consumer's line is not the producer's to write
    struct al4_ring_rx rx;
    assert_int_equal(al4_ring_rx_init(&rx, raw, cap), AL4_RING_OK);
    memcpy(&w, raw + 64, 4);
    assert_int_equal(w, 0);
    for (uint64_t n = 0; n < 6; n++) {
        struct al4_ring_item it = ring_item(n), got;
        assert_int_equal(al4_ring_put(&tx, &it), AL4_RING_OK);
        const uint8_t *slot = raw + 128 + 64 * (n % cap);
        uint32_t co;
        uint64_t info, last;
        memcpy(&co, slot, 4);
        memcpy(&info, slot + 8, 8);
        assert_int_equal(co, it.co);
        assert_int_equal(info, it.info);
        unsigned len = al4_ring_item_words(it.info);
        if (len) {  // the payload's last word where the layout puts it
            memcpy(&last, slot + 16 + (len - 1) * 8, 8);
            assert_int_equal(last, it.mr[len - 1]);
        }
        memcpy(&w, raw, 4);
        assert_int_equal(w, n + 1);  // tail
        assert_int_equal(al4_ring_get(&rx, &got), AL4_RING_OK);
        memcpy(&w, raw + 64, 4);
        assert_int_equal(w, n + 1);  // head
    }
    free(raw);
}

// --- empty, full, never overwritten ---------------------------------------------------

static void test_empty(void **state)
{
    (void)state;
    struct ring r = ring_new(8);
    struct al4_ring_item it = ring_item(7), got;
    memset(&got, 0x5a, sizeof(got));
    struct al4_ring_item untouched = got;
    assert_true(al4_ring_rx_empty(&r.rx));
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_EMPTY);
    assert_memory_equal(&got, &untouched, sizeof(got));  // EMPTY writes nothing
    assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
    assert_false(al4_ring_rx_empty(&r.rx));
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
    assert_true(ring_item_is(&got, 7));
    assert_true(al4_ring_rx_empty(&r.rx));
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_EMPTY);
    free(r.sh);
}

// C items fit, the next put is FULL and changes no byte of the region; one get frees
// exactly one slot. Checked for every capacity up to 64 and every phase of the indices.
static void test_full_never_overwritten(void **state)
{
    (void)state;
    for (uint32_t cap = 1; cap <= 64; cap *= 2) {
        for (uint32_t phase = 0; phase < cap; phase++) {
            struct ring r = ring_new(cap);
            ring_start_at(&r, phase);
            uint64_t n = 0, m = 0;
            struct al4_ring_item it, got;
            for (; n < cap; n++) {
                it = ring_item(n);
                assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
            }
            uint8_t *before = malloc(AL4_RING_BYTES(cap));
            assert_non_null(before);
            memcpy(before, r.sh, AL4_RING_BYTES(cap));
            it = ring_item(999);
            for (int k = 0; k < 3; k++)
                assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_FULL);
            assert_memory_equal(before, r.sh, AL4_RING_BYTES(cap));
            free(before);
            assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
            assert_true(ring_item_is(&got, m++));
            it = ring_item(n++);
            assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
            assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_FULL);
            while (m < n) {
                assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
                assert_true(ring_item_is(&got, m++));
            }
            assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_EMPTY);
            free(r.sh);
        }
    }
}

// --- order and content over many laps -------------------------------------------------

// Random bursts of puts and gets, `total` items, checked against the sequence numbers:
// every put that the model says fits succeeds, every other is FULL; every get returns
// the next item in order, or EMPTY exactly when the model is empty.
static void run_bursts(struct ring *r, uint32_t cap, uint64_t total, uint64_t seed)
{
    uint64_t rng = seed, n = 0, m = 0;
    struct al4_ring_item it, got;
    while (m < total) {
        uint64_t burst = rng_below(&rng, 2 * cap + 2);
        for (uint64_t k = 0; k < burst && n < total; k++) {
            it = ring_item(n);
            int st = al4_ring_put(&r->tx, &it);
            if (n - m < cap) {
                assert_int_equal(st, AL4_RING_OK);
                n++;
            } else {
                assert_int_equal(st, AL4_RING_FULL);
            }
        }
        burst = rng_below(&rng, 2 * cap + 2);
        for (uint64_t k = 0; k < burst; k++) {
            int st = al4_ring_get(&r->rx, &got);
            if (m < n) {
                assert_int_equal(st, AL4_RING_OK);
                if (!ring_item_is(&got, m))
                    fail_msg("item %llu: wrong content", (unsigned long long)m);
                m++;
            } else {
                assert_int_equal(st, AL4_RING_EMPTY);
            }
        }
        assert_int_equal(al4_ring_rx_empty(&r->rx), m == n);
    }
}

static void test_many_laps(void **state)
{
    (void)state;
    const uint32_t caps[] = {1, 2, 8, 64};
    for (size_t i = 0; i < RING_COUNT(caps); i++) {
        struct ring r = ring_new(caps[i]);
        run_bursts(&r, caps[i], 200000, 1 + i);  // 3125 laps at C = 64
        free(r.sh);
    }
}

// The indices cross 2^32 (they start just below it): slot selection by mask and the
// full/empty arithmetic keep working, and the shared tail really wraps through 0.
static void test_index_wrap(void **state)
{
    (void)state;
    const uint32_t caps[] = {1, 4, 64};
    for (size_t i = 0; i < RING_COUNT(caps); i++) {
        for (uint32_t back = 1; back <= 2 * caps[i] + 1; back++) {
            struct ring r = ring_new(caps[i]);
            ring_start_at(&r, (uint32_t)0 - back);
            run_bursts(&r, caps[i], 4 * caps[i] + 2 * back, back);
            assert_int_equal(r.sh->prod.tail, 4 * caps[i] + back);  // wrapped past 0
            assert_int_equal(r.sh->prod.tail, r.sh->cons.head);
            free(r.sh);
        }
    }
}

// --- a peer that lies about its index ---------------------------------------------

// The producer's tail more than C ahead of the consumer's head, or behind it: ECORRUPT
// on get, on the emptiness check, and from then on (sticky, even once the tail looks
// right again); nothing is copied out.
static void test_corrupt_tail(void **state)
{
    (void)state;
    const uint32_t cap = 8;
    const uint32_t starts[] = {0, 5, 0xfffffffcu};
    for (size_t s = 0; s < RING_COUNT(starts); s++) {
        const uint32_t bad[] = {cap + 1, cap + 2, 0x80000000u, UINT32_MAX /* one behind */,
                                (uint32_t)-(int32_t)cap};
        for (size_t i = 0; i < RING_COUNT(bad); i++) {
            struct ring r = ring_new(cap);
            ring_start_at(&r, starts[s]);
            struct al4_ring_item it = ring_item(1), got;
            assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
            assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
            uint32_t head = r.rx.head;
            // Exactly C ahead is a full ring, not a lie.
            r.sh->prod.tail = head + cap;
            assert_false(al4_ring_rx_empty(&r.rx));
            assert_false(r.rx.broken);
            r.sh->prod.tail = head + bad[i];
            struct al4_ring_item untouched;
            memset(&got, 0x33, sizeof(got));
            untouched = got;
            // A fresh consumer handle would reload at once; the old one has C cached
            // items, so start over from a handle that has seen nothing beyond head.
            r.rx.tail_seen = head;
            assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_ECORRUPT);
            assert_memory_equal(&got, &untouched, sizeof(got));
            assert_int_equal(r.sh->cons.head, head);  // nothing consumed
            r.sh->prod.tail = head + 1;
            assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_ECORRUPT);
            assert_false(al4_ring_rx_empty(&r.rx));
            free(r.sh);
        }
    }
}

// The emptiness check alone also sees the lie (a dispatcher's recheck before it
// sleeps must not report "empty" on a corrupt ring).
static void test_corrupt_tail_seen_by_empty(void **state)
{
    (void)state;
    struct ring r = ring_new(4);
    r.sh->prod.tail = 5;
    assert_false(al4_ring_rx_empty(&r.rx));
    assert_true(r.rx.broken);
    struct al4_ring_item got;
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_ECORRUPT);
    free(r.sh);
}

// The consumer's head ahead of the producer's tail, or more than C behind it: the
// producer notices when it next needs the head (a full ring) and refuses from then on,
// without writing a slot.
static void test_corrupt_head(void **state)
{
    (void)state;
    const uint32_t cap = 4;
    const uint32_t bad_from_tail[] = {1, 2, 0x7fffffffu, (uint32_t)-(int32_t)(cap + 1),
                                      (uint32_t)-(int32_t)(cap + 7)};
    for (size_t i = 0; i < RING_COUNT(bad_from_tail); i++) {
        struct ring r = ring_new(cap);
        ring_start_at(&r, 0xfffffffeu);
        struct al4_ring_item it = ring_item(0);
        for (uint32_t k = 0; k < cap; k++)
            assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
        r.sh->cons.head = r.tx.tail + bad_from_tail[i];
        uint8_t before[AL4_RING_BYTES(4)];
        memcpy(before, r.sh, sizeof(before));
        assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_ECORRUPT);
        assert_memory_equal(before, r.sh, sizeof(before));
        r.sh->cons.head = r.tx.tail;  // looks sane again: still refused
        assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_ECORRUPT);
        assert_true(r.tx.broken);
        free(r.sh);
    }
}

// get hands out a private copy: whatever the producer writes into the slot afterwards
// does not change the item that was checked.
static void test_get_copies(void **state)
{
    (void)state;
    struct ring r = ring_new(2);
    struct al4_ring_item it = ring_item(3), got;
    assert_int_equal(al4_ring_put(&r.tx, &it), AL4_RING_OK);
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
    assert_int_equal(al4_ring_item_check(&got, AL4_RING_CO_ANY), AL4_RING_OK);
    memset((void *)r.sh->slot[0].w, 0xff, AL4_RING_LINE);
    assert_true(ring_item_is(&got, 3));
    assert_int_equal(al4_ring_item_check(&got, AL4_RING_CO_ANY), AL4_RING_OK);
    free(r.sh);
}

// peek and release, the in-place read the aipc dispatchers use: peek reports empty and
// a corrupt tail as get does, hands out the oldest slot without consuming it (a second
// peek sees the same slot), and only release frees it for the producer; put_msg writes
// exactly the words the length names, copied from the caller's array.
static void test_peek_release(void **state)
{
    (void)state;
    struct ring r = ring_new(2);
    int status = -1;
    assert_null(al4_ring_peek(&r.rx, &status));
    assert_int_equal(status, AL4_RING_EMPTY);
    const uint64_t mr[AL4_RING_MRS] = {11, 12, 13, 14, 15, 16};
    for (unsigned len = 0; len <= AL4_RING_MRS; len++) {
        uint64_t info = seL4_MessageInfo_new(7, 0, 0, len).words[0];
        memset((void *)r.sh->slot[r.tx.tail & r.tx.mask].w, 0xee, AL4_RING_LINE);
        assert_int_equal(al4_ring_put_msg(&r.tx, 5 + len, info, mr), AL4_RING_OK);
        const volatile uint64_t *slot = al4_ring_peek(&r.rx, &status);
        assert_non_null(slot);
        assert_ptr_equal(al4_ring_peek(&r.rx, &status), slot);
        assert_int_equal(slot[0], 5 + len);
        assert_int_equal(slot[1], info);
        assert_int_equal(al4_ring_header_check(slot[0], slot[1], AL4_RING_CO_ANY), AL4_RING_OK);
        uint64_t out[AL4_RING_MRS] = {0};
        al4_ring_copy_out(out, slot + 2, al4_ring_item_words(slot[1]));
        for (unsigned i = 0; i < AL4_RING_MRS; i++)
            assert_int_equal(out[i], i < len ? mr[i] : 0);
        for (unsigned i = len; i < AL4_RING_MRS; i++)  // untouched past the payload
            assert_int_equal(slot[2 + i], 0xeeeeeeeeeeeeeeeeull);
        uint32_t head = r.sh->cons.head;
        al4_ring_release(&r.rx);
        assert_int_equal(r.sh->cons.head, head + 1);
    }
    assert_null(al4_ring_peek(&r.rx, &status));
    assert_int_equal(status, AL4_RING_EMPTY);
    // A tail moved by more than the capacity: corrupt, and sticky.
    r.sh->prod.tail = r.rx.head + 3;
    assert_null(al4_ring_peek(&r.rx, &status));
    assert_int_equal(status, AL4_RING_ECORRUPT);
    r.sh->prod.tail = r.rx.head;
    assert_null(al4_ring_peek(&r.rx, &status));
    assert_int_equal(status, AL4_RING_ECORRUPT);
    free(r.sh);
}

// Batches, as the aipc server's round uses them: items written without publishing are
// not seen by the consumer (nor are they lost: one publish shows them all, in order);
// slots consumed without freeing stay the consumer's, so the producer finds the ring
// full until one publish frees them all.
static int write_item(struct ring *r, uint64_t n)
{
    struct al4_ring_item it = ring_item(n);
    return al4_ring_write_msg_live(&r->tx, it.co, it.info, it.mr, al4_ring_item_words(it.info));
}

static void test_batch_publish(void **state)
{
    (void)state;
    struct ring r = ring_new(4);
    int status = -1;
    for (uint64_t n = 0; n < 3; n++) {
        assert_int_equal(write_item(&r, n), AL4_RING_OK);
        assert_null(al4_ring_peek(&r.rx, &status));  // not published yet
        assert_int_equal(status, AL4_RING_EMPTY);
        assert_int_equal(r.sh->prod.tail, 0);
    }
    al4_ring_tx_publish(&r.tx);
    assert_int_equal(r.sh->prod.tail, 3);
    for (uint64_t n = 0; n < 3; n++) {
        const volatile uint64_t *slot = al4_ring_peek(&r.rx, &status);
        assert_non_null(slot);
        struct al4_ring_item got = {.co = (uint32_t)slot[0], .info = slot[1]};
        al4_ring_copy_out(got.mr, slot + 2, al4_ring_item_words(got.info));
        assert_true(ring_item_is(&got, n));
        al4_ring_consume(&r.rx);
        assert_int_equal(r.sh->cons.head, 0);  // consumed, not freed
    }
    assert_null(al4_ring_peek(&r.rx, &status));
    // One slot free (4 - 3 held): the next write fills it, and then the ring is full
    // for the producer until the consumer frees what it consumed.
    assert_int_equal(write_item(&r, 3), AL4_RING_OK);
    assert_int_equal(write_item(&r, 4), AL4_RING_FULL);
    assert_int_equal(r.tx.tail, 4);
    al4_ring_rx_publish(&r.rx);
    assert_int_equal(r.sh->cons.head, 3);
    for (uint64_t n = 4; n < 7; n++)
        assert_int_equal(write_item(&r, n), AL4_RING_OK);
    assert_int_equal(write_item(&r, 7), AL4_RING_FULL);
    al4_ring_tx_publish(&r.tx);
    struct al4_ring_item got;
    for (uint64_t n = 3; n < 7; n++) {
        assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_OK);
        assert_true(ring_item_is(&got, n));
    }
    assert_int_equal(al4_ring_get(&r.rx, &got), AL4_RING_EMPTY);
    free(r.sh);
}

// --- the item check -------------------------------------------------------------------

static void test_item_check(void **state)
{
    (void)state;
    struct al4_ring_item ok = {.co = 9, .info = seL4_MessageInfo_new(0xabcdef, 0, 0, 6).words[0]};
    assert_int_equal(al4_ring_item_check(&ok, 10), AL4_RING_OK);
    assert_int_equal(al4_ring_item_check(&ok, AL4_RING_CO_ANY), AL4_RING_OK);
    assert_int_equal(al4_ring_item_check(&ok, 9), AL4_RING_ECOID);
    struct al4_ring_item it = ok;
    it.co = UINT32_MAX;
    assert_int_equal(al4_ring_item_check(&it, AL4_RING_CO_ANY), AL4_RING_ECOID);
    for (unsigned len = 0; len <= 0x7f; len++) {
        it = ok;
        it.info = seL4_MessageInfo_new(1, 0, 0, len).words[0];
        assert_int_equal(al4_ring_item_check(&it, 10),
                         len <= AL4_RING_MRS ? AL4_RING_OK : AL4_RING_ELENGTH);
    }
    for (unsigned caps = 1; caps < 4; caps++) {
        it = ok;
        it.info = seL4_MessageInfo_new(1, 0, caps, 1).words[0];
        assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ECAPS);
    }
    for (unsigned unw = 1; unw < 8; unw++) {
        it = ok;
        it.info = seL4_MessageInfo_new(1, unw, 0, 1).words[0];
        assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ECAPS);
    }
    for (unsigned bit = 0; bit < 32; bit++) {
        it = ok;
        it.reserved = 1u << bit;
        assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ERESERVED);
    }
    // Several faults at once: the documented order decides.
    it.reserved = 1;
    it.info = seL4_MessageInfo_new(1, 1, 1, 100).words[0];
    it.co = 50;
    assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ERESERVED);
    it.reserved = 0;
    assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ECAPS);
    it.info = seL4_MessageInfo_new(1, 0, 0, 100).words[0];
    assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ELENGTH);
    it.info = seL4_MessageInfo_new(1, 0, 0, 1).words[0];
    assert_int_equal(al4_ring_item_check(&it, 10), AL4_RING_ECOID);
    // Every item the tests stream is valid.
    for (uint64_t n = 0; n < 5000; n++) {
        it = ring_item(n);
        assert_int_equal(al4_ring_item_check(&it, 1021), AL4_RING_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_geometry),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_info_fits),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_full_never_overwritten),
        cmocka_unit_test(test_many_laps),
        cmocka_unit_test(test_index_wrap),
        cmocka_unit_test(test_corrupt_tail),
        cmocka_unit_test(test_corrupt_tail_seen_by_empty),
        cmocka_unit_test(test_corrupt_head),
        cmocka_unit_test(test_get_copies),
        cmocka_unit_test(test_peek_release),
        cmocka_unit_test(test_batch_publish),
        cmocka_unit_test(test_item_check),
    };
    return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
