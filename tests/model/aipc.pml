/*
 * aipc.pml - the co_status protocol of asynchronous IPC (issue 11, items 3 and 4):
 * when a producer signals the peer's dispatcher. Checked by spin in `make test`
 * (tests/model/check-aipc); why it holds: docs/aipc-protocol.md.
 *
 * One connection: a request ring (client -> server) and a reply ring (server ->
 * client), each with its consumer's mark (the paper's req_co_status and
 * reply_co_status: RUNNING or IDLE) and a U-notification to that consumer.
 *
 * Consumer (the server's dispatcher on the request ring; the client's reply dispatcher
 * on the reply ring), forever:
 *   d1  drain: look at the ring once, take the items that look saw (the server
 *       replies to each), no second look;
 *   d2  mark = IDLE; fence;
 *   d3  recheck: ring not empty: mark = RUNNING, go to d1;
 *   d4  wait for the U-notification (returns at once if a signal is pending);
 *   d5  mark = RUNNING; go to d1.
 * Producer (each client coroutine submitting a call; the server's dispatcher replying):
 *   p1  put the item (the ring's release of tail publishes it; the server's dispatcher
 *       publishes a round's replies with one release at the round's end, then p2 once);
 *   p2  if a signal is owed already (p3 has not sent it yet): nothing, not even a look:
 *       the owed signal goes out after this item is published; else fence;
 *       old = exchange(mark, RUNNING); old == IDLE: a signal is owed;
 *   p3  later (Batching): the producer's executor flushes, sending the owed signal, when
 *       its thread has nothing ready (so always before it sleeps) or after a bounded
 *       number of resumes. Meanwhile the same producer may put more items (their
 *       exchanges find RUNNING, or find the consumer's next IDLE while a signal is still
 *       owed: one signal is owed at most, al4_aipc_link_send's `owed`).
 *
 * p3 is its own process per producing thread (ClientExec, ServerExec) that may send the
 * owed signal at any moment after p2: every delay the executor can make (a flush when
 * its queue empties, or every AL4_AIPC_FLUSH_EVERY resumes) is one of the model's. What
 * the executor guarantees, the flush before its thread sleeps, is what makes the signal
 * certain: an Exec process can always move while a signal is owed, so no end state (and
 * no run the LTL claim sees) leaves one unsent. The model's flush may even come after
 * the thread has slept, which the real one never does: that only adds behaviours, and
 * what the argument needs is that the signal comes at all. The mutants take that away;
 * they need to know when a thread sleeps: the server's with its dispatcher, the
 * client's when its reply dispatcher sleeps and every worker waits or has finished.
 *
 * Each labelled step is one atomic step of the model, in program order: the full
 * fences in d2 and p2 forbid the store-buffering outcome (RVWMO), which is the only
 * reordering that could matter (a store to one word, then a load of another).
 *
 * The U-notification is abstracted as one reliable atomic step each way: signal = if
 * the consumer is asleep, wake it, else set its pending bit; wait = if the pending bit
 * is set, clear it and return, else sleep until a signal. That is what al4/unotify.h
 * guarantees, and its sleep/wake protocol is model-checked on its own
 * (tests/model/unotify.pml, docs/unotify-protocol.md).
 *
 * The client's coroutines are one thread and run one at a time; the model runs each
 * as its own process, which only adds interleavings. Each has at most one call in
 * flight and the rings hold NW items, so no ring is ever full (aipc bounds the calls
 * in flight by the ring's capacity; asserted at each put: property (d)).
 *
 * Properties
 *   (a) no lost wake-up and no deadlock: when nothing can move (the Checker's timeout)
 *       every call has been answered, both rings are empty, both dispatchers sleep with
 *       no signal pending or owed and are marked IDLE; pan's invalid-end-state check allows no
 *       other end (only a dispatcher's sleep and a finished process are valid ends);
 *       in the LTL run: an item in a ring is eventually taken, and every worker ends;
 *   (b) suppression: a producer comes to owe a signal only while the consumer is really
 *       idle (between its d2 and its d3/d5, never while it drains: ghost phase), and
 *       at most once per idle period (ghost flag reset at d2); so a dispatcher that
 *       keeps finding work is never signalled, and under load the signal rate falls to 0;
 *   (c) no busy waiting: no infinite run (pan -l): every dispatcher loop takes an item
 *       or sleeps, and the calls are bounded;
 *   (d) no honest put finds its ring full: with a call in flight per coroutine and NW
 *       slots, a ring is full only if an answer was seen before the slot of what it
 *       answers was freed (asserted at each put, request slots held by the server's
 *       round included).
 *
 * Mutants spin must reject (-D):
 *   MUT_NORECHECK   the dispatcher sleeps after d2 without the recheck d3   -> (a)
 *   MUT_EARLYREAD   the producer does p2 before p1                         -> (a)
 *   MUT_ROUNDLATE   the server announces a round's replies before it
 *                   publishes them (p2 before p1, for a round)             -> (a)
 *   MUT_TAILFIRST   the server publishes a reply before it frees the
 *                   round's request slots: the client finds the ring full  -> (d)
 *   MUT_NOSET       the producer reads the mark but does not set RUNNING   -> (b)
 *   MUT_NORUNMARK   d3 finds work but leaves the mark IDLE                 -> (b)
 *   MUT_POLL        d4 returns without sleeping (polls)                    -> (c)
 *   MUT_HOLDFLUSH   p3 only while the producer's thread is awake: the owed
 *                   signal is held across its sleep                        -> (a)
 *   MUT_DROPFLUSH   the producer's thread going to sleep drops the owed
 *                   signal instead of sending it                           -> (a)
 * NW (default 2): client coroutines; NCALL (default 2): calls each.
 */

#ifndef NW
#define NW 2
#endif
#ifndef NCALL
#define NCALL 2
#endif

#define IDLE 0
#define RUNNING 1

/* The rings: items are the id of the calling coroutine. */
chan req = [NW] of { byte };
chan rep = [NW] of { byte };

/* The marks, in the shared frame (the consumer's: req_co_status, reply_co_status). */
bit req_mark = RUNNING;
bit rep_mark = RUNNING;

/* The U-notification of each consumer: pending bit and "asleep". */
bit s_pend, s_asleep;   /* the server's dispatcher */
bit c_pend, c_asleep;   /* the client's reply dispatcher */

/* Ghost state, for the properties only. */
bit s_idle, c_idle;     /* the consumer is between its d2 and its d3 / d5 */
bit s_sig, c_sig;       /* a producer came to owe a signal in this idle period */
byte replied[NW];       /* replies the reply dispatcher handed to coroutine w */
byte done;              /* coroutines finished */
byte held;              /* request slots the server took and has not yet freed */

/* p2 -> p3: a signal owed to the server (by the client's thread, whose coroutines put
 * requests) and to the client (by the server's thread, which puts replies). */
bit c_owe, s_owe;

#if defined(MUT_HOLDFLUSH) || defined(MUT_DROPFLUSH)
/* The client's coroutines that can run (the workers not waiting for a reply and not
 * finished): with the reply dispatcher asleep and none of them, the thread sleeps. */
byte wrun = NW;
#define CLIENT_ASLEEP (c_asleep && wrun == 0)
#define SERVER_ASLEEP (s_asleep)
#define RUNNABLE(d) d
#else
#define CLIENT_ASLEEP 0   /* unused: the real flush does not depend on it */
#define SERVER_ASLEEP 0
#define RUNNABLE(d) skip
#endif

inline unotify_signal(pend, asleep) {
    atomic {
        if
        :: asleep -> asleep = 0
        :: else -> pend = 1
        fi
    }
}

/* p2: the producer's look at the consumer's mark; owes a signal if it was IDLE. */
inline announce(mark, idle, sig, owe) {
    d_step {
        if
        :: owe -> skip      /* owed already: no look (al4_aipc_link_send) */
        :: else ->
            if
            :: mark == IDLE ->
                assert(idle);   /* (b) never while the consumer drains */
                assert(!sig);   /* (b) once per idle period */
                sig = 1;
                owe = 1
            :: else
            fi;
#ifndef MUT_NOSET
            mark = RUNNING
#endif
        fi
    }
}

/* p3: a producing thread's flush, at any moment after p2 (see the header). The real
 * one sends the owed signal whenever it runs; MUT_HOLDFLUSH's runs only while the
 * thread is awake; MUT_DROPFLUSH's, run as the thread goes to sleep, forgets it. */
#ifdef MUT_HOLDFLUSH
#define MAY_FLUSH(owe, thread_asleep) (owe && !(thread_asleep))
#else
#define MAY_FLUSH(owe, thread_asleep) (owe)
#endif
inline flush(owe, pend, asleep, thread_asleep) {
#ifdef MUT_DROPFLUSH
    if
    :: thread_asleep -> owe = 0
    :: else -> owe = 0; unotify_signal(pend, asleep)
    fi
#else
    owe = 0;
    unotify_signal(pend, asleep)
#endif
}

/* p1: put an item; the ring is never full (see the header). The request ring's slots
 * that the server has taken but not yet freed count as full (`held`). */
inline put(ring, x) {
    atomic {
        assert(len(ring) < NW);
        ring!x
    }
}
inline put_request(x) {
    atomic {
        assert(len(req) + held < NW);
        req!x
    }
}

/* d2 to d5 of a consumer: mark idle, recheck, sleep, mark running. Jumps to `drain`
 * when there is work. */
inline idle_and_sleep(ring, mark, idle, sig, pend, asleep, drain) {
    d_step {
        mark = IDLE;
        idle = 1;
        sig = 0
    }
#ifndef MUT_NORECHECK
    if
    :: nempty(ring) ->
        d_step {
#ifndef MUT_NORUNMARK
            mark = RUNNING;
#endif
            idle = 0
        }
        goto drain
    :: empty(ring)
    fi;
#endif
    atomic {
        if
        :: pend -> pend = 0
#ifdef MUT_POLL
        :: else
#else
        :: else -> asleep = 1
#endif
        fi
    }
    /* end: a dispatcher with nothing to do sleeps here for good */
end_sleep:
    !asleep;
    d_step {
        mark = RUNNING;
        idle = 0
    }
    goto drain
}

/* The server's default dispatcher: drains requests, writes a reply to each, and at the
 * round's end frees the round's request slots (one release of head), publishes its
 * replies at once (one release of tail) and announces them once (docs/aipc-protocol.md,
 * "Publishing a round"). A taken request leaves the channel, but its slot stays held
 * (the ghost `held`) until the round's end frees it: the client's put asserts that the
 * request ring, held slots included, has room, so a reply seen before the slot of its
 * request is free (MUT_TAILFIRST) fails that assertion. */
active proctype Server() {
    byte w, seen;
    chan written = [NW] of { byte };   /* replies written, not yet published */
drain:
    seen = len(req);    /* one look a round: the items it saw, then d2 */
    do
    :: seen > 0 ->
        d_step { req?w; held++; seen--; written!w; w = 0 }
    :: else -> break
    od;
    if
    :: nempty(written) ->
#ifdef MUT_ROUNDLATE
        announce(rep_mark, c_idle, c_sig, s_owe);
#endif
#ifdef MUT_TAILFIRST
        /* the first reply published before the round's slots are freed */
        atomic { written?w; put(rep, w); w = 0 };
#endif
        atomic {
            held = 0;
            do
            :: written?w -> put(rep, w)
            :: empty(written) -> break
            od;
            w = 0
        };
#ifndef MUT_ROUNDLATE
        announce(rep_mark, c_idle, c_sig, s_owe)
#else
        skip
#endif
    :: empty(written)
    fi;
    idle_and_sleep(req, req_mark, s_idle, s_sig, s_pend, s_asleep, drain)
}

/* The client's reply dispatcher: hands each reply to the coroutine that waits for it. */
active proctype ReplyDispatcher() {
    byte w, seen;
drain:
    seen = len(rep);
    do
    :: seen > 0 -> d_step { rep?w; seen--; replied[w]++; RUNNABLE(wrun++); w = 0 }
    :: else -> break
    od;
    idle_and_sleep(rep, rep_mark, c_idle, c_sig, c_pend, c_asleep, drain)
}

/* A client coroutine: NCALL calls, one at a time. */
proctype Worker(byte w) {
    byte n;
    do
    :: n < NCALL ->
#ifdef MUT_EARLYREAD
        announce(req_mark, s_idle, s_sig, c_owe);
        put_request(w);
#else
        put_request(w);
        announce(req_mark, s_idle, s_sig, c_owe);
#endif
        RUNNABLE(wrun--);
        replied[w] > n;   /* suspended until its reply is handed over */
        n++
    :: else -> break
    od;
    atomic { done++; RUNNABLE(wrun--) }
}

/* p3 of the client's thread (its coroutines' requests) and of the server's (replies). */
active proctype ClientExec() {
end_flush:
    do
    :: atomic { MAY_FLUSH(c_owe, CLIENT_ASLEEP) -> flush(c_owe, s_pend, s_asleep, CLIENT_ASLEEP) }
    od
}
active proctype ServerExec() {
end_flush:
    do
    :: atomic { MAY_FLUSH(s_owe, SERVER_ASLEEP) -> flush(s_owe, c_pend, c_asleep, SERVER_ASLEEP) }
    od
}

/* (a): when nothing else can move, everything was answered and both sides sleep. */
active proctype Checker() {
    byte w;
    timeout ->
    assert(done == NW && len(req) == 0 && len(rep) == 0);
    assert(s_asleep && c_asleep && !s_pend && !c_pend && !c_owe && !s_owe);
    assert(req_mark == IDLE && rep_mark == IDLE);
    for (w : 0 .. NW - 1) {
        assert(replied[w] == NCALL)
    }
}

init {
    byte w;
    atomic {
        for (w : 0 .. NW - 1) {
            run Worker(w)
        }
    }
}

/* (a) as liveness, for the LTL runs (pan -a): an item in either ring is eventually
 * taken, and every coroutine finishes. The runs are finite (bounded calls, every loop
 * takes an item or sleeps), so no fairness assumption is needed. */
ltl nolost {
    [] ((len(req) > 0) -> <> (len(req) == 0)) &&
    [] ((len(rep) > 0) -> <> (len(rep) == 0)) &&
    <> (done == NW)
}
