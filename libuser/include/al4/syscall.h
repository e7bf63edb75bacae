// Numbers of the project's own system calls, after every upstream one (seL4 15.0.0's
// debug and benchmark calls all lie above -32). Shared with the kernel.
#pragma once

enum {
    al4_SysKernelCounters = -32,
    al4_SysSetFastpath = -33,
    // Debug builds: runs the kernel invariant checker (docs/invariants.md); returns a0 =
    // violation code (0: none), a1 = slots, a2 = objects, a3 = threads checked.
    al4_SysDebugCheckInvariants = -34,
    // Every build: makes the caller's asynchronous-system-call handler runnable (the
    // paper's UintrWakeSyscallHandler); returns a0 = seL4_Error (docs/asyncsys.md).
    al4_SysAsyncSyscallWake = -35,
};
