// Kernel-wide configuration. Board values come from boards/<board>/board.mk as -D
// flags; everything else is fixed by the seL4 15.0.0 riscv64 ABI (sel4-abi.md).
#pragma once

#ifndef CONFIG_MAX_HARTS
#define CONFIG_MAX_HARTS 4
#endif
#ifndef KERNEL_PADDR
#error "KERNEL_PADDR comes from the board's make variables"
#endif

// seL4 kernel virtual layout (Sv39): the kernel window maps all physical memory at
// PPTR_BASE; the kernel ELF sits in the top 2 GiB at its physical address mod 1 GiB.
#define PPTR_BASE        0xFFFFFFC000000000ul
#define KERNEL_ELF_BASE  (0xFFFFFFFF80000000ul + (KERNEL_PADDR & 0x3FFFFFFFul))
#define KERNEL_ELF_PADDR KERNEL_PADDR
#define KDEV_BASE        0xFFFFFFFFC0000000ul
// The window ends where the kernel ELF's gigabyte starts: physical memory at or above
// PADDR_TOP is out of the kernel's reach (seL4's PADDR_TOP).
#define PPTR_TOP         0xFFFFFFFF80000000ul
#define PADDR_TOP        (PPTR_TOP - PPTR_BASE)

#define USER_TOP         0x3ffffff000ul   // seL4_UserTop
#define PAGE_BITS        12
#define PAGE_SIZE        (1ul << PAGE_BITS)

// seL4's KernelRootCNodeSizeBits: the make variable ROOT_CNODE_BITS (default 12, as
// upstream; its test configuration uses 13). The root task learns it from the boot
// info (initThreadCNodeSizeBits); user code built with the kernel sees the same -D.
#ifndef CONFIG_ROOT_CNODE_SIZE_BITS
#define CONFIG_ROOT_CNODE_SIZE_BITS 12
#endif
#define ROOT_CNODE_BITS  CONFIG_ROOT_CNODE_SIZE_BITS
// seL4's root_cnode_size_valid: room for the 16 initial caps, a CNode of at least a
// page, and one that does not cover all of memory.
#if ROOT_CNODE_BITS >= 32 - 5 || ROOT_CNODE_BITS < 12 - 5
#error "ROOT_CNODE_BITS out of seL4's range"
#endif
#define MAX_UNTYPED_BITS 38               // seL4_MaxUntypedBits on riscv64
#define MIN_UNTYPED_BITS 4                // seL4_MinUntypedBits

#define KSTACK_BITS      14
#define NUM_PRIORITIES   256
