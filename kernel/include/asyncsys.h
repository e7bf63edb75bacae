// Asynchronous system calls (issue 12, docs/asyncsys.md): the per-thread handler that
// drains the thread's request ring, and the per-hart executor that runs handlers.
//
// A handler is a stackless coroutine: its only suspension point lies between two
// requests, and everything it needs across it (its private ring indices, whether it is
// queued) lives in this struct inside the thread's TCB, so it needs no stack of its
// own. The executor runs ready handlers highest priority first, FIFO within one, from
// a bitmap of 64 levels (the thread's priority / 4, as al4/co.h has 64 levels too).
#pragma once
#include "types.h"

#define ASYNCSYS_LEVELS 64

enum asyncsys_state {
    ASYNCSYS_IDLE = 0,  // on no queue; handler_running is 0 in the frame
    ASYNCSYS_QUEUED,    // on its hart's queue of its level; handler_running is 1
};

struct asyncsys_handler {
    struct asyncsys_handler *next, *prev;  // the executor's queue of `level`
    paddr_t frame;       // the registered frame (its copy in TCB_ASYNC_FRAME must match)
    uint32_t slots;      // items per ring: 16 in a 4 KiB frame, 8192 in a 2 MiB one
    uint32_t req_head;   // requests consumed: the kernel's truth, the frame has a copy
    uint32_t rep_tail;   // replies published
    uint8_t state;       // enum asyncsys_state
    uint8_t level;       // queue level while queued
    uint8_t hart;        // whose executor queues it while queued
    bool broken;         // the process moved an index by more than a ring: not served
    bool unsignalled;    // replies published since the last completion signal
    bool unpublished;    // replies written whose indices the frame does not show yet
};

struct asyncsys_queue {
    struct asyncsys_handler *head, *tail;
};

struct asyncsys_exec {
    uint64_t ready;  // bit l: queue[l] is not empty
    struct asyncsys_queue queue[ASYNCSYS_LEVELS];
    // The handler serving now, or NULL: deleting its thread clears it, so that a
    // request that deleted its own thread stops the loop before it touches the TCB.
    struct asyncsys_handler *running;
    // The handler that emptied its ring on this idle hart and stays queued, marked
    // running (asyncsys_linger), or NULL.
    struct asyncsys_handler *lingering;
};

struct tcb;
struct hart;

// The executor level of a thread priority (0..255).
static inline unsigned asyncsys_level(unsigned prio)
{
    return prio * ASYNCSYS_LEVELS / 256;
}

// Whether a handler queued on ex (ex->ready not 0: the caller's cheap first look)
// comes before a thread of executor level `level` on the way out to user mode: one of
// that level or above does (asyncsys_run's rule, which serve_async applies and the
// notification fastpath's Wait looks at).
static inline bool asyncsys_ahead_of(const struct asyncsys_exec *ex, unsigned level)
{
    return msb(ex->ready) >= level;
}

// Executor (kernel/asyncsys_exec.c).
void asyncsys_enqueue(struct hart *h, struct asyncsys_handler *hd, unsigned prio);
struct asyncsys_handler *asyncsys_next(struct hart *h);
void asyncsys_unlink(struct asyncsys_handler *hd);
// The thread is being deleted: its handler leaves every queue and stops serving.
void asyncsys_thread_gone(struct tcb *t);
// t's priority changed: a queued handler moves to the level of its new priority (on the
// same hart), so that it is neither held back by its own thread nor ahead of it.
void asyncsys_relevel(struct tcb *t);

// Serving (kernel/api/asyncsys.c): runs this hart's ready handlers of `min_level` and
// above until none is left or an interrupt is pending. Called on every way back to
// user mode, with the level of the thread about to run.
// `linger`: the hart has nothing else to run, so a handler that empties its ring may
// stay queued and marked running for asyncsys_linger to watch (SMP only).
void asyncsys_run(struct hart *h, unsigned min_level, bool linger);
// The wake system call (al4_SysAsyncSyscallWake) of thread t.
void asyncsys_wake(struct tcb *t);
// An idle hart (self) takes the first handler queued on another hart behind the thread
// of a higher level that hart runs; true if it took one (then serve_async serves it).
//
// asyncsys_linger: an idle hart whose one queued handler emptied its ring (asyncsys_run's
// `linger`) watches the ring outside the kernel lock for up to ASYNCSYS_LINGER_POLLS
// polls, or until an interrupt is pending, and lets the handler go idle unless a request
// came (docs/asyncsys.md, "Lingering"); true if it had such a handler.
#define ASYNCSYS_LINGER_POLLS 256
#ifdef CONFIG_ENABLE_SMP_SUPPORT
bool asyncsys_steal(struct hart *self);
bool asyncsys_linger(struct hart *h);
#else
static inline bool asyncsys_steal(struct hart *self)
{
    (void)self;
    return false;
}
static inline bool asyncsys_linger(struct hart *h)
{
    (void)h;
    return false;
}
#endif
