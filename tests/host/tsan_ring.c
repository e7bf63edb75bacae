// Two-thread stress of the SPSC ring (libuser/include/al4/ring.h), built with
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
    uint64_t full, empty;  // how often each side found the ring full / empty
    uint64_t bad;          // items out of order or torn (the consumer's verdict)
    uint64_t first_bad;
};

// Each side backs off with sched_yield: the build machine may have fewer free harts
// than threads, and a spinning side would only delay the other.
static void *producer(void *arg)
{
    struct stress *s = arg;
    struct al4_ring_tx tx;
    if (al4_ring_tx_init(&tx, s->sh, s->cap) != AL4_RING_OK)
        return (void *)1;
    for (uint64_t n = 0; n < s->items;) {
        struct al4_ring_item it = ring_item(n);
        int st = al4_ring_put(&tx, &it);
        if (st == AL4_RING_OK) {
            n++;
        } else if (st == AL4_RING_FULL) {
            s->full++;
            sched_yield();
        } else {
            return (void *)2;
        }
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct stress *s = arg;
    struct al4_ring_rx rx;
    if (al4_ring_rx_init(&rx, s->sh, s->cap) != AL4_RING_OK)
        return (void *)1;
    for (uint64_t m = 0; m < s->items;) {
        struct al4_ring_item got;
        int st = al4_ring_get(&rx, &got);
        if (st == AL4_RING_OK) {
            if (!ring_item_is(&got, m) || al4_ring_item_check(&got, 1021) != AL4_RING_OK) {
                if (s->bad++ == 0)
                    s->first_bad = m;
            }
            m++;
        } else if (st == AL4_RING_EMPTY) {
            s->empty++;
            sched_yield();
        } else {
            return (void *)2;
        }
    }
    return rx.head == (uint32_t)s->items && al4_ring_rx_empty(&rx) ? NULL : (void *)3;
}

static void stress(uint32_t cap, uint64_t items)
{
    struct stress s = {.sh = ring_region(cap), .cap = cap, .items = items};
    pthread_t p, c;
    void *rp, *rc;
    assert_int_equal(pthread_create(&c, NULL, consumer, &s), 0);
    assert_int_equal(pthread_create(&p, NULL, producer, &s), 0);
    assert_int_equal(pthread_join(p, &rp), 0);
    assert_int_equal(pthread_join(c, &rc), 0);
    printf("# capacity %u: %llu items, producer found it full %llu times, consumer empty "
           "%llu times\n", cap, (unsigned long long)items, (unsigned long long)s.full,
           (unsigned long long)s.empty);
    assert_null(rp);
    assert_null(rc);
    if (s.bad)
        fail_msg("%llu items wrong, the first at %llu", (unsigned long long)s.bad,
                 (unsigned long long)s.first_bad);
    assert_int_equal(s.sh->prod.tail, (uint32_t)items);
    assert_int_equal(s.sh->cons.head, (uint32_t)items);
    free(s.sh);
}

// A ring of 4 is full or empty nearly all the time: every step crosses the other side.
static void test_stress_small(void **state)
{
    (void)state;
    stress(4, 2000000);
}

// A larger ring lets both sides run on cached indices for long stretches.
static void test_stress_large(void **state)
{
    (void)state;
    stress(256, 2000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress_small),
        cmocka_unit_test(test_stress_large),
    };
    return cmocka_run_group_tests_name("ring-tsan", tests, NULL, NULL);
}
