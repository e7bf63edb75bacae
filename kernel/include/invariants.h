// The kernel invariant checker (debug builds only, kernel/debug/): what must hold
// between any two kernel entries. Reached by user code through al4_SysCheckInvariants.
#pragma once
#include "types.h"

enum invariant_violation {
    INV_OK = 0,
    INV_CDT_LINK,        // prev/next links of the derivation tree disagree
    INV_CDT_EMPTY,       // an empty slot still linked into the tree
    INV_CDT_STRAY,       // a linked slot in no live CNode, TCB or zombie
    INV_CDT_ORDER,       // a cap to an object inside an untyped that is not its descendant
    INV_CAP_BAD,         // a cap with an impossible tag or fields
    INV_CAP_DEAD,        // a cap naming an object that is no longer alive
    INV_OVERLAP,         // two live objects overlap in memory
    INV_UNTYPED,         // an untyped's watermark beyond its size, or a child above it
    INV_SCHED,           // ready queues, bitmap and thread states disagree
    INV_QUEUE,           // an endpoint or notification queue is inconsistent
    INV_BINDING,         // notification and TCB binding not mutual
    INV_ASID,            // the ASID table names a pool no cap names
    INV_TOO_BIG,         // more slots or objects than the checker's tables: not checked
    INV_UNOTIFY,         // U-notification entries, tables, caps and threads disagree
    INV_FPU,             // a thread's saved sstatus has the FPU on, and it owns no FPU
};

struct invariant_report {
    word_t violation;    // enum invariant_violation
    word_t slots;        // non-empty slots visited
    word_t objects;      // distinct objects seen
    word_t tcbs;
};

// Walks every slot the kernel can reach and checks the invariants; prints the first
// violation. Runs under the kernel lock, in one kernel entry (bounded by its tables).
struct invariant_report check_invariants(void);
struct tcb;
// al4_SysDebugCheckInvariants: the report in the caller's a0..a3.
void syscall_check_invariants(struct tcb *caller);
