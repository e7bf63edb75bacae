// The project's invocation labels, appended after seL4 15.0.0's last riscv64 label
// (nArchInvocationLabels: 41 single-core, 42 with SMP, where TCBSetAffinity moves every
// later upstream label up by one). Shared with the kernel; docs/unotify.md.
#pragma once
#include <sel4/invocation.h>

enum al4_invocation_label {
    // On a notification cap, by seL4_Call only (a Send with any label stays a Signal,
    // as on seL4). See al4/unotify.h for arguments, rights and errors.
    al4_NotificationRegisterReceiver = nArchInvocationLabels,
    al4_NotificationRegisterSender,
    // Registers a thread's asynchronous system calls (the paper's UintrRegisterAsync-
    // Syscall): extra caps the thread and the ring frame; this notification takes the
    // completions. al4/asyncsys.h, docs/asyncsys.md.
    al4_NotificationRegisterAsyncSyscall,
    al4_nInvocationLabels
};
