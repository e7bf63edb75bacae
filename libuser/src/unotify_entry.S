// The user-interrupt entry (al4/unotify.h): utvec in vectored mode, so the user
// software interrupt (cause 0) lands on the first slot. The handler runs in C on the
// interrupted stack; the stub saves what the C calling convention lets it clobber
// (ra, t0-t6, a0-a7) and returns with uret, which restores ustatus.UIE.
    .section .text
    .balign 64
    .globl al4_unotify_vector
al4_unotify_vector:
    j 1f          // 0: user software interrupt (the UINTC)
    j 2f          // 1..: nothing else is delegated to U mode; never reached
1:  addi sp, sp, -128
    sd ra, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd t3, 32(sp)
    sd t4, 40(sp)
    sd t5, 48(sp)
    sd t6, 56(sp)
    sd a0, 64(sp)
    sd a1, 72(sp)
    sd a2, 80(sp)
    sd a3, 88(sp)
    sd a4, 96(sp)
    sd a5, 104(sp)
    sd a6, 112(sp)
    sd a7, 120(sp)
    csrr a0, 0x040
    call al4_unotify_entry
    ld ra, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld t3, 32(sp)
    ld t4, 40(sp)
    ld t5, 48(sp)
    ld t6, 56(sp)
    ld a0, 64(sp)
    ld a1, 72(sp)
    ld a2, 80(sp)
    ld a3, 88(sp)
    ld a4, 96(sp)
    ld a5, 104(sp)
    ld a6, 112(sp)
    ld a7, 120(sp)
    addi sp, sp, 128
    .insn i 0x73, 0, x0, x0, 0x002   // uret (0x00200073)
2:  j 2b
