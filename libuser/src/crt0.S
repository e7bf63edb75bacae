// Root task entry: the kernel starts it with a0 = the boot info's virtual address and
// nothing else set up, so the runtime brings its own stack.
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __root_stack_top
    call __sel4_start_root
1:  j 1b

    .section .bss
    .balign 16
    .space 65536
__root_stack_top:
