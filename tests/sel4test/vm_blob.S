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
