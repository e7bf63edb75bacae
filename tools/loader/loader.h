// Loader configuration shared by head.S and loader.c.
#pragma once

// Harts the loader starts and enters the kernel on: seL4's CONFIG_MAX_NUM_NODES (1 in
// the single-core configuration, where the other harts stay stopped in OpenSBI).
#ifndef CONFIG_MAX_NUM_NODES
#define CONFIG_MAX_NUM_NODES 1
#endif
// The hart seL4's elfloader boots on (CONFIG_FIRST_HART_ID), from the board.
#ifndef FIRST_HART_ID
#error "FIRST_HART_ID comes from the board's make variables"
#endif

#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_IPI 0x735049
#define SIE_SSIE 2
#define STACK_BITS 13
