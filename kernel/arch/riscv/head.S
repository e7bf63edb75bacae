// Kernel entry points. The boot hart arrives from the image loader with Sv39 on and
// the seL4 elfloader registers: a0..a5 describe the user image and the DTB, a6 is the
// hart id. Secondary harts arrive from SBI HSM with the MMU off (a0 = hart id,
// a1 = index into harts[]).
#include "config.h"

    .section .text.boot, "ax"
    .globl _start
_start:
    // Boot hart: stack of harts[0]; everything else is set up in C.
    csrw sscratch, zero
    la sp, kernel_stacks + (1 << KSTACK_BITS)
    la tp, harts
    call init_kernel
1:  wfi
    j 1b

    .globl secondary_entry
secondary_entry:
    // Running at the physical address: turn on the boot trampoline table (the kernel
    // mappings plus an identity map of the kernel's gigabyte), then jump to the
    // virtual alias through an absolute address kept in a literal.
    ld t0, boot_trampoline_satp
    csrw satp, t0
    sfence.vma
    ld t0, secondary_va_literal
    jr t0
secondary_va:
    csrw sscratch, zero
    addi t0, a1, 1
    slli t0, t0, KSTACK_BITS
    la sp, kernel_stacks
    add sp, sp, t0
    mv a0, a1
    call secondary_main
2:  wfi
    j 2b

    .balign 8
secondary_va_literal:
    .dword secondary_va
