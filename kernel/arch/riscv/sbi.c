// SBI calls: a7 = extension id, a6 = function id, result in a0/a1.
#include "sbi.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_HSM  0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_IPI  0x735049
#define SBI_EXT_RFENCE 0x52464E43

static struct sbiret sbi_call(word_t ext, word_t fn, word_t a0, word_t a1, word_t a2)
{
    register word_t r0 asm("a0") = a0;
    register word_t r1 asm("a1") = a1;
    register word_t r2 asm("a2") = a2;
    register word_t r6 asm("a6") = fn;
    register word_t r7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){(long)r0, (long)r1};
}

// The legacy console call is what seL4 itself prints through; Debian's OpenSBI 1.2
// predates the DBCN extension.
void sbi_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (word_t)c, 0, 0);
}

void sbi_shutdown(void)
{
    // SRST: type 0 = shutdown, reason 0 = none. QEMU exits with status 0.
    sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
    for (;;)
        asm volatile("wfi");
}

struct sbiret sbi_hart_start(word_t hartid, paddr_t start, word_t opaque)
{
    return sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque);
}

void sbi_set_timer(uint64_t when)
{
    sbi_call(SBI_EXT_TIME, 0, when, 0, 0);
}

void sbi_send_ipi(word_t hartid)
{
    // hart_mask relative to hart_mask_base = hartid.
    sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0);
}

void sbi_remote_sfence_vma_asid(word_t hart_mask, word_t asid)
{
    // Function 2: remote_sfence_vma_asid(mask, base, start, size, asid); the whole
    // address space is start 0, size -1.
    register word_t a0 asm("a0") = hart_mask;
    register word_t a1 asm("a1") = 0;
    register word_t a2 asm("a2") = 0;
    register word_t a3 asm("a3") = ~0ul;
    register word_t a4 asm("a4") = asid;
    register word_t a6 asm("a6") = 2;
    register word_t a7 asm("a7") = SBI_EXT_RFENCE;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4), "r"(a6), "r"(a7)
                 : "memory");
}

void sbi_remote_fence_i(word_t hart_mask)
{
    sbi_call(SBI_EXT_RFENCE, 0, hart_mask, 0, 0);
}
