// Preemption points in long kernel operations (seL4's preemptionPoint): every
// PREEMPT_WORK_UNITS units of work, a pending interrupt stops the operation. It is
// written to be resumable, and the invoking thread re-executes its system call.
#pragma once
#include "types.h"

#define PREEMPT_WORK_UNITS 100  // CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION

bool preemption_point(void);
// Whether an interrupt the kernel handles is pending on this hart: the preemption
// point of the asynchronous-system-call handler after each request.
bool interrupt_pending(void);
