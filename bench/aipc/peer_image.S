// The asynchronous IPC peer's ELF image (tests/aipc/) for bench-aipc, included when the
// build passes its path as AIPC_PEER_ELF.
    .section .rodata.aipc_peer_elf, "a"
    .balign 8
    .globl aipc_peer_elf, aipc_peer_elf_end
aipc_peer_elf:
#ifdef AIPC_PEER_ELF
    .incbin AIPC_PEER_ELF
#endif
aipc_peer_elf_end:
