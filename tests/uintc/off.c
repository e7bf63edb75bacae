// The "uintc-off" image: QEMU started without the CPU property n=on must look like
// stock QEMU 7.2 to the guest: no N CSRs, no uret or uipi, no UINTC, and OpenSBI's
// mideleg as before (0x1666).
#include "test.h"

void reset_machine_state(void)
{
}

#define ILLEGAL_READ(c) do { probe_begin(); (void)csr_read(c); \
        if (!CHECK_EQ(probe_end(), EXC_ILLEGAL)) pr("# csr %s readable\n", #c); \
        probe_begin(); csr_write(c, 0); \
        if (!CHECK_EQ(probe_end(), EXC_ILLEGAL)) pr("# csr %s writable\n", #c); } while (0)

TEST(UINTC0033, 1, "property off: every N and UINTC-pointer CSR is an illegal instruction")
{
    ILLEGAL_READ(0x000);
    ILLEGAL_READ(0x004);
    ILLEGAL_READ(0x005);
    ILLEGAL_READ(0x040);
    ILLEGAL_READ(0x041);
    ILLEGAL_READ(0x042);
    ILLEGAL_READ(0x043);
    ILLEGAL_READ(0x044);
    ILLEGAL_READ(0x102);
    ILLEGAL_READ(0x103);
    ILLEGAL_READ(0x1B0);
    ILLEGAL_READ(0x1B1);
    ILLEGAL_READ(0x1B2);
}

#define ILLEGAL(insn) do { probe_begin(); __asm__ volatile(insn ::: "memory"); \
        if (!CHECK_EQ(probe_end(), EXC_ILLEGAL)) pr("# executed: %s\n", insn); } while (0)

static long u_uret(long unused)
{
    (void)unused;
    probe_begin();
    __asm__ volatile(".insn i 0x73, 0, x0, x0, 2" : : : "memory");
    return (long)probe_end();
}

TEST(UINTC0034, 1, "property off: uret and the five uipi instructions are illegal instructions")
{
    ILLEGAL(".insn i 0x73, 0, x0, x0, 2");       // uret
    ILLEGAL(".insn r 0x7b, 6, 0, x0, x5, x0");   // SEND
    ILLEGAL(".insn r 0x7b, 6, 1, x5, x0, x0");   // READ (RV128 remd on RV64)
    ILLEGAL(".insn r 0x7b, 6, 2, x0, x5, x0");   // WRITE
    ILLEGAL(".insn r 0x7b, 6, 3, x0, x0, x0");   // ACTIVATE
    ILLEGAL(".insn r 0x7b, 6, 4, x0, x0, x0");   // DEACTIVATE
    CHECK_EQ(run_user(u_uret, 0), EXC_ILLEGAL);  // and uret from U mode
}

TEST(UINTC0035, 1, "property off: U-level bits of sie/sip and sstatus.UIE/UPIE read zero, ignore writes")
{
    csr_set(sie, U_INTS);
    CHECK_EQ(csr_read(sie) & U_INTS, 0);
    csr_set(sip, U_INTS);
    CHECK_EQ(csr_read(sip) & U_INTS, 0);
    csr_set(sstatus, 0x11);
    CHECK_EQ(csr_read(sstatus) & 0x11, 0);
}

TEST(UINTC0036, 1, "property off: no riscv,uintc0 node and nothing at 0x2F10000 (access fault)")
{
    CHECK_EQ(uintc_base, 0);
    probe_begin();
    (void)*(volatile uint64_t *)0x2F10008ul;
    CHECK_EQ(probe_end(), EXC_LOAD_ACCESS);
    probe_begin();
    *(volatile uint64_t *)0x2F10000ul = 1;
    CHECK_EQ(probe_end(), EXC_STORE_ACCESS);
}
