// The five uipi instructions, each on its own, against UINTC entries no hart is
// interrupted by (hartid 0x7f, or inactive).
#include "setup.h"

#define NOBODY 0x7f
#define E 37  // the receiver entry named by suirs

static long u_op(long op)
{
    switch (op) {
    case 0: uipi_activate(); return 0;
    case 1: uipi_deactivate(); return 0;
    default: return 0;
    }
}

TEST(UINTC0010, 1, "uipi ACTIVATE / DEACTIVATE set and clear Active of the suirs entry only")
{
    recv_set(E, NOBODY, false);
    suirs_use(E);
    run_user(u_op, 0);
    CHECK_EQ(*uintc_reg(E, UINTC_ACTIVE), 1);
    CHECK_EQ(*uintc_reg(E, UINTC_LOW), LOW_HARTID(NOBODY) | LOW_MODE64 | LOW_ACTIVE);
    CHECK_EQ(*uintc_reg(E - 1, UINTC_ACTIVE) | *uintc_reg(E + 1, UINTC_ACTIVE), 0);
    run_user(u_op, 1);
    CHECK_EQ(*uintc_reg(E, UINTC_LOW), LOW_HARTID(NOBODY) | LOW_MODE64);
    // suirs not enabled: no effect
    csr_write(CSR_SUIRS, E);
    run_user(u_op, 0);
    CHECK_EQ(*uintc_reg(E, UINTC_ACTIVE), 0);
}

static volatile unsigned long got[3];

static long u_write_read(long unused)
{
    (void)unused;
    uipi_write(1ul << 63);
    uipi_write(0x10);
    got[0] = uipi_read();
    got[1] = uipi_read();
    return 0;
}

static long u_read(long unused)
{
    (void)unused;
    uipi_write(0x40);
    return (long)uipi_read();
}

TEST(UINTC0011, 1, "uipi WRITE ORs into the pending bits, READ returns and clears them")
{
    recv_set(E, NOBODY, true);
    suirs_use(E);
    *uintc_reg(E, UINTC_HIGH) = 0x2;  // what was pending already stays
    run_user(u_write_read, 0);
    CHECK_EQ(got[0], 1ul << 63 | 0x12);
    CHECK_EQ(got[1], 0);
    CHECK_EQ(recv_take(E), 0);
    // suirs not enabled: READ returns 0, WRITE does nothing, nothing is cleared
    csr_write(CSR_SUIRS, E);
    *uintc_reg(E, UINTC_HIGH) = 0x8;
    CHECK_EQ(run_user(u_read, 0), 0);
    CHECK_EQ(recv_take(E), 0x8);
}

static long u_send(long index)
{
    uipi_send((unsigned long)index);
    return 0;
}

TEST(UINTC0012, 1, "uipi SEND sets the entry's vector in the receiver its sender-table entry names")
{
    recv_set(40, NOBODY, false);
    uist[3] = uiste(true, 9, 40);
    uist[4] = uiste(true, 63, 40);
    uist[5] = uiste(true, 0, 41);
    suist_use(1);
    run_user(u_send, 3);
    run_user(u_send, 4);
    CHECK_EQ(recv_take(40), 1ul << 63 | 1ul << 9);
    CHECK_EQ(recv_take(39) | recv_take(41), 0);
    run_user(u_send, 5);
    CHECK_EQ(recv_take(41), 1);
    CHECK_EQ(recv_take(40), 0);
}

// A stand-in for the UINTC in RAM: uipi must access suicfg + 32 * index + register.
static uint64_t fake[64 * 4] __attribute__((aligned(64)));

static long u_all_ops(long unused)
{
    (void)unused;
    uipi_write(0xabc);
    got[0] = fake[2 * 4 + 3];
    uipi_activate();
    got[1] = fake[2 * 4 + 3];
    got[2] = uipi_read();  // a load of HIGH (RAM does not clear on read)
    uipi_deactivate();
    uipi_send(0);
    return 0;
}

TEST(UINTC0013, 1, "suicfg is honoured: uipi reaches suicfg + 32 * index, not a fixed base")
{
    for (unsigned i = 0; i < 64 * 4; i++)
        fake[i] = 0;
    csr_write(CSR_SUICFG, (uintptr_t)fake);
    suirs_use(2);
    uist[0] = uiste(true, 17, 5);
    suist_use(1);
    run_user(u_all_ops, 0);
    CHECK_EQ(fake[2 * 4 + 2], 0xabc);    // HIGH of entry 2 (RAM stores, the UINTC ORs)
    CHECK_EQ(got[0], 0);
    CHECK_EQ(got[1], 1);                 // ACTIVE of entry 2
    CHECK_EQ(got[2], 0xabc);
    CHECK_EQ(fake[2 * 4 + 3], 0);        // DEACTIVATE
    CHECK_EQ(fake[5 * 4 + 0], 17);       // SEND of entry 5: the vector
    CHECK_EQ(recv_take(2) | recv_take(5), 0);  // the real UINTC saw nothing
    CHECK_EQ(*uintc_reg(2, UINTC_ACTIVE), 0);
}

TEST(UINTC0030, 1, "uipi instructions work in S mode too")
{
    recv_set(E, NOBODY, false);
    suirs_use(E);
    uist[0] = uiste(true, 33, E);
    suist_use(1);
    uipi_send(0);
    uipi_write(1);
    uipi_activate();
    CHECK_EQ(*uintc_reg(E, UINTC_ACTIVE), 1);
    CHECK_EQ(uipi_read(), 1ul << 33 | 1);
    uipi_deactivate();
    CHECK_EQ(*uintc_reg(E, UINTC_ACTIVE), 0);
    CHECK_EQ(recv_take(E), 0);
}

// Each encoding near the uipi ones must be an illegal instruction: the reserved
// fields are checked, and the old I-type drafts (funct3 010) are not accepted.
#define ILLEGAL(insn) do { probe_begin(); __asm__ volatile(insn ::: "memory"); \
        if (!CHECK_EQ(probe_end(), EXC_ILLEGAL)) pr("# encoding: %s\n", insn); } while (0)

TEST(UINTC0031, 1, "uipi encodings with reserved fields set, other funct7 or the old I-type are illegal")
{
    recv_set(E, NOBODY, false);
    suirs_use(E);
    ILLEGAL(".insn r 0x7b, 6, 5, x0, x0, x0");    // funct7 5..127: reserved
    ILLEGAL(".insn r 0x7b, 6, 127, x0, x0, x0");
    ILLEGAL(".insn r 0x7b, 6, 0, x1, x0, x0");    // SEND with rd != 0
    ILLEGAL(".insn r 0x7b, 6, 0, x0, x0, x1");    // SEND with rs2 != 0
    ILLEGAL(".insn r 0x7b, 6, 1, x5, x5, x0");    // READ with rs1 != 0 (RV128 remd)
    ILLEGAL(".insn r 0x7b, 6, 2, x5, x5, x0");    // WRITE with rd != 0
    ILLEGAL(".insn r 0x7b, 6, 3, x0, x5, x0");    // ACTIVATE with rs1 != 0
    ILLEGAL(".insn r 0x7b, 6, 4, x5, x0, x0");    // DEACTIVATE with rd != 0
    ILLEGAL(".insn i 0x7b, 2, x0, x0, 3");        // draft I-type ACTIVATE
    ILLEGAL(".insn i 0x7b, 2, x5, x0, 1");        // draft I-type READ
    CHECK_EQ(*uintc_reg(E, UINTC_ACTIVE), 0);     // none of them did anything
}

TEST(UINTC0032, 1, "uipi accesses that hit no device raise an access fault at the physical address")
{
    unsigned long hole = 0x300000000ul;  // nothing there on virt with 1 GiB
    csr_write(CSR_SUICFG, hole);
    suirs_use(1);
    probe_begin();
    uipi_write(1);
    CHECK_EQ(probe_end(), EXC_STORE_ACCESS);
    CHECK_EQ(this_hart()->probe_tval, hole + 32 + UINTC_HIGH);
    probe_begin();
    (void)uipi_read();
    CHECK_EQ(probe_end(), EXC_LOAD_ACCESS);
    CHECK_EQ(this_hart()->probe_tval, hole + 32 + UINTC_HIGH);
    // The sender table itself in the hole
    csr_write(CSR_SUICFG, uintc_base);
    csr_write(CSR_SUIST, SUIST_ENABLE | 1ul << SUIST_SIZE_SHIFT | hole >> 12);
    probe_begin();
    uipi_send(3);
    CHECK_EQ(probe_end(), EXC_LOAD_ACCESS);
    CHECK_EQ(this_hart()->probe_tval, hole + 3 * 8);
}
