// The invariant checker's thread half (debug builds): ready queues and their bitmap,
// endpoint and notification queues, notification bindings, the ASID table. Objects
// are known from the walk of every reachable slot (invariants.c): a queue or a
// binding that leads to an object no cap names leads to a deleted object.
#ifdef CONFIG_DEBUG_BUILD
#include "walk.h"
#include "hart.h"
#include "sched.h"
#include "object.h"
#include "asid.h"
#include "csr.h"

// Every runnable thread is queued exactly where its hart and priority say, and only
// runnable threads are; the bitmap marks exactly the non-empty queues.
static void check_ready_queues(void)
{
    word_t queued = 0;
    for (unsigned h = 0; h < num_nodes; h++) {
        for (unsigned p = 0; p < NUM_PRIORITIES; p++) {
            struct sched_view v;
            sched_view(h, p, &v);
            if (v.l2 != (v.head != NULL) || (v.l2 && !v.l1))
                violation(INV_SCHED, "hart %u prio %u: head %p, bitmap l1 %d l2 %d", h, p,
                          (void *)v.head, v.l1, v.l2);
            struct tcb *prev = NULL;
            word_t n = 0;
            for (struct tcb *t = v.head; t; prev = t, t = t->sched_next) {
                if (++n > walk.ntcbs || !walk_is_tcb(t)) {
                    violation(INV_SCHED, "hart %u prio %u: queue reaches %p, not a live TCB "
                              "(or loops)", h, p, (void *)t);
                    return;
                }
                if (t->sched_prev != prev || t->prio != p || t->hart != h || !tcb_runnable(t))
                    violation(INV_SCHED, "thread \"%s\" queued at hart %u prio %u: prev %p/%p, "
                              "prio %u, hart %u, state %u", t->name, h, p, (void *)t->sched_prev,
                              (void *)prev, t->prio, t->hart, t->state);
                queued++;
            }
            if (v.tail != prev)
                violation(INV_SCHED, "hart %u prio %u: tail %p, last %p", h, p, (void *)v.tail,
                          (void *)prev);
        }
    }
    word_t runnable = 0;
    for (struct tcb *t = debug_tcbs; t; t = t->dbg_next)
        runnable += tcb_runnable(t);
    if (runnable != queued)
        violation(INV_SCHED, "%lu runnable threads, %lu queued", runnable, queued);
}

// A thread queue of an endpoint or notification: linked both ways, every member
// blocked in `state` on this very object.
static void check_queue(const char *what, void *obj, struct tcb *head, struct tcb *tail,
                        enum thread_state state)
{
    struct tcb *prev = NULL;
    word_t n = 0;
    for (struct tcb *t = head; t; prev = t, t = t->ep_next) {
        if (++n > walk.ntcbs || !walk_is_tcb(t)) {
            violation(INV_QUEUE, "%s %p: queue reaches %p, not a live TCB (or loops)", what,
                      obj, (void *)t);
            return;
        }
        if (t->ep_prev != prev || t->state != state || t->blocking_object != obj)
            violation(INV_QUEUE, "%s %p: \"%s\" queued in state %u on %p (prev %p/%p)", what,
                      obj, t->name, t->state, t->blocking_object, (void *)t->ep_prev,
                      (void *)prev);
    }
    if (tail != prev)
        violation(INV_QUEUE, "%s %p: tail %p, last %p", what, obj, (void *)tail, (void *)prev);
}

static void check_objects(void)
{
    for (word_t i = 0; i < walk.nobjects; i++) {
        struct cap c = walk.objects[i].slot->cap;
        if (i && walk.objects[i - 1].base == walk.objects[i].base &&
            cap_get_tag(walk.objects[i - 1].slot->cap) == cap_get_tag(c))
            continue;  // another cap to the same object
        if (cap_get_tag(c) == cap_endpoint) {
            struct endpoint *e = cap_ptr(c);
            if (ep_state(e) == EP_IDLE ? ep_head(e) != NULL : ep_head(e) == NULL ||
                                                              ep_state(e) > EP_RECV)
                violation(INV_QUEUE, "endpoint %p: state %u head %p", (void *)e, ep_state(e),
                          (void *)ep_head(e));
            else
                check_queue("endpoint", e, ep_head(e), e->tail,
                            ep_state(e) == EP_SEND ? THREAD_BLOCKED_ON_SEND
                                                   : THREAD_BLOCKED_ON_RECEIVE);
        } else if (cap_get_tag(c) == cap_notification) {
            struct notification *n = cap_ptr(c);
            if ((ntfn_state(n) == NTFN_WAITING) != (ntfn_head(n) != NULL) ||
                ntfn_state(n) > NTFN_ACTIVE)
                violation(INV_QUEUE, "notification %p: state %u head %p", (void *)n,
                          ntfn_state(n), (void *)ntfn_head(n));
            else
                check_queue("notification", n, ntfn_head(n), n->tail,
                            THREAD_BLOCKED_ON_NOTIFICATION);
            if (n->bound && (!walk_is_tcb(n->bound) || n->bound->bound_ntfn != n))
                violation(INV_BINDING, "notification %p bound to %p, which is bound to %p",
                          (void *)n, (void *)n->bound,
                          walk_is_tcb(n->bound) ? (void *)n->bound->bound_ntfn : NULL);
        }
    }
}

// What threads point at is alive: their bound notification and blocking object.
static void check_tcbs(void)
{
    for (struct tcb *t = debug_tcbs; t; t = t->dbg_next) {
        if (t->state > THREAD_IDLE)
            violation(INV_CAP_BAD, "thread \"%s\": state %u", t->name, t->state);
        if (t->bound_ntfn && (!walk_has_object(cap_notification, pptr_to_paddr(t->bound_ntfn)) ||
                              t->bound_ntfn->bound != t))
            violation(INV_BINDING, "thread \"%s\" bound to notification %p (dead, or bound to %p)",
                      t->name, (void *)t->bound_ntfn, (void *)t->bound_ntfn->bound);
        enum cap_tag want = t->state == THREAD_BLOCKED_ON_SEND || t->state == THREAD_BLOCKED_ON_RECEIVE
                                ? cap_endpoint
                                : t->state == THREAD_BLOCKED_ON_NOTIFICATION ? cap_notification
                                                                             : cap_null;
        if (want != cap_null && !walk_has_object(want, pptr_to_paddr(t->blocking_object)))
            violation(INV_CAP_DEAD, "thread \"%s\" (state %u) blocked on %p, which no cap names",
                      t->name, t->state, t->blocking_object);
        // fpu_switch_to does nothing on the strength of this.
        if ((t->ctx[CTX_SSTATUS] & SSTATUS_FS) && harts[t->hart].fpu_owner != t)
            violation(INV_FPU, "thread \"%s\": sstatus %lx has the FPU on, hart %u's FPU is %p's",
                      t->name, t->ctx[CTX_SSTATUS], t->hart, (void *)harts[t->hart].fpu_owner);
    }
}

// Every pool in the ASID table is a live ASID pool object.
static void check_asids(void)
{
    for (word_t i = 0; i < ASID_POOLS; i++)
        if (asid_table[i] && !walk_has_object(cap_asid_pool, pptr_to_paddr(asid_table[i])))
            violation(INV_ASID, "ASID pool %lu at %p: no cap names it", i, (void *)asid_table[i]);
}

void check_threads(void)
{
    check_ready_queues();
    check_objects();
    check_tcbs();
    check_asids();
}
#endif
