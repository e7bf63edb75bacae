// The stateful fuzzer (FUZZ0002, `make fuzz`): a thread with a CSpace of its own keeps
// a model of every cap it holds (type, object, badge, rights, derivation parent, an
// untyped's watermark, a frame's mapping), builds sequences on them, mixes in random
// invocations and system calls, and checks every result its model predicts. The
// kernel's invariant checker (al4_SysDebugCheckInvariants) runs every few thousand
// operations and at the end. Deterministic for a seed: the first mismatch prints the
// seed, the fuzzer and the step to replay.
#pragma once
#include "helpers.h"
#include <al4/asyncsys_ring.h>

// The fuzzer's CSpace: root R (radix 1) holds F (the fuzzed CNode, cptrs 0..63) and
// P (out of reach of random cptrs: a cap to F for the model's CNode invocations, the
// server's endpoint (transfers and faults), the root VSpace, the fuzzer's TCB).
#define FZ_RADIX 6
#define FZ_SLOTS (1 << FZ_RADIX)
#define FZ_FIRST 2                                 // slot 1 holds F itself
#define FZ_P(i) ((1ul << 63) | (i))            // P: radix 3, guard 60
#define FZ_ROOT FZ_P(1)                              // F, to name slots as (index, 63)
#define FZ_XFER FZ_P(2)
#define FZ_VSPACE FZ_P(3)
#define FZ_XFER_NOGRANT FZ_P(4)
#define FZ_TCB FZ_P(5)
#define FZ_DEPTH 63
// Caps the model knows about beyond F: those a TCB holds (CTable, VTable, IPC buffer).
#define FZ_VIRT 48
#define FZ_CAPS (FZ_SLOTS + FZ_VIRT)
#define FZ_OBJS 160
#define FZ_UNTYPED_BITS 21
// Each fuzzer maps frames into the root VSpace at its own GiB: 4 page tables of 2 MiB
// below it, 8 pages in each, and 2 MiB frames in the upper four 2 MiB regions.
#define FZ_VA(k) (0x1000000000ul + (unsigned long)(k) * 0x40000000ul)
#define FZ_REGIONS 8
#define FZ_PAGES 8
// Each fuzzer's asynchronous-system-call rings (fuzz_ring.c), in the root VSpace.
#define FZ_RING_VA(k) (0x24200000ul + (unsigned long)(k) * 4096)

struct mcap {
    uint8_t tag;        // seL4_CapTag_*, 0 for an empty slot
    bool revocable;     // the derivation tree's flag (seL4's mdbRevocable)
    bool unsure;        // touched by a random invocation: no prediction for it
    int16_t obj;        // index in objs, -1 for caps without an object
    int32_t parent;     // serial of the derivation parent, 0 for none
    uint32_t serial;    // never reused: parents name caps by serial
    seL4_Word badge, rights;
    seL4_Word used;     // untyped: bytes below the watermark
    seL4_Word va;       // frame, page table: where this cap mapped it (0: unmapped)
    int16_t holder;     // virtual caps: the TCB object holding it
    int16_t sender;     // notification: 1 + the TCB object whose sender table has its
                        // entry, 0 for none (fuzz_unotify.c)
};

struct mobj {
    uint8_t type;       // seL4 object type
    uint8_t bits;       // size in bits
    bool alive;
    seL4_Word pending;  // notification: the signalled word
    int16_t bound;      // notification: bound TCB object; TCB: bound notification
    seL4_Word pattern;  // frame: what was last written, 0 when unknown
    uint8_t level;      // page table: mapped at level 1 (GiB) or 2 (2 MiB), 0 unmapped
    uint8_t region;     // page table at level 2, 2 MiB frame: which region
    bool asid;          // page table: a VSpace root with an ASID
    bool rx;            // TCB: has a UINTC receiver entry (for its bound notification)
    bool table;         // TCB: has a sender table
    bool unsure;        // a random invocation may have changed it
};

struct fuzzer {
    int id;
    uint64_t rng, seed;
    seL4_Word step, ops;
    struct mcap caps[FZ_CAPS];
    struct mobj objs[FZ_OBJS];
    uint32_t next_serial;
    // The GiB window: its level-1 table, each region's level-2 table (objects, -1).
    int l1, l2[FZ_REGIONS];
    int page_obj[FZ_REGIONS][FZ_PAGES];  // which frame is mapped where (-1)
    // A page table a random invocation touched (copied into a TCB, say) may stay
    // mapped when the model thinks it gone: no mapping prediction until the first
    // untyped is revoked, which takes every page table and copy with it.
    bool vm_unsure;
    // The same for notification bindings once a random invocation reached a TCB.
    bool bind_unsure;
    // The same for U-notification registrations once a random invocation reached a
    // CNode (a revoke there drops a cap's sender entry), a TCB or a notification.
    bool unotify_unsure;
    // Outcomes: seL4 errors by number, then faults, then calls without a reply.
    seL4_Word outcome[seL4_NumErrors + 2];
    seL4_Word checks, checker_runs;
    volatile seL4_Word faults;  // counted by the fault server
    volatile seL4_Word *xfer_mailbox;  // the transfer server's receive slot
    bool failed, done;
    seL4_IPCBuffer *ipc;
    struct al4_asyncsys_shared *ring;  // registered for the fuzzer's thread
    uint32_t ring_n;                   // requests submitted (and answered)
};

#define OUT_FAULT seL4_NumErrors
#define OUT_NOREPLY (seL4_NumErrors + 1)

uint64_t fz_rnd(struct fuzzer *f);
seL4_Word fz_word(struct fuzzer *f);
// Model bookkeeping (fuzz_model.c).
void fz_model_init(struct fuzzer *f);
int fz_new_obj(struct fuzzer *f, seL4_Word type, seL4_Word bits);
int fz_empty_slot(struct fuzzer *f);
int fz_pick(struct fuzzer *f, int tag);  // a slot holding `tag` (0: any non-empty), or -1
// The same, never the first untyped (FZ_FIRST): what every object comes from is
// revoked now and then but neither moved nor deleted.
int fz_pick_movable(struct fuzzer *f, int tag);
void fz_set(struct fuzzer *f, int slot, uint8_t tag, int obj, int parent_slot, bool revocable);
bool fz_has_children(const struct fuzzer *f, int slot);
bool fz_is_final(const struct fuzzer *f, int slot);
int fz_by_serial(const struct fuzzer *f, uint32_t serial);
// Deletes the cap in the model as the kernel does: children move up, the last cap to
// an object destroys it (and the caps a TCB holds, a frame's mapping...).
void fz_model_delete(struct fuzzer *f, int slot);
void fz_model_revoke(struct fuzzer *f, int slot);
// Reads back every slot's type; a slot that differs from the model is taken as it is.
// Returns how many differed.
int fz_resync(struct fuzzer *f);
// Reports a mismatch (seed, step, what was expected) and stops the fuzzer.
void fz_fail(struct fuzzer *f, const char *what, seL4_Word expected, seL4_Word got);
void fz_expect(struct fuzzer *f, const char *what, seL4_Word expected, seL4_Word got);
void fz_count(struct fuzzer *f, seL4_Error e);
seL4_Word fz_object_bits(seL4_Word type, seL4_Word user_bits);
// One operation: a modelled sequence step (fuzz_ops.c, fuzz_vm.c, fuzz_tcb.c) or a
// random invocation or system call (fuzz_garbage.c).
void fz_step(struct fuzzer *f);
bool fz_vm_step(struct fuzzer *f);
bool fz_tcb_step(struct fuzzer *f);
bool fz_unotify_step(struct fuzzer *f);
// Whether error e (and MR0) is one docs/unotify.md names for a Call with a
// U-notification label on a notification cap, with or without an extra cap.
bool fz_unotify_allowed(seL4_Word label, seL4_Word extra, seL4_Error e, seL4_Word mr0);
// The model's side of a receiver entry released (the thread unbound or an object
// gone) and of a thread gone with its sender table.
void fz_unotify_receiver_gone(struct fuzzer *f, int tcb);
void fz_unotify_thread_gone(struct fuzzer *f, int tcb);
void fz_garbage(struct fuzzer *f);
// Random ring contents (fuzz_ring.c): requests on random cptrs, answered in order with
// seL4 errors; what they did is not predicted, as for fz_garbage.
void fz_ring_step(struct fuzzer *f);
seL4_CPtr fz_rnd_cptr(struct fuzzer *f);
// After a random invocation of `cptr` (a cap of type `tag`) with extra caps: no
// prediction for what it may have touched. fz_settle then reads the slots back (and
// forgets the untypeds' watermarks too when `untypeds`, or when a slot changed).
void fz_acted(struct fuzzer *f, seL4_Word tag, seL4_CPtr cptr, const seL4_CPtr *extras,
              seL4_Word extra);
void fz_settle(struct fuzzer *f, bool untypeds);
// Runs the kernel's invariant checker; false (after printing) on a violation.
bool fz_check_kernel(struct fuzzer *f);
