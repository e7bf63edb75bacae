// Shared between the invariant checker's files: what the walk of all reachable slots
// collected (kernel/debug/invariants.c) for the per-object checks.
#pragma once
#include "cap.h"
#include "tcb.h"
#include "invariants.h"

// Bounds of one check: a kernel entry that walks at most this much (debug builds).
#define WALK_SLOTS_BITS 14
#define WALK_SLOTS      (1u << WALK_SLOTS_BITS)  // non-empty slots
#define WALK_AREAS      2048                      // CNodes, TCB slot sets, zombies
#define WALK_OBJECTS    8192                      // caps to objects (not untyped)

struct walk_area {
    struct cte *first;
    word_t n;
};

struct walk_object {
    paddr_t base;
    word_t bits;
    struct cte *slot;
};

struct walk {
    struct cte *slot_set[WALK_SLOTS];  // open addressing, NULL = free
    word_t nslots;
    struct cte *todo[WALK_SLOTS];      // slots still to look at
    word_t ntodo;
    struct walk_area areas[WALK_AREAS];
    word_t nareas;
    struct walk_object objects[WALK_OBJECTS];
    word_t nobjects;
    word_t ntcbs;
    bool overflow;
};

extern struct walk walk;

// Records the first violation (later ones are not printed: they tend to follow from it).
void violation(enum invariant_violation v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool walk_has_slot(const struct cte *s);
bool walk_is_tcb(const struct tcb *t);
// Whether a live cap of type `tag` names the object at paddr `base`.
bool walk_has_object(enum cap_tag tag, paddr_t base);
// invariants_threads.c: scheduler, IPC queues, bindings, ASID table.
void check_threads(void);
// invariants_unotify.c: receiver entries, sender tables, their caps and threads.
void check_unotify(void);
