// The UINTC, the user-interrupt controller (uintr.md): receiver entries the kernel
// hands out and programs. Entry i has a pending word that `uipi send` and the kernel
// set bits in, and an active bit with a hart id: while active with pending bits it
// raises that hart's USIP line.
#pragma once
#include "types.h"
#include "fdt.h"

#define UINTC_ENTRY_SIZE 32
#define UINTC_SEND   0x00  // write: pending |= 1 << vector
#define UINTC_LOW    0x08  // active bit 0, mode bit 1 (64-bit), hart id bits 31:16
#define UINTC_HIGH   0x10  // read: pending, cleared by the read; write: OR into pending
#define UINTC_ACTIVE 0x18  // write: active bit 0
#define UINTC_LOW_ACTIVE 1ul
#define UINTC_LOW_MODE64 2ul
#define UINTC_MAX_ENTRIES 512

struct uintc {
    paddr_t base;
    unsigned entries;  // 0: no UINTC (or no N extension): U-notification is refused
};
extern struct uintc uintc;

void uintc_init(const struct fdt_info *fdt);

static inline bool uintc_present(void) { return uintc.entries != 0; }

// Entry idx's registers. A thread with an entry keeps this address (struct
// tcb_uintr's rx_regs), so that its switches and the notification fastpath reach the
// entry with no address arithmetic.
volatile uint64_t *uintc_entry(unsigned idx);

// The entry's pending bits, cleared: they are consumed by whoever reads them.
static inline word_t uintc_entry_take(volatile uint64_t *e)
{
    return e[UINTC_HIGH / 8];
}
// What makes an entry active on the hart with SBI/DT id hartid (64-bit mode); each
// hart keeps its own (struct hart's uintc_active).
static inline word_t uintc_active_word(word_t hartid)
{
    return hartid << 16 | UINTC_LOW_MODE64 | UINTC_LOW_ACTIVE;
}
// Active with such a word, or inactive: its pending bits then only accumulate.
static inline void uintc_entry_activate(volatile uint64_t *e, word_t active_word)
{
    e[UINTC_LOW / 8] = active_word;
}
static inline void uintc_entry_deactivate(volatile uint64_t *e)
{
    e[UINTC_ACTIVE / 8] = 0;
}

static inline word_t uintc_take(unsigned idx)
{
    return uintc_entry_take(uintc_entry(idx));
}
void uintc_or(unsigned idx, word_t bits);
// A free entry: inactive, nothing pending.
void uintc_reset(unsigned idx);
