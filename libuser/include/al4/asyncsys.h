// Asynchronous system calls, the process's side (issue 12; docs/asyncsys.md): the
// libsel4 invocation stubs under the same names with an `al4_async_` prefix and the same
// arguments after a first `struct al4_async *`, submitted into the request ring and
// awaited from a coroutine of al4/co.h:
//
//   struct mine { struct co co; struct al4_async call; };
//   ...
//   AL4_ASYNC_AWAIT(co, &m->call,
//                   al4_async_CNode_Copy(&m->call, root, dest, 64, root, src, 64, r));
//   if (m->call.error != seL4_NoError) ...
//
// The kernel's handler is woken (al4_SysAsyncSyscallWake) only when the frame does not
// mark it running; replies come back through al4_asyncsys_poll, which the process's
// reply dispatcher calls when the completion notification fires (or whenever it runs).
// One thread owns a struct al4_asyncsys: the ring has a single producer.
#pragma once
#include <sel4/sel4.h>
#include <al4/co.h>
#include <al4/asyncsys_ring.h>
#include <al4/invocation.h>
#include <al4/syscall.h>

struct al4_asyncsys {
    struct al4_asyncsys_shared *sh;  // the registered frame, mapped here
    uint32_t slots;                  // items per ring (al4_asyncsys_slots of its size)
    uint32_t req_tail;               // requests submitted (the truth; the frame has a copy)
    uint32_t rep_head;               // replies taken
    uint32_t kicked_tail;            // req_tail when the handler was last looked at
    struct al4_async *waiters;       // calls whose coroutines wait for room in the ring
    bool batch;                      // submit leaves the wake to al4_asyncsys_flush
    bool broken;                     // the kernel's index was out of range (never, if sound)
    uint64_t wakes;                  // wake system calls made
};

// One call in flight: lives in the awaiting coroutine's struct.
struct al4_async {
    struct al4_asyncsys *as;
    struct co *co;         // woken by the reply
    bool submitted;        // AL4_ASYNC_AWAIT's state: in the ring
    bool waiting;          // on as->waiters: the ring was full
    struct al4_async *next_waiter;
    bool done;
    seL4_Error error;      // the reply's label, as the synchronous stub returns it
    seL4_MessageInfo_t info;
    seL4_Word mr[AL4_ASYNCSYS_REPLY_MRS];
};

// RegisterAsyncSyscall: `ntfn` (with Write) takes the completions of `tcb`'s requests,
// whose rings are in the 4 KiB or 2 MiB frame `frame` (docs/asyncsys.md has the errors).
static inline seL4_Error al4_asyncsys_register(seL4_CPtr ntfn, seL4_CPtr tcb, seL4_CPtr frame)
{
    seL4_SetCap(0, tcb);
    seL4_SetCap(1, frame);
    seL4_MessageInfo_t r =
        seL4_Call(ntfn, seL4_MessageInfo_new(al4_NotificationRegisterAsyncSyscall, 0, 2, 0));
    return (seL4_Error)seL4_MessageInfo_get_label(r);
}

// The wake system call: seL4_NoError, or seL4_IllegalOperation when the caller has no
// servable registration.
static inline seL4_Error al4_asyncsys_wake(void)
{
    register seL4_Word a0 asm("a0") = 0;
    register seL4_Word a7 asm("a7") = (seL4_Word)al4_SysAsyncSyscallWake;
    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return (seL4_Error)a0;
}

// A notification and a new ring frame of 2^frame_bits bytes (AL4_ASYNCSYS_FRAME_BITS or
// AL4_ASYNCSYS_MEGA_BITS) from `a`, the frame mapped at `va` in a->vspace, both
// registered for `tcb` and `as` attached: the thread can submit. *ntfn takes the
// completions (wait on it when al4_asyncsys_idle says so).
struct al4_alloc;
seL4_Error al4_asyncsys_create(struct al4_asyncsys *as, struct al4_alloc *a, seL4_CPtr tcb,
                               seL4_Word va, unsigned frame_bits, seL4_CPtr *ntfn);
// Attaches to the (zeroed, registered) frame of 2^frame_bits bytes mapped at `frame`
// (AL4_ASYNCSYS_FRAME_BITS or AL4_ASYNCSYS_MEGA_BITS); false for another size.
bool al4_asyncsys_init(struct al4_asyncsys *as, void *frame, unsigned frame_bits);
static inline void al4_async_init(struct al4_async *c, struct al4_asyncsys *as, struct co *co)
{
    *c = (struct al4_async){.as = as, .co = co};
}

// Submitted, not yet answered (the two private indices: no counter of its own to keep).
static inline uint32_t al4_asyncsys_in_flight(const struct al4_asyncsys *as)
{
    return as->req_tail - as->rep_head;
}

// Room for one more request: in flight below what a ring holds. Every request the
// kernel has not consumed is in flight, so this leaves a free request slot too. The
// reply slots are freed (rep_head published) once per poll, after the replies taken so
// far: a coroutine handed the thread inside a poll may submit before that, and the
// kernel may then find the reply ring full and stop; the end of the poll sees requests
// left behind and wakes it again (al4_asyncsys_poll).
static inline bool al4_asyncsys_room(const struct al4_asyncsys *as)
{
    return !as->broken && al4_asyncsys_in_flight(as) < as->slots;
}
// The ring is full (or broken): flushes and polls; true if there is room now.
bool al4_asyncsys_make_room(struct al4_asyncsys *as);
// Wakes the kernel's handler unless the frame marks it running.
void al4_asyncsys_kick(struct al4_asyncsys *as);

// Puts one request in the ring: false (nothing written) when it is full or broken.
// Wakes the kernel's handler if the frame does not mark it running, at once or, in
// batch mode, at the next al4_asyncsys_flush (a full ring flushes too). Inline: with
// the stubs' constant cap and register counts the copies unroll.
bool al4_asyncsys_submit_full(struct al4_async *c, seL4_CPtr service, seL4_MessageInfo_t info,
                              const seL4_CPtr *caps, const seL4_Word *mr);
static inline bool al4_asyncsys_submit(struct al4_async *c, seL4_CPtr service,
                                       seL4_MessageInfo_t info, const seL4_CPtr *caps,
                                       const seL4_Word *mr)
{
    struct al4_asyncsys *as = c->as;
    // A full ring is the out-of-line path's whole job: with no call followed by more
    // work here, the calling coroutine keeps its values in registers a call may clobber
    // and saves fewer of the others on every resume.
    if (!al4_asyncsys_room(as))
        return al4_asyncsys_submit_full(c, service, info, caps, mr);
    struct al4_asyncsys_req *r = al4_asyncsys_req_slot(as->sh, as->slots, as->req_tail);
    unsigned ncaps = seL4_MessageInfo_get_extraCaps(info);
    unsigned nmr = seL4_MessageInfo_get_length(info);
    r->tag = (uint64_t)(uintptr_t)c;
    r->info = info.words[0];
    r->cptr = service;
    for (unsigned i = 0; i < ncaps && i < AL4_ASYNCSYS_CAPS; i++)
        r->caps[i] = caps[i];
    for (unsigned i = 0; i < nmr && i < AL4_ASYNCSYS_MRS; i++)
        r->mr[i] = mr[i];
    c->done = false;
    __atomic_store_n(&as->sh->user.req_tail, ++as->req_tail, __ATOMIC_RELEASE);
    if (!as->batch)
        al4_asyncsys_kick(as);
    return true;
}

// Batch mode: one wake per batch of submissions instead of one per submission. With
// al4/co.h, al4_asyncsys_flush is the executor's flush hook (co_exec_set_flush), so a
// batch is what the coroutines submit until the run queue empties.
static inline void al4_asyncsys_batch(struct al4_asyncsys *as, bool on)
{
    as->batch = on;
}
uint64_t al4_asyncsys_flush(void *as);  // reads no bits: returns 0
// The ring is full: c's coroutine is woken by the next al4_asyncsys_poll that takes a
// reply (it suspends meanwhile, so the executor can run dry and its thread sleep).
void al4_asyncsys_wait_room(struct al4_async *c);
// Takes every reply published, completing its call and waking its coroutine, which runs
// at once when it would be the next to run anyway (co_wake_run: so call this from a
// dispatcher or the thread's own loop, not from inside a submit); wakes the handler
// again if requests wait behind a reply ring it found full. Returns how many.
unsigned al4_asyncsys_poll(struct al4_asyncsys *as);
// The reply dispatcher's mark: running (the kernel need not signal) or about to sleep.
// al4_asyncsys_idle returns false when replies arrived meanwhile: poll, don't sleep
// (and true on a broken ring, where polling takes nothing more).
void al4_asyncsys_busy(struct al4_asyncsys *as);
bool al4_asyncsys_idle(struct al4_asyncsys *as);

// Submits (waiting for room while the ring is full), then awaits the reply. One
// CO_AWAIT (its resume point is the line): the condition submits until it succeeds and
// then waits for the reply.
#define AL4_ASYNC_AWAIT(co, call, submit) \
    do { \
        (call)->done = false; \
        (call)->submitted = false; \
        CO_AWAIT(co, ((call)->submitted || ((call)->submitted = (submit)) || \
                      (al4_asyncsys_wait_room(call), false)) && \
                         (call)->done); \
    } while (0)

// --- The stubs: libsel4's names and arguments; true when submitted ---

static inline bool al4_async_invoke(struct al4_async *c, seL4_CPtr service, seL4_Word label,
                                    unsigned ncaps, const seL4_CPtr *caps, unsigned nmr,
                                    const seL4_Word *mr)
{
    return al4_asyncsys_submit(c, service, seL4_MessageInfo_new(label, 0, ncaps, nmr), caps, mr);
}

static inline bool al4_async_Untyped_Retype(struct al4_async *c, seL4_Untyped service,
                                            seL4_Word type, seL4_Word size_bits, seL4_CNode root,
                                            seL4_Word node_index, seL4_Word node_depth,
                                            seL4_Word node_offset, seL4_Word num_objects)
{
    seL4_Word mr[] = {type, size_bits, node_index, node_depth, node_offset, num_objects};
    return al4_async_invoke(c, service, UntypedRetype, 1, &root, 6, mr);
}

static inline bool al4_async_CNode_Revoke(struct al4_async *c, seL4_CNode service,
                                          seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word mr[] = {index, depth};
    return al4_async_invoke(c, service, CNodeRevoke, 0, NULL, 2, mr);
}

static inline bool al4_async_CNode_Delete(struct al4_async *c, seL4_CNode service,
                                          seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word mr[] = {index, depth};
    return al4_async_invoke(c, service, CNodeDelete, 0, NULL, 2, mr);
}

static inline bool al4_async_CNode_Copy(struct al4_async *c, seL4_CNode service,
                                        seL4_Word dest_index, seL4_Uint8 dest_depth,
                                        seL4_CNode src_root, seL4_Word src_index,
                                        seL4_Uint8 src_depth, seL4_CapRights_t rights)
{
    seL4_Word mr[] = {dest_index, dest_depth, src_index, src_depth, rights.words[0]};
    return al4_async_invoke(c, service, CNodeCopy, 1, &src_root, 5, mr);
}

static inline bool al4_async_CNode_Mint(struct al4_async *c, seL4_CNode service,
                                        seL4_Word dest_index, seL4_Uint8 dest_depth,
                                        seL4_CNode src_root, seL4_Word src_index,
                                        seL4_Uint8 src_depth, seL4_CapRights_t rights,
                                        seL4_Word badge)
{
    seL4_Word mr[] = {dest_index, dest_depth, src_index, src_depth, rights.words[0], badge};
    return al4_async_invoke(c, service, CNodeMint, 1, &src_root, 6, mr);
}

static inline bool al4_async_CNode_Move(struct al4_async *c, seL4_CNode service,
                                        seL4_Word dest_index, seL4_Uint8 dest_depth,
                                        seL4_CNode src_root, seL4_Word src_index,
                                        seL4_Uint8 src_depth)
{
    seL4_Word mr[] = {dest_index, dest_depth, src_index, src_depth};
    return al4_async_invoke(c, service, CNodeMove, 1, &src_root, 4, mr);
}

static inline bool al4_async_TCB_SetPriority(struct al4_async *c, seL4_TCB service,
                                             seL4_TCB authority, seL4_Word priority)
{
    seL4_Word mr[] = {priority};
    return al4_async_invoke(c, service, TCBSetPriority, 1, &authority, 1, mr);
}

static inline bool al4_async_RISCV_PageTable_Map(struct al4_async *c,
                                                 seL4_RISCV_PageTable service, seL4_CPtr vspace,
                                                 seL4_Word vaddr, seL4_RISCV_VMAttributes attr)
{
    seL4_Word mr[] = {vaddr, attr};
    return al4_async_invoke(c, service, RISCVPageTableMap, 1, &vspace, 2, mr);
}

static inline bool al4_async_RISCV_PageTable_Unmap(struct al4_async *c,
                                                   seL4_RISCV_PageTable service)
{
    return al4_async_invoke(c, service, RISCVPageTableUnmap, 0, NULL, 0, NULL);
}

static inline bool al4_async_RISCV_Page_Map(struct al4_async *c, seL4_RISCV_Page service,
                                            seL4_CPtr vspace, seL4_Word vaddr,
                                            seL4_CapRights_t rights, seL4_RISCV_VMAttributes attr)
{
    seL4_Word mr[] = {vaddr, rights.words[0], attr};
    return al4_async_invoke(c, service, RISCVPageMap, 1, &vspace, 3, mr);
}

static inline bool al4_async_RISCV_Page_Unmap(struct al4_async *c, seL4_RISCV_Page service)
{
    return al4_async_invoke(c, service, RISCVPageUnmap, 0, NULL, 0, NULL);
}

// The paddr is in c->mr[0] once done with seL4_NoError.
static inline bool al4_async_RISCV_Page_GetAddress(struct al4_async *c, seL4_RISCV_Page service)
{
    return al4_async_invoke(c, service, RISCVPageGetAddress, 0, NULL, 0, NULL);
}
