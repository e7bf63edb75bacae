// RV32 code for UINTC0028 (runs in U mode with sstatus.UXL = 32): RV32I encodings only,
// no compressed instructions, so it means the same to an RV32 hart.
    .option push
    .option norvc
    .text
// long u32_main(long index): set up the handler, send index, return the handler's count.
    .globl u32_main
u32_main:
    lla t0, u32_handler
    csrw 0x005, t0                  // utvec, direct
    csrsi 0x000, 1                  // ustatus.UIE
    .insn r 0x7b, 6, 0, x0, a0, x0  // uipi SEND a0
    .globl u32_after_send
u32_after_send:
    lla t0, u32_rec
    lw a0, 12(t0)
    ret

    .balign 4
u32_handler:
    addi sp, sp, -16
    sw t0, 0(sp)
    sw t1, 4(sp)
    lla t0, u32_rec
    csrr t1, 0x042                  // ucause
    sw t1, 0(t0)
    csrr t1, 0x041                  // uepc
    sw t1, 4(t0)
    .insn r 0x7b, 6, 1, t1, x0, x0  // uipi READ
    sw t1, 8(t0)
    lw t1, 12(t0)
    addi t1, t1, 1
    sw t1, 12(t0)
    lw t1, 4(sp)
    lw t0, 0(sp)
    addi sp, sp, 16
    .insn i 0x73, 0, x0, x0, 2      // uret
    .option pop

    .data
    .balign 8
    .globl u32_rec
u32_rec:
    .word 0, 0, 0, 0
