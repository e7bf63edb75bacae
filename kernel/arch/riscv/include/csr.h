// CSR access and the bits of the privileged spec (v1.12) the kernel uses.
#pragma once
#include "types.h"

#define csr_read(csr) ({ word_t v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" : : "rK"((word_t)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" : : "rK"((word_t)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" : : "rK"((word_t)(v)) : "memory")
#define csr_swap(csr, v) ({ word_t v_; asm volatile("csrrw %0, " #csr ", %1" : "=r"(v_) : "r"((word_t)(v)) : "memory"); v_; })
#define csr_read_clear(csr, v) ({ word_t v_; asm volatile("csrrc %0, " #csr ", %1" : "=r"(v_) : "rK"((word_t)(v)) : "memory"); v_; })

#define SSTATUS_SIE   BIT(1)
#define SSTATUS_SPIE  BIT(5)
#define SSTATUS_SPP   BIT(8)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN   (2ul << 13)
#define SSTATUS_FS    (3ul << 13)
#define SSTATUS_SUM   BIT(18)

#define SCAUSE_INTERRUPT BIT(63)
enum exception_cause {
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS = 1,
    EXC_ILLEGAL_INSN = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8,
    EXC_INSN_PAGE_FAULT = 12,
    EXC_LOAD_PAGE_FAULT = 13,
    EXC_STORE_PAGE_FAULT = 15,
};

#define SATP_MODE_SV39 (8ul << 60)

static inline void sfence_vma(void) { asm volatile("sfence.vma" : : : "memory"); }
static inline void fence_i(void) { asm volatile("fence.i" : : : "memory"); }
static inline void wfi(void) { asm volatile("wfi"); }
