// The ELF image of the memory server's client (this directory), embedded in the root
// tasks that start it (the ASYNCSYS tests', bench-asyncsys's) when the build passes its
// path as MEMCLIENT_ELF. Not part of the client itself (its sources are the .c files).
    .section .rodata.memclient_elf, "a"
    .balign 8
    .globl memclient_elf, memclient_elf_end
memclient_elf:
#ifdef MEMCLIENT_ELF
    .incbin MEMCLIENT_ELF
#endif
memclient_elf_end:
