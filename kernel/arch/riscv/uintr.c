// User-interrupt state of threads (docs/unotify.md, "Thread state"). ustatus needs no
// code: its bits (UIE, UPIE) are part of sstatus, which trap entry saves for every
// thread. The rest is switched here, eagerly, whenever a hart changes from or to a
// thread that takes part in U-notification (has a receiver entry or a sender table):
// utvec, uscratch, uepc, ucause, utval, the U bits of sie (uie), the software USIP
// bit, and the pointers the uipi instructions use (suirs, suist, sideleg).
//
// A receiver's entry is active, aimed at this hart, exactly while its thread runs
// here: when it leaves, the entry is deactivated and its pending bits accumulate
// until it runs again, on whichever hart (activating it then raises USIP at once if
// bits came meanwhile: the line is level-triggered).
#include "uintr.h"
#include "uintc.h"
#include "unotify.h"
#include "csr.h"
#include "smp.h"

void uintr_init_hart(void)
{
    if (!uintc_present())
        return;
    this_hart()->uintc_active = uintc_active_word(this_hart()->hartid);
    ucsr_write(CSR_SUICFG, uintc.base);
    ucsr_write(CSR_SIDELEG, 0);
    ucsr_write(CSR_SUIST, 0);
    ucsr_write(CSR_SUIRS, 0);
    csr_clear(sie, U_INTS);
}

static void save(struct tcb *t)
{
    struct tcb_uintr *u = &t->uintr;
    // Off the hart first: then sip.USIP shows the software bit alone.
    if (u->rx_regs)
        uintc_entry_deactivate(u->rx_regs);
    u->utvec = ucsr_read(CSR_UTVEC);
    u->uscratch = ucsr_read(CSR_USCRATCH);
    u->uepc = ucsr_read(CSR_UEPC);
    u->ucause = ucsr_read(CSR_UCAUSE);
    u->utval = ucsr_read(CSR_UTVAL);
    // Read and cleared in one instruction each: load() then only sets the next
    // thread's bits.
    u->uie = csr_read_clear(sie, U_INTS) & U_INTS;
    u->usip = csr_read_clear(sip, SIP_USIP) & SIP_USIP;
}

// The CSRs of next, or all empty (next NULL or taking no part): the previous owner's
// values never reach another thread. The U bits of sie and USIP are clear on entry.
static void load(struct hart *h, struct tcb *next)
{
    static const struct tcb_uintr none;
    const struct tcb_uintr *u = next ? &next->uintr : &none;
    ucsr_write(CSR_UTVEC, u->utvec);
    ucsr_write(CSR_USCRATCH, u->uscratch);
    ucsr_write(CSR_UEPC, u->uepc);
    ucsr_write(CSR_UCAUSE, u->ucause);
    ucsr_write(CSR_UTVAL, u->utval);
    csr_set(sie, u->uie);
    csr_set(sip, u->usip);
    ucsr_write(CSR_SIDELEG, u->sideleg);
    ucsr_write(CSR_SUIST, u->suist);
    ucsr_write(CSR_SUIRS, u->suirs);
    if (u->rx_regs)
        uintc_entry_activate(u->rx_regs, h->uintc_active);
}

// What uintr_derive keeps, from rx and st alone.
static void derived(const struct tcb_uintr *u, word_t *sideleg, word_t *suirs, word_t *suist,
                    volatile uint64_t **rx_regs)
{
    // A receiver takes its user software interrupt in U mode; nobody else does.
    *sideleg = u->rx ? SIP_USIP : 0;
    *suirs = u->rx ? BIT(63) | (u->rx - 1) : 0;
    *suist = u->st ? unotify_suist(u->st - 1) : 0;
    *rx_regs = u->rx ? uintc_entry(u->rx - 1) : NULL;
}

void uintr_derive(struct tcb *t)
{
    struct tcb_uintr *u = &t->uintr;
    derived(u, &u->sideleg, &u->suirs, &u->suist, &u->rx_regs);
}

#ifdef CONFIG_DEBUG_BUILD
bool uintr_derived_ok(const struct tcb *t)
{
    const struct tcb_uintr *u = &t->uintr;
    word_t sideleg, suirs, suist;
    volatile uint64_t *rx_regs;
    derived(u, &sideleg, &suirs, &suist, &rx_regs);
    return sideleg == u->sideleg && suirs == u->suirs && suist == u->suist &&
           rx_regs == u->rx_regs;
}
#endif

void uintr_switch_slow(struct hart *h, struct tcb *next)
{
    uintr_switch_full(h, next);
}

void uintr_switch_full(struct hart *h, struct tcb *next)
{
    if (h->uintr_owner) {
        save(h->uintr_owner);
    } else {
        // Nobody's: whatever a thread that takes no part may have left there goes.
        csr_clear(sie, U_INTS);
        csr_clear(sip, SIP_USIP);
    }
    bool part = next && next->uintr.any;
    load(h, part ? next : NULL);
    h->uintr_owner = part ? next : NULL;
}

void uintr_flush(struct hart *h)
{
    if (h->uintr_owner)
        uintr_switch_slow(h, NULL);
}

void uintr_forget(struct tcb *t)
{
    // Other harts that hold t's CSRs give them up when stalled (smp_answer_stall).
    smp_stall(t);
    if (this_hart()->uintr_owner == t)
        uintr_flush(this_hart());
}
