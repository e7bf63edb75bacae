// FPU context save and restore: f0..f31 then fcsr, 33 words. The kernel itself is
// built without floating point; only these two routines touch the FPU.
    .option push
    .option arch, +d
    .text
    .globl fpu_save
fpu_save:
    .irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fsd f\r, \r * 8(a0)
    .endr
    frcsr t0
    sd t0, 256(a0)
    ret

    .globl fpu_restore
fpu_restore:
    .irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fld f\r, \r * 8(a0)
    .endr
    ld t0, 256(a0)
    fscsr t0
    ret
    .option pop
