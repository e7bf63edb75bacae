// The ELF image of the asynchronous IPC peer (this directory), embedded in the programs
// that start peers (the ASYNCIPC tests' root task, bench-aipc's) when the build passes
// its path as AIPC_PEER_ELF. Not part of the peer itself (AIPC_PEER_SRCS takes .c only).
    .section .rodata.aipc_peer_elf, "a"
    .balign 8
    .globl aipc_peer_elf, aipc_peer_elf_end
aipc_peer_elf:
#ifdef AIPC_PEER_ELF
    .incbin AIPC_PEER_ELF
#endif
aipc_peer_elf_end:
