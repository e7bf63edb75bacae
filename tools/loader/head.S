// Image loader entry: OpenSBI (fw_dynamic) starts the boot hart here in S mode with
// a0 = hart id and a1 = the DTB's physical address; the other harts stay stopped.
    .section .text.entry, "ax"
    .globl _start
_start:
    la sp, loader_stack_top
    call loader_main
1:  wfi
    j 1b

// Turns on Sv39 and enters the kernel: a0..a6 are the hand-off, a7 the kernel entry.
// The loader's own gigabyte is identity mapped, so the instruction after the satp
// write is still fetched.
    .globl enter_kernel
enter_kernel:
    mv t0, a7
    ld t1, loader_satp
    fence.i
    csrw satp, t1
    sfence.vma
    li a7, 0
    jr t0

    .section .bss
    .balign 16
    .space 16384
loader_stack_top:
