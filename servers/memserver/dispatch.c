// The memory server's request handler (docs/memserver.md, "Requests"): everything that
// needs no system call is checked and answered here, in the connection's dispatcher;
// an ALLOC or FREE that passes its checks takes its frame and marks its page BUSY
// before a worker sees it, so two requests for one page cannot both go ahead and the
// pool's count is right at every moment. A client names only addresses of its own
// window: whose VSpace is mapped into is the connection's, never the request's.
#include "server.h"

static enum mem_err page_of(const struct space *sp, seL4_Word va, uint16_t *page)
{
    if (va & ((1ul << seL4_PageBits) - 1))
        return MEM_EALIGN;
    if (va < sp->d.base || (va - sp->d.base) >> seL4_PageBits >= sp->d.pages)
        return MEM_ERANGE;
    *page = (uint16_t)((va - sp->d.base) >> seL4_PageBits);
    return MEM_OK;
}

static enum mem_err begin(struct space *sp, unsigned op, seL4_Word va, uint32_t id)
{
    struct job j = {.sp = sp, .id = id, .op = (uint16_t)op, .intake = srv.intake};
    enum mem_err e = page_of(sp, va, &j.page);
    if (e)
        return e;
    if (op == MEM_ALLOC) {
        if (sp->state[j.page] != PAGE_FREE)
            return MEM_EEXIST;
        if (!(sp->frame[j.page] = pool_take(&srv.frames)))
            return MEM_ENOMEM;
    } else if (sp->state[j.page] != PAGE_MAPPED) {
        return MEM_ENOENT;
    }
    sp->state[j.page] = PAGE_BUSY;
    work_submit(&j);
    return MEM_OK;
}

void job_finish(const struct job *j, enum mem_err err, seL4_Error sel4)
{
    struct space *sp = j->sp;
    bool mapped = (j->op == MEM_ALLOC) == (err == MEM_OK);
    sp->state[j->page] = mapped ? PAGE_MAPPED : PAGE_FREE;
    if (!mapped) {
        pool_put(&srv.frames, sp->frame[j->page]);
        sp->frame[j->page] = 0;
    }
    if (err == MEM_OK)
        srv.requests[j->op == MEM_ALLOC ? MS_ALLOCS : MS_FREES]++;
    else
        srv.requests[MS_REFUSED]++;
    seL4_Word mr[2] = {err, sel4};
    al4_aipc_reply(&sp->conn, j->id, seL4_MessageInfo_new(j->op, 0, 0, 2), mr);
}

static enum mem_err stats(seL4_Word group, seL4_Word *out)
{
    switch (group) {
    case MEM_STATS_POOLS:
        out[MS_FRAMES_FREE] = srv.frames.n;
        out[MS_FRAMES] = srv.frames.size;
        out[MS_PTS_FREE] = srv.pts.n;
        out[MS_PTS] = srv.pts.size;
        out[4] = 0;
        return MEM_OK;
    case MEM_STATS_CALLS:
        for (unsigned i = 0; i < MEM_STATS_WORDS; i++)
            out[i] = srv.calls[i];
        out[MS_WAKES] = srv.as.wakes;
        return MEM_OK;
    case MEM_STATS_REQUESTS:
        for (unsigned i = 0; i < MEM_STATS_WORDS; i++)
            out[i] = srv.requests[i];
        out[MS_MODE] = srv.mode;
        out[MS_CONCURRENCY] = srv.concurrency;
        return MEM_OK;
    case MEM_STATS_EXEC:
        out[MS_SLEEPS] = srv.rt.ex.sleeps;
        out[MS_SPINS] = srv.rt.ex.spins;
        out[MS_SPIN_WAKES] = srv.rt.ex.spin_wakes;
        out[MS_UINTR] = srv.rt.uintr;
        out[MS_POLLED] = srv.rt.polled;
        return MEM_OK;
    case MEM_STATS_QUEUE:
        out[MS_INTAKE] = srv.intake;
        out[MS_WAIT_MAX] = srv.wait_max;
        for (unsigned i = MS_WAIT_MAX + 1; i < MEM_STATS_WORDS; i++)
            out[i] = 0;
        return MEM_OK;
    default:
        return MEM_EINVAL;
    }
}

// The mode and the concurrency change only between runs: with every frame in the pool
// no page is allocated under another mode and no worker holds a job.
static enum mem_err config(const struct space *sp, seL4_Word len, const seL4_Word *mr)
{
    if (sp->index != srv.boot.control)
        return MEM_EPERM;
    if (len < 2 || mr[0] >= MEM_MODES || mr[1] == 0 || mr[1] > MEM_MAX_CONCURRENCY)
        return MEM_EINVAL;
    if (srv.frames.n != srv.frames.size)
        return MEM_EBUSY;
    srv.mode = (unsigned)mr[0];
    work_set_concurrency((unsigned)mr[1]);
    return MEM_OK;
}

static bool dispatch(struct al4_aipc_server *s, const struct al4_aipc_req *req,
                     struct al4_aipc_req *reply, void *arg)
{
    (void)s;
    struct space *sp = arg;
    seL4_Word label = seL4_MessageInfo_get_label(req->info);
    seL4_Word len = seL4_MessageInfo_get_length(req->info);
    enum mem_err e;
    srv.intake++;
    reply->info = seL4_MessageInfo_new(label, 0, 0, 2);
    reply->mr[1] = 0;
    switch (label) {
    case MEM_ALLOC:
    case MEM_FREE:
        e = len < 1 ? MEM_EINVAL : begin(sp, (unsigned)label, req->mr[0], req->id);
        if (e == MEM_OK)
            return false;  // a worker answers
        break;
    case MEM_STATS:
        e = len < 1 ? MEM_EINVAL : stats(req->mr[0], &reply->mr[1]);
        if (e == MEM_OK)
            reply->info = seL4_MessageInfo_new(label, 0, 0, 1 + MEM_STATS_WORDS);
        break;
    case MEM_CONFIG:
        e = config(sp, len, req->mr);
        break;
    default:
        e = MEM_EBADOP;
    }
    if (e != MEM_OK)
        srv.requests[MS_REFUSED]++;
    reply->mr[0] = e;
    return true;
}

// The connections' dispatcher: aipc's, with dispatch called directly, and stepping down
// to the workers' priority when a client floods it (docs/memserver.md, "Priorities").
AL4_AIPC_STEPPING_DISPATCHER(intake, dispatch)

seL4_Error serve_client(struct space *sp)
{
    seL4_Error e = al4_aipc_serve_with(&srv.rt, sp->index, &sp->conn, intake, sp, DISPATCH_PRIO);
    if (e == seL4_NoError)
        al4_aipc_serve_yield(&sp->conn, WORK_PRIO);
    return e;
}
