// Two-thread stress of the SPSC ring (libuser/include/al4/ring.h), one item per
// publication and in batches, built with
// ThreadSanitizer instead of ASan (the two cannot share a binary; tests/host/suite.mk
// builds this one). A producer thread streams millions of items through rings small
// enough to be full and empty all the time; the consumer checks that each item is the
// next one, whole. ThreadSanitizer checks that the ring's acquire/release really orders
// the slot copies: the slots are volatile, which it treats as plain accesses, so a
// missing or misplaced release or acquire is reported as a data race and fails the
// run (halt_on_error below: the harness counts a nonzero exit as a failure).
#include <pthread.h>
#include <sched.h>
#include "host_test.h"
#include "ring_test.h"

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "halt_on_error=1";
}

struct stress {
    struct al4_ring_shared *sh;
    uint32_t cap;
    uint64_t items;
    unsigned batch;        // 1: put and get; more: up to this many items written (or
                           // consumed) per publication, as aipc's server round does
    uint64_t full, empty;  // how often each side found the ring full / empty
    uint64_t bad;          // items out of order or torn (the consumer's verdict)
    uint64_t first_bad;
    bool quit;             // one side gave up: the other stops waiting for it
};

static void *give_up(struct stress *s, void *why)
{
    __atomic_store_n(&s->quit, true, __ATOMIC_RELEASE);
    return why;
}
// The other side has not moved (the ring full or empty): count it and yield, or false
// when that side gave up and never will.
static bool back_off(struct stress *s, uint64_t *count)
{
    if (__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE))
        return false;
    (*count)++;
    sched_yield();
    return true;
}

// Each side backs off with sched_yield: the build machine may have fewer free harts
// than threads, and a spinning side would only delay the other.
// Batched: write up to s->batch items, publish them with one store of tail.
static void *producer_batched(struct stress *s, struct al4_ring_tx *tx)
{
    for (uint64_t n = 0; n < s->items;) {
        int st = AL4_RING_OK;
        unsigned k = 0;
        for (; k < s->batch && n < s->items; k++, n++) {
            struct al4_ring_item it = ring_item(n);
            st = al4_ring_write_msg_live(tx, it.co | (uint64_t)it.reserved << 32, it.info, it.mr,
                                         al4_ring_item_words(it.info));
            if (st != AL4_RING_OK)
                break;
        }
        if (k)
            al4_ring_tx_publish(tx);
        if (st == AL4_RING_FULL) {
            if (!back_off(s, &s->full))
                return (void *)4;
        } else if (st != AL4_RING_OK) {
            return give_up(s, (void *)2);
        }
    }
    return NULL;
}

static void *producer(void *arg)
{
    struct stress *s = arg;
    struct al4_ring_tx tx;
    if (al4_ring_tx_init(&tx, s->sh, s->cap) != AL4_RING_OK)
        return give_up(s, (void *)1);
    if (s->batch > 1)
        return producer_batched(s, &tx);
    for (uint64_t n = 0; n < s->items;) {
        struct al4_ring_item it = ring_item(n);
        int st = al4_ring_put(&tx, &it);
        if (st == AL4_RING_OK) {
            n++;
        } else if (st == AL4_RING_FULL) {
            if (!back_off(s, &s->full))
                return (void *)4;
        } else {
            return give_up(s, (void *)2);
        }
    }
    return NULL;
}

static void judge(struct stress *s, const struct al4_ring_item *got, uint64_t m)
{
    if (!ring_item_is(got, m) || al4_ring_item_check(got, 1021) != AL4_RING_OK) {
        if (s->bad++ == 0)
            s->first_bad = m;
    }
}

// Batched: read up to s->batch items in place (peek, copy, consume), free their slots
// with one store of head.
static void *consumer_batched(struct stress *s, struct al4_ring_rx *rx)
{
    for (uint64_t m = 0; m < s->items;) {
        int st = AL4_RING_OK;
        unsigned k = 0;
        const volatile uint64_t *slot;
        for (; k < s->batch && m < s->items && (slot = al4_ring_peek(rx, &st)); k++, m++) {
            uint64_t w0 = slot[0];
            struct al4_ring_item got = {.co = (uint32_t)w0, .reserved = (uint32_t)(w0 >> 32),
                                        .info = slot[1]};
            al4_ring_copy_out(got.mr, slot + 2, al4_ring_item_words(got.info));
            al4_ring_consume(rx);
            judge(s, &got, m);
        }
        if (k) {
            al4_ring_rx_publish(rx);
        } else if (st == AL4_RING_EMPTY) {
            if (!back_off(s, &s->empty))
                return (void *)4;
        } else {
            return give_up(s, (void *)2);
        }
    }
    return rx->head == (uint32_t)s->items && al4_ring_rx_empty(rx) ? NULL : (void *)3;
}

static void *consumer(void *arg)
{
    struct stress *s = arg;
    struct al4_ring_rx rx;
    if (al4_ring_rx_init(&rx, s->sh, s->cap) != AL4_RING_OK)
        return give_up(s, (void *)1);
    if (s->batch > 1)
        return consumer_batched(s, &rx);
    for (uint64_t m = 0; m < s->items;) {
        struct al4_ring_item got;
        int st = al4_ring_get(&rx, &got);
        if (st == AL4_RING_OK) {
            judge(s, &got, m);
            m++;
        } else if (st == AL4_RING_EMPTY) {
            if (!back_off(s, &s->empty))
                return (void *)4;
        } else {
            return give_up(s, (void *)2);
        }
    }
    return rx.head == (uint32_t)s->items && al4_ring_rx_empty(&rx) ? NULL : (void *)3;
}

static void stress(uint32_t cap, uint64_t items, unsigned batch)
{
    struct stress s = {.sh = ring_region(cap), .cap = cap, .items = items, .batch = batch};
    pthread_t p, c;
    void *rp, *rc;
    assert_int_equal(pthread_create(&c, NULL, consumer, &s), 0);
    assert_int_equal(pthread_create(&p, NULL, producer, &s), 0);
    assert_int_equal(pthread_join(p, &rp), 0);
    assert_int_equal(pthread_join(c, &rc), 0);
    printf("# capacity %u, batches of %u: %llu items, producer found it full %llu times, "
           "consumer empty %llu times\n", cap, batch, (unsigned long long)items,
           (unsigned long long)s.full, (unsigned long long)s.empty);
    assert_null(rp);
    assert_null(rc);
    if (s.bad)
        fail_msg("%llu items wrong, the first at %llu", (unsigned long long)s.bad,
                 (unsigned long long)s.first_bad);
    assert_int_equal(s.sh->prod.tail, (uint32_t)items);
    assert_int_equal(s.sh->cons.head, (uint32_t)items);
    free(s.sh);
}

// One run per shape, each with its stable test name:
//   small: a ring of 4 is full or empty nearly all the time, every step crosses the
//   other side; large: a ring of 256 lets both sides run on cached indices for long
//   stretches; batched (al4_ring_write_msg_live / al4_ring_tx_publish, al4_ring_consume
//   / al4_ring_rx_publish): one release covers several items' slot copies, which
//   ThreadSanitizer checks as above, in batches of 3 in a ring of 4 and of 64 in 256.
struct shape {
    uint32_t cap;
    unsigned batch;
};
static struct shape small = {4, 1}, large = {256, 1}, batched_small = {4, 3},
                    batched_large = {256, 64};

static void test_stress(void **state)
{
    const struct shape *sh = *state;
    stress(sh->cap, 2000000, sh->batch);
}

#define STRESS_TEST(shape_) {"test_stress_" #shape_, test_stress, NULL, NULL, &shape_}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STRESS_TEST(small),
        STRESS_TEST(large),
        STRESS_TEST(batched_small),
        STRESS_TEST(batched_large),
    };
    return cmocka_run_group_tests_name("ring-tsan", tests, NULL, NULL);
}
