// Saved user context of a thread, laid out for trap.S: index 0 is the pc to resume at,
// 1..31 are x1..x31, then sstatus and the pc of the instruction that trapped.
#pragma once

#define CTX_PC        0
#define CTX_RA        1
#define CTX_SP        2
#define CTX_GP        3
#define CTX_TP        4
#define CTX_T0        5
#define CTX_T1        6
#define CTX_T2        7
#define CTX_S0        8
#define CTX_S1        9
#define CTX_A0        10
#define CTX_A1        11
#define CTX_A2        12
#define CTX_A3        13
#define CTX_A4        14
#define CTX_A5        15
#define CTX_A6        16
#define CTX_A7        17
#define CTX_S2        18
#define CTX_T3        28
#define CTX_SSTATUS   32
#define CTX_FAULT_PC  33
#define CTX_HART      34  // the struct hart the thread last left the kernel on
#define CTX_WORDS     35

// struct hart field offsets used by trap.S (checked against the C struct in hart.h).
#define HART_CTX      0
#define HART_KSTACK   8

// What trap.S needs to tell system calls apart: the cause of an ecall from U mode and
// the numbers of seL4_SysCall and seL4_SysReplyRecv (checked in trap.c).
#define SCAUSE_ECALL_U     8
#define SYSCALL_CALL       (-1)
#define SYSCALL_REPLY_RECV (-2)
#define SYSCALL_SEND       (-3)
#define SYSCALL_RECV       (-5)
