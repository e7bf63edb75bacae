// SYNC: blocking semaphores and mutexes built on notifications (libuser al4/sync.h),
// and TRIVIAL: the test framework's own guarantees.
#include "helpers.h"
#include <al4/sync.h>

static al4_mutex_t mutex;
static volatile int inside, max_inside, total;

static void critical_worker(struct test_thread *t)
{
    for (int i = 0; i < 20; i++) {
        al4_mutex_lock(&mutex);
        inside++;
        if (inside > max_inside)
            max_inside = inside;
        seL4_Yield();  // let the others try to get in
        total++;
        inside--;
        al4_mutex_unlock(&mutex);
        seL4_Yield();
    }
    (void)t;
}

static void mutual_exclusion(struct env *env)
{
    static struct test_thread th[3];
    al4_mutex_init(&mutex, alloc_object(env, seL4_NotificationObject, 0));
    inside = max_inside = total = 0;
    for (int i = 0; i < 3; i++) {
        thread_create(env, &th[i], critical_worker, 255, 0);
        thread_start(&th[i]);
    }
    for (int i = 0; i < 3; i++)
        test_check(env, thread_wait(&th[i], 2000));
    test_eq(env, max_inside, 1);
    test_eq(env, total, 60);
}
DEFINE_TEST(SYNC001, "a notification mutex admits one thread at a time", mutual_exclusion);

static al4_sem_t items;
static volatile int consumed;

static void consumer(struct test_thread *t)
{
    for (int i = 0; i < 10; i++) {
        al4_sem_wait(&items);
        consumed++;
    }
    (void)t;
}

static void semaphore_counts(struct env *env)
{
    static struct test_thread c;
    al4_sem_init(&items, alloc_object(env, seL4_NotificationObject, 0), 0);
    consumed = 0;
    thread_create(env, &c, consumer, 255, 0);
    thread_start(&c);
    for (int i = 0; i < 5; i++)
        seL4_Yield();
    test_eq(env, consumed, 0);  // nothing posted: the consumer sleeps
    for (int i = 0; i < 4; i++)
        al4_sem_post(&items);
    for (int i = 0; i < 20; i++)
        seL4_Yield();
    test_eq(env, consumed, 4);
    for (int i = 0; i < 6; i++)
        al4_sem_post(&items);
    test_check(env, thread_wait(&c, 100));
    test_eq(env, consumed, 10);
    test_eq(env, items.count, 0);
}
DEFINE_TEST(SYNC002, "a semaphore lets through exactly as many waits as posts", semaphore_counts);

static seL4_CPtr first_slot_seen;

static void slots_distinct(struct env *env)
{
    seL4_CPtr a = alloc_slot(env), b = alloc_slot(env);
    test_check(env, a && b && a != b);
    test_eq(env, seL4_DebugCapIdentify(a), seL4_CapTag_Null);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    test_eq(env, seL4_DebugCapIdentify(ep), seL4_CapTag_Endpoint);
    first_slot_seen = a;
}
DEFINE_TEST(TRIVIAL0000, "helpers hand out distinct empty slots and real objects", slots_distinct);

static void reset_between_tests(struct env *env)
{
    // TRIVIAL0000 ran just before (tests run in ID order) and left an endpoint: the
    // runner's reset must have removed it.
    seL4_CPtr a = alloc_slot(env);
    test_eq(env, a, first_slot_seen);
    for (seL4_CPtr s = a; s < a + 8; s++)
        test_eq(env, seL4_DebugCapIdentify(s), seL4_CapTag_Null);
}
DEFINE_TEST(TRIVIAL0001, "each test starts with the previous test's objects gone", reset_between_tests);

static void failing_check_counts(struct env *env)
{
    // A failed check inside a sub-environment must be counted there, not here.
    struct env sub = *env;
    sub.failures = 0;
    test_check(&sub, 1 == 2);
    test_eq(env, sub.failures, 1);
}
DEFINE_TEST(TRIVIAL0002, "a failed check is counted", failing_check_counts);
