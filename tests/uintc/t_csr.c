// The N-extension CSRs and the UINTC pointers: who may access them and which bits
// stick (tools/qemu/README lists the masks).
#include "setup.h"

#define ONES (~0ul)
#define SEDELEG_MASK 0xB1FFul  // exceptions U mode can raise: 0-8, 12, 13, 15
#define SUIST_MASK   0x80FFFFFFFFFFFFFFul  // Enable 63, Size 55:44, PPN 43:0
#define SUIRS_MASK   0x800000000000FFFFul  // Enable 63, index 15:0

// Writes all ones, reads back, restores zero.
#define ONES_READ_BACK(c) ({ csr_write(c, ONES); unsigned long v_ = csr_read(c); \
    csr_write(c, 0); v_; })

TEST(UINTC0004, 1, "N CSRs from S mode: every one accessible, writable bits as specified")
{
    CHECK_EQ(ONES_READ_BACK(CSR_USTATUS), USTATUS_UIE | USTATUS_UPIE);
    CHECK_EQ(ONES_READ_BACK(CSR_USCRATCH), ONES);
    CHECK_EQ(ONES_READ_BACK(CSR_UEPC), ONES - 1);  // uepc[0] is zero
    CHECK_EQ(ONES_READ_BACK(CSR_UCAUSE), ONES);
    CHECK_EQ(ONES_READ_BACK(CSR_UTVAL), ONES);
    CHECK_EQ(ONES_READ_BACK(CSR_SEDELEG), SEDELEG_MASK);
    CHECK_EQ(ONES_READ_BACK(CSR_SIDELEG), U_INTS);
    CHECK_EQ(ONES_READ_BACK(CSR_SUIST), SUIST_MASK);
    CHECK_EQ(ONES_READ_BACK(CSR_SUIRS), SUIRS_MASK);
    CHECK_EQ(ONES_READ_BACK(CSR_SUICFG), ONES);

    // utvec: modes 0 (direct) and 1 (vectored); 2 and 3 are reserved (WARL, kept).
    csr_write(CSR_UTVEC, 0x80001001ul);
    CHECK_EQ(csr_read(CSR_UTVEC), 0x80001001ul);
    csr_write(CSR_UTVEC, 0x80002002ul);
    CHECK_EQ(csr_read(CSR_UTVEC), 0x80001001ul);
    csr_write(CSR_UTVEC, 0x80002000ul);
    CHECK_EQ(csr_read(CSR_UTVEC), 0x80002000ul);

    // ustatus is a view of sstatus (and mstatus): UIE bit 0, UPIE bit 4.
    csr_write(CSR_USTATUS, USTATUS_UPIE);
    CHECK_EQ(csr_read(sstatus) & 0x11, USTATUS_UPIE);
    csr_set(sstatus, USTATUS_UIE);
    CHECK_EQ(csr_read(CSR_USTATUS), USTATUS_UIE | USTATUS_UPIE);
}

// U mode: each U-level CSR readable and writable, each S-level one an illegal
// instruction. Returns a bit per CSR that misbehaved.
static long u_csr_access(long unused)
{
    (void)unused;
    long bad = 0;
#define U_OK(bit, c) do { probe_begin(); (void)csr_read(c); csr_write(c, csr_read(c)); \
        if (probe_end() != NO_TRAP) bad |= 1l << (bit); } while (0)
#define S_ONLY(bit, c) do { probe_begin(); (void)csr_read(c); \
        if (probe_end() != EXC_ILLEGAL) bad |= 1l << (bit); \
        probe_begin(); csr_write(c, 0); \
        if (probe_end() != EXC_ILLEGAL) bad |= 1l << (bit); } while (0)
    U_OK(0, CSR_USTATUS);
    U_OK(1, CSR_UIE);
    U_OK(2, CSR_UTVEC);
    U_OK(3, CSR_USCRATCH);
    U_OK(4, CSR_UEPC);
    U_OK(5, CSR_UCAUSE);
    U_OK(6, CSR_UTVAL);
    U_OK(7, CSR_UIP);
    S_ONLY(8, CSR_SEDELEG);
    S_ONLY(9, CSR_SIDELEG);
    S_ONLY(10, CSR_SUIST);
    S_ONLY(11, CSR_SUIRS);
    S_ONLY(12, CSR_SUICFG);
    S_ONLY(13, sstatus);
    csr_write(CSR_USCRATCH, 0x5a5a);
    csr_write(CSR_UEPC, 0x1234);
    return bad;
}

TEST(UINTC0005, 1, "N CSRs from U mode: U-level ones accessible, sedeleg/sideleg/suist/suirs/suicfg illegal")
{
    CHECK_EQ(run_user(u_csr_access, 0), 0);
    CHECK_EQ(csr_read(CSR_USCRATCH), 0x5a5a);  // written from U, seen from S
    CHECK_EQ(csr_read(CSR_UEPC), 0x1234);
}

TEST(UINTC0006, 1, "uie and uip show only what sideleg delegates; of uip only USIP is writable")
{
    // Nothing delegated to U: uie and uip read zero and ignore writes.
    csr_write(CSR_UIE, ONES);
    CHECK_EQ(csr_read(CSR_UIE), 0);
    CHECK_EQ(csr_read(sie) & U_INTS, 0);
    csr_set(sip, MIP_USIP);
    CHECK_EQ(csr_read(sip) & MIP_USIP, MIP_USIP);
    CHECK_EQ(csr_read(CSR_UIP), 0);
    csr_clear(sip, MIP_USIP);

    // All three delegated: uie is the U part of sie; uip shows USIP and UEIP as S set
    // them, and a write to uip changes only USIP (UTIP, UEIP are read-only there).
    csr_write(CSR_SIDELEG, U_INTS);
    csr_write(CSR_UIE, ONES);
    CHECK_EQ(csr_read(CSR_UIE), U_INTS);
    CHECK_EQ(csr_read(sie) & U_INTS, U_INTS);
    csr_write(CSR_UIE, MIP_USIP);
    CHECK_EQ(csr_read(sie) & U_INTS, MIP_USIP);
    csr_set(sip, MIP_USIP | MIP_UEIP);
    CHECK_EQ(csr_read(CSR_UIP), MIP_USIP | MIP_UEIP);
    csr_write(CSR_UIP, 0);
    CHECK_EQ(csr_read(CSR_UIP), MIP_UEIP);
    csr_write(CSR_UIP, ONES);
    CHECK_EQ(csr_read(CSR_UIP), MIP_USIP | MIP_UEIP);
    csr_clear(sip, MIP_USIP | MIP_UEIP);
    CHECK_EQ(csr_read(CSR_UIP), 0);

    // Only USIP delegated: the other two vanish from uie and uip.
    csr_write(CSR_SIDELEG, MIP_USIP);
    csr_write(CSR_UIE, ONES);
    CHECK_EQ(csr_read(CSR_UIE), MIP_USIP);
    csr_set(sip, MIP_UEIP);
    CHECK_EQ(csr_read(CSR_UIP), 0);
    csr_clear(sip, MIP_UEIP);
}

TEST(UINTC0007, 1, "M mode delegates USIP/UTIP/UEIP to S (mideleg bits 0, 4, 8 read-only one)")
{
    // sie and sip show only what mideleg delegates, so S sees the bits there. OpenSBI
    // (which knows nothing of them) reports MIDELEG 0x1777 in its banner.
    csr_set(sie, U_INTS);
    CHECK_EQ(csr_read(sie) & U_INTS, U_INTS);
    csr_clear(sie, U_INTS);
    CHECK_EQ(csr_read(sie) & U_INTS, 0);
    // S may set USIP and UEIP; UTIP is for M mode to write.
    csr_set(sip, U_INTS);
    CHECK_EQ(csr_read(sip) & U_INTS, MIP_USIP | MIP_UEIP);
    csr_clear(sip, U_INTS);
    CHECK_EQ(csr_read(sip) & U_INTS, 0);
}
