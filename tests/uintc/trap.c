// Trap handling of the test program: S-mode traps (head.S s_trap_vector) and U-mode
// traps (head.S u_vector, running in U mode).
#include "test.h"

struct frame {
    unsigned long x[32];
    unsigned long sepc, sstatus, scause, stval;
};
_Static_assert(sizeof(struct frame) == 288, "head.S FRAME");
_Static_assert(offsetof(struct hart, ssp) == 0, "head.S uses 0(tp)");

long run_user_asm(long (*fn)(long), long arg, unsigned long user_sp, long by_uret);
int s_trap(struct frame *f);
void u_trap(unsigned long slot);

static unsigned long insn_len(unsigned long pc)
{
    return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

long run_user(long (*fn)(long), long arg)
{
    struct hart *h = this_hart();
    return run_user_asm(fn, arg, (unsigned long)h->ustack + sizeof(h->ustack), 0);
}

long run_user_by_uret(long (*fn)(long), long arg)
{
    struct hart *h = this_hart();
    return run_user_asm(fn, arg, (unsigned long)h->ustack + sizeof(h->ustack), 1);
}

void probe_begin(void)
{
    struct hart *h = this_hart();
    h->probe_hit = 0;
    h->probe_cause = NO_TRAP;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    h->probing = 1;
}

unsigned long probe_end(void)
{
    struct hart *h = this_hart();
    h->probing = 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return h->probe_hit ? h->probe_cause : NO_TRAP;
}

// Returns 1 when the U code has ended (its ecall, or a trap nobody expected).
int s_trap(struct frame *f)
{
    struct hart *h = this_hart();
    bool from_user = !(f->sstatus & SSTATUS_SPP);

    if (f->scause & CAUSE_INTR) {
        unsigned long irq = f->scause & ~CAUSE_INTR;
        h->s_irq_count++;
        h->s_irq_cause = f->scause;
        h->s_irq_from_user = from_user;
        // A level source stays pending: mask it; the test looks at the record.
        csr_clear(sie, 1ul << irq);
        return 0;
    }
    if (h->probing) {
        h->probe_hit = 1;
        h->probe_cause = f->scause;
        h->probe_tval = f->stval;
        f->sepc += insn_len(f->sepc);
        return 0;
    }
    if (from_user && f->scause == EXC_U_ECALL)
        return 1;
    h->unexpected++;
    h->unexpected_cause = f->scause;
    h->unexpected_epc = f->sepc;
    h->unexpected_tval = f->stval;
    if (from_user) {
        f->x[10] = (unsigned long)-1;
        return 1;
    }
    // An S-mode fault is a bug in this program: stop, loudly.
    if (h->hartid == boot_hartid) {
        pr("# unexpected S-mode trap: scause %lx sepc %lx stval %lx\n", f->scause, f->sepc,
           f->stval);
        pr("Bail out! S-mode fault\n");
        sbi_shutdown();
    }
    for (;;)
        __asm__ volatile("wfi");
}

// The default U-mode handler: record the trap, then quiet its source so that a level
// interrupt does not come straight back: USIP by reading the pending bits (uipi READ
// lowers the UINTC line) and clearing the software bit; other interrupts by clearing
// their uie bit; an exception by stepping over the instruction.
void u_trap(unsigned long slot)
{
    struct hart *h = this_hart();
    unsigned long cause = csr_read(CSR_UCAUSE);

    h->u_cause = cause;
    h->u_epc = csr_read(CSR_UEPC);
    h->u_tval = csr_read(CSR_UTVAL);
    h->u_status = csr_read(CSR_USTATUS);
    h->u_uip = csr_read(CSR_UIP);
    h->u_entry = slot;
    h->u_count++;
    // A source that never goes quiet (a model bug) must fail the test, not hang it.
    if (h->u_count > 1000) {
        csr_write(CSR_UIE, 0);
        csr_write(CSR_UEPC, h->u_epc);
        return;
    }
    if (h->u_hook) {
        h->u_hook(h, cause);
        return;
    }
    if (cause & CAUSE_INTR) {
        unsigned long irq = cause & ~CAUSE_INTR;
        if (irq == IRQ_USI) {
            h->u_pending |= uipi_read();
            csr_clear(CSR_UIP, MIP_USIP);
        } else {
            csr_clear(CSR_UIE, 1ul << irq);
        }
    } else {
        csr_write(CSR_UEPC, h->u_epc + insn_len(h->u_epc));
    }
}
