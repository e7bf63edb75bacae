// Supervisor Binary Interface calls (SBI v1.0 / v2.0 as implemented by OpenSBI).
#pragma once
#include "types.h"

struct sbiret {
    long error;
    long value;
};

void sbi_putchar(int c);
NORETURN void sbi_shutdown(void);
struct sbiret sbi_hart_start(word_t hartid, paddr_t start, word_t opaque);
void sbi_set_timer(uint64_t when);
void sbi_send_ipi(word_t hartid);
void sbi_remote_sfence_vma_asid(word_t hart_mask, word_t asid);
void sbi_remote_fence_i(word_t hart_mask);
