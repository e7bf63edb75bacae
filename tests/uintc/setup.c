// Support for the tests of the "n=on" image (setup.h) and the state every test of that
// image starts from.
#include "setup.h"

uint64_t uist[UIST_PAGES * 512] __attribute__((aligned(4096)));

void suist_use(unsigned long pages)
{
    csr_write(CSR_SUIST, SUIST_ENABLE | pages << SUIST_SIZE_SHIFT | (uintptr_t)uist >> 12);
}

void suirs_use(unsigned idx)
{
    csr_write(CSR_SUIRS, SUIRS_ENABLE | idx);
}

void receive_here(void)
{
    unsigned long id = this_hart()->hartid;
    suirs_use(RX(id));
    recv_set(RX(id), id, true);
    csr_set(CSR_SIDELEG, MIP_USIP);
    csr_set(CSR_UIE, MIP_USIP);
    csr_write(CSR_UTVEC, (uintptr_t)u_vector);
    csr_set(CSR_USTATUS, USTATUS_UIE);
}

bool wait_for(volatile unsigned long *p, unsigned long want)
{
    unsigned long deadline = rdtime() + timeout_ticks();
    while (*p < want)
        if (rdtime() > deadline)
            return false;
    return true;
}

// Every N CSR to its reset value, except utvec (the default handler) and suicfg (the
// UINTC); no U-level interrupt delegated, enabled or pending in software; XLEN 64 in U.
static long reset_hart(long unused)
{
    (void)unused;
    csr_write(CSR_SIDELEG, U_INTS);
    csr_write(CSR_UIE, 0);
    csr_clear(CSR_UIP, MIP_USIP);
    csr_write(CSR_SIDELEG, 0);
    csr_write(CSR_SEDELEG, 0);
    csr_clear(sie, U_INTS);
    csr_clear(sip, MIP_USIP | MIP_UEIP);
    csr_write(CSR_USTATUS, 0);
    csr_write(CSR_UTVEC, (uintptr_t)u_vector);
    csr_write(CSR_USCRATCH, 0);
    csr_write(CSR_UEPC, 0);
    csr_write(CSR_UCAUSE, 0);
    csr_write(CSR_UTVAL, 0);
    csr_write(CSR_SUIST, 0);
    csr_write(CSR_SUIRS, 0);
    csr_write(CSR_SUICFG, uintc_base);
    unsigned long s = csr_read(sstatus);
    csr_write(sstatus, (s & ~(3ul << SSTATUS_UXL_SHIFT)) | 2ul << SSTATUS_UXL_SHIFT);
    return 0;
}

void reset_machine_state(void)
{
    for (int i = 0; i < n_harts; i++) {
        if (hart_ids[i] == boot_hartid)
            reset_hart(0);
        else
            hart_call(hart_ids[i], reset_hart, 0);
    }
    for (unsigned i = 0; uintc_base && i < UINTC_ENTRIES; i++) {
        *uintc_reg(i, UINTC_LOW) = 0;
        (void)recv_take(i);
    }
    for (unsigned i = 0; i < UIST_PAGES * 512; i++)
        uist[i] = 0;
}
