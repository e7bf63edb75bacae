// uret: return from a U-mode trap (UIE := UPIE, UPIE := 1, pc := uepc), in U mode and,
// as a lower-privilege xRET (privileged spec 3.2.2), from S mode into U mode.
#include "setup.h"

// Sets uepc to the label after a uret and executes it with ustatus = status.
// Returns 1 if uret went to uepc, 3 if it fell through.
static unsigned long uret_to_label(unsigned long status)
{
    unsigned long r;
    csr_write(CSR_USTATUS, status);
    __asm__ volatile("lla t0, 1f\n"
                     "csrw 0x041, t0\n"
                     "li %0, 0\n"
                     ".insn i 0x73, 0, x0, x0, 2\n"
                     "li %0, 2\n"
                     "1: addi %0, %0, 1\n"
                     : "=&r"(r) : : "t0", "memory");
    return r;
}

static volatile unsigned long status_after[2], landed[2];

static long u_uret(long unused)
{
    (void)unused;
    landed[0] = uret_to_label(USTATUS_UPIE);
    status_after[0] = csr_read(CSR_USTATUS);
    landed[1] = uret_to_label(0);
    status_after[1] = csr_read(CSR_USTATUS);
    probe_begin();  // still in U mode: sstatus is out of reach
    (void)csr_read(sstatus);
    return probe_end() == EXC_ILLEGAL;
}

TEST(UINTC0008, 1, "uret in U mode: jumps to uepc, UIE := UPIE, UPIE := 1, stays in U mode")
{
    CHECK_EQ(run_user(u_uret, 0), 1);
    CHECK_EQ(landed[0], 1);
    CHECK_EQ(status_after[0], USTATUS_UIE | USTATUS_UPIE);
    CHECK_EQ(landed[1], 1);
    CHECK_EQ(status_after[1], USTATUS_UPIE);
}

static long u_where_am_i(long arg)
{
    unsigned long st = csr_read(CSR_USTATUS);
    probe_begin();
    (void)csr_read(sstatus);
    return (probe_end() == EXC_ILLEGAL ? 0x100 : 0) | st | (arg == 42 ? 0x1000 : 0);
}

TEST(UINTC0009, 1, "uret in S mode: pops the U-level stack and continues in U mode at uepc")
{
    csr_write(CSR_USTATUS, USTATUS_UPIE);
    // U mode (0x100), UIE := UPIE = 1, UPIE := 1, arguments intact (0x1000)
    CHECK_EQ(run_user_by_uret(u_where_am_i, 42), 0x1000 | 0x100 | USTATUS_UIE | USTATUS_UPIE);
}
