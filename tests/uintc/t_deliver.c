// Delivery on one hart: from a send (or an S-mode write) to the U-mode handler.
#include "setup.h"

#define NOBODY 0x7f

static volatile unsigned long status_after, seen[8];

static long u_send_here(long index)
{
    unsigned long next = uipi_send_at((unsigned long)index);
    status_after = csr_read(CSR_USTATUS);
    return (long)next;
}

TEST(UINTC0014, 1, "send to an active receiver on this hart: handler runs at once, ucause/uepc/UPIE set")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    receive_here();
    uist[0] = uiste(true, 5, RX(me));
    suist_use(1);
    unsigned long next = (unsigned long)run_user(u_send_here, 0);
    CHECK_EQ(h->u_count, 1);
    CHECK_EQ(h->u_cause, CAUSE_INTR | IRQ_USI);
    CHECK_EQ(h->u_epc, next);                      // taken right after the send
    CHECK_EQ(h->u_status, USTATUS_UPIE);           // UIE cleared, UPIE = old UIE
    CHECK_EQ(h->u_uip & MIP_USIP, MIP_USIP);
    CHECK_EQ(h->u_pending, 1ul << 5);              // uipi READ in the handler
    CHECK_EQ(status_after, USTATUS_UIE | USTATUS_UPIE);  // uret restored UIE
    CHECK_EQ(recv_take(RX(me)), 0);
    CHECK_EQ(csr_read(CSR_UIP), 0);                // the line went down with the read
}

// Leaves the pending bits alone the first time: a level-triggered line brings the
// handler straight back after uret.
static void hook_read_second_time(struct hart *h, unsigned long cause)
{
    (void)cause;
    if (h->u_count >= 2)
        h->u_pending |= uipi_read();
}

TEST(UINTC0015, 1, "delivery is level-triggered: unread pending bits re-enter the handler after uret")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    receive_here();
    h->u_hook = hook_read_second_time;
    uist[0] = uiste(true, 40, RX(me));
    suist_use(1);
    run_user(u_send_here, 0);
    CHECK_EQ(h->u_count, 2);
    CHECK_EQ(h->u_pending, 1ul << 40);
}

static long u_inactive_then_activate(long index)
{
    struct hart *h = this_hart();
    uipi_deactivate();
    uipi_send((unsigned long)index);
    uipi_send((unsigned long)index + 1);
    for (volatile int i = 0; i < 1000; i++)
        ;
    seen[0] = h->u_count;
    seen[1] = csr_read(CSR_UIP);
    uipi_activate();
    seen[2] = h->u_count;
    return 0;
}

TEST(UINTC0018, 1, "no delivery while inactive; ACTIVATE with bits still pending delivers at once")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    receive_here();
    uist[0] = uiste(true, 1, RX(me));
    uist[1] = uiste(true, 62, RX(me));
    suist_use(1);
    run_user(u_inactive_then_activate, 0);
    CHECK_EQ(seen[0], 0);
    CHECK_EQ(seen[1], 0);
    CHECK_EQ(seen[2], 1);
    CHECK_EQ(h->u_pending, 1ul << 1 | 1ul << 62);
}

static long u_idle(long unused)
{
    (void)unused;
    for (volatile int i = 0; i < 1000; i++)
        ;
    seen[0] = this_hart()->u_count;
    seen[1] = csr_read(CSR_UIP);
    return 0;
}

static long read_sip(long unused)
{
    (void)unused;
    return (long)csr_read(sip);
}

TEST(UINTC0019, 1, "only the entry's hart is interrupted; switching it in (hartid, Active) delivers")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    unsigned long other = n_harts > 1 ? other_hart(0) : NOBODY;
    receive_here();
    recv_set(RX(me), other, true);  // the thread "runs" elsewhere
    *uintc_reg(RX(me), UINTC_HIGH) = 1ul << 3;
    run_user(u_idle, 0);
    CHECK_EQ(seen[0], 0);
    CHECK_EQ(seen[1], 0);
    if (n_harts > 1)  // the other hart's line is the one that is up
        CHECK_EQ((unsigned long)hart_call(other, read_sip, 0) & MIP_USIP, MIP_USIP);
    // What a kernel does when it switches the receiver in on this hart.
    recv_set(RX(me), me, true);
    run_user(u_idle, 0);
    CHECK_EQ(h->u_count, 1);
    CHECK_EQ(h->u_pending, 1ul << 3);
    if (n_harts > 1)
        CHECK_EQ((unsigned long)hart_call(other, read_sip, 0) & MIP_USIP, 0);
}

TEST(UINTC0020, 1, "USIP set by S-mode software (sip) reaches the U handler; uip.USIP clears it")
{
    struct hart *h = this_hart();
    csr_set(CSR_SIDELEG, MIP_USIP);
    csr_set(CSR_UIE, MIP_USIP);
    csr_set(CSR_USTATUS, USTATUS_UIE);
    csr_set(sip, MIP_USIP);
    run_user(u_idle, 0);
    CHECK_EQ(h->u_count, 1);
    CHECK_EQ(h->u_cause, CAUSE_INTR | IRQ_USI);
    CHECK_EQ(h->u_pending, 0);
    CHECK_EQ(csr_read(sip) & MIP_USIP, 0);
}

// First entry: read the pending bits (the UINTC line drops) but keep the software bit;
// second entry: clear the software bit.
static void hook_line_then_software(struct hart *h, unsigned long cause)
{
    (void)cause;
    if (h->u_count == 1) {
        h->u_pending |= uipi_read();
        seen[3] = csr_read(CSR_UIP);
    } else {
        csr_clear(CSR_UIP, MIP_USIP);
    }
}

TEST(UINTC0021, 1, "software USIP and the UINTC line are ORed: neither clears the other")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    recv_set(RX(me), me, true);
    suirs_use(RX(me));
    // A software write of 0 does not drop the device's request...
    *uintc_reg(RX(me), UINTC_SEND) = 4;
    CHECK_EQ(csr_read(sip) & MIP_USIP, MIP_USIP);
    csr_clear(sip, MIP_USIP);
    CHECK_EQ(csr_read(sip) & MIP_USIP, MIP_USIP);
    CHECK_EQ(recv_take(RX(me)), 1ul << 4);
    CHECK_EQ(csr_read(sip) & MIP_USIP, 0);
    // ...and the line going down does not drop the software bit.
    csr_set(sip, MIP_USIP);
    *uintc_reg(RX(me), UINTC_SEND) = 4;
    CHECK_EQ(recv_take(RX(me)), 1ul << 4);
    CHECK_EQ(csr_read(sip) & MIP_USIP, MIP_USIP);
    // Both at once in U mode: the handler runs until both are gone.
    *uintc_reg(RX(me), UINTC_SEND) = 6;
    receive_here();
    h->u_hook = hook_line_then_software;
    run_user(u_idle, 0);
    CHECK_EQ(h->u_count, 2);
    CHECK_EQ(h->u_pending, 1ul << 6);
    CHECK_EQ(seen[3] & MIP_USIP, MIP_USIP);  // after the read: the software bit
    CHECK_EQ(csr_read(sip) & MIP_USIP, 0);
}

static void hook_log(struct hart *h, unsigned long cause)
{
    (void)cause;
    unsigned long bits = uipi_read();
    if (h->u_count <= 8)
        seen[h->u_count - 1] = bits;
    h->u_pending |= bits;
}

static long u_send_four(long unused)
{
    (void)unused;
    for (unsigned long i = 0; i < 4; i++)
        uipi_send(i);
    return 0;
}

TEST(UINTC0022, 1, "vectors 0, 31, 32 and 63 are each delivered and read back exactly")
{
    static const unsigned vec[4] = {0, 31, 32, 63};
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    receive_here();
    h->u_hook = hook_log;
    for (unsigned i = 0; i < 4; i++)
        uist[i] = uiste(true, vec[i], RX(me));
    suist_use(1);
    run_user(u_send_four, 0);
    CHECK_EQ(h->u_count, 4);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(seen[i], 1ul << vec[i]);
}

static volatile unsigned long nested[4];

// Sends another interrupt from inside the handler: with UIE clear it must wait.
static void hook_send_inside(struct hart *h, unsigned long cause)
{
    (void)cause;
    h->u_pending |= uipi_read();
    if (h->u_count == 1) {
        uipi_send(1);
        nested[0] = h->u_count;
        nested[1] = csr_read(CSR_UIP);
    }
}

static long u_masked_send(long unused)
{
    (void)unused;
    struct hart *h = this_hart();
    csr_clear(CSR_USTATUS, USTATUS_UIE);
    uipi_send(0);
    nested[2] = h->u_count;
    nested[3] = csr_read(CSR_UIP);
    __asm__ volatile("csrsi 0x000, 1\n1: lla %0, 1b" : "=r"(seen[0]) : : "memory");
    seen[1] = h->u_count;
    return 0;
}

TEST(UINTC0025, 1, "with UIE clear (masked, or inside the handler) the interrupt waits until UIE is set")
{
    unsigned long me = this_hart()->hartid;
    struct hart *h = this_hart();
    receive_here();
    h->u_hook = hook_send_inside;
    uist[0] = uiste(true, 7, RX(me));
    uist[1] = uiste(true, 8, RX(me));
    suist_use(1);
    run_user(u_masked_send, 0);
    CHECK_EQ(nested[2], 0);                    // held while ustatus.UIE = 0...
    CHECK_EQ(nested[3] & MIP_USIP, MIP_USIP);  // ...and visible in uip
    CHECK_EQ(seen[1], 2);                      // taken once UIE was set
    CHECK_EQ(nested[0], 1);                    // the nested send waited for uret
    CHECK_EQ(nested[1] & MIP_USIP, MIP_USIP);
    CHECK_EQ(h->u_count, 2);
    CHECK_EQ(h->u_epc, seen[0]);               // the second entry: right after the
    CHECK_EQ(h->u_pending, 1ul << 7 | 1ul << 8);  // first handler's uret
}
