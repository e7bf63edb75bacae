// The memory server's workers (docs/memserver.md, "Concurrency"): C coroutines, each
// serving one job at a time; a job goes to an idle worker at once or waits in a FIFO
// queue for the next one that finishes. A worker makes its map and unmap system calls
// synchronously (the whole executor waits in the kernel), asynchronously (it awaits the
// reply and the other coroutines run meanwhile; al4/asyncsys.h in batch mode, one wake
// per batch at the executor's flush), or not at all (MEM_NONE, the baseline).
#include "server.h"

struct worker {
    struct co co;
    struct al4_async call;
    struct job job;
    seL4_CPtr pt;
    struct worker *next_pt_waiter;
    seL4_Error err;
    enum mem_err result;
    unsigned tries;
};

static struct worker workers[MEM_MAX_CONCURRENCY];
static struct worker *idle[MEM_MAX_CONCURRENCY];
static unsigned n_idle;
// Jobs no worker was free for: a job holds its page BUSY, so there are never more than
// pages in all windows, whatever a client sends.
#define QUEUE (MEM_MAX_CLIENTS * MEM_MAX_PAGES)
static struct job queue[QUEUE];
static unsigned q_head, q_tail;

// One system call of a worker, made as srv.mode says, its error in w->err. One line
// (AL4_ASYNC_AWAIT's resume point is __LINE__).
#define VSPACE(j) ((j)->sp->d.vspace)
#define FRAME(j) ((j)->sp->frame[(j)->page])

#define MEM_CALL(co, w, sync_call, async_call) \
    do { \
        if (srv.mode == MEM_SYNC) { \
            (w)->err = (sync_call); \
        } else { \
            AL4_ASYNC_AWAIT(co, &(w)->call, async_call); \
            (w)->err = (w)->call.error; \
        } \
    } while (0)

// The next queued job for w, or w goes idle.
static bool next_job(struct worker *w)
{
    if (q_head != q_tail) {
        w->job = queue[q_head++ % QUEUE];
        return true;
    }
    idle[n_idle++] = w;
    return false;
}

// The page-table map of sp is over: the workers waiting for it map again.
static void pt_done(struct space *sp)
{
    sp->pt_busy = false;
    for (struct worker *v = sp->pt_waiters; v; v = v->next_pt_waiter)
        co_wake(&v->co);
    sp->pt_waiters = NULL;
}

static enum co_status worker_run(struct co *co)
{
    struct worker *w = (struct worker *)co;
    struct job *j = &w->job;
    CO_BEGIN(co);
    for (;;) {
        // Wraps as the counter does: the difference is right below 2^32 requests.
        if (srv.intake - j->intake > srv.wait_max)
            srv.wait_max = srv.intake - j->intake;
        w->result = MEM_OK;
        w->err = seL4_NoError;
        if (srv.mode == MEM_NONE) {
            // The baseline: everything but the system calls.
        } else if (j->op == MEM_ALLOC) {
            // A missing page table (seL4_FailedLookup) is mapped from the pool and the
            // map tried again: at most the two levels below the root in Sv39.
            for (w->tries = 0;;) {
                MEM_CALL(co, w, seL4_RISCV_Page_Map(FRAME(j), VSPACE(j), page_va(j), seL4_ReadWrite, seL4_RISCV_ExecuteNever), al4_async_RISCV_Page_Map(&w->call, FRAME(j), VSPACE(j), page_va(j), seL4_ReadWrite, seL4_RISCV_ExecuteNever));
                srv.calls[MS_MAPS]++;
                if (w->err != seL4_FailedLookup || w->tries == 2)
                    break;
                if (j->sp->pt_busy) {
                    // Another worker is mapping one (perhaps this very table): wait
                    // for it and map again.
                    w->next_pt_waiter = j->sp->pt_waiters;
                    j->sp->pt_waiters = w;
                    CO_AWAIT(co, !j->sp->pt_busy);
                    continue;
                }
                if (!(w->pt = pool_take(&srv.pts))) {
                    w->result = MEM_ENOMEM;
                    break;
                }
                w->tries++;
                j->sp->pt_busy = true;
                MEM_CALL(co, w, seL4_RISCV_PageTable_Map(w->pt, VSPACE(j), page_va(j), seL4_RISCV_Default_VMAttributes), al4_async_RISCV_PageTable_Map(&w->call, w->pt, VSPACE(j), page_va(j), seL4_RISCV_Default_VMAttributes));
                srv.calls[MS_PT_MAPS]++;
                if (w->err)
                    pool_put(&srv.pts, w->pt);
                pt_done(j->sp);
            }
        } else {
            MEM_CALL(co, w, seL4_RISCV_Page_Unmap(FRAME(j)), al4_async_RISCV_Page_Unmap(&w->call, FRAME(j)));
            srv.calls[MS_UNMAPS]++;
        }
        if (w->result == MEM_OK && w->err != seL4_NoError) {
            w->result = MEM_ESYSCALL;
            srv.calls[MS_FAILED]++;
        }
        job_finish(j, w->result, w->err);
        if (!next_job(w))
            CO_SUSPEND(co);  // work_submit gives it a job and wakes it
    }
    CO_END(co);
}

void work_init(unsigned concurrency)
{
    for (unsigned i = 0; i < MEM_MAX_CONCURRENCY; i++) {
        co_init(&workers[i].co, &srv.rt.ex, worker_run, WORK_PRIO);
        al4_async_init(&workers[i].call, &srv.as, &workers[i].co);
    }
    work_set_concurrency(concurrency);
}

void work_set_concurrency(unsigned c)
{
    // Every worker is idle (no job anywhere): the first c of them serve from now on.
    srv.concurrency = c;
    n_idle = 0;
    for (unsigned i = c; i-- > 0;)
        idle[n_idle++] = &workers[i];
}

void work_submit(const struct job *j)
{
    if (n_idle) {
        struct worker *w = idle[--n_idle];
        w->job = *j;
        co_wake(&w->co);
    } else {
        queue[q_tail++ % QUEUE] = *j;
    }
}
