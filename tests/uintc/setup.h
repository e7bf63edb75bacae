// What the tests of the "n=on" image share: the UINTC seen from S mode, the sender
// status table, and setting a hart up as a receiver (what a kernel does, uintr.md).
#pragma once
#include "test.h"

// UINTC receiver entry i at base + 32 * i (uintr.md)
#define UINTC_ENTRIES 512
#define UINTC_SEND    0x00
#define UINTC_LOW     0x08
#define UINTC_HIGH    0x10
#define UINTC_ACTIVE  0x18
#define LOW_ACTIVE    0x1ul
#define LOW_MODE64    0x2ul
#define LOW_HARTID(h) ((unsigned long)(h) << 16)

static inline volatile uint64_t *uintc_reg(unsigned idx, unsigned reg)
{
    return (volatile uint64_t *)(uintc_base + idx * 32ul + reg);
}
static inline volatile uint32_t *uintc_reg32(unsigned idx, unsigned reg)
{
    return (volatile uint32_t *)(uintc_base + idx * 32ul + reg);
}
// LOW: hartid, mode (64-bit), active.
static inline void recv_set(unsigned idx, unsigned long hartid, bool active)
{
    *uintc_reg(idx, UINTC_LOW) = LOW_HARTID(hartid) | LOW_MODE64 | (active ? LOW_ACTIVE : 0);
}
// HIGH: the pending bits; reading clears them.
static inline uint64_t recv_take(unsigned idx)
{
    return *uintc_reg(idx, UINTC_HIGH);
}

// The receiver entry a hart uses in the tests.
#define RX(hartid) (16 + (unsigned)(hartid))

// Sender status table: two pages (uintr.md: 8-byte entries, valid bit 0, vector bits
// 31:16, receiver index bits 63:48).
#define UIST_PAGES 2
extern uint64_t uist[UIST_PAGES * 512];
static inline uint64_t uiste(bool valid, unsigned long vector, unsigned long recv)
{
    return (valid ? 1ul : 0) | (vector & 0xffff) << 16 | (recv & 0xffff) << 48;
}
// suist: enabled, Size pages, the table's PPN.
void suist_use(unsigned long pages);
// suirs: enabled, receiver entry idx.
void suirs_use(unsigned idx);

// Makes this hart take user software interrupts in U mode (sideleg, uie, utvec,
// ustatus.UIE) with its receiver entry RX(hartid) active on it.
void receive_here(void);
// Waits (bounded) until *p >= want; false on timeout.
bool wait_for(volatile unsigned long *p, unsigned long want);

void u_vector(void);
void u_vector_table(void);
