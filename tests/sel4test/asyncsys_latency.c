// ASYNCSYS: interrupt latency while the kernel's handler drains a long stream of
// requests (issue 12: "a preemption point after each request keeps interrupt latency
// bounded"; docs/asyncsys.md, "Where it runs"). A low-priority thread keeps its request
// ring full of retypes that have no preemption point of their own; the root task, at
// a higher priority, sets the goldfish RTC's alarm at random moments and measures how
// late the alarm's interrupt reaches it. Without the handler's preemption point an
// alarm that falls into a drain waits for the rest of the ring, and so it does when
// the handler goes on with the ring before the thread the interrupt woke (the way out
// to user mode ran ready handlers of any priority first); with both right, it waits
// for the one request being performed. Both clocks are the RTC's (host nanoseconds:
// make test runs QEMU without -icount), so the bound is a multiple of a single
// request's cost as measured in the same run, on the same loaded host.
#include "asyncsys_test.h"
#include <string.h>

#define RTC_PADDR 0x101000ul  // QEMU virt's google,goldfish-rtc
#define RTC_IRQ 11
#define RTC_VA (ASYNC_VA + 0x100000)
#define LAT_VA (ASYNC_VA + 0x20000)
enum { RTC_TIME_LOW, RTC_TIME_HIGH, RTC_ALARM_LOW, RTC_ALARM_HIGH, RTC_IRQ_ENABLED,
       RTC_CLEAR_ALARM, RTC_ALARM_STATUS, RTC_CLEAR_INTERRUPT };

// Each request retypes a 4 KiB untyped into 256 untypeds of 16 bytes: the largest
// fan-out seL4 allows, and no memory to zero (clearing has preemption points, which
// would bound the latency without the handler's).
#define FAN_OUT 256
#define CHILD_BITS 4
#define SLOTS AL4_ASYNCSYS_SLOTS
#define DST_BITS __builtin_ctz(SLOTS * FAN_OUT)  // a CNode for a full ring's children
_Static_assert(SLOTS * FAN_OUT <= 1u << 14, "the destination CNode stays within the test's memory");
#define SAMPLES 64
#define BASE_SAMPLES 16
#define MIN_IN_DRAIN 16
#define ROUNDS 3  // sets of SAMPLES alarms at most, until MIN_IN_DRAIN fell into rings
#define WORKER_PRIO 200
#define BOUND_REQUESTS 4  // requests' worth of lateness allowed beyond the interrupt path
_Static_assert(2 * BOUND_REQUESTS <= SLOTS / 2, "an alarm without the preemption point "
               "waits longer than the bound at the median");

static volatile uint32_t *rtc;

static uint64_t rtc_now(void)
{
    uint64_t lo = rtc[RTC_TIME_LOW];  // latches the high word
    return (uint64_t)rtc[RTC_TIME_HIGH] << 32 | lo;
}

static void rtc_alarm(uint64_t at)
{
    rtc[RTC_ALARM_HIGH] = (uint32_t)(at >> 32);
    rtc[RTC_ALARM_LOW] = (uint32_t)at;  // arms it
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

struct worker {
    struct al4_asyncsys_shared *sh;
    seL4_CPtr src[SLOTS], dst, calibrated, go;
    uint32_t n;               // requests submitted (and answered: it waits for all)
    uint64_t one[SLOTS];      // single requests, wake to reply, ns
    uint64_t drain;           // a full ring, wake to the last reply, ns (printed only)
    uint64_t spread;          // alarms fall this far into a ring at most, ns
    volatile uint64_t at;     // when the alarm set last is due
    volatile bool armed;      // set by the worker, cleared by the measuring thread
    unsigned arms;            // alarms set and their rings recorded
    volatile unsigned limit;  // alarms to set in all (the measuring thread's rounds)
    struct { uint64_t from, to; } ring[ROUNDS * SAMPLES];  // when alarm i's ring was served
    volatile seL4_Word rounds, wrong;
};

static struct worker wk;

// Submits requests for src[first..first+count) and waits for every reply; counts the
// ones that failed and revokes what the retypes made. *from and *to: when the requests
// were served, from before the wake to the last reply.
static void batch(struct worker *w, unsigned first, unsigned count, uint64_t *from, uint64_t *to)
{
    for (unsigned i = 0; i < count; i++) {
        unsigned k = first + i;
        struct al4_asyncsys_req r = {
            .tag = k, .info = seL4_MessageInfo_new(UntypedRetype, 0, 1, 6).words[0],
            .cptr = w->src[k], .caps = {ROOT},
            .mr = {seL4_UntypedObject, CHILD_BITS, w->dst, DEPTH, k * FAN_OUT, FAN_OUT}};
        raw_put(w->sh, w->n + i, r);
    }
    uint32_t end = w->n + count;
    __atomic_store_n(&w->sh->user.req_tail, end, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *from = rtc_now();
    // An alarm at a random moment of the ring about to be served (if the last one was
    // taken): whatever the worker does between rings does not dilute the samples.
    bool alarm = w->spread && !w->armed && w->arms < w->limit;
    if (alarm) {
        w->at = *from + 1 + rnd() % w->spread;
        w->armed = true;
        rtc_alarm(w->at);
    }
    al4_asyncsys_wake();
    // The handler ran on the way back from the wake (or stopped for an interrupt and
    // goes on at the next way out, which a Yield makes).
    while (__atomic_load_n(&w->sh->kern.rep_tail, __ATOMIC_ACQUIRE) != end)
        seL4_Yield();
    *to = rtc_now();
    if (alarm) {
        w->ring[w->arms].from = *from;
        w->ring[w->arms++].to = *to;
    }
    for (uint32_t i = w->n; i != end; i++) {
        seL4_MessageInfo_t info = {{rep_at(w->sh, i)->info}};
        w->wrong += seL4_MessageInfo_get_label(info) != seL4_NoError;
    }
    w->n = end;
    __atomic_store_n(&w->sh->user.rep_head, end, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < count; i++)
        w->wrong += seL4_CNode_Revoke(ROOT, w->src[first + i], DEPTH) != seL4_NoError;
}

static void worker_thread(struct test_thread *t)
{
    struct worker *w = (struct worker *)t->arg[0];
    uint64_t from, to;
    for (unsigned k = 0; k < SLOTS; k++) {
        batch(w, k, 1, &from, &to);
        w->one[k] = to - from;
    }
    batch(w, 0, SLOTS, &from, &to);
    w->drain = to - from;
    seL4_Signal(w->calibrated);
    seL4_Wait(w->go, NULL);
    for (;;) {
        batch(w, 0, SLOTS, &from, &to);
        w->rounds++;
    }
}

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

// Waits for the RTC's interrupt and clears it; when it came.
static uint64_t take_alarm(struct env *env, seL4_CPtr nt, seL4_CPtr irq)
{
    seL4_Wait(nt, NULL);
    uint64_t now = rtc_now();
    rtc[RTC_CLEAR_INTERRUPT] = 1;
    test_eq(env, seL4_IRQHandler_Ack(irq), seL4_NoError);
    return now;
}

static void latency(struct env *env)
{
    static struct test_thread th;
    static uint64_t late[ROUNDS * SAMPLES], due[ROUNDS * SAMPLES], base[BASE_SAMPLES],
        in_drain[ROUNDS * SAMPLES];
    memset(&wk, 0, sizeof(wk));
    seL4_CPtr frame = device_frame(env, RTC_PADDR);
    test_assert(env, frame && map_in_root(env, frame, RTC_VA) == seL4_NoError);
    rtc = (volatile uint32_t *)RTC_VA;
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0), irq = alloc_slot(env);
    test_eq(env, seL4_IRQControl_Get(seL4_CapIRQControl, RTC_IRQ, ROOT, irq, DEPTH), seL4_NoError);
    test_eq(env, seL4_IRQHandler_SetNotification(irq, nt), seL4_NoError);
    wk.dst = alloc_object(env, seL4_CapTableObject, DST_BITS);
    wk.calibrated = alloc_object(env, seL4_NotificationObject, 0);
    wk.go = alloc_object(env, seL4_NotificationObject, 0);
    for (unsigned k = 0; k < SLOTS; k++)
        wk.src[k] = alloc_object(env, seL4_UntypedObject, CHILD_BITS + 8);
    test_assert(env, wk.dst && wk.src[SLOTS - 1]);

    thread_create(env, &th, worker_thread, WORKER_PRIO, 0);
    th.arg[0] = (seL4_Word)&wk;
    seL4_CPtr rframe = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr rnt = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, map_in_root(env, rframe, LAT_VA) == seL4_NoError);
    memset((void *)LAT_VA, 0, 4096);
    test_eq(env, al4_asyncsys_register(rnt, th.tcb, rframe), seL4_NoError);
    wk.sh = (struct al4_asyncsys_shared *)LAT_VA;
    thread_start(&th);
    seL4_Wait(wk.calibrated, NULL);
    sort(wk.one, SLOTS);
    uint64_t one = wk.one[SLOTS / 2];
    rtc[RTC_IRQ_ENABLED] = 1;
    // The interrupt path itself: alarms while nothing runs.
    for (unsigned s = 0; s < BASE_SAMPLES; s++) {
        uint64_t at = rtc_now() + 1 + rnd() % one;
        rtc_alarm(at);
        base[s] = take_alarm(env, nt, irq) - at;
    }
    sort(base, BASE_SAMPLES);
    // Now the worker sets them, each at a random moment of a ring.
    // (With several harts a ring is no longer SLOTS times a single request, which waits
    // for another hart to wake up: the ring's own time counts there.)
    // A host that stops QEMU for long stretches can push most alarms past the end of
    // their ring: then another set of samples, up to ROUNDS sets.
    wk.spread = MIN(wk.drain, SLOTS * one) * 3 / 4;
    unsigned n = 0, alarms = 0;
    for (unsigned round = 0; round < ROUNDS && n < MIN_IN_DRAIN; round++) {
        wk.limit = alarms + SAMPLES;  // the worker arms alarms up to this one
        if (round)
            test_eq(env, seL4_TCB_Resume(th.tcb), seL4_NoError);
        else
            seL4_Signal(wk.go);
        for (unsigned s = alarms; s < wk.limit; s++) {
            uint64_t came = take_alarm(env, nt, irq);
            due[s] = wk.at;  // the worker sets the next one once armed is clear
            late[s] = came - due[s];
            wk.armed = false;
        }
        // Stopped between rounds: it arms no more alarms meanwhile (the ring of the
        // last one may still be unrecorded, its `to` 0, so that sample is left out).
        seL4_TCB_Suspend(th.tcb);
        for (unsigned s = alarms; s < wk.limit; s++)
            if (due[s] <= wk.ring[s].to)  // alarm s fell into the ring it was set for
                in_drain[n++] = late[s];
        alarms = wk.limit;
        if (n < MIN_IN_DRAIN && round + 1 < ROUNDS)
            printf("# only %u of %u alarms fell into their rings: %u more\n", n, alarms, SAMPLES);
    }
    rtc[RTC_IRQ_ENABLED] = 0;
    sort(in_drain, n);
    printf("# one request %lu ns (median of %u; %lu..%lu), a ring of %u %lu ns; an alarm while "
           "idle late by %lu ns (median)\n", (unsigned long)one, SLOTS, (unsigned long)wk.one[0],
           (unsigned long)wk.one[SLOTS - 1], SLOTS, (unsigned long)wk.drain,
           (unsigned long)base[BASE_SAMPLES / 2]);
    test_eq(env, wk.wrong, 0);
    test_assert(env, n >= MIN_IN_DRAIN);
    printf("# %u of %u alarms during %lu rings: late by %lu (median), %lu (80%%), %lu (worst) ns\n",
           n, alarms, (unsigned long)wk.rounds, (unsigned long)in_drain[n / 2],
           (unsigned long)in_drain[n * 4 / 5], (unsigned long)in_drain[n - 1]);
    // An alarm that falls into a ring waits for the request being performed, then for
    // the interrupt path (what an idle hart takes); the bound leaves room for a loaded
    // host and stays well below the rest of a ring, which an alarm without the
    // preemption point would wait for (a quarter of a ring at the least, over half of
    // one at the median). The median, not the worst or the 80th percentile: a loaded
    // host stops QEMU for milliseconds at any moment (a make test run saw 80% at
    // 374 us with the median at 101 us, one request 26 us, the idle path 100 us).
    uint64_t bound = base[BASE_SAMPLES / 2] + BOUND_REQUESTS * one;
    if (env->bi->numNodes == 1)
        test_check(env, in_drain[n / 2] <= bound);
    else
        printf("# not checked on %lu harts: the handler runs on an idle hart, whose kernel "
               "lock the boot hart's interrupt waits for\n", (unsigned long)env->bi->numNodes);
    test_eq(env, seL4_CNode_Delete(ROOT, irq, DEPTH), seL4_NoError);
}
DEFINE_TEST(ASYNCSYS0014, "interrupt latency stays near one request while the handler drains full rings",
            latency);
