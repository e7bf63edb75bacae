// Shared by the ASYNCSYS tests (docs/asyncsys.md): a registered ring frame for a
// thread, raw access to its two rings, and calls made synchronously or asynchronously
// with their whole reply recorded so that the two can be compared word for word.
#pragma once
#include "helpers.h"
#include "asyncsys_call.h"

#define ROOT seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits
// Free in the root task's VSpace (vm.h's FREE_VA region is the VSPACE tests').
#define ASYNC_VA 0x24000000ul

struct async_env {
    struct al4_asyncsys as;
    struct al4_asyncsys_shared *sh;
    seL4_CPtr ntfn, frame;
};

// A frame mapped at `va` for `tcb`, completions to a new notification; false after a
// failed check.
bool async_setup(struct env *env, struct async_env *a, seL4_CPtr tcb, seL4_Word va);
// The same with a frame of 2^frame_bits bytes (AL4_ASYNCSYS_MEGA_BITS: 2 MiB, 8192 slots).
bool async_setup_sized(struct env *env, struct async_env *a, seL4_CPtr tcb, seL4_Word va,
                       unsigned frame_bits);
#define ASYNC_MEGA_VA 0x26000000ul  // 2 MiB aligned, no 4 KiB table there

// Submits through a's rings and waits for the reply (asyncsys_call.h).
bool call_async(struct async_env *a, const struct request *r, struct outcome *o);

// Raw ring access, as a process that does not use libuser's client would.
void raw_put(struct al4_asyncsys_shared *sh, uint32_t i, struct al4_asyncsys_req r);
// A fresh ring's first requests: `first` as item 0, then `rest` Signals of `sink` (tags
// 1..rest), published at once and the handler woken.
void put_then_signals(struct al4_asyncsys_shared *sh, struct al4_asyncsys_req first,
                      seL4_CPtr sink, unsigned rest);
// Reply slot of item i in the tests' 4 KiB frames.
static inline struct al4_asyncsys_rep *rep_at(struct al4_asyncsys_shared *sh, uint32_t i)
{
    return al4_asyncsys_rep_slot(sh, AL4_ASYNCSYS_SLOTS, i);
}

// Replies the kernel has published in sh (its rep_tail, read once).
static inline uint32_t answered(const struct al4_asyncsys_shared *sh)
{
    return __atomic_load_n(&sh->kern.rep_tail, __ATOMIC_ACQUIRE);
}

// After a wake: waits until the handler stopped (its mark cleared) or the registration
// is no longer servable. With several harts the handler may run on another one.
void settle(const struct al4_asyncsys_shared *sh);
// Waits until the registration is no longer servable, without reading the frame (a
// request may revoke it).
bool settle_gone(void);
