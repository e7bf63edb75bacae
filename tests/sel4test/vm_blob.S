// Code for threads that run in VSpaces of their own (VSPACE0000, VSPACE0006). The
// root task copies it into a frame mapped there; it uses registers only (no stack, no
// IPC buffer): stores a0 at the address in a1, loads it back and reports the loaded
// word with seL4_Call on the endpoint in a2, which leaves it waiting for a reply.
    .section .rodata.touch_blob, "a"
    .balign 4
    .globl touch_blob, touch_blob_end
touch_blob:
    sd a0, 0(a1)
    ld t0, 0(a1)
    mv a0, a2        // destination
    li a1, 1         // message info: one word
    mv a2, t0        // MR0
    li a7, -1        // seL4_SysCall
    ecall
1:  j 1b
touch_blob_end:

// A caller for FASTPATH0002: seL4_Call on the endpoint in a2 with MR0 = a0, and again
// with MR0 + 1 each time it is answered.
    .balign 4
    .globl call_blob, call_blob_end
call_blob:
    mv t0, a0
    mv t1, a2
1:  mv a0, t1
    li a1, 1
    mv a2, t0
    li a7, -1
    ecall
    addi t0, t0, 1
    j 1b
call_blob_end:

// A spinner for MULTICORE0008: adds one to the word at a1, for ever, touching nothing
// else (no stack, no system call).
    .balign 4
    .globl spin_blob, spin_blob_end
spin_blob:
1:  ld t0, 0(a1)
    addi t0, t0, 1
    sd t0, 0(a1)
    j 1b
spin_blob_end:
