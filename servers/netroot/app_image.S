// The TCP application server's ELF image (servers/tcpapp), embedded in the root task
// that starts it; the build passes its path as TCPAPP_ELF.
    .section .rodata.tcpapp_elf, "a"
    .balign 8
    .globl tcpapp_elf, tcpapp_elf_end
tcpapp_elf:
#ifdef TCPAPP_ELF
    .incbin TCPAPP_ELF
#endif
tcpapp_elf_end:
