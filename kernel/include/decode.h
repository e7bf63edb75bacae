// Layering: kernel/api/ calls into kernel/object/ and never the other way, so object
// code (kernel/object/, kernel/arch/riscv/object/) includes this header and no header
// of kernel/api/ (invocation.h, syscall.h).
//
// What every decode function works with: the invocation in flight, its arguments, its
// reply and its refusal (seL4 keeps syscall_error_t and its helpers apart from the
// dispatch too). Decode validates everything and fills `err` on refusal; invoke
// functions cannot fail.
#pragma once
#include "cap.h"
#include "tcb.h"
#include <sel4/errors.h>
#include <sel4/constants.h>

// An invocation's refusal: seL4's syscall_error_t.
struct syscall_error {
    word_t type;        // seL4_Error
    word_t arg0, arg1;  // argument / cap number / range min,max / memory left
    bool was_source;    // FailedLookup: the failing lookup was the source
    struct lookup_fault lf;
};

struct invocation {
    struct tcb *thread;    // the caller
    word_t label, length;  // message label and length (clamped to what is readable)
    word_t cptr;           // address of the invoked cap
    struct cte *slot;      // its slot
    struct cap cap;
    word_t *buffer;        // the caller's IPC buffer (kernel window), or NULL
    unsigned n_extra;      // extra caps looked up (seL4: excaps)
    struct cte *extra[seL4_MsgMaxExtraCaps];
    bool is_call;
    bool replied;          // the invoke function already wrote the reply
    struct syscall_error err;
    // An asynchronous request (docs/asyncsys.md) reads its arguments from `msg`, the
    // kernel's copy of the ring item (`length` words), and replies into `reply`;
    // both NULL for a system call, which uses the thread's registers and IPC buffer.
    const word_t *msg;
    word_t *reply;
    unsigned reply_length;
};

// Returned by an invocation stopped at a preemption point: no reply, the caller stays
// in the Restart state and re-executes the system call once the interrupt is handled.
#define INV_PREEMPTED (~0ul)

// Message register i of the request (4 in registers, the rest in the IPC buffer).
word_t inv_arg(const struct invocation *inv, unsigned i);
// Sets reply message register i of the caller and, on reply_done, the message info.
void inv_reply_mr(struct invocation *inv, unsigned i, word_t v);
void inv_reply_done(struct invocation *inv, unsigned length);

// Refusal helpers: each returns the error code so that decode can `return refuse...`.
word_t refuse(struct invocation *inv, word_t type);
word_t refuse_arg(struct invocation *inv, word_t type, word_t arg0);
word_t refuse_range(struct invocation *inv, word_t min, word_t max);
word_t refuse_lookup(struct invocation *inv, bool was_source, struct lookup_fault lf);

// seL4's lookupSlotForCNodeOp: the slot `index` names at exactly `depth` bits below
// the CNode cap `root`; refuses with FailedLookup (naming source or destination) or
// RangeError for a depth outside 1..64.
word_t inv_lookup_slot(struct invocation *inv, bool is_source, struct cap root, word_t index,
                       word_t depth, struct cte **out);

// The decoders each object type exports (kernel/object/*.c). Their prototypes live
// here, with the objects that define them, not in invocation.h: the dispatch calls
// down into them, and a definition must see its prototype (-Wmissing-prototypes)
// without the object including a header of the layer above.
word_t decode_untyped(struct invocation *inv);
word_t decode_cnode(struct invocation *inv);
word_t decode_tcb(struct invocation *inv);
word_t decode_domain(struct invocation *inv);
// U-notification (unotify_decode.c): the project's labels on a notification cap, by
// Call; anything else on a notification cap is a Signal.
bool is_unotify_invocation(const struct invocation *inv);
word_t decode_unotify(struct invocation *inv);
// Asynchronous system calls (asyncsys_decode.c): the notification's third label.
word_t decode_register_async_syscall(struct invocation *inv);
word_t decode_irq_control(struct invocation *inv);
word_t decode_irq_handler(struct invocation *inv);

// RISC-V objects (kernel/arch/riscv/object/): frames, page tables, ASID control/pool.
word_t arch_decode_invocation(struct invocation *inv);
