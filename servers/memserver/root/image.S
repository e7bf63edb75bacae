// The ELF image of the memory server (servers/memserver), embedded in the root tasks
// that start it (launch.c) when the build passes its path as MEMSERVER_ELF.
    .section .rodata.memserver_elf, "a"
    .balign 8
    .globl memserver_elf, memserver_elf_end
memserver_elf:
#ifdef MEMSERVER_ELF
    .incbin MEMSERVER_ELF
#endif
memserver_elf_end:
