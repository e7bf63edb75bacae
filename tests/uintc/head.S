// Entry points, the S-mode trap vector, entering and leaving U mode, and the U-mode
// trap vectors (utvec) of the uintc test program.

#define SSTACK_SIZE 16384
#define MAX_HARTS 8
#define FRAME 288               // struct frame in trap.c: 32 registers + 4 CSRs
#define SSTATUS_SPP 0x100
#define CALLEE 112              // ra, s0..s11 saved by run_user_asm

// OpenSBI fw_dynamic enters the boot hart here in S mode: a0 = hart id, a1 = DTB.
// Only one: under host load OpenSBI 1.1 has been seen to let a second hart in here
// (about 1 boot in 100 of make test's 4-hart QEMU), and two harts running boot_main
// start each other and share its state. A later arrival carries on as a secondary;
// the boot hart's hart_start of it then fails (already started) and it is waited for
// like the others.
    .section .text.entry, "ax"
    .globl _start
_start:
    lla t0, boot_claimed
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, secondary_entry
    call set_stack
    call boot_main
    j park

// Harts started with SBI HSM hart_start: a0 = hart id, a1 = opaque.
    .globl secondary_entry
secondary_entry:
    call set_stack
    call secondary_main
park:
    wfi
    j park

// sp = top of this hart's S stack (a0 = hart id; parks an unexpected one).
set_stack:
    li t0, MAX_HARTS
    bgeu a0, t0, park
    la sp, sstacks
    li t0, SSTACK_SIZE
    addi t1, a0, 1
    mul t0, t0, t1
    add sp, sp, t0
    csrw sscratch, zero
    la t0, s_trap_vector
    csrw stvec, t0
    ret

// long run_user_asm(long (*fn)(long), long arg, unsigned long user_sp, long by_uret)
// Enters U mode at user_start with a0 = arg, a1 = fn: with sret, or with uret if
// by_uret (uret executed in S mode returns to U at uepc). Returns when the user code
// ends (an ecall from U), through user_exit.
    .text
    .globl run_user_asm
run_user_asm:
    addi sp, sp, -CALLEE
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    sd sp, 0(tp)                // hart->ssp
    csrw sscratch, sp           // the trap vector's stack for traps from U
    mv t0, a0
    mv a0, a1
    mv a1, t0
    mv sp, a2
    la t0, user_start
    beqz a3, 1f
    csrw 0x041, t0              // uepc
    .insn i 0x73, 0, x0, x0, 2  // uret
1:  csrw sepc, t0
    li t0, SSTATUS_SPP
    csrc sstatus, t0
    sret

// a0 = the user code's result
user_exit:
    ld sp, 0(tp)
    csrw sscratch, zero
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, CALLEE
    ret

// U mode: call fn(arg), then hand the result to S with an ecall. Valid RV32 code as
// well (no compressed instructions), so that it also runs with sstatus.UXL = 32.
    .option push
    .option norvc
user_start:
    jalr a1
    ecall
1:  j 1b
    .option pop

// S-mode traps. sscratch holds the S stack while the hart runs U code and is zero in
// S mode; struct frame: x0..x31 at 8 * n, then sepc, sstatus, scause, stval.
    .balign 4
s_trap_vector:
    csrrw sp, sscratch, sp
    bnez sp, 1f
    csrrw sp, sscratch, sp      // from S: keep the stack
1:  addi sp, sp, -FRAME
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrrw t0, sscratch, zero    // the interrupted sp if from U, else 0
    bnez t0, 2f
    addi t0, sp, FRAME
2:  sd t0, 16(sp)
    csrr t0, sepc
    sd t0, 256(sp)
    csrr t0, sstatus
    sd t0, 264(sp)
    csrr t0, scause
    sd t0, 272(sp)
    csrr t0, stval
    sd t0, 280(sp)
    mv a0, sp
    call s_trap
    bnez a0, 4f
    ld t0, 256(sp)
    csrw sepc, t0
    csrr t0, sstatus
    andi t0, t0, SSTATUS_SPP
    bnez t0, 3f
    addi t0, sp, FRAME          // back to U: the S stack for the next trap
    csrw sscratch, t0
3:  ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    ld sp, 16(sp)
    sret
4:  ld a0, 80(sp)               // the user code ended: its a0 is the result
    j user_exit

// U-mode trap vector (utvec, direct mode): saves what the C calling convention does
// not, calls u_trap(~0) in U mode and returns with uret.
#define USAVE 144
    .balign 64
    .globl u_vector
u_vector:
    addi sp, sp, -USAVE
    sd t0, 0(sp)
    li t0, -1
    j u_common

// The same in vectored mode: slot n (at utvec + 4 * n) is taken for cause n; the
// handler is told which slot ran.
    .balign 64
    .globl u_vector_table
u_vector_table:
    .option push
    .option norvc
    j u_slot0
    j u_slot_bad
    j u_slot_bad
    j u_slot_bad
    j u_slot4
    j u_slot_bad
    j u_slot_bad
    j u_slot_bad
    j u_slot8
    .option pop
u_slot0:
    addi sp, sp, -USAVE
    sd t0, 0(sp)
    li t0, 0
    j u_common
u_slot4:
    addi sp, sp, -USAVE
    sd t0, 0(sp)
    li t0, 4
    j u_common
u_slot8:
    addi sp, sp, -USAVE
    sd t0, 0(sp)
    li t0, 8
    j u_common
u_slot_bad:
    addi sp, sp, -USAVE
    sd t0, 0(sp)
    li t0, 99
u_common:
    sd ra, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd a0, 32(sp)
    sd a1, 40(sp)
    sd a2, 48(sp)
    sd a3, 56(sp)
    sd a4, 64(sp)
    sd a5, 72(sp)
    sd a6, 80(sp)
    sd a7, 88(sp)
    sd t3, 96(sp)
    sd t4, 104(sp)
    sd t5, 112(sp)
    sd t6, 120(sp)
    mv a0, t0
    call u_trap
    ld ra, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld a0, 32(sp)
    ld a1, 40(sp)
    ld a2, 48(sp)
    ld a3, 56(sp)
    ld a4, 64(sp)
    ld a5, 72(sp)
    ld a6, 80(sp)
    ld a7, 88(sp)
    ld t3, 96(sp)
    ld t4, 104(sp)
    ld t5, 112(sp)
    ld t6, 120(sp)
    ld t0, 0(sp)
    addi sp, sp, USAVE
    .insn i 0x73, 0, x0, x0, 2  // uret (0x00200073)

    .section .bss
    .balign 16
sstacks:
    .space SSTACK_SIZE * MAX_HARTS

    .section .bss
    .balign 4
boot_claimed:
    .zero 4
