// The UINTC device on the virt board: its DT node, reset state and registers as S-mode
// software (a kernel) sees them.
#include "setup.h"

// Runs first in a fresh boot, before any test has touched the device.
TEST(UINTC0001, 1, "UINTC comes out of reset with every entry inactive, hartid 0, nothing pending")
{
    int bad = 0;
    for (unsigned i = 0; CHECK(uintc_base) && i < UINTC_ENTRIES; i++) {
        uint64_t low = *uintc_reg(i, UINTC_LOW), act = *uintc_reg(i, UINTC_ACTIVE);
        uint64_t high = recv_take(i);
        if ((low | act | high) && bad++ < 4)
            pr("# entry %u: low %lx active %lx pending %lx\n", i, (unsigned long)low,
               (unsigned long)act, (unsigned long)high);
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(csr_read(CSR_UIP), 0);
}

TEST(UINTC0002, 1, "DTB has the riscv,uintc0 node at 0x2F10000, 0x4000 bytes (512 entries)")
{
    CHECK_EQ(uintc_base, 0x2F10000);
    CHECK_EQ(uintc_size, 0x4000);
}

TEST(UINTC0003, 1, "UINTC registers: SEND sets bit (data & 63), LOW, HIGH read-clears and ORs, ACTIVE, 4-byte halves")
{
    unsigned e = 300;  // any entry: all 512 are backed
    *uintc_reg(e, UINTC_SEND) = 5;
    *uintc_reg(e, UINTC_SEND) = 64 + 7;  // as the Rocket hardware: only bits 5:0 count
    *uintc_reg(e, UINTC_SEND) = 63;
    CHECK_EQ(recv_take(e), 1ul << 63 | 1ul << 7 | 1ul << 5);
    CHECK_EQ(recv_take(e), 0);

    *uintc_reg(e, UINTC_HIGH) = 0x11;
    *uintc_reg(e, UINTC_HIGH) = 0x100;
    CHECK_EQ(recv_take(e), 0x111);

    // LOW keeps active (bit 0), mode (bit 1) and hartid (31:16); the rest reads zero.
    *uintc_reg(e, UINTC_LOW) = 0xffffffffffffffff;
    CHECK_EQ(*uintc_reg(e, UINTC_LOW), 0xffff0003);
    CHECK_EQ(*uintc_reg(e, UINTC_ACTIVE), 1);
    *uintc_reg(e, UINTC_ACTIVE) = 0;
    CHECK_EQ(*uintc_reg(e, UINTC_LOW), 0xffff0002);
    *uintc_reg(e, UINTC_ACTIVE) = 1;
    CHECK_EQ(*uintc_reg(e, UINTC_LOW), 0xffff0003);
    *uintc_reg(e, UINTC_LOW) = LOW_HARTID(3);
    CHECK_EQ(*uintc_reg(e, UINTC_LOW), LOW_HARTID(3));
    CHECK_EQ(*uintc_reg(e, UINTC_ACTIVE), 0);

    // 32-bit accesses (an RV32 kernel): each half on its own.
    *uintc_reg32(e, UINTC_HIGH + 4) = 0x80000000u;  // vector 63
    *uintc_reg32(e, UINTC_HIGH) = 1;                // vector 0
    CHECK_EQ(*uintc_reg32(e, UINTC_HIGH + 4), 0x80000000u);  // clears only that half
    CHECK_EQ(recv_take(e), 1);
    *uintc_reg32(e, UINTC_LOW) = LOW_HARTID(0x7e) | LOW_ACTIVE;  // no such hart
    CHECK_EQ(*uintc_reg32(e, UINTC_LOW), LOW_HARTID(0x7e) | LOW_ACTIVE);
    CHECK_EQ(*uintc_reg32(e, UINTC_LOW + 4), 0);
    *uintc_reg32(e, UINTC_SEND) = 33;
    CHECK_EQ(recv_take(e), 1ul << 33);
    // Entry 511 is the last one; its neighbour 510 is unaffected by it.
    *uintc_reg(511, UINTC_SEND) = 1;
    CHECK_EQ(recv_take(510), 0);
    CHECK_EQ(recv_take(511), 2);
}
