// The platform-level interrupt controller (RISC-V PLIC spec v1.0.0). The kernel owns
// it; user drivers see its lines as IRQ handler caps.
#pragma once
#include "types.h"
#include "fdt.h"

#define PLIC_MAX_IRQ 95  // QEMU virt: sources 1..95 usable

void plic_init(const struct fdt_info *fdt);
void plic_init_hart(unsigned index);
bool plic_present(void);
word_t plic_claim(void);
void plic_complete(word_t irq);
void plic_mask(word_t irq, bool masked);
paddr_t plic_base(void);
word_t plic_size(void);
