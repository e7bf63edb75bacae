// Stackless coroutines and their executor (docs/coroutines.md).
//
// A coroutine is a struct co embedded first in the caller's own struct, which also
// holds every local that must live across a suspension; its resume function is called
// by the executor each time it is woken and returns CO_PENDING (suspended, waiting for
// a wake) or CO_DONE. CO_BEGIN/CO_END put a switch around the body and the CO_AWAIT
// family records where to go on next: no coroutine has a stack of its own.
//
// The executor runs the woken coroutines, highest priority first and FIFO within one,
// fires timers, and when nothing is runnable sleeps through a platform hook (on aL4:
// al4_unotify_wait, al4/co_sel4.h). Everything is sized by the caller; nothing is
// allocated. Only co_exec_signal and co_wake_isr may be called from the user-interrupt
// handler (or any context that interrupts the executor's thread); everything else
// belongs to the executor's thread (its coroutines included).
//
// This header needs nothing of seL4: the host tests compile the runtime unchanged.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CO_PRIOS 64                 // priorities 0 (lowest) .. 63 (highest)
#define CO_NEVER UINT64_MAX         // "no deadline"

enum co_status { CO_PENDING = 0, CO_DONE = 1 };

struct co;
struct co_exec;
typedef enum co_status (*co_resume_fn)(struct co *co);

// Scheduling state (co->state). A wake moves IDLE to QUEUED and RUNNING to AGAIN; the
// other states ignore it, which is what makes wakes idempotent.
enum co_state {
    CO_IDLE,     // suspended (or not started), on no queue
    CO_QUEUED,   // on its priority's run queue
    CO_RUNNING,  // its resume function is executing
    CO_AGAIN,    // running, and woken meanwhile: queued again when it suspends
    CO_FINISHED, // returned CO_DONE; wakes are ignored until co_init
};

struct co {
    co_resume_fn resume;
    struct co_exec *ex;
    struct co *next;        // run queue link
    struct co *isr_next;    // co_wake_isr's list link
    struct co *waiter;      // woken when this one finishes (CO_AWAIT_CO)
    uint32_t pc;            // resume point: 0 start, else the __LINE__ of a CO_ macro
    uint32_t isr_woken;     // on co_wake_isr's list (atomic: a word, RV64 has no byte AMO)
    uint8_t prio;
    uint8_t state;          // enum co_state
};

// A timer: wakes `co` at `deadline` (in the executor's time units). Caller-owned; it
// lives in the executor's heap while armed.
struct co_timer {
    uint64_t deadline;
    uint64_t seq;           // arming order: equal deadlines fire first armed, first fired
    struct co *co;
    uint32_t slot;          // index in the heap while armed
    bool armed, fired;
};

// The platform: time and sleep. `sleep` is called with user interrupts masked (by
// `mask`), when no coroutine is runnable and no timer is due; it returns when a signal
// arrives or, with a deadline other than CO_NEVER, no later than the platform's bound
// after it (docs/coroutines.md), giving the signal bits it took (0 when none), which
// the executor treats as co_exec_signal(bits). `mask` returns what `unmask` restores;
// masking nests. `poll` (NULL: none) takes the signal bits pending now without waiting
// (0: none) and may pause the hart briefly when there are none: the idle path's spin
// (co_exec_set_spin) calls it, masked too.
struct co_ops {
    uint64_t (*now)(void *ctx);
    uint64_t (*sleep)(void *ctx, uint64_t deadline);
    unsigned long (*mask)(void *ctx);
    void (*unmask)(void *ctx, unsigned long was);
    uint64_t (*poll)(void *ctx);
    void *ctx;
};

struct co_queue {
    struct co *head, *tail;
};

struct co_exec {
    uint64_t ready;                   // bit p: queue[p] is not empty
    uint32_t top;                     // the highest bit of ready (meaningless when 0)
    struct co_queue queue[CO_PRIOS];
    uint64_t pending;                 // signal bits not yet taken (atomic)
    struct co *isr_head;              // co_wake_isr's list, newest first (atomic)
    struct co *bound[64];             // the coroutine each signal bit wakes
    uint64_t stray;                   // signal bits that had no coroutine bound
    struct co_timer **heap;           // armed timers, a min-heap on (deadline, seq)
    uint32_t heap_len, heap_cap;
    uint64_t timer_seq;
    uint64_t hz;                      // time units per second
    const struct co_ops *ops;
    // The flush hook (co_exec_set_flush): work a batch owes the outside world.
    uint64_t (*flush)(void *arg);
    void *flush_arg;
    uint32_t flush_every, since_flush;
    uint32_t spin;                    // polls before a sleep (co_exec_set_spin)
    bool stop;
    // Counters (for tests and tuning): resumes, idle sleeps, loop iterations, and
    // resumes of a coroutine a sleep's or a flush's bits woke that skipped the queue.
    uint64_t resumes, sleeps, loops, direct;
    // The loop iteration (`loops`) at which it last found nothing runnable: it changes
    // each time every coroutine woken so far has run (one store, off any counter's
    // read-modify-write: the loop passes there once per call at low load).
    uint64_t empty_at;
    // The idle path's polls that found nothing, and its spins that ended with bits.
    uint64_t spins, spin_wakes;
};

// --- Executor ---

// `heap` holds up to `timers` armed timers (NULL and 0 for none); `hz` is the rate of
// ops->now (on aL4 the DTB's timebase-frequency).
void co_exec_init(struct co_exec *ex, const struct co_ops *ops, uint64_t hz,
                  struct co_timer **heap, uint32_t timers);
// The ops of an executor driven by hand (co_exec_run_ready only, the caller waits): no
// clock, no sleep, no masking.
extern const struct co_ops co_ops_manual;
// Runs until a coroutine calls co_exec_stop, sleeping when there is nothing to do.
void co_exec_run(struct co_exec *ex);
// Runs what is runnable now (signals and due timers taken first) until nothing is, or a
// coroutine calls co_exec_stop, and returns without sleeping: the number of resumes.
// Like co_exec_run it forgets a stop made before it was called.
uint64_t co_exec_run_ready(struct co_exec *ex);
// `flush(arg)` runs whenever the run queue has emptied (so always before the executor
// sleeps) and at the latest after every `every` resumes (0: only when it empties). For
// what a batch of coroutines owes the outside world and is cheaper sent once per batch:
// asynchronous IPC sends its deferred notifications there (docs/aipc-protocol.md, "Batching").
// It returns the signal bits it read itself (0: none), which the executor wakes as
// co_exec_wake_bits would; a flush that woke nobody's peer returns 0.
void co_exec_set_flush(struct co_exec *ex, uint64_t (*flush)(void *arg), void *arg, uint32_t every);
// Runs the flush now (and counts `every` from here), waking the bits it returns: for a
// coroutine that keeps the executor busy past a batch of its own and would otherwise
// hold back, until `every` resumes have passed, what the others owe the outside world.
void co_exec_flush(struct co_exec *ex);
// Before it sleeps, the idle path polls (ops->poll) up to `polls` times for signal bits,
// still masked; bits found are taken as a sleep's (0: never spin, the default; so with
// no ops->poll). For a
// thread whose peers run on other harts: a peer that answers within the spin finds
// this thread awake, so neither side enters the kernel (docs/coroutines.md, "Spinning").
void co_exec_set_spin(struct co_exec *ex, uint32_t polls);
// co_exec_run returns after the current resume.
void co_exec_stop(struct co_exec *ex);
// Whether some coroutine is queued (the executor's thread only).
bool co_exec_runnable(const struct co_exec *ex);

// Signal bit `bit` (0..63) wakes `co` (NULL: nobody; its bits go to `stray`).
void co_exec_bind(struct co_exec *ex, unsigned bit, struct co *co);
// Interrupt-safe: records `bits`; the executor wakes their coroutines at its next look.
void co_exec_signal(struct co_exec *ex, uint64_t bits);
// The same from the executor's own thread (bits it read itself, e.g. after a send):
// the bound coroutines are woken at once, without the atomic word in between.
void co_exec_wake_bits(struct co_exec *ex, uint64_t bits);
// Takes the signal bits that had no coroutine bound.
uint64_t co_exec_take_stray(struct co_exec *ex);
// A user-interrupt handler function (struct al4_unotify_handler, arg = the executor).
void co_exec_handler(uint64_t bits, void *ex);

static inline uint64_t co_now(const struct co_exec *ex)
{
    return ex->ops->now(ex->ops->ctx);
}
// `us` microseconds in the executor's time units.
static inline uint64_t co_us(const struct co_exec *ex, uint64_t us)
{
    return ex->hz / 1000000 * us + ex->hz % 1000000 * us / 1000000;
}

// --- Coroutines ---

// A new coroutine, not yet runnable (co_wake starts it). prio < CO_PRIOS.
void co_init(struct co *co, struct co_exec *ex, co_resume_fn resume, unsigned prio);
// Makes co runnable: queued if idle, run again after this resume if running; nothing
// if already queued or finished. The executor's thread only. Inline, with the queueing:
// a wake is on every call's path (asynchronous IPC wakes the caller with its reply).
static inline void co_enqueue(struct co_exec *ex, struct co *co)
{
    struct co_queue *q = &ex->queue[co->prio];
    co->next = NULL;
    if (q->tail)
        q->tail->next = co;
    else
        q->head = co;
    q->tail = co;
    // top is kept rather than found: finding the highest bit without Zbb is a loop.
    if (!ex->ready || co->prio > ex->top)
        ex->top = co->prio;
    ex->ready |= 1ull << co->prio;
}
static inline void co_wake(struct co *co)
{
    if (co->state == CO_IDLE) {
        co->state = CO_QUEUED;
        co_enqueue(co->ex, co);
    } else if (co->state == CO_RUNNING) {
        co->state = CO_AGAIN;
    }  // queued, already woken while running, or finished: nothing
}
// Runs a resume of co and files it by what it returned (the executor's step; also
// co_wake_run's).
static inline void co_exec_resume(struct co_exec *ex, struct co *co)
{
    co->state = CO_RUNNING;
    ex->resumes++;
    enum co_status st = co->resume(co);
    if (st == CO_DONE) {
        co->state = CO_FINISHED;
        if (co->waiter) {
            struct co *w = co->waiter;
            co->waiter = NULL;
            co_wake(w);
        }
    } else if (co->state == CO_AGAIN) {
        co->state = CO_QUEUED;
        co_enqueue(ex, co);
    } else {
        co->state = CO_IDLE;
    }
}
// co_wake, but when co would be the next to run anyway (idle, nothing of its priority
// or above queued, no stop pending) it runs at once, inside the caller's resume: the
// hand-off of a dispatcher to the coroutine its item was for (asynchronous IPC's
// replies), which saves the queueing and the executor's round. The order among queued
// coroutines is the one co_wake gives; the caller's own resume is what waits. Not from
// a handler, and only where the caller can take a nested resume (docs/coroutines.md).
static inline void co_wake_run(struct co *co)
{
    struct co_exec *ex = co->ex;
    if (co->state == CO_IDLE && (!ex->ready || ex->top < co->prio) && !ex->stop)
        co_exec_resume(ex, co);
    else
        co_wake(co);
}
// The same, from the user-interrupt handler (or anything that may interrupt the
// executor's thread): lock-free, taken by the executor at its next look.
void co_wake_isr(struct co *co);
static inline bool co_done(const struct co *co)
{
    return co->state == CO_FINISHED;
}

// --- Timers ---

// Arms t to wake co at `deadline`, re-arming it if armed. False if the heap is full.
bool co_timer_start(struct co_exec *ex, struct co_timer *t, struct co *co, uint64_t deadline);
// Disarms t; true if it was armed (it then never fires).
bool co_timer_cancel(struct co_exec *ex, struct co_timer *t);
// The earliest deadline armed, or CO_NEVER.
uint64_t co_timer_next(const struct co_exec *ex);
// Fires (disarms, marks fired, wakes) every timer due at `now`, in deadline order.
void co_timer_expire(struct co_exec *ex, uint64_t now);

// --- Writing a coroutine ---
//
//   struct reader { struct co co; int i; };      // i lives across suspensions
//   static enum co_status reader_run(struct co *co)
//   {
//       struct reader *r = (struct reader *)co;
//       CO_BEGIN(co);
//       for (r->i = 0; r->i < 10; r->i++)
//           CO_AWAIT(co, ring_has_item());          // someone co_wake()s us
//       CO_END(co);
//   }
//
// Locals of the C function do not survive a CO_ macro that suspends; switch-based, so
// a CO_ macro cannot appear inside another switch of the body.

#define CO_BEGIN(co) \
    switch ((co)->pc) { \
    case 0:

#define CO_END(co) \
    } \
    return CO_DONE

// Suspends until woken; resumes after this point.
#define CO_SUSPEND(co) \
    do { \
        (co)->pc = __LINE__; \
        return CO_PENDING; \
    case __LINE__:; \
    } while (0)

// Lets the others of its priority (and every higher one) run first.
#define CO_YIELD(co) \
    do { \
        co_wake(co); \
        CO_SUSPEND(co); \
    } while (0)

// CO_YIELD queued at priority `p` instead of its own, `own`, which it has again once
// resumed: everything queued at p and above runs first. For a coroutine that keeps
// finding work and must not hold up the lower-priority ones its work feeds (aipc's
// stepping dispatcher under a flood, al4_aipc_serve_yield).
#define CO_YIELD_AT(co, p, own) \
    do { \
        (co)->prio = (uint8_t)(p); \
        CO_YIELD(co); \
        (co)->prio = (uint8_t)(own); \
    } while (0)

// Until `cond` holds, suspends; whoever makes it true must co_wake this coroutine.
// cond is evaluated again on every resume.
#define CO_AWAIT(co, cond) \
    do { \
        (co)->pc = __LINE__; \
        __attribute__((fallthrough)); \
    case __LINE__: \
        if (!(cond)) \
            return CO_PENDING; \
    } while (0)

// Starts `child` (a coroutine of the same executor, co_init'ed) and suspends until it
// finishes. One waiter per child.
#define CO_AWAIT_CO(co, child) \
    do { \
        (child)->waiter = (co); \
        co_wake(child); \
        CO_AWAIT(co, co_done(child)); \
    } while (0)

// Suspends until the timer t fires at `deadline`. Afterwards t->fired says whether it
// did: false only when the heap was full (a sizing error of the caller's) and the
// coroutine went on at once.
#define CO_SLEEP_UNTIL(co, t, deadline) \
    do { \
        co_timer_start((co)->ex, (t), (co), (deadline)); \
        CO_AWAIT(co, (t)->fired || !(t)->armed); \
    } while (0)
