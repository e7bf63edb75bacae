// void regs_syscall(const seL4_Word in[32], seL4_Word out[32])
// Loads every register but sp from in[] (indexed by x-register number, a7 being the
// syscall number), executes ecall, and stores every register to out[]: the caller
// compares what the kernel changed.
    .text
    .globl regs_syscall
regs_syscall:
    addi sp, sp, -144
    sd ra, 0(sp)
    sd gp, 8(sp)
    sd tp, 16(sp)
    sd s0, 24(sp)
    sd s1, 32(sp)
    sd s2, 40(sp)
    sd s3, 48(sp)
    sd s4, 56(sp)
    sd s5, 64(sp)
    sd s6, 72(sp)
    sd s7, 80(sp)
    sd s8, 88(sp)
    sd s9, 96(sp)
    sd s10, 104(sp)
    sd s11, 112(sp)
    sd a1, 120(sp)
    mv t0, a0
    .irp r, 1, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\r, \r * 8(t0)
    .endr
    ld t0, 40(t0)
    ecall
    sd t0, 128(sp)
    ld t0, 120(sp)
    .irp r, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\r, \r * 8(t0)
    .endr
    ld t1, 128(sp)
    sd t1, 40(t0)
    ld ra, 0(sp)
    ld gp, 8(sp)
    ld tp, 16(sp)
    ld s0, 24(sp)
    ld s1, 32(sp)
    ld s2, 40(sp)
    ld s3, 48(sp)
    ld s4, 56(sp)
    ld s5, 64(sp)
    ld s6, 72(sp)
    ld s7, 80(sp)
    ld s8, 88(sp)
    ld s9, 96(sp)
    ld s10, 104(sp)
    ld s11, 112(sp)
    addi sp, sp, 144
    ret
