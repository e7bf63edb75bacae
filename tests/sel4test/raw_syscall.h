// A system call made by hand, as a program that does not use libsel4's stubs might:
// the cptr, the message info and the first four message registers in a0..a5. Returns
// the message info the kernel left in a1, and the message registers it left in a2..a5
// in mr[0..3] (as libsel4's stubs do). The fuzzers send whatever they like this way.
#pragma once
#include <sel4/sel4.h>

static inline seL4_Word raw_syscall(long sys, seL4_CPtr cptr, seL4_Word info, seL4_Word *mr)
{
    register seL4_Word a0 asm("a0") = cptr;
    register seL4_Word a1 asm("a1") = info;
    register seL4_Word a2 asm("a2") = mr[0];
    register seL4_Word a3 asm("a3") = mr[1];
    register seL4_Word a4 asm("a4") = mr[2];
    register seL4_Word a5 asm("a5") = mr[3];
    register seL4_Word a7 asm("a7") = (seL4_Word)sys;
    asm volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
                 : "r"(a7) : "memory");
    mr[0] = a2;
    mr[1] = a3;
    mr[2] = a4;
    mr[3] = a5;
    return a1;
}
