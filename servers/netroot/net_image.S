// The network server's ELF image (servers/net), embedded in the root task that starts
// it; the build passes its path as NET_SERVER_ELF.
    .section .rodata.net_server_elf, "a"
    .balign 8
    .globl net_server_elf, net_server_elf_end
net_server_elf:
#ifdef NET_SERVER_ELF
    .incbin NET_SERVER_ELF
#endif
net_server_elf_end:
