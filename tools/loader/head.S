// Image loader entry, as seL4_tools' RISC-V elfloader (crt0.S): OpenSBI (fw_dynamic)
// starts one hart here in S mode with the MMU off, a0 = hart id, a1 = the DTB's
// physical address; every other hart is stopped in OpenSBI.
#include "loader.h"

    .section .text.entry, "ax"
    .globl _start
_start:
    // The elfloader boots on FIRST_HART_ID: if OpenSBI's lottery picked another hart,
    // that one is started through HSM at `primary` (with the DTB in a1) and this one
    // carries on as a secondary. Without HSM (the call fails) this hart boots.
    li t0, FIRST_HART_ID
    beq a0, t0, primary
    mv s0, a0
    mv s1, a1
    addi t0, a0, 1
    la t1, handed_over
    sd t0, 0(t1)
    fence w, rw
    li a7, SBI_EXT_HSM
    li a6, 0
    li a0, FIRST_HART_ID
    la a1, primary
    mv a2, s1
    ecall
    mv t0, a0
    mv a0, s0
    mv a1, s1
    beqz t0, secondary_entry
    la t1, handed_over
    sd zero, 0(t1)
    // FIRST_HART_ID already runs (SBI_ERR_ALREADY_AVAILABLE): this hart was started by
    // the primary and arrived here, not at secondary_entry, because OpenSBI 1.2 can
    // hand a hart started through HSM its stale boot address (seen under load in
    // make test: two harts ran loader_main). It is a secondary all the same.
    li t1, -6
    beq t0, t1, secondary_entry
primary:
    la sp, core_stacks + (1 << STACK_BITS)
    call loader_main
    j halt

// Harts started by the primary through HSM (a0 = hart id), and the lottery winner
// after its hand-over. Logical core ids go by arrival, from 1, as the elfloader's
// next_logical_core_id; a hart beyond CONFIG_MAX_NUM_NODES is stopped again.
    .globl secondary_entry
secondary_entry:
    la t0, next_core_id
    li t1, 1
    amoadd.w t1, t1, (t0)
    li t2, CONFIG_MAX_NUM_NODES
    bge t1, t2, stop
    addi t2, t1, 1
    slli t2, t2, STACK_BITS
    la sp, core_stacks
    add sp, sp, t2
    mv a1, t1
    call loader_secondary
stop:
    li a7, SBI_EXT_HSM
    li a6, 1
    ecall
halt:
    wfi
    j halt

// Turns on Sv39 with the loader's tables and enters the kernel: a0..a7 are the
// hand-off (a6 = hart id, a7 = core id). The loader's own memory is identity mapped,
// so the instruction after the satp write is still fetched.
    .globl enter_kernel
enter_kernel:
    ld t0, kernel_entry
    ld t1, loader_satp
    sfence.vma
    csrw satp, t1
    sfence.vma
    fence.i
    jr t0

    .section .data
    .balign 8
    .globl handed_over
handed_over:
    .dword 0
next_core_id:
    .word 1

    .section .bss
    .balign 16
    .globl core_stacks
core_stacks:
    .space (CONFIG_MAX_NUM_NODES + 1) << STACK_BITS
