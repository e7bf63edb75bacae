/*
 * unotify.pml - the U-notification sleep/wake protocol (issue 10, "no lost wake-up and
 * no busy waiting"), checked by spin in `make test` (tests/model/check-unotify).
 * Why it holds: docs/unotify-protocol.md.
 *
 * The protocol, as the kernel and libuser implement it.
 *
 * Shared state
 *   pending   the receiver's UINTC entry's pending bits, one vector per sender here
 *             (bit i = sender i; the sender's badge maps to the same bit);
 *   sleeping  a word in memory shared by the receiver and the senders that map it:
 *             "the receiver is asleep or about to be";
 *   rstate    the receiver thread's kernel state, RUNNING or BLOCKED (on its
 *             notification, in the kernel). Its entry is active only while it runs,
 *             so a uipi send to a blocked receiver only sets bits.
 *
 * Receiver thread, forever
 *   r1  mask its own user-interrupt handler (ustatus.UIE = 0);
 *   r2  w = uipi READ (read and clear pending, atomically); w != 0: consume w, go to r1;
 *   r3  sleeping = 1; fence;
 *   r4  seL4_Wait on the notification; in the kernel, atomic (the kernel lock):
 *       w = take(pending); w != 0: return w; otherwise block (rstate = BLOCKED);
 *   r5  once it runs again, with a word w: sleeping = 0; consume w; unmask; while it
 *       runs unmasked its handler may take pending exactly as r2 does; go to r1.
 *
 * Sender that maps `sleeping` (every asynchronous IPC connection), per signal
 *   s1  uipi SEND: pending |= its bit (hardware, atomic);
 *   s2  fence; old = swap(sleeping, 0); old == 1: seL4_Signal, in the kernel, atomic:
 *       receiver BLOCKED: wake it with badge | take(pending); else pending |= badge.
 * Sender that maps nothing: s1 only.
 * Kernel tick, while a registered receiver is blocked, atomic: receiver BLOCKED and
 *   pending != 0: wake it with take(pending). It bounds the delay of the senders
 *   without the word to one tick.
 *
 * Each labelled step is one atomic step of the model: the fences (fence iorw, iorw in
 * r3 and s2) make the steps of one hart visible in program order (sequential
 * consistency is what they buy: no store-buffering outcome between r3/r4 and s1/s2),
 * and the kernel's steps run under its lock. A SEND that lands between the kernel's
 * take and the block in r4 commutes with the block (which touches neither pending nor
 * sleeping), so r4 may be one step here.
 *
 * Properties
 *   (a) no lost wake-up: at the final state (nothing else can move: Checker's
 *       timeout) every sender is done, the receiver is blocked, pending == 0, and every
 *       send was taken by the receiver (owed[] == 0); in the LTL run also as "a blocked
 *       receiver with bits pending is woken" and "every send is eventually taken";
 *   (b) no deadlock but that one: pan's invalid-end-state check (only the receiver's
 *       blocked wait, the tick's idle loop and a finished process are valid ends) and
 *       the final assertion's rstate == BLOCKED;
 *   (c) the receiver never blocks while pending holds a bit that was set before its
 *       r3 (assertion at the block in r4);
 *   (d) no busy waiting: the model has no infinite run at all (pan -l, non-progress
 *       cycles, with no progress label): every loop of the receiver consumes a
 *       nonzero word or blocks, and the work is bounded.
 *
 * Configurations (-D):
 *   default     two senders that map the word, no tick;
 *   PLAIN_TICK  one sender with the word, one without, and the tick.
 * Mutants spin must reject (each selects one bug):
 *   MUT_NORECHECK  r4 blocks without taking pending first;
 *   MUT_EARLYREAD  the sender swaps `sleeping` before its SEND (no s1 -> s2 order);
 *   MUT_NOTICK     PLAIN_TICK without the tick;
 *   MUT_POLL       r4 polls (returns 0) instead of blocking: busy waiting, for (d).
 * NSIG (default 3): signals per sender.
 */

#ifndef NSIG
#define NSIG 3
#endif
#define NSENDERS 2

#define RUNNING 0
#define BLOCKED 1

byte pending;           /* UINTC entry pending bits: bit i = sender i */
bit sleeping;           /* the shared word */
bit rstate = RUNNING;   /* receiver's kernel state */
byte wakeword;          /* the word the kernel hands to the receiver it wakes */
bit uie;                /* the receiver's ustatus.UIE */

/* Ghost state, for the properties only. */
byte owed[NSENDERS];    /* sends of sender i not yet taken out of pending */
byte got[NSENDERS];     /* words the receiver consumed that held bit i */
byte pre;               /* pending as it was at the receiver's last r3 */
byte finished;          /* senders done */

/* Read and clear pending into w (uipi READ, or the kernel's take). Every send whose
 * bit is taken now is delivered by this word. */
inline take(w) {
    w = pending;
    pending = 0;
    if
    :: (w & 1) -> owed[0] = 0
    :: else
    fi;
    if
    :: (w & 2) -> owed[1] = 0
    :: else
    fi
}

inline consume(w) {
    if
    :: (w & 1) -> got[0]++
    :: else
    fi;
    if
    :: (w & 2) -> got[1]++
    :: else
    fi
}

/* seL4_Signal with sender i's badge, in the kernel (atomic under its lock). */
inline kernel_signal(i) {
    atomic {
        if
        :: rstate == BLOCKED ->
            take(wakeword);
            wakeword = wakeword | (1 << i);
            rstate = RUNNING
        :: else ->
            pending = pending | (1 << i)
        fi
    }
}

/* s1: uipi SEND. */
inline send(i) {
    d_step {
        pending = pending | (1 << i);
        owed[i]++
    }
}

active proctype Receiver() {
    byte w;
r1:
    uie = 0;    /* the handler cannot run until r5 has consumed the word */
r2:
    d_step { take(w) }
    if
    :: w != 0 ->
        consume(w);
        w = 0;
        goto r1
    :: else
    fi;
r3:
    d_step {
        sleeping = 1;
        pre = pending
    }
r4:
    atomic {
#ifdef MUT_NORECHECK
        w = 0;
#else
        take(w);
#endif
        if
        :: w != 0   /* seL4_Wait returns at once */
#ifdef MUT_POLL
        :: else     /* seL4_Poll: returns 0, the receiver goes round again */
#else
        :: else ->
            assert((pending & pre) == 0);   /* (c) */
            rstate = BLOCKED
#endif
        fi
    }
    if
    :: w == 0 ->
end_blocked:
        rstate == RUNNING;
        d_step {
            w = wakeword;
            wakeword = 0
        }
    :: else
    fi;
r5:
    sleeping = 0;
    consume(w);
    w = 0;
    /* Unmasked, entry active: while pending has bits the handler may run. */
    uie = 1;
    do
    :: d_step { uie && pending != 0 -> take(w) }
        consume(w);
        w = 0
    :: break
    od;
    goto r1
}

/* A sender that maps `sleeping`. */
proctype WordSender(byte i) {
    byte n;
    bit old;
    do
    :: n < NSIG ->
#ifdef MUT_EARLYREAD
        d_step { old = sleeping; sleeping = 0 }
        send(i);
#else
        send(i);
        d_step { old = sleeping; sleeping = 0 }   /* s2: fence; swap */
#endif
        if
        :: old -> kernel_signal(i)
        :: else
        fi;
        n++
    :: else -> break
    od;
    finished++
}

/* A sender that shares nothing with the receiver: uipi SEND only. */
proctype PlainSender(byte i) {
    byte n;
    do
    :: n < NSIG ->
        send(i);
        n++
    :: else -> break
    od;
    finished++
}

/* The kernel tick, as far as it concerns a blocked registered receiver. */
proctype Tick() {
    byte w;
end_idle:
    do
    :: atomic {
        rstate == BLOCKED && pending != 0 ->
            take(w);
            wakeword = w;
            w = 0;
            rstate = RUNNING
       }
    od
}

/* (a), (b): when nothing else can move, the receiver sleeps with nothing owed. */
active proctype Checker() {
    timeout ->
    assert(finished == NSENDERS && rstate == BLOCKED && pending == 0 &&
           owed[0] == 0 && owed[1] == 0 && got[0] > 0 && got[1] > 0)
}

init {
    atomic {
        run WordSender(0);
#if defined(PLAIN_TICK) || defined(MUT_NOTICK)
        run PlainSender(1);
#ifndef MUT_NOTICK
        run Tick();
#endif
#else
        run WordSender(1);
#endif
    }
}

/* (a) as liveness, for the LTL runs (pan -a): a blocked receiver with bits pending is
 * woken, and every send is eventually taken out of pending. The runs are finite
 * (bounded sends, every loop consumes bits), so no fairness assumption is needed. */
ltl nolost {
    [] ((rstate == BLOCKED && pending != 0) -> <> (rstate == RUNNING)) &&
    [] ((owed[0] > 0) -> <> (owed[0] == 0)) &&
    [] ((owed[1] > 0) -> <> (owed[1] == 0))
}
