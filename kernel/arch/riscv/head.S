// Kernel entry, seL4's hand-off from its elfloader (seL4 src/arch/riscv/head.S): every
// hart the loader starts arrives here with Sv39 on and only the loader's tables (the
// loader itself and the kernel ELF's gigabyte), and
//   a0..a5 = user image start, end, physical minus virtual, entry, DTB address, size,
//   a6 = hart id, a7 = logical core id (0 on the boot hart, always 0 single-core).
// Each core takes its own stack by a7; init_kernel sends core 0 down the boot path and
// the others down the secondary one.
#include "config.h"

    .section .text.boot, "ax"
    .globl _start
_start:
    fence.i
    csrw sscratch, zero
    li t0, CONFIG_MAX_HARTS
    bgeu a7, t0, 1f           // no stack for it: park
    addi t0, a7, 1
    slli t0, t0, KSTACK_BITS
    la sp, kernel_stacks
    add sp, sp, t0
    call init_kernel
1:  wfi
    j 1b
