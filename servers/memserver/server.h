// The memory server's own state (docs/memserver.md): one process, one thread, one
// coroutine executor (aipc's) running a dispatcher per client connection, C worker
// coroutines that make the system calls, and the reply dispatcher of asynchronous
// system calls. Everything is static and belongs to that one thread.
#pragma once
#include <al4/aipc.h>
#include <al4/asyncsys.h>
#include "memserver.h"

// Coroutine priorities (docs/memserver.md, "Priorities"): intake (the connections'
// dispatchers, and the system calls' reply dispatcher) above the workers.
#define DISPATCH_PRIO 10
#define WORK_PRIO 5

// A run of caps handed out and taken back, last in first out.
struct pool {
    seL4_CPtr *stack;
    unsigned n, size;
};
void pool_init(struct pool *p, seL4_CPtr *stack, seL4_CPtr first, unsigned size);
seL4_CPtr pool_take(struct pool *p);  // 0 when empty
void pool_put(struct pool *p, seL4_CPtr cap);

// One page of a client's window. BUSY: a worker is mapping or unmapping it, so no
// other request may touch it meanwhile.
enum page_state { PAGE_FREE, PAGE_BUSY, PAGE_MAPPED };

struct worker;

// One client: its connection, its window, its pages.
struct space {
    struct al4_aipc_server conn;
    struct mem_client_desc d;
    unsigned index;  // the connection's index
    // One worker at a time maps a page table into this client (work.c): the others
    // that find one missing wait for it, instead of each taking one from the pool.
    bool pt_busy;
    struct worker *pt_waiters;
    uint8_t state[MEM_MAX_PAGES];
    seL4_CPtr frame[MEM_MAX_PAGES];
};

// A checked request handed to a worker.
struct job {
    struct space *sp;
    uint32_t id;  // the client's call id (al4_aipc_reply)
    uint16_t op;  // MEM_ALLOC or MEM_FREE
    uint16_t page;
    uint32_t intake;  // srv.intake when it was submitted (MS_WAIT_MAX)
};

struct memserver {
    // First, within an immediate offset of srv: every request touches them.
    uint32_t intake, wait_max;            // MEM_STATS_QUEUE
    struct mem_boot boot;
    struct al4_aipc_rt rt;
    struct al4_asyncsys as;
    struct pool frames, pts;
    struct space sp[MEM_MAX_CLIENTS];
    unsigned mode, concurrency;
    seL4_Word calls[MEM_STATS_WORDS];     // MEM_STATS_CALLS
    seL4_Word requests[MEM_STATS_WORDS];  // MEM_STATS_REQUESTS (mode and C read live)
};
extern struct memserver srv;

static inline seL4_Word page_va(const struct job *j)
{
    return j->sp->d.base + ((seL4_Word)j->page << seL4_PageBits);
}

// dispatch.c: serves sp's connection (sp->index) with a dispatcher whose handler answers
// at once what needs no system call and hands ALLOC and FREE to a worker.
seL4_Error serve_client(struct space *sp);
// A worker is done with j: the page's bookkeeping and the reply (err: enum mem_err,
// sel4: the kernel's error for MEM_ESYSCALL).
void job_finish(const struct job *j, enum mem_err err, seL4_Error sel4);

// work.c: the worker coroutines.
void work_init(unsigned concurrency);
void work_submit(const struct job *j);
// Only with no job anywhere (every frame in the pool: CONFIG checks).
void work_set_concurrency(unsigned c);

// ring.c: the asynchronous system calls' ring frame and its reply dispatcher.
seL4_Error ring_init(const seL4_BootInfo *bi);
