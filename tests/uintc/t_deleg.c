// Delegation M -> S -> U (sideleg, sedeleg), the external interrupt, vectored utvec and
// a receiver running with XLEN 32.
#include "setup.h"

static volatile unsigned long seen[8];

static long u_send_and_look(long index)
{
    uipi_send((unsigned long)index);
    return (long)this_hart()->s_irq_count;
}

static long u_idle(long unused)
{
    (void)unused;
    for (volatile int i = 0; i < 1000; i++)
        ;
    return 0;
}

static void s_window(void)
{
    csr_set(sstatus, SSTATUS_SIE);
    for (volatile int i = 0; i < 100; i++)
        ;
    csr_clear(sstatus, SSTATUS_SIE);
}

TEST(UINTC0026, 1, "sideleg.USIP clear: UINTC interrupts reach S mode; set: S never takes them, U does")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    recv_set(RX(me), me, true);
    suirs_use(RX(me));
    uist[0] = uiste(true, 9, RX(me));
    suist_use(1);
    // From U mode an S-level interrupt is taken whatever sstatus.SIE says.
    csr_set(sie, MIP_USIP);
    CHECK_EQ(run_user(u_send_and_look, 0), 1);
    CHECK_EQ(h->s_irq_cause, CAUSE_INTR | IRQ_USI);
    CHECK_EQ(h->s_irq_from_user, 1);
    CHECK_EQ(h->u_count, 0);
    CHECK_EQ(recv_take(RX(me)), 1ul << 9);
    // In S mode: held while SIE = 0, taken when it is set.
    csr_set(sie, MIP_USIP);
    *uintc_reg(RX(me), UINTC_SEND) = 10;
    CHECK_EQ(h->s_irq_count, 1);
    s_window();
    CHECK_EQ(h->s_irq_count, 2);
    CHECK_EQ(h->s_irq_from_user, 0);
    CHECK_EQ(recv_take(RX(me)), 1ul << 10);
    // Delegated on to U: not an S interrupt any more, even with SIE and sie.USIE set.
    receive_here();
    csr_set(sie, MIP_USIP);
    *uintc_reg(RX(me), UINTC_SEND) = 11;
    s_window();
    CHECK_EQ(h->s_irq_count, 2);
    run_user(u_idle, 0);
    CHECK_EQ(h->u_count, 1);
    CHECK_EQ(h->u_pending, 1ul << 11);
}

// Logs causes and slots; quiets each source.
static void hook_log_cause(struct hart *h, unsigned long cause)
{
    if (h->u_count <= 4) {
        seen[2 * (h->u_count - 1)] = cause;
        seen[2 * (h->u_count - 1) + 1] = h->u_entry;
    }
    if ((cause & ~CAUSE_INTR) == IRQ_UEI)
        csr_clear(CSR_UIE, MIP_UEIP);
    else
        csr_clear(CSR_UIP, MIP_USIP);
}

TEST(UINTC0027, 1, "external interrupt delegated to U; vectored utvec: slot 8 for UEI, slot 0 for USI; UEI first")
{
    struct hart *h = this_hart();
    csr_write(CSR_SIDELEG, MIP_UEIP | MIP_USIP);
    csr_write(CSR_UIE, MIP_UEIP | MIP_USIP);
    csr_write(CSR_UTVEC, (uintptr_t)u_vector_table | 1);
    csr_set(CSR_USTATUS, USTATUS_UIE);
    h->u_hook = hook_log_cause;
    csr_set(sip, MIP_UEIP | MIP_USIP);  // both pending when U mode is entered
    run_user(u_idle, 0);
    CHECK_EQ(h->u_count, 2);
    CHECK_EQ(seen[0], CAUSE_INTR | IRQ_UEI);
    CHECK_EQ(seen[1], 8);
    CHECK_EQ(seen[2], CAUSE_INTR | IRQ_USI);
    CHECK_EQ(seen[3], 0);
    csr_clear(sip, MIP_UEIP);
}

// user32.S: RV32 code that sends a0 and counts its handler's runs.
long u32_main(long index);
extern void u32_after_send(void);
extern volatile uint32_t u32_rec[4];  // ucause, uepc, uipi READ, count

TEST(UINTC0028, 1, "32-bit mode: a mode-0 receiver is delivered to a U handler running with UXL = 32")
{
    unsigned long me = this_hart()->hartid;
    *uintc_reg(RX(me), UINTC_LOW) = LOW_HARTID(me) | LOW_ACTIVE;  // mode bit 0: 32-bit
    suirs_use(RX(me));
    uist[0] = uiste(true, 7, RX(me));
    suist_use(1);
    csr_set(CSR_SIDELEG, MIP_USIP);
    csr_set(CSR_UIE, MIP_USIP);
    unsigned long s = csr_read(sstatus);
    csr_write(sstatus, (s & ~(3ul << SSTATUS_UXL_SHIFT)) | 1ul << SSTATUS_UXL_SHIFT);
    CHECK_EQ((csr_read(sstatus) >> SSTATUS_UXL_SHIFT) & 3, 1);
    for (int i = 0; i < 4; i++)
        u32_rec[i] = 0;
    CHECK_EQ(run_user(u32_main, 0), 1);
    csr_write(sstatus, s);
    CHECK_EQ(u32_rec[0], 0x80000000u);  // the interrupt bit is bit 31 of ucause
    CHECK_EQ(u32_rec[1], (uint32_t)(uintptr_t)u32_after_send);
    CHECK_EQ(u32_rec[2], 1u << 7);
    CHECK_EQ(u32_rec[3], 1);
    CHECK_EQ(*uintc_reg(RX(me), UINTC_LOW), LOW_HARTID(me) | LOW_ACTIVE);
}

static long u_ebreak(long unused)
{
    (void)unused;
    unsigned long at;
    __asm__ volatile("lla %0, 1f\n1: ebreak" : "=r"(at) : : "memory");
    return (long)at;
}

static long u_ebreak_probe(long unused)
{
    (void)unused;
    probe_begin();
    __asm__ volatile("ebreak" : : : "memory");
    return (long)probe_end();
}

TEST(UINTC0029, 1, "sedeleg: a breakpoint in U mode is taken by the U handler (ucause 3, uepc)")
{
    struct hart *h = this_hart();
    csr_write(CSR_SEDELEG, 1ul << EXC_BREAKPOINT);  // medeleg has it (OpenSBI)
    unsigned long at = (unsigned long)run_user(u_ebreak, 0);
    CHECK_EQ(h->u_count, 1);
    CHECK_EQ(h->u_cause, EXC_BREAKPOINT);
    CHECK_EQ(h->u_epc, at);
    CHECK_EQ(h->u_status & USTATUS_UIE, 0);
    csr_write(CSR_SEDELEG, 0);  // not delegated on: S mode takes it
    CHECK_EQ(run_user(u_ebreak_probe, 0), EXC_BREAKPOINT);
    CHECK_EQ(h->u_count, 1);
}
