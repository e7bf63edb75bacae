// Test support: objects from the test's own untyped, free slots, and helper threads
// in the root task's address space (the role of sel4test's vka and sel4utils).
#pragma once
#include "test.h"

#define THREAD_STACK_WORDS 1024

struct test_thread {
    seL4_CPtr tcb;
    seL4_IPCBuffer *ipc;
    void (*fn)(struct test_thread *t);
    seL4_Word arg[4];
    seL4_Word result[4];
    volatile int done;
    char tls[512] __attribute__((aligned(16)));
    seL4_Word stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
};

// Called by the runner around every test.
void helpers_init(struct env *env);
void helpers_reset(struct env *env);

seL4_CPtr alloc_slot(struct env *env);
// Whether the machine has at least n harts; a failed check (and why) when it has not.
bool need_harts(struct env *env, seL4_Word n);
// The number after `key=` on the kernel command line, or `dflt` without one.
seL4_Word bootarg_word(struct env *env, const char *key, seL4_Word dflt);
// A new object of `type` (size_bits for untyped and CNodes), or 0 after a failed check.
seL4_CPtr alloc_object(struct env *env, seL4_Word type, seL4_Word size_bits);
// A revoke long enough for timer ticks to stop it at preemption points (PREEMPT0002,
// ASYNCSYS0012): a 2^19 untyped retyped into 16384 endpoints in a new 2^14-slot CNode.
// Sets *ut and *cn; false (checked) when an allocation or a retype failed.
bool long_revoke_setup(struct env *env, seL4_CPtr *ut, seL4_CPtr *cn);
#define LONG_REVOKE_CAPS 16384
// A frame cap for one page of the root task's image (the IPC buffers of helpers).
seL4_CPtr image_frame_cap(struct env *env, void *page);

// A frame cap for the device page at `paddr`, retyped from the device untyped that
// holds it (once per test: the untyped is split up to that page), or 0.
seL4_CPtr device_frame(struct env *env, seL4_Word paddr);

// Maps `frame` read-write, not executable, at `va` in the root task's VSpace, adding
// page tables where the walk asks for them.
seL4_Error map_in_root(struct env *env, seL4_CPtr frame, seL4_Word va);

// Creates a thread running fn(t) at `prio` in the root task's CSpace and VSpace, with
// fault endpoint `fault_ep` (a cptr in that CSpace, 0 for none). Not yet started.
void thread_create(struct env *env, struct test_thread *t, void (*fn)(struct test_thread *),
                   seL4_Word prio, seL4_CPtr fault_ep);
// The same on an existing TCB (a cptr in the root task's CSpace).
void thread_create_on(struct env *env, struct test_thread *t, seL4_CPtr tcb,
                      void (*fn)(struct test_thread *), seL4_Word prio, seL4_CPtr fault_ep);
void thread_start(struct test_thread *t);
// Yields until the thread finished or `spins` yields passed; true if it finished.
bool thread_wait(struct test_thread *t, int spins);
