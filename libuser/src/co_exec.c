// The executor (al4/co.h, docs/coroutines.md): run queues with a priority bitmap, the
// wake state machine, and the loop with its idle path.
//
// Interrupts. The user-interrupt handler runs on the executor's own thread, between
// any two of its instructions. It never touches the run queues: it only ORs bits into
// `pending` (co_exec_signal) or pushes onto the lock-free `isr_head` list (co_wake_isr),
// one atomic each. The loop takes both at its head, in thread context, and does the
// queueing there; so the queues need no locking and no masking. The one window is
// going to sleep: a handler that ran after the loop's last look would leave its wake
// behind while the thread sleeps. So the idle path masks user interrupts, looks again,
// and sleeps still masked: what arrives after the mask stays in the receiver entry,
// where al4_unotify_wait (and the kernel's recheck before blocking) finds it.
#include <al4/co.h>

void co_exec_init(struct co_exec *ex, const struct co_ops *ops, uint64_t hz,
                  struct co_timer **heap, uint32_t timers)
{
    *ex = (struct co_exec){.ops = ops, .hz = hz, .heap = heap, .heap_cap = timers};
}

void co_init(struct co *co, struct co_exec *ex, co_resume_fn resume, unsigned prio)
{
    *co = (struct co){.resume = resume, .ex = ex, .prio = (uint8_t)(prio % CO_PRIOS)};
}

// The highest bit set in x (not 0). Without Zbb, __builtin_clzll is a call into libgcc
// that cost more than the rest of a dequeue; six halvings are a dozen instructions, and
// only needed when a queue empties (the top one is kept in ex->top).
static unsigned highest_bit(uint64_t x)
{
    unsigned p = 0;
    for (unsigned half = 32; half; half /= 2)
        if (x >> half) {
            x >>= half;
            p += half;
        }
    return p;
}

// The lowest bit set in x (not 0), by de Bruijn multiplication: without Zbb,
// __builtin_ctzll is a libgcc call, and this runs for every signal bit taken.
static unsigned lowest_bit(uint64_t x)
{
    static const uint8_t pos[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
        62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
        63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
        51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return pos[((x & -x) * 0x022fdd63cc95386dull) >> 58];
}

// The head of the highest nonempty queue, or NULL.
static inline struct co *dequeue(struct co_exec *ex)
{
    if (!ex->ready)
        return NULL;
    unsigned p = ex->top;
    struct co_queue *q = &ex->queue[p];
    struct co *co = q->head;
    if (!(q->head = co->next)) {
        q->tail = NULL;
        if ((ex->ready &= ~(1ull << p)))
            ex->top = highest_bit(ex->ready);
    }
    return co;
}

void co_wake_isr(struct co *co)
{
    // Once on the list until the executor takes it: a second wake meanwhile is the
    // same wake.
    if (__atomic_exchange_n(&co->isr_woken, 1, __ATOMIC_ACQ_REL))
        return;
    struct co_exec *ex = co->ex;
    struct co *head = __atomic_load_n(&ex->isr_head, __ATOMIC_RELAXED);
    do
        co->isr_next = head;
    while (!__atomic_compare_exchange_n(&ex->isr_head, &head, co, true, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
}

void co_exec_signal(struct co_exec *ex, uint64_t bits)
{
    if (bits)
        __atomic_fetch_or(&ex->pending, bits, __ATOMIC_RELEASE);
}

void co_exec_handler(uint64_t bits, void *ex)
{
    co_exec_signal(ex, bits);
}

void co_exec_bind(struct co_exec *ex, unsigned bit, struct co *co)
{
    ex->bound[bit % 64] = co;
}

uint64_t co_exec_take_stray(struct co_exec *ex)
{
    uint64_t s = ex->stray;
    ex->stray = 0;
    return s;
}

bool co_exec_runnable(const struct co_exec *ex)
{
    return ex->ready != 0;
}

void co_exec_stop(struct co_exec *ex)
{
    ex->stop = true;
}

// Whether a handler left something since the last take.
static bool isr_work(struct co_exec *ex)
{
    return __atomic_load_n(&ex->pending, __ATOMIC_RELAXED) ||
           __atomic_load_n(&ex->isr_head, __ATOMIC_RELAXED);
}

static inline void wake_bits(struct co_exec *ex, uint64_t bits)
{
    for (; bits; bits &= bits - 1) {
        unsigned b = lowest_bit(bits);
        if (ex->bound[b])
            co_wake(ex->bound[b]);
        else
            ex->stray |= 1ull << b;
    }
}

void co_exec_wake_bits(struct co_exec *ex, uint64_t bits)
{
    wake_bits(ex, bits);
}

// Turns what the handler left, and the timers that are due, into queued coroutines.
static void take_wakes_slow(struct co_exec *ex)
{
    if (__atomic_load_n(&ex->isr_head, __ATOMIC_RELAXED)) {
        struct co *l = __atomic_exchange_n(&ex->isr_head, NULL, __ATOMIC_ACQUIRE), *fifo = NULL;
        while (l) {  // the list is newest first: reverse it, so wakes keep their order
            struct co *n = l->isr_next;
            l->isr_next = fifo;
            fifo = l;
            l = n;
        }
        for (struct co *c = fifo, *n; c; c = n) {
            n = c->isr_next;
            // Cleared before the wake: a handler wake after this queues it once more,
            // which co_wake absorbs if it is still queued.
            __atomic_store_n(&c->isr_woken, 0, __ATOMIC_RELEASE);
            co_wake(c);
        }
    }
    if (__atomic_load_n(&ex->pending, __ATOMIC_RELAXED))
        wake_bits(ex, __atomic_exchange_n(&ex->pending, 0, __ATOMIC_ACQUIRE));
    if (ex->heap_len)
        co_timer_expire(ex, co_now(ex));
}

// Looked at before every resume, so the common case (nothing left, no timer armed)
// costs three loads and no call.
static inline void take_wakes(struct co_exec *ex)
{
    if (__atomic_load_n(&ex->isr_head, __ATOMIC_RELAXED) ||
        __atomic_load_n(&ex->pending, __ATOMIC_RELAXED) || ex->heap_len)
        take_wakes_slow(ex);
}

void co_exec_set_flush(struct co_exec *ex, uint64_t (*flush)(void *arg), void *arg, uint32_t every)
{
    ex->flush = flush;
    ex->flush_arg = arg;
    ex->flush_every = every;
    ex->since_flush = 0;
}

// The flush; returns the signal bits it read (not woken yet).
static inline uint64_t flush(struct co_exec *ex)
{
    if (!ex->flush)
        return 0;
    ex->since_flush = 0;
    return ex->flush(ex->flush_arg);
}

void co_exec_flush(struct co_exec *ex)
{
    wake_bits(ex, flush(ex));
}

// The bits the thread read itself after a flush or a sleep, with the run queue empty:
// when they name one idle coroutine and nothing else is runnable (no other bit, nothing
// a handler left, no timer armed), that coroutine is returned to be resumed at once,
// which is what queueing it and taking the queue's head would do, without the round
// trip (the common case at low load: a thread woken for one connection). Otherwise the
// bits are woken as usual and NULL returned.
static inline struct co *wake_bits_next(struct co_exec *ex, uint64_t bits)
{
    if (bits && !(bits & (bits - 1)) && !ex->ready && !ex->heap_len && !isr_work(ex)) {
        struct co *co = ex->bound[lowest_bit(bits)];
        if (co && co->state == CO_IDLE) {
            ex->direct++;
            return co;
        }
    }
    wake_bits(ex, bits);
    return NULL;
}

// The loop of co_exec_run_ready, inlined into co_exec_run as well: there it runs once
// per wake of the thread, and a call would save and restore its registers each time.
// `co`: a coroutine to resume first (wake_bits_next's), or NULL.
static inline __attribute__((always_inline)) uint64_t run_ready(struct co_exec *ex, struct co *co)
{
    uint64_t before = ex->resumes;
    // A stop is for the run it was made in: one left over from an earlier run would end
    // this one after its first resume.
    ex->stop = false;
    for (;;) {
        if (!co) {
            ex->loops++;
            take_wakes(ex);
            co = dequeue(ex);
        }
        if (!co) {
            ex->empty_at = ex->loops;
            // The flush may wake coroutines: the answers its signals brought.
            co = wake_bits_next(ex, flush(ex));
            if (!co) {
                take_wakes(ex);
                if (!(co = dequeue(ex)))
                    break;
            }
        }
        co_exec_resume(ex, co);
        co = NULL;
        if (ex->flush_every && ++ex->since_flush >= ex->flush_every)
            wake_bits(ex, flush(ex));
        if (ex->stop) {
            wake_bits(ex, flush(ex));
            break;
        }
    }
    return ex->resumes - before;
}

uint64_t co_exec_run_ready(struct co_exec *ex)
{
    return run_ready(ex, NULL);
}

void co_exec_set_spin(struct co_exec *ex, uint32_t polls)
{
    ex->spin = ex->ops->poll ? polls : 0;  // a platform that cannot poll never spins
}

// The spin before a sleep (masked): the bits a poll found, or 0 when the budget ran
// out; *due is set when the deadline passed meanwhile.
static uint64_t spin(struct co_exec *ex, uint64_t deadline, bool *due)
{
    const struct co_ops *o = ex->ops;
    for (uint32_t i = 0; i < ex->spin; i++) {
        uint64_t bits = o->poll(o->ctx);
        if (bits) {
            ex->spin_wakes++;
            return bits;
        }
        ex->spins++;
        if (deadline != CO_NEVER && o->now(o->ctx) >= deadline) {
            *due = true;
            return 0;
        }
    }
    return 0;
}

// Nothing runnable: sleep until a signal or the next deadline. Masked from the last
// look to the end of the sleep, so that no handler wake falls in between (the spin
// polls the same entry the sleep would wait on).
// Returns a coroutine to resume first (wake_bits_next), or NULL.
static inline __attribute__((always_inline)) struct co *idle(struct co_exec *ex)
{
    const struct co_ops *o = ex->ops;
    unsigned long was = o->mask(o->ctx);
    uint64_t deadline = co_timer_next(ex);
    if (isr_work(ex) || (deadline != CO_NEVER && o->now(o->ctx) >= deadline)) {
        o->unmask(o->ctx, was);
        return NULL;
    }
    bool due = false;
    uint64_t bits = ex->spin ? spin(ex, deadline, &due) : 0;
    if (!bits && !due) {
        ex->sleeps++;
        bits = o->sleep(o->ctx, deadline);
    }
    o->unmask(o->ctx, was);
    // In the thread: the coroutines are woken at once, not left for the next look.
    return wake_bits_next(ex, bits);
}

void co_exec_run(struct co_exec *ex)
{
    struct co *co = NULL;
    for (;;) {
        run_ready(ex, co);
        if (ex->stop)
            return;
        co = idle(ex);
    }
}
