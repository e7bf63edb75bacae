// Serving asynchronous system calls (issue 12, the kernel paper's section 2.3;
// docs/asyncsys.md). A handler drains its thread's request ring: each request becomes
// the same struct invocation a system call builds, is looked up in the thread's CSpace
// by invocation_lookup and decoded by decode_invocation, exactly as the synchronous
// path does, and its result (the same error and message registers a Call would get)
// goes to the reply ring. Everything read from the frame is copied first and checked;
// the frame is touched only while the thread's copies of the frame and notification
// caps are in place, rechecked after every request that may delete caps (it may revoke
// them or delete the thread itself).
#include "asyncsys.h"
#include "invocation.h"
#include "notification.h"
#include "preempt.h"
#include "hart.h"
#include "smp.h"
#include "printf.h"
#include "sched.h"
#include <sel4/invocation.h>
#include <al4/invocation.h>
#include <al4/asyncsys_ring.h>

static struct tcb *handler_thread(struct asyncsys_handler *hd)
{
    return (struct tcb *)((char *)hd - __builtin_offsetof(struct tcb, async));
}

// The thread's frame while it may be served, else NULL.
static struct al4_asyncsys_shared *ring_of(struct tcb *t)
{
    struct cap f = tcb_slot(t, TCB_ASYNC_FRAME)->cap, n = tcb_slot(t, TCB_ASYNC_NTFN)->cap;
    if (cap_get_tag(f) != cap_frame || cap_paddr(f) != t->async.frame ||
        cap_get_tag(n) != cap_notification || t->async.broken)
        return NULL;
    return paddr_to_pptr(cap_paddr(f));
}

// The table of docs/asyncsys.md: what may not be asynchronous, and why. Everything
// else cannot block, and its message and reply fit an item.
static const char *not_async(const struct invocation *inv)
{
    switch (cap_get_tag(inv->cap)) {
    case cap_endpoint:
    case cap_reply:
        return "IPC may block and is not a system call to the kernel";
    case cap_notification:
        if (inv->label >= al4_NotificationRegisterReceiver && inv->label < al4_nInvocationLabels)
            return "U-notification and ring registration set the runtime up";
        return NULL;  // a Signal never blocks
    case cap_cnode:
        return inv->label == CNodeSaveCaller ? "SaveCaller takes the thread's reply cap" : NULL;
    case cap_thread:
        if (inv->label == TCBReadRegisters || inv->label == TCBWriteRegisters)
            return "the registers do not fit a ring item";
        return NULL;
    default:
        return NULL;
    }
}

static uint64_t reply_info(word_t label, word_t length)
{
    return seL4_MessageInfo_new(label, 0, 0, length).words[0];
}

static void publish(struct asyncsys_handler *hd, struct al4_asyncsys_shared *sh);

// Whether the invocation can delete caps, and so end serving: the kernel's frame or
// notification copy (a Revoke or Delete reaching them), or the thread itself. CNode and
// TCB invocations (the TCB's through its slots) and the IRQ handler's Set and Clear
// (which delete the IRQ's own notification cap: the last one of the registered
// notification is never it while the TCB holds a copy, but a rare request costs
// nothing to recheck) are the invocations that delete caps; serve skips the recheck
// after every other kind.
static bool may_end_serving(const struct invocation *inv)
{
    word_t tag = cap_get_tag(inv->cap);
    return tag == cap_cnode || tag == cap_thread || tag == cap_irq_handler;
}

// serve_requests keeps the handler's indices in registers while it drains: this makes
// the requests served since they were last written (up to req_head `head`, rep_tail
// `tail`) visible to the rest of the kernel, with the marks their replies set and the
// hart's count. Called before anything that looks at them: a request that may end
// serving, publish, complete, and every return while the thread exists.
static void note_served(struct hart *h, struct asyncsys_handler *hd, word_t head, word_t tail)
{
    uint32_t served = (uint32_t)head - hd->req_head;
    if (!served)
        return;
    h->asyncsys_served += served;
    hd->req_head = head;
    hd->rep_tail = tail;
    hd->unsignalled = true;
    hd->unpublished = true;
}

// Performs the request whose header serve_requests put in inv (cptr, label, length; thread, msg
// and reply are fixed for the batch) and whose `n_caps` extra caps it copied to `caps`:
// returns the reply's info word, its message registers written to inv->reply, or
// INV_PREEMPTED if it stopped at a preemption point (nothing answered: it runs again
// from the start, as a restarted system call). *ended: the request was one that may end
// serving (may_end_serving), so the registration must be looked at again; `head` and
// `tail` are serve_requests' indices, noted before it.
static word_t perform(struct hart *h, struct asyncsys_handler *hd, struct al4_asyncsys_shared *sh,
                      struct invocation *inv, word_t n_caps, const word_t *caps,
                      word_t head, word_t tail, bool *ended)
{
    *ended = false;
    inv->replied = false;  // reply_length is set with it (inv_reply_done)
    inv->n_extra = 0;
    inv->err.type = seL4_NoError;
    struct lookup_fault lf;
    int bad = invocation_lookup(inv, n_caps, caps, &lf);
    if (bad != INV_LOOKUP_OK) {
        // A system call would take a cap fault here; a request cannot fault its thread
        // (it may be running elsewhere): it is told which cap, 0 the invoked one.
        inv->reply[0] = (word_t)bad;
        return reply_info(seL4_InvalidCapability, 1);
    }
    const char *why = not_async(inv);
    if (why) {
        user_error("Asynchronous request refused: %s.", why);
        return reply_info(seL4_IllegalOperation, 0);
    }
    // The replies written so far become the process's before a request that may leave
    // no registration to publish them through (or no handler to note them in).
    if (may_end_serving(inv)) {
        *ended = true;
        note_served(h, hd, head, tail);
        if (hd->unpublished)
            publish(hd, sh);
    }
    word_t status = decode_invocation(inv, false);
    if (status == INV_PREEMPTED)
        return INV_PREEMPTED;
    if (status != seL4_NoError)
        return reply_info(inv->err.type, syscall_error_mrs(&inv->err, inv->reply));
    return reply_info(0, inv->replied ? inv->reply_length : 0);
}

// Writes a reply's tag, info and the message registers its info names.
static void put_reply(struct al4_asyncsys_rep *slot, word_t tag, word_t info, const word_t *mr)
{
    volatile uint64_t *d = (volatile uint64_t *)slot;
    d[0] = tag;
    d[1] = info;
    unsigned n = info & 0x7f;  // <= AL4_ASYNCSYS_REPLY_MRS: perform's replies
    for (unsigned w = 0; w < n; w++)
        d[2 + w] = mr[w];
}

// Publishes the indices of the requests served so far (their replies written first).
static void publish(struct asyncsys_handler *hd, struct al4_asyncsys_shared *sh)
{
    hd->unpublished = false;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&sh->kern.rep_tail, hd->rep_tail, __ATOMIC_RELAXED);
    __atomic_store_n(&sh->kern.req_head, hd->req_head, __ATOMIC_RELAXED);
}

// Replies published since the last signal, and the reply dispatcher not running: signal
// the completion notification (a U-notification when it has a registered receiver).
static void complete(struct tcb *t, struct al4_asyncsys_shared *sh)
{
    if (!t->async.unsignalled)
        return;
    t->async.unsignalled = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);  // replies published before reading the mark
    if (__atomic_load_n(&sh->user.client_running, __ATOMIC_ACQUIRE))
        return;
    struct cap n = tcb_slot(t, TCB_ASYNC_NTFN)->cap;
    send_signal(cap_ptr(n), cap_badge(n));
}

// How many requests can be served now (published and with room for their replies);
// -1 (and broken) for an index out of range.
static long servable(struct asyncsys_handler *hd, struct al4_asyncsys_shared *sh)
{
    uint32_t tail = __atomic_load_n(&sh->user.req_tail, __ATOMIC_ACQUIRE);
    uint32_t rep_head = __atomic_load_n(&sh->user.rep_head, __ATOMIC_ACQUIRE);
    if (!al4_asyncsys_index_ok(tail, hd->req_head, hd->slots) ||
        !al4_asyncsys_index_ok(hd->rep_tail, rep_head, hd->slots)) {
        user_error("Asynchronous system calls: the process moved a ring index out of range.");
        hd->broken = true;
        return -1;
    }
    uint32_t requests = tail - hd->req_head, room = hd->slots - (hd->rep_tail - rep_head);
    return requests < room ? requests : room;
}

enum drain_result {
    DRAIN_DONE,   // nothing left (or not servable): leave the queue
    DRAIN_AGAIN,  // an interrupt is pending: stay first in the queue
    DRAIN_GONE,   // a request deleted the thread: the handler is no more
    DRAIN_EMPTY,  // nothing left, the mark kept: the hart lingers on the ring
};

_Static_assert(SYSCALL_ERROR_MAX_MRS <= AL4_ASYNCSYS_REPLY_MRS, "an error's MRs fit a reply");

// Requests served between two publications of the indices: a process polling on
// another hart sees replies while a long ring drains.
#define PUBLISH_EVERY 32

// An online hart other than self with nothing to run (the lowest execution priority),
// or NULL. The caller holds the kernel lock, so no hart is in the kernel meanwhile.
static struct hart *idle_hart(const struct hart *self)
{
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h != self && __atomic_load_n(&h->online, __ATOMIC_ACQUIRE) && !h->cur)
            return h;
    }
    return NULL;
}

// The lowest priority of a level above the handler's: a thread from it ready on the
// hart serving the handler outranks it (sched_ready_from).
static unsigned above_level(const struct asyncsys_handler *hd)
{
    return (hd->level + 1) * 256 / ASYNCSYS_LEVELS;
}

// The handler stops behind a higher thread: a hart already idle would not look again
// until something wakes it, so one is told (it takes the handler over in its idle loop,
// asyncsys_steal).
static void offer_to_idle(const struct hart *self)
{
    struct hart *idle = idle_hart(self);
    if (idle)
        smp_reschedule(idle->index);
}

// Serves up to `n` requests and publishes the indices after the last one (or before
// the preemption point that stops early). DRAIN_DONE once they are served or the ring
// is gone: drain looks again either way.
static enum drain_result serve_requests(struct hart *h, struct asyncsys_handler *hd,
                                        struct al4_asyncsys_shared *sh, long n)
{
    struct tcb *t = handler_thread(hd);
    // The rings, item i in slot i mod slots: set at registration, which no request can
    // redo (and ring_of finds the same frame or none). Masked here, in 64 bits, an index
    // costs no zero-extension per item.
    const uint32_t slots = hd->slots;
    const word_t mask = slots - 1;
    const struct al4_asyncsys_req *reqs = al4_asyncsys_req_slot(sh, slots, 0);
    struct al4_asyncsys_rep *reps = al4_asyncsys_rep_slot(sh, slots, 0);
    // The kernel's copies of a request's words (the header goes straight to tag, info
    // and inv) and its reply's: each word of the frame is read once, volatile, and only
    // the copy is checked and used. The reply reaches the frame only after the
    // registration is found still in place (put_reply).
    word_t caps[AL4_ASYNCSYS_CAPS], mr[AL4_ASYNCSYS_MRS], reply[AL4_ASYNCSYS_REPLY_MRS];
    // What no decoder changes (none assigns these fields) is set once for the batch,
    // the header's fields for each request below, and perform resets the rest.
    struct invocation inv;
    inv.thread = t;
    inv.is_call = true;
    inv.buffer = NULL;
    inv.msg = mr;
    inv.reply = reply;
    // The handler's level changes only by a TCB request (asyncsys_relevel), one that
    // may end serving: looked at again after those.
    unsigned above = above_level(hd);
    // The indices stay here until note_served writes them back (truncated: they run
    // over 32 bits).
    word_t head = hd->req_head, tail = hd->rep_tail, end = head + n;
    while (head != end) {
        const struct al4_asyncsys_req *slot = &reqs[head & mask];
        word_t tag, info, cptr, rinfo;
        if (!al4_asyncsys_req_head(slot, &tag, &info, &cptr)) {
            user_error("Asynchronous request: bad message info %lx.", info);
            rinfo = reply_info(seL4_InvalidArgument, 1);
            reply[0] = AL4_ASYNCSYS_BAD_INFO;
        } else {
            inv.cptr = cptr;
            inv.label = seL4_MessageInfo_get_label((seL4_MessageInfo_t){{info}});
            inv.length = seL4_MessageInfo_get_length((seL4_MessageInfo_t){{info}});
            word_t n_caps = seL4_MessageInfo_get_extraCaps((seL4_MessageInfo_t){{info}});
            al4_asyncsys_req_body(caps, mr, slot, info);
            bool ended;
            rinfo = perform(h, hd, sh, &inv, n_caps, caps, head, tail, &ended);
            if (h->async.running != hd)
                return DRAIN_GONE;
            if (rinfo == INV_PREEMPTED) {
                // Stopped inside, perhaps with the registration already gone.
                note_served(h, hd, head, tail);
                if ((sh = ring_of(t)))
                    publish(hd, sh);
                return DRAIN_AGAIN;
            }
            // Only a request that may delete caps can have revoked the frame or the
            // notification (may_end_serving): the others leave the registration as it
            // was. perform noted the indices before it.
            if (ended) {
                if (!ring_of(t))
                    return DRAIN_DONE;  // the request revoked the frame or the notification
                above = above_level(hd);
            }
        }
        put_reply(&reps[tail & mask], tag, rinfo, reply);
        head++;
        tail++;
        // The preemption point after each request (the paper's section 2.3): the
        // interrupt is taken on the way out and the handler resumes after it. So is a
        // thread of a higher level that became ready here (a request signalled it,
        // say): the handler runs at its own thread's level and waits behind it, or
        // moves to a hart that goes idle meanwhile (asyncsys_steal).
        bool pending = interrupt_pending();
        bool higher = !pending && sched_ready_from(h->index, above);
        if (pending || higher) {
            if (higher)
                offer_to_idle(h);
            h->preemptions++;
            note_served(h, hd, head, tail);
            publish(hd, sh);
            complete(t, sh);
            return DRAIN_AGAIN;
        }
    }
    note_served(h, hd, head, tail);
    publish(hd, sh);
    return DRAIN_DONE;
}

// The handler is `running` for the whole batch: deleting its thread clears the mark,
// and user_error names its thread.
static enum drain_result serve(struct hart *h, struct asyncsys_handler *hd,
                               struct al4_asyncsys_shared *sh, long n)
{
    h->async.running = hd;
    enum drain_result r = serve_requests(h, hd, sh, n);
    h->async.running = NULL;
    return r;
}

static enum drain_result drain(struct hart *h, struct asyncsys_handler *hd, bool linger)
{
    struct tcb *t = handler_thread(hd);
    for (;;) {
        struct al4_asyncsys_shared *sh = ring_of(t);
        long n;
        if (!sh || (n = servable(hd, sh)) < 0)
            return DRAIN_DONE;
        if (!n) {
            complete(t, sh);
            // An idle hart keeps the mark and watches the ring (asyncsys_linger), if it
            // still has nothing to run now that the replies are signalled: a request or
            // the signal may have made a thread ready here.
            if (linger && !sched_ready_from(h->index, 0))
                return DRAIN_EMPTY;
            // Clear the mark, then look again: a request published before the clear
            // was seen would otherwise wait for a wake nobody sends
            // (docs/aipc-protocol.md, the same co_status protocol).
            __atomic_store_n(&sh->kern.handler_running, 0, __ATOMIC_RELAXED);
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            if ((n = servable(hd, sh)) <= 0)
                return DRAIN_DONE;
            __atomic_store_n(&sh->kern.handler_running, 1, __ATOMIC_RELAXED);
        }
        enum drain_result r = serve(h, hd, sh, n < PUBLISH_EVERY ? n : PUBLISH_EVERY);
        if (r != DRAIN_DONE)
            return r;
    }
}

// The only handler queued on h (so that lingering on it holds no other back).
static bool alone(struct hart *h, struct asyncsys_handler *hd)
{
    return !(h->async.ready & (h->async.ready - 1)) && !hd->next && !hd->prev;
}

void asyncsys_run(struct hart *h, unsigned min_level, bool linger)
{
    struct asyncsys_handler *hd;
    h->async.lingering = NULL;
    while ((hd = asyncsys_next(h)) && hd->level >= min_level) {
        // Lingering pays only where the submitter runs on another hart.
        bool stay = linger && num_nodes > 1 && alone(h, hd) &&
                    handler_thread(hd)->hart != h->index;
        enum drain_result r = drain(h, hd, stay);
        if (r == DRAIN_AGAIN)
            return;
        if (r == DRAIN_EMPTY) {
            h->async.lingering = hd;
            return;
        }
        if (r == DRAIN_DONE)
            asyncsys_unlink(hd);
    }
}

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// Called with the lock held, by an idle hart; returns with it held. The ring's two
// indices are read without the lock: the frame may be revoked meanwhile, and then the
// reads see memory the process no longer owns, but only as a hint to look again under
// the lock (drain rechecks the registration before it touches the ring).
bool asyncsys_linger(struct hart *h)
{
    struct asyncsys_handler *hd = h->async.lingering;
    h->async.lingering = NULL;
    if (!hd || asyncsys_next(h) != hd)
        return false;  // gone or moved meanwhile (asyncsys_thread_gone, a relevel)
    struct al4_asyncsys_shared *sh = ring_of(handler_thread(hd));
    bool came = false;
    if (sh) {
        // What the handler has taken so far: a request published after its last look
        // shows as a tail beyond req_head (with a reply slot free for it).
        volatile uint32_t *tail = &sh->user.req_tail, *rep_head = &sh->user.rep_head;
        uint32_t head = hd->req_head, rep_tail = hd->rep_tail, slots = hd->slots;
        h->lingers++;
        kernel_unlock();
        for (unsigned i = 0; i < ASYNCSYS_LINGER_POLLS && !came; i++) {
            if (interrupt_pending())
                break;  // an IPI with work, the tick: the idle loop takes it
            cpu_relax();
            came = *tail != head && rep_tail - *rep_head < slots;
        }
        kernel_lock();
        h->linger_caught += came;
    }
    // Nothing came (or the registration went): the handler goes idle by the usual
    // protocol (clear the mark, look again); else serve_async serves it.
    if (!came && asyncsys_next(h) == hd && drain(h, hd, false) == DRAIN_DONE)
        asyncsys_unlink(hd);
    return true;
}

bool asyncsys_steal(struct hart *self)
{
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h == self || !h->async.ready || !h->cur)
            continue;
        // The first handler there waits for the thread that hart runs to leave it a
        // way out at the handler's level: an idle hart serves it now instead.
        struct asyncsys_handler *hd = asyncsys_next(h);
        if (asyncsys_level(h->cur->prio) <= hd->level)
            continue;
        asyncsys_unlink(hd);
        asyncsys_enqueue(self, hd, handler_thread(hd)->prio);
        return true;
    }
    return false;
}
#endif

// Where the handler runs (the paper's section 2.3, "execution priority"): a hart
// that is idle (the lowest execution priority), else the hart running the thread of
// lowest priority below the submitter's, told by an IPI; otherwise the submitter's own
// hart, on its way back to user mode. A hart in the kernel cannot be chosen: the
// caller holds the kernel lock, so every other hart is in user mode or idle.
static struct hart *serving_hart(const struct tcb *t)
{
    struct hart *self = this_hart(), *best = idle_hart(self);
    if (best)
        return best;
    unsigned lowest = t->prio;
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h == self || !__atomic_load_n(&h->online, __ATOMIC_ACQUIRE) || !h->cur)
            continue;
        if (h->cur->prio < lowest) {
            lowest = h->cur->prio;
            best = h;
        }
    }
    return best ? best : self;
}

void asyncsys_wake(struct tcb *t)
{
    struct al4_asyncsys_shared *sh = ring_of(t);
    if (!sh) {
        t->ctx[CTX_A0] = seL4_IllegalOperation;
        return;
    }
    t->ctx[CTX_A0] = seL4_NoError;
    if (t->async.state == ASYNCSYS_QUEUED)
        return;
    __atomic_store_n(&sh->kern.handler_running, 1, __ATOMIC_RELEASE);
    struct hart *h = serving_hart(t);
    asyncsys_enqueue(h, &t->async, t->prio);
    if (h != this_hart())
        smp_reschedule(h->index);
}
