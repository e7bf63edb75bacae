// Thread control blocks. A TCB object is 2^seL4_TCBBits bytes: the first half holds the
// thread's capability slots (a small CNode, as in seL4), the second half struct tcb.
#pragma once
#include "types.h"
#include "cap.h"
#include "context.h"
#include "asyncsys.h"

enum thread_state {
    THREAD_INACTIVE = 0,
    THREAD_RUNNING,
    THREAD_RESTART,
    THREAD_BLOCKED_ON_RECEIVE,
    THREAD_BLOCKED_ON_SEND,
    THREAD_BLOCKED_ON_REPLY,
    THREAD_BLOCKED_ON_NOTIFICATION,
    THREAD_IDLE,
};

// Slots of the TCB's own CNode (seL4's tcb_cnode_index).
enum tcb_slot {
    TCB_CTABLE = 0,
    TCB_VTABLE,
    TCB_REPLY,
    TCB_CALLER,
    TCB_BUFFER,
    // Asynchronous system calls (docs/asyncsys.md): copies of the registered ring
    // frame and completion notification caps. A revoke of either deletes the copy
    // (it is derived from the process's cap), and the handler then stops serving.
    TCB_ASYNC_FRAME,
    TCB_ASYNC_NTFN,
    TCB_SLOTS
};

// The last fault a thread took, as seL4_Fault_t: type and up to 2 words of data.
struct fault {
    word_t type;  // seL4_FaultType
    word_t w[3];
};

struct lookup_fault {
    word_t type;  // seL4_LookupFailureType
    word_t bits_left;
    word_t bits_found;  // depth mismatch: bits found; guard mismatch: guard found
    word_t guard_size;  // guard mismatch: bits found
};

#define TCB_NAME_LEN 64

struct notification;

// A thread's part in U-notification (kernel/arch/riscv/uintr.c): its UINTC receiver
// entry and sender table, and the U-level CSRs it had when it last left a hart. Only
// a thread with an entry or a table has its CSRs switched (docs/unotify.md).
struct tcb_uintr {
    union {
        struct {
            uint16_t rx;  // receiver entry + 1, 0: none
            uint16_t st;  // sender table + 1, 0: none
        };
        uint32_t any;     // nonzero: the thread takes part
    };
    word_t usip;          // the software-writable USIP bit (SIP_USIP or 0)
    word_t utvec, uscratch, uepc, ucause, utval;
    word_t uie;           // the U-level bit of sie a thread can set, USIE (uie is its view)
    // What a switch to the thread writes, derived from rx and st each time they change
    // (uintr_derive), so that the switch, twice per asynchronous call at low load,
    // computes nothing: suirs, suist and sideleg (0 for a part it lacks) and its
    // receiver entry's registers (NULL: none).
    word_t suirs, suist, sideleg;
    volatile uint64_t *rx_regs;
};

struct tcb {
    word_t ctx[CTX_WORDS];  // must stay first: trap.S reaches it through sscratch and hart->ctx
    word_t fpu[33];         // f0..f31 and fcsr, saved when another thread uses the FPU
    enum thread_state state;
    // What a blocked thread waits on (seL4's thread state fields).
    void *blocking_object;
    word_t blocking_badge;
    bool blocking_grant, blocking_grant_reply, blocking_is_call;
    struct tcb *ep_next, *ep_prev;  // endpoint or notification queue
    struct notification *bound_ntfn;
    unsigned prio, mcp, domain;
    word_t fault_handler;   // cptr, looked up in the thread's CSpace on a fault
    vptr_t ipc_buffer;      // user address of the IPC buffer
    struct fault fault;
    struct lookup_fault lookup_fault;
    struct tcb *sched_next, *sched_prev;
    struct tcb *dbg_next, *dbg_prev;  // all TCBs, for DebugDumpScheduler
    unsigned hart;          // affinity
    unsigned timeslice;     // ticks left before round robin moves on
    word_t flags;           // seL4_TCBFlag bits
    // The satp of the VSpace root cap in the VTABLE slot when it was last found valid:
    // the fastpath reuses it while the slot holds the same cap words and asid_epoch
    // has not moved (vspace_activate fills it).
    struct {
        word_t w0, w1, epoch, satp;
    } vs_cache;
    struct tcb_uintr uintr;
    struct asyncsys_handler async;
    char name[TCB_NAME_LEN];
};

#define TCB_OFFSET (1u << (seL4_TCBBits - 1))
_Static_assert(sizeof(struct tcb) <= TCB_OFFSET, "struct tcb fits the TCB object's second half");
_Static_assert(TCB_SLOTS * sizeof(struct cte) <= TCB_OFFSET, "TCB slots fit the first half");

static inline struct cte *tcb_slot(struct tcb *t, enum tcb_slot s)
{
    return (struct cte *)((word_t)t - TCB_OFFSET) + s;
}

void tcb_init(struct tcb *t, const char *name);
void tcb_forget(struct tcb *t);
void tcb_migrate(struct tcb *t, unsigned hart);
void tcb_suspend(struct tcb *t);
void tcb_restart(struct tcb *t);
void tcb_unbind_notification(struct tcb *t);
void tcb_setup_reply_master(struct tcb *t);
void possible_switch_to(struct tcb *t);
bool tcb_runnable(const struct tcb *t);
// Message register i of a thread: a2..a5, then the IPC buffer (NULL: registers only).
word_t get_mr(struct tcb *t, word_t *buffer, word_t i);
// Sets message register i; returns i + 1, or 4 when it would need a missing buffer.
word_t set_mr(struct tcb *t, word_t *buffer, word_t i, word_t v);
void tcb_set_name(struct tcb *t, const char *name, size_t max);
void tcb_set_state(struct tcb *t, enum thread_state s);
const char *thread_state_name(enum thread_state s);
word_t *tcb_ipc_buffer(struct tcb *t, bool writable);

extern struct tcb *debug_tcbs;
