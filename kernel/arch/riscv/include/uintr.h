// Per-thread user-interrupt state (the N extension's U-level CSRs, suist, suirs,
// sideleg) switched with the thread that runs on a hart.
#pragma once
#include "hart.h"
#include "tcb.h"

// The U-level CSRs (uintr.md); the assembler no longer knows their names.
#define CSR_UTVEC    0x005
#define CSR_USCRATCH 0x040
#define CSR_UEPC     0x041
#define CSR_UCAUSE   0x042
#define CSR_UTVAL    0x043
#define CSR_SIDELEG  0x103
#define CSR_SUIST    0x1B0
#define CSR_SUIRS    0x1B1
#define CSR_SUICFG   0x1B2
#define SIP_USIP     BIT(0)
#define U_INTS       (BIT(0) | BIT(4) | BIT(8))
// The one U bit of sie a thread can set, so the one the switch saves and clears:
// uie shows a thread only the interrupts sideleg delegates, and sideleg is USIP or
// nothing (uintr.md; the kernel never sets UTIE or UEIE itself). A 5-bit immediate.
#define SIE_USIE     BIT(0)
// csr_read/csr_write with a CSR named by one of the numbers above (expanded first).
#define ucsr_read(c)     csr_read(c)
#define ucsr_write(c, v) csr_write(c, v)

void uintr_init_hart(void);
// t's rx or st changed: recomputes what a switch to t writes (struct tcb_uintr).
void uintr_derive(struct tcb *t);
// Debug builds, for the invariant checker: whether those values match rx and st.
bool uintr_derived_ok(const struct tcb *t);
// Out of line (also in the flattened Call fastpath): its saves and loads would
// otherwise give that fastpath a stack frame.
NOINLINE void uintr_switch_slow(struct hart *h, struct tcb *next);
// The same work for a next whose receiver entry already names this hart
// (uintr_aimed), for the notification fastpath to inline (with LTO): its Signal and
// Wait always switch between threads that take part and have a frame anyway.
void uintr_switch_aimed(struct hart *h, struct tcb *next);
// Saves what the hart holds into its owner and leaves the CSRs empty: the owner is
// about to run elsewhere, be stalled or change its registration.
void uintr_flush(struct hart *h);
// t's registration changed or t is going away: no hart may keep using its old CSRs.
void uintr_forget(struct tcb *t);

// On the way to user mode: next (NULL: the hart goes idle) gets its own user-interrupt
// state. Threads that take no part in U-notification, the common case, cost a test.
static inline void uintr_switch(struct hart *h, struct tcb *next)
{
    if (unlikely(h->uintr_owner != next && (h->uintr_owner || (next && next->uintr.any))))
        uintr_switch_slow(h, next);
}

// The notification fastpath's form: the same test, the switch inlined, for a next
// whose cached VSpace holds (vs_cache_valid_any), so whose entry names this hart.
static inline void uintr_switch_inline(struct hart *h, struct tcb *next)
{
    if (unlikely(h->uintr_owner != next && (h->uintr_owner || (next && next->uintr.any))))
        uintr_switch_aimed(h, next);
}

// The Call fastpath's form. It never switches to a thread that takes part (such a thread's
// cached VSpace never matches: uintr_poison), and the hart's owner is the thread
// leaving if that one takes part, else nobody: one test covers both.
static inline void uintr_switch_fast(struct hart *h, struct tcb *next)
{
    if (unlikely(h->uintr_owner != NULL))
        uintr_switch_slow(h, next);
}

// Set in a cached VSpace's epoch (struct tcb's vs_cache) while the thread takes part:
// the Call/ReplyRecv fastpath's compare with asid_epoch then fails, and the
// notification fastpath (fastpath_signal.c), which switches the user-interrupt state
// in full, masks the bit off and still trusts the rest of the cache.
#define VS_CACHE_TAKES_PART BIT(63)

// A thread's receiver entry names the hart it last ran on (its LOW word, written by
// the slow path's switch, uintr_switch_slow); the notification fastpath's switch only
// ACTIVATEs it. The fastpath switches only to a thread of its own hart whose cached
// VSpace holds, and that cache is filled on the slow path's way to user mode, just
// before its switch: so the cache is dropped whenever the entry may name another
// hart, when the thread gets a new entry (uintr_poison) or moves (tcb_migrate), and
// the next switch to it is the slow path's. The invariant checker holds the rule.
static inline void uintr_unaim(struct tcb *t)
{
    t->vs_cache.epoch &= VS_CACHE_TAKES_PART;  // epoch 0 never matches asid_epoch
}

// t now takes part: the Call/ReplyRecv fastpath must not switch to it (its check of
// the cached VSpace fails until the slow path refills the cache, which keeps the bit),
// and its entry (if new) names no hart yet (uintr_unaim).
static inline void uintr_poison(struct tcb *t)
{
    t->vs_cache.epoch = VS_CACHE_TAKES_PART;
}
