// The platform-level interrupt controller (RISC-V PLIC spec v1.0.0). The kernel owns
// it; user drivers see its lines as IRQ handler caps.
#pragma once
#include "types.h"
#include "fdt.h"

// seL4's IRQ numbering for qemu-riscv-virt (its platform_gen.h.in, PLIC_MAX_NUM_INT
// 128 in src/plat/qemu-riscv-virt/config.cmake): PLIC sources 1..128 can be issued,
// although QEMU wires only 1..95 (the others never fire); the kernel's own IRQs (the
// two IPIs with SMP, then the timer) follow and make up maxIRQ, the upper bound a
// RangeError names.
#define PLIC_MAX_IRQ 128
#ifdef CONFIG_ENABLE_SMP_SUPPORT
#define MAX_IRQ (PLIC_MAX_IRQ + 3)
#else
#define MAX_IRQ (PLIC_MAX_IRQ + 1)
#endif

void plic_init(const struct fdt_info *fdt);
void plic_init_hart(unsigned index);
bool plic_present(void);
word_t plic_claim(void);
void plic_complete(word_t irq);
void plic_mask(word_t irq, bool masked);
paddr_t plic_base(void);
word_t plic_size(void);
