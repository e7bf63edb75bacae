// More threads in the calling process (its CSpace and VSpace), for programs that serve
// with a thread per client the way synchronous seL4 programs do: each thread gets a
// TCB, an IPC buffer page and a stack page from the caller's allocator.
#pragma once
#include <al4/process.h>

// Bytes at the top of each stack page for the thread's TLS block (.tdata, .tbss); a
// multiple of 16, so the stack below it starts aligned.
#define AL4_THREAD_TLS_BYTES 512

// Makes and starts a thread running fn(arg) at priority `prio` (within the caller's
// MCP), its faults sent to `fault_ep` (a slot of the caller's CSpace; 0: none, a fault
// then just stops it): its IPC buffer page mapped at ipc_va, its stack page at
// stack_va (TLS at the top, the stack below it, 3.5 KiB). Both addresses page aligned
// and free, with a free page below the stack, where an overflow faults. Returns its
// TCB cap, or 0 when an object, a slot or a mapping failed or the program's TLS exceeds
// AL4_THREAD_TLS_BYTES; what was made before the failure stays allocated (and mapped),
// so a caller that fails gives up rather than retrying at the same addresses. fn must
// not return.
seL4_CPtr al4_thread_make(struct al4_alloc *a, seL4_Word ipc_va, seL4_Word stack_va,
                          void (*fn)(seL4_Word), seL4_Word arg, seL4_Word prio,
                          seL4_CPtr fault_ep);
