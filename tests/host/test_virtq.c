// Host unit tests for the split virtqueue (drivers/virtio/virtq.c, compiled as is)
// against a fake device that reads the available ring and writes the used ring in
// plain memory: the layout both transports are given, chains and their flags, the free
// list over many laps and across the 16-bit wrap of the indices, completions out of
// order, and every kind of used entry a buggy device can write, which must be refused
// without freeing a descriptor twice or reporting more bytes than the chain can hold.
#include "host_test.h"
#include <virtio/virtq.h>

#define PA_BASE 0x80001000ull  // the fake physical address of the queue's memory

struct fake {
    struct virtq q;
    void *mem;
    uint16_t avail_seen;  // the device's position in the available ring
};

static void fake_init(struct fake *f, uint16_t size)
{
    f->mem = aligned_alloc(4096, 4096);
    assert_non_null(f->mem);
    memset(f->mem, 0xa5, 4096);  // init must clear what the device reads
    assert_int_equal(virtq_init(&f->q, size, f->mem, PA_BASE, 4096), VIRTIO_OK);
    f->avail_seen = 0;
}

static void fake_free(struct fake *f)
{
    free(f->mem);
}

// The device takes the next chain from the available ring: its head, or -1.
static int device_take(struct fake *f)
{
    if (f->q.avail->idx == f->avail_seen)
        return -1;
    return f->q.avail->ring[f->avail_seen++ % f->q.size];
}

static void device_put(struct fake *f, uint32_t id, uint32_t len)
{
    uint16_t idx = f->q.used->idx;
    f->q.used->ring[idx % f->q.size].id = id;
    f->q.used->ring[idx % f->q.size].len = len;
    f->q.used->idx = idx + 1;
}

static int add1(struct virtq *q, uint64_t pa, uint32_t len, int writable)
{
    struct virtq_seg s = {pa, len};
    return virtq_add(q, &s, writable ? 0 : 1, writable ? 1 : 0);
}

// The driver's record is consistent: the free list holds num_free distinct descriptors
// none of which heads an outstanding chain, and free plus outstanding chains cover
// the whole table.
static void check_record(const struct virtq *q)
{
    uint8_t seen[VIRTQ_MAX] = {0};
    uint16_t d = q->free_head;
    for (unsigned i = 0; i < q->num_free; i++) {
        assert_true(d < q->size);
        assert_int_equal(seen[d], 0);
        assert_int_equal(q->chain[d], 0);
        seen[d] = 1;
        if (i + 1 < q->num_free)
            d = q->next[d];
    }
    unsigned in_chains = 0, heads = 0;
    for (unsigned h = 0; h < q->size; h++)
        if (q->chain[h]) {
            in_chains += q->chain[h];
            heads++;
        }
    assert_int_equal(in_chains + q->num_free, q->size);
    assert_int_equal(heads, q->outstanding);
}

// --- layout --------------------------------------------------------------------------

static void test_init_refuses(void **state)
{
    (void)state;
    struct virtq q;
    void *m = aligned_alloc(4096, 8192);
    assert_non_null(m);
    const uint16_t bad[] = {0, 3, 6, 100, VIRTQ_MAX * 2, 255};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(virtq_init(&q, bad[i], m, PA_BASE, 8192), VIRTIO_EINVAL);
    assert_int_equal(virtq_init(&q, 8, (uint8_t *)m + 8, PA_BASE, 4096), VIRTIO_EINVAL);
    assert_int_equal(virtq_init(&q, 8, m, PA_BASE + 4, 4096), VIRTIO_EINVAL);
    assert_int_equal(virtq_init(&q, 8, m, PA_BASE, virtq_bytes(8) - 1), VIRTIO_EINVAL);
    assert_int_equal(virtq_init(&q, 8, m, PA_BASE, virtq_bytes(8)), VIRTIO_OK);
    free(m);
}

// Descriptors at 0, the available ring right after them, the used ring at the next
// VIRTQ_ALIGN boundary after the available ring and its used_event word (the legacy
// layout QEMU computes from QueuePFN and QueueAlign); the largest queue fits a page.
static void test_layout(void **state)
{
    (void)state;
    struct fake f;
    for (uint16_t size = 1; size <= VIRTQ_MAX; size *= 2) {
        fake_init(&f, size);
        size_t avail = 16u * size, used = (avail + 6 + 2u * size + 63) / 64 * 64;
        assert_int_equal(f.q.desc_pa, PA_BASE);
        assert_int_equal(f.q.avail_pa, PA_BASE + avail);
        assert_int_equal(f.q.used_pa, PA_BASE + used);
        assert_ptr_equal((void *)f.q.avail, (uint8_t *)f.mem + avail);
        assert_ptr_equal((void *)f.q.used, (uint8_t *)f.mem + used);
        assert_int_equal(virtq_bytes(size), used + 6 + 8u * size);
        assert_true(virtq_bytes(size) <= 4096);
        assert_int_equal(f.q.avail->idx, 0);
        assert_int_equal(f.q.used->idx, 0);
        assert_int_equal(f.q.num_free, size);
        check_record(&f.q);
        fake_free(&f);
    }
}

// --- chains ----------------------------------------------------------------------------

static void test_chain_flags(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f, 8);
    struct virtq_seg segs[3] = {{0x1000, 10}, {0x2000, 20}, {0x3000, 30}};
    int head = virtq_add(&f.q, segs, 1, 2);
    assert_true(head >= 0);
    assert_int_equal(f.q.num_free, 5);
    assert_int_equal(f.q.avail->idx, 1);
    assert_int_equal(device_take(&f), head);
    // The device follows the chain through the table: readable first, then writable.
    uint16_t d = head;
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(f.q.desc[d].addr, segs[i].pa);
        assert_int_equal(f.q.desc[d].len, segs[i].len);
        assert_int_equal(f.q.desc[d].flags & VIRTQ_DESC_F_WRITE, i >= 1 ? VIRTQ_DESC_F_WRITE : 0);
        assert_int_equal(f.q.desc[d].flags & VIRTQ_DESC_F_NEXT, i < 2 ? VIRTQ_DESC_F_NEXT : 0);
        d = f.q.desc[d].next;
    }
    check_record(&f.q);
    device_put(&f, head, 50);
    struct virtq_done done;
    assert_int_equal(virtq_get(&f.q, &done), 1);
    assert_int_equal(done.id, head);
    assert_int_equal(done.len, 50);
    assert_int_equal(f.q.num_free, 8);
    assert_int_equal(virtq_get(&f.q, &done), 0);
    check_record(&f.q);
    fake_free(&f);
}

static void test_add_refuses(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f, 4);
    struct virtq_seg segs[5] = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
    assert_int_equal(virtq_add(&f.q, segs, 0, 0), VIRTIO_EINVAL);
    assert_int_equal(virtq_add(&f.q, segs, 5, 0), VIRTIO_EFULL);
    struct virtq_seg zero = {1, 0};
    assert_int_equal(virtq_add(&f.q, &zero, 1, 0), VIRTIO_EINVAL);
    assert_true(virtq_add(&f.q, segs, 2, 1) >= 0);
    assert_int_equal(virtq_add(&f.q, segs, 1, 1), VIRTIO_EFULL);  // one left
    assert_true(virtq_add(&f.q, segs, 1, 0) >= 0);
    assert_int_equal(virtq_add(&f.q, segs, 1, 0), VIRTIO_EFULL);
    assert_int_equal(f.q.avail->idx, 2);  // refusals publish nothing
    check_record(&f.q);
    fake_free(&f);
}

// Many laps with completions in reverse order and across the 16-bit wrap of both
// indices: every chain comes back once, with its own length.
static void test_laps_and_wrap(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f, 16);
    uint64_t rng = 7;
    int heads[16];
    uint32_t lens[VIRTQ_MAX];
    unsigned total = 0;
    for (unsigned lap = 0; lap < 20000; lap++) {
        unsigned n = 1 + rng_below(&rng, 16);
        total += n;
        for (unsigned i = 0; i < n; i++) {
            heads[i] = add1(&f.q, 0x10000 + i * 2048, 2048, 1);
            assert_true(heads[i] >= 0);
        }
        for (unsigned i = 0; i < n; i++)
            assert_int_equal(device_take(&f), heads[i]);
        for (unsigned i = n; i-- > 0;) {
            lens[heads[i]] = (uint32_t)rng_below(&rng, 2049);
            device_put(&f, heads[i], lens[heads[i]]);
        }
        for (unsigned i = n; i-- > 0;) {
            struct virtq_done done;
            assert_int_equal(virtq_get(&f.q, &done), 1);
            assert_int_equal(done.id, heads[i]);
            assert_int_equal(done.len, lens[heads[i]]);
        }
        assert_int_equal(f.q.num_free, 16);
    }
    assert_true(total > 2 * 65536);  // both indices wrapped twice
    check_record(&f.q);
    fake_free(&f);
}

// --- a buggy device ----------------------------------------------------------------------

static void test_bad_entries(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f, 8);
    int rx = add1(&f.q, 0x1000, 100, 1);  // device-writable, 100 bytes
    int tx = add1(&f.q, 0x2000, 100, 0);  // device-readable only
    assert_true(rx >= 0 && tx >= 0);
    struct virtq_done done;

    device_put(&f, 8, 0);  // out of range
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADID);
    assert_int_equal(done.id, UINT16_MAX);
    device_put(&f, 0x10000 + rx, 0);  // out of range, in range once truncated
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADID);
    device_put(&f, 5, 0);  // in range, not outstanding
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADID);
    assert_int_equal(done.id, 5);
    assert_int_equal(f.q.num_free, 6);  // nothing freed

    device_put(&f, tx, 1);  // a readable-only chain cannot have been written
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADLEN);
    assert_int_equal(done.id, tx);
    assert_int_equal(f.q.num_free, 7);  // freed, its content is not reported
    device_put(&f, tx, 0);  // completed twice
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADID);
    assert_int_equal(f.q.num_free, 7);

    device_put(&f, rx, 101);  // one byte more than the buffer
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADLEN);
    assert_int_equal(done.len, 0);
    assert_int_equal(f.q.errors, 6);
    assert_int_equal(f.q.num_free, 8);
    check_record(&f.q);

    // A used index ahead of the outstanding chains: refused, nothing consumed.
    rx = add1(&f.q, 0x1000, 100, 1);
    f.q.used->idx += 2;
    uint16_t seen = f.q.used_seen;
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADIDX);
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADIDX);
    assert_int_equal(f.q.used_seen, seen);
    // Far behind (a huge unsigned distance) is the same.
    f.q.used->idx = seen - 1;
    assert_int_equal(virtq_get(&f.q, &done), VIRTIO_EBADIDX);
    assert_int_equal(f.q.outstanding, 1);
    check_record(&f.q);
    fake_free(&f);
}

// Random chains and completions from a device that lies now and then (a wrong id or
// length, a second completion of the same chain, an index jump): the record stays
// consistent, no chain is freed twice and no good completion reports too many bytes.
static void test_random_liar(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f, 32);
    uint64_t rng = 42;
    uint32_t writable[VIRTQ_MAX] = {0};
    int held[VIRTQ_MAX], nheld = 0;
    bool stuck = false;
    unsigned good = 0, refused = 0, resets = 0;
    for (unsigned step = 0; step < 200000; step++) {
        // What a driver does when the device broke the index or lost every chain it
        // had (a wrong id loses one): reset and start again.
        bool jammed = f.q.num_free == 0 && nheld == 0 && f.q.avail->idx == f.avail_seen &&
                      f.q.used->idx == f.q.used_seen;
        if (stuck || jammed) {
            assert_int_equal(virtq_init(&f.q, 32, f.mem, PA_BASE, 4096), VIRTIO_OK);
            f.avail_seen = 0;
            nheld = 0;
            stuck = false;
            resets++;
        }
        unsigned op = rng_below(&rng, 4);
        if (op == 0) {
            unsigned out = rng_below(&rng, 3), in = rng_below(&rng, 3);
            if (out + in == 0)
                in = 1;
            struct virtq_seg segs[4];
            uint32_t w = 0;
            for (unsigned i = 0; i < out + in; i++) {
                segs[i] = (struct virtq_seg){0x100000 + step, 1 + (uint32_t)rng_below(&rng, 4096)};
                if (i >= out)
                    w += segs[i].len;
            }
            int h = virtq_add(&f.q, segs, out, in);
            if (h >= 0)
                writable[h] = w;
            else
                assert_int_equal(h, VIRTIO_EFULL);
        } else if (op == 1) {
            int h = device_take(&f);
            if (h >= 0)
                held[nheld++] = h;
        } else if (op == 2 && nheld > 0) {
            unsigned i = rng_below(&rng, nheld);
            uint32_t id = held[i], len = (uint32_t)rng_below(&rng, writable[id] + 1);
            unsigned lie = rng_below(&rng, 20);
            if (lie == 0)
                id = (uint32_t)rng_next(&rng);
            else if (lie == 1)
                len = writable[id] + 1 + (uint32_t)rng_below(&rng, 1000);
            device_put(&f, id, len);
            if (lie != 2)  // lie 2: the chain stays held and is completed again later
                held[i] = held[--nheld];
        } else if (op == 3) {
            struct virtq_done done;
            int r = virtq_get(&f.q, &done);
            if (r == 1) {
                assert_true(done.id < 32);
                assert_true(done.len <= writable[done.id]);
                good++;
            } else if (r < 0) {
                assert_true(r == VIRTIO_EBADID || r == VIRTIO_EBADLEN || r == VIRTIO_EBADIDX);
                refused++;
                if (r == VIRTIO_EBADIDX)
                    stuck = true;
            }
        }
        check_record(&f.q);
    }
    print_message("%u good, %u refused, %u resets\n", good, refused, resets);
    assert_true(good > 1000);
    assert_true(refused > 10);
    assert_true(resets > 0);
    fake_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refuses),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_chain_flags),
        cmocka_unit_test(test_add_refuses),
        cmocka_unit_test(test_laps_and_wrap),
        cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_random_liar),
    };
    return cmocka_run_group_tests_name("virtq", tests, NULL, NULL);
}
