// The ELF image of the PROCESS tests' child (tests/sel4test/child/), included when the
// build passes its path as CHILD_ELF. Without it the image is empty and those tests
// report SKIP.
    .section .rodata.child_elf, "a"
    .balign 8
    .globl child_elf, child_elf_end
child_elf:
#ifdef CHILD_ELF
    .incbin CHILD_ELF
#endif
child_elf_end:
