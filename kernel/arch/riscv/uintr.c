// User-interrupt state of threads (docs/unotify.md, "Thread state"). ustatus needs no
// code: its bits (UIE, UPIE) are part of sstatus, which trap entry saves for every
// thread. The rest is switched here, eagerly, whenever a hart changes from or to a
// thread that takes part in U-notification (has a receiver entry or a sender table):
// utvec, uscratch, uepc, ucause, utval, the USIE bit of sie (uie), the software USIP
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
#include "printf.h"

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

// The uipi instructions on the entry suirs names (uintr.md): the kernel uses
// DEACTIVATE on the leaving thread's entry, which needs no address and no test (with
// suirs off it does nothing).
static inline void uipi_deactivate(void)
{
    asm volatile(".insn r 0x7b, 6, 4, x0, x0, x0" : : : "memory");
}
// ACTIVATE sets the entry's active bit and leaves its hart id: the notification
// fastpath's switch uses it on an entry that already names this hart (uintr_aimed).
static inline void uipi_activate(void)
{
    asm volatile(".insn r 0x7b, 6, 3, x0, x0, x0" : : : "memory");
}

// Swaps a U-level CSR: the old thread's value out, the new one's in, one instruction.
#define ucsr_swap(c, v) csr_swap(c, v)

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

// Save and load in one pass: each scratch CSR is swapped (csrrw), the U bits of sie
// and the software USIP bit are read and cleared (csrrc) and then set to the new
// thread's, so that no value of the old thread stays behind (next NULL or taking no
// part gets them all empty). `aimed`: next's receiver entry, if it has one, already
// names this hart (uintr_aimed), so ACTIVATE alone turns it on; otherwise its LOW
// word is written with this hart's id.
static inline void switch_state(struct hart *h, struct tcb *next, bool aimed)
{
    static const struct tcb_uintr none;
    struct tcb *old = h->uintr_owner;
    bool part = next && next->uintr.any;
    const struct tcb_uintr *n = part ? &next->uintr : &none;
    if (old) {
        struct tcb_uintr *o = &old->uintr;
        // Off the hart first: then sip.USIP shows the software bit alone. suirs still
        // names old's entry (it changes only with the hart's owner, or after
        // uintr_forget), or is off when old has none.
        uipi_deactivate();
        o->utvec = ucsr_swap(CSR_UTVEC, n->utvec);
        o->uscratch = ucsr_swap(CSR_USCRATCH, n->uscratch);
        o->uepc = ucsr_swap(CSR_UEPC, n->uepc);
        o->ucause = ucsr_swap(CSR_UCAUSE, n->ucause);
        o->utval = ucsr_swap(CSR_UTVAL, n->utval);
        o->uie = csr_read_clear(sie, SIE_USIE) & SIE_USIE;
        o->usip = csr_read_clear(sip, SIP_USIP) & SIP_USIP;
    } else {
        // Nobody's: whatever a thread that takes no part may have left there goes.
        ucsr_write(CSR_UTVEC, n->utvec);
        ucsr_write(CSR_USCRATCH, n->uscratch);
        ucsr_write(CSR_UEPC, n->uepc);
        ucsr_write(CSR_UCAUSE, n->ucause);
        ucsr_write(CSR_UTVAL, n->utval);
        csr_clear(sie, SIE_USIE);
        csr_clear(sip, SIP_USIP);
    }
    csr_set(sie, n->uie);
    csr_set(sip, n->usip);
    ucsr_write(CSR_SIDELEG, n->sideleg);
    ucsr_write(CSR_SUIST, n->suist);
    ucsr_write(CSR_SUIRS, n->suirs);
    if (aimed) {
        assert(!n->rx_regs || (n->rx_regs[UINTC_LOW / 8] | UINTC_LOW_ACTIVE) == h->uintc_active);
        uipi_activate();  // with suirs off (no entry) it does nothing
    } else if (n->rx_regs) {
        uintc_entry_activate(n->rx_regs, h->uintc_active);
    }
    h->uintr_owner = part ? next : NULL;
}

void uintr_switch_slow(struct hart *h, struct tcb *next)
{
    switch_state(h, next, false);
}

void uintr_switch_aimed(struct hart *h, struct tcb *next)
{
    switch_state(h, next, true);
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
