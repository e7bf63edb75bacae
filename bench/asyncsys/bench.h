// bench-asyncsys (make bench-asyncsys, docs/memserver.md "Measurement"): the kernel
// paper's Fig. 6 on the memory server (main.c), and the server's system calls alone
// from the root task's coroutines (raw.c).
#pragma once
#include <stdbool.h>
#include <al4/process.h>

// The raw series on `harts` harts, its objects from `a`: "RAW," rows. False when a call
// failed or the set-up did.
bool raw_series(struct al4_alloc *a, unsigned harts);
