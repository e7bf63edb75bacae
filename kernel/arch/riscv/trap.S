// Trap entry and exit. In user mode sscratch holds the running thread's saved-context
// area; in the kernel it is 0 and tp holds this hart's struct hart, so a trap taken in
// S mode (a kernel bug) is told apart with one branch.
#include "context.h"

#define REG_S(r, i) sd r, (i) * 8(t0)
#define REG_L(r, i) ld r, (i) * 8(t1)

    .section .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw t0, sscratch, t0
    beqz t0, kernel_trap
    REG_S(x1, 1)
    REG_S(x2, 2)
    REG_S(x3, 3)
    REG_S(x4, 4)
    REG_S(x6, 6)
    REG_S(x7, 7)
    REG_S(x8, 8)
    REG_S(x9, 9)
    REG_S(x10, 10)
    REG_S(x11, 11)
    REG_S(x12, 12)
    REG_S(x13, 13)
    REG_S(x14, 14)
    REG_S(x15, 15)
    REG_S(x16, 16)
    REG_S(x17, 17)
    REG_S(x18, 18)
    REG_S(x19, 19)
    REG_S(x20, 20)
    REG_S(x21, 21)
    REG_S(x22, 22)
    REG_S(x23, 23)
    REG_S(x24, 24)
    REG_S(x25, 25)
    REG_S(x26, 26)
    REG_S(x27, 27)
    REG_S(x28, 28)
    REG_S(x29, 29)
    REG_S(x30, 30)
    REG_S(x31, 31)
    csrr t1, sscratch
    REG_S(t1, CTX_T0)
    csrr t2, sstatus
    REG_S(t2, CTX_SSTATUS)
    csrr t1, sepc
    REG_S(t1, CTX_FAULT_PC)
    csrw sscratch, zero
    ld tp, CTX_HART * 8(t0)
    ld sp, HART_KSTACK(tp)
    // System calls resume after the ecall, and go straight to C with the user's a0,
    // a1 and a7 still in place: Call, ReplyRecv, Send and Recv to their fastpaths
    // (Send and Recv for notifications: fastpath_signal.c), the rest to the system
    // call handler. Anything else resumes at the trapping instruction.
    csrr t2, scause
    li t3, SCAUSE_ECALL_U
    bne t2, t3, 1f
    addi t1, t1, 4
    REG_S(t1, CTX_PC)
#ifdef CONFIG_FASTPATH
    li t3, SYSCALL_CALL
    bne a7, t3, 3f
    tail c_handle_fastpath_call
3:  li t3, SYSCALL_REPLY_RECV
    bne a7, t3, 4f
    tail c_handle_fastpath_reply_recv
4:  li t3, SYSCALL_SEND
    bne a7, t3, 5f
    tail c_handle_fastpath_signal
5:  li t3, SYSCALL_RECV
    bne a7, t3, 6f
    tail c_handle_fastpath_wait
6:
#endif
    mv a0, a7
    tail c_handle_syscall
1:  REG_S(t1, CTX_PC)
    mv a0, t2
    csrr a1, stval
    call handle_trap
    // Both handlers end in restore_user_context; they do not return.
2:  j 2b

    .globl restore_user_context
restore_user_context:
    ld t1, HART_CTX(tp)
    REG_L(t2, CTX_PC)
    csrw sepc, t2
    REG_L(t2, CTX_SSTATUS)
    csrw sstatus, t2
    csrw sscratch, t1
    sd tp, CTX_HART * 8(t1)
    REG_L(x1, 1)
    REG_L(x2, 2)
    REG_L(x3, 3)
    REG_L(x4, 4)
    REG_L(x5, 5)
    REG_L(x7, 7)
    REG_L(x8, 8)
    REG_L(x9, 9)
    REG_L(x10, 10)
    REG_L(x11, 11)
    REG_L(x12, 12)
    REG_L(x13, 13)
    REG_L(x14, 14)
    REG_L(x15, 15)
    REG_L(x16, 16)
    REG_L(x17, 17)
    REG_L(x18, 18)
    REG_L(x19, 19)
    REG_L(x20, 20)
    REG_L(x21, 21)
    REG_L(x22, 22)
    REG_L(x23, 23)
    REG_L(x24, 24)
    REG_L(x25, 25)
    REG_L(x26, 26)
    REG_L(x27, 27)
    REG_L(x28, 28)
    REG_L(x29, 29)
    REG_L(x30, 30)
    REG_L(x31, 31)
    REG_L(x6, 6)
    sret

// A trap in S mode: the kernel faulted. Report it on the current stack and stop.
kernel_trap:
    csrrw t0, sscratch, t0
    csrr a0, scause
    csrr a1, sepc
    csrr a2, stval
    mv a3, ra
    mv a4, tp
    mv a5, sp
    call kernel_fault
3:  j 3b
