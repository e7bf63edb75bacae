// Support for the UNOTIFY tests (unotify*.c): minting
// badged caps, registration that checks its result, the time base, and a helper
// thread that sends from its own sender table on request.
#pragma once
#include "helpers.h"
#include <al4/unotify.h>
#include <al4/debug.h>

#define UN_ROOT  seL4_CapInitThreadCNode
#define UN_DEPTH seL4_WordBits
#define UN_SELF  seL4_CapInitThreadTCB
#define UN_NONE  (~0ul)  // what the registration helpers return after a failed check

// A copy of `src` with `rights` and `badge`, in a new slot of the root CNode.
static inline seL4_CPtr un_mint_rights(struct env *env, seL4_CPtr src, seL4_CapRights_t rights,
                                       seL4_Word badge)
{
    seL4_CPtr c = alloc_slot(env);
    test_eq(env, seL4_CNode_Mint(UN_ROOT, c, UN_DEPTH, UN_ROOT, src, UN_DEPTH, rights, badge),
            seL4_NoError);
    return c;
}

// A copy of `src` with all rights and `badge`.
static inline seL4_CPtr un_mint(struct env *env, seL4_CPtr src, seL4_Word badge)
{
    return un_mint_rights(env, src, seL4_AllRights, badge);
}

// Binds `tcb` to `nt` and makes it the receiver: its UINTC entry index.
static inline seL4_Word un_receiver(struct env *env, seL4_CPtr tcb, seL4_CPtr nt)
{
    seL4_Word idx = UN_NONE;
    test_eq(env, seL4_TCB_BindNotification(tcb, nt), seL4_NoError);
    seL4_Error e = al4_unotify_register_receiver(nt, tcb, &idx);
    test_eq(env, e, seL4_NoError);
    return e == seL4_NoError ? idx : UN_NONE;
}

// Registers `cap` in the sender table of `tcb`: the index that thread sends with.
static inline seL4_Word un_sender(struct env *env, seL4_CPtr cap, seL4_CPtr tcb)
{
    seL4_Word idx = UN_NONE;
    seL4_Error e = al4_unotify_register_sender(cap, tcb, &idx);
    test_eq(env, e, seL4_NoError);
    return e == seL4_NoError ? idx : UN_NONE;
}

// A new notification with the root task bound to it as receiver, its entry drained.
static inline seL4_CPtr un_self_receiver(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    if (un_receiver(env, UN_SELF, nt) == UN_NONE)
        return 0;
    (void)al4_uipi_read();
    return nt;
}

// Undoes al4_unotify_install for the calling thread: its user-interrupt CSRs as before.
static inline void un_uninstall(void)
{
    asm volatile("csrci 0x000, 1" ::: "memory");  // ustatus.UIE
    asm volatile("csrci 0x004, 1" ::: "memory");  // uie.USIE
    asm volatile("csrw 0x005, zero");             // utvec
    asm volatile("csrw 0x040, zero");             // uscratch
}

// Sends with `index` from this thread (a receiver, sender table owner) and returns
// what its entry then holds.
static inline seL4_Word un_send_read(seL4_Word index)
{
    al4_uipi_send(index);
    return al4_uipi_read();
}

static inline seL4_Word un_rdtime(void)
{
    seL4_Word t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

// The time base's frequency (ticks of un_rdtime per second).
static inline seL4_Word un_hz(struct env *env)
{
    return env->fdt.timebase_hz ? env->fdt.timebase_hz : 10000000;
}

// The kernel's tick (TIMER_TICK_MS in kernel/arch/riscv/include/timer.h) in time units.
#define UN_TICK_MS 2
static inline seL4_Word un_ticks(struct env *env, seL4_Word n)
{
    return env->fdt.timebase_hz * UN_TICK_MS / 1000 * n;
}

// The time `ms` milliseconds from now: loops that wait for another hart end by the
// clock, not by a count of iterations (a loaded host may stop a hart's thread a while).
static inline seL4_Word un_deadline(struct env *env, seL4_Word ms)
{
    return un_rdtime() + env->fdt.timebase_hz * ms / 1000;
}

// Yields for at least n kernel ticks (the other threads of this hart run meanwhile).
static inline void un_yield_ticks(struct env *env, seL4_Word n)
{
    seL4_Word end = un_rdtime() + un_ticks(env, n);
    while (un_rdtime() < end)
        seL4_Yield();
}

// A thread that sends on request: the test sets `index` and bumps `cmd`; the thread
// does one al4_uipi_send(index) from its own sender table and copies cmd to `ack`.
struct un_remote {
    volatile seL4_Word cmd, ack, index;
};

static inline void un_remote_loop(struct test_thread *t)
{
    struct un_remote *r = (struct un_remote *)t->arg[0];
    for (;;) {
        seL4_Word c = r->cmd;
        if (c == r->ack) {
            seL4_Yield();
            continue;
        }
        al4_uipi_send(r->index);
        r->ack = c;
    }
}

// Starts th as a remote sender at the root task's priority (not yet started: its TCB
// is there to register caps for).
static inline void un_remote_create(struct env *env, struct test_thread *th, struct un_remote *r)
{
    r->cmd = r->ack = 0;
    thread_create(env, th, un_remote_loop, 255, 0);
    th->arg[0] = (seL4_Word)r;
}

// Has the remote thread send with `index`; false if it did not within many yields.
static inline bool un_remote_send(struct un_remote *r, seL4_Word index)
{
    r->index = index;
    seL4_Word c = r->cmd + 1;
    r->cmd = c;
    for (int i = 0; i < 100000 && r->ack != c; i++)
        seL4_Yield();
    return r->ack == c;
}
