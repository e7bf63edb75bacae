// Bare-metal tests of the project's QEMU model of user interrupts (uintr.md): S-mode
// code entered by OpenSBI, U-mode code it runs, no kernel. Physical addressing
// throughout (satp = Bare); OpenSBI's PMP lets S and U reach all RAM and devices.
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define MAX_HARTS 8

// --- CSRs (uintr.md; N extension of the privileged spec v1.11 draft) ---------------
#define CSR_USTATUS  0x000
#define CSR_UIE      0x004
#define CSR_UTVEC    0x005
#define CSR_USCRATCH 0x040
#define CSR_UEPC     0x041
#define CSR_UCAUSE   0x042
#define CSR_UTVAL    0x043
#define CSR_UIP      0x044
#define CSR_SEDELEG  0x102
#define CSR_SIDELEG  0x103
#define CSR_SUIST    0x1B0
#define CSR_SUIRS    0x1B1
#define CSR_SUICFG   0x1B2

#define USTATUS_UIE  0x1ul
#define USTATUS_UPIE 0x10ul
#define SSTATUS_SIE  0x2ul
#define SSTATUS_SPP  0x100ul
#define SSTATUS_UXL_SHIFT 32
#define IRQ_USI 0
#define IRQ_SSI 1
#define IRQ_UTI 4
#define IRQ_UEI 8
#define MIP_USIP (1ul << IRQ_USI)
#define MIP_SSIP (1ul << IRQ_SSI)
#define MIP_UTIP (1ul << IRQ_UTI)
#define MIP_UEIP (1ul << IRQ_UEI)
#define U_INTS   (MIP_USIP | MIP_UTIP | MIP_UEIP)
#define CAUSE_INTR (1ul << 63)
#define EXC_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_ACCESS 7
#define EXC_U_ECALL 8

#define SUIST_ENABLE (1ul << 63)
#define SUIST_SIZE_SHIFT 44
#define SUIRS_ENABLE (1ul << 63)

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(c) ({ unsigned long v_; \
    __asm__ volatile("csrr %0, " STR(c) : "=r"(v_) : : "memory"); v_; })
#define csr_write(c, v) __asm__ volatile("csrw " STR(c) ", %0" : : "r"((unsigned long)(v)) : "memory")
#define csr_set(c, v) __asm__ volatile("csrs " STR(c) ", %0" : : "r"((unsigned long)(v)) : "memory")
#define csr_clear(c, v) __asm__ volatile("csrc " STR(c) ", %0" : : "r"((unsigned long)(v)) : "memory")

// --- uipi (uintr.md: R-type, custom-3, funct3 110, funct7 selects the operation) ---
static inline void uipi_send(unsigned long index)
{
    __asm__ volatile(".insn r 0x7b, 6, 0, x0, %0, x0" : : "r"(index) : "memory");
}
static inline unsigned long uipi_read(void)
{
    unsigned long v;
    __asm__ volatile(".insn r 0x7b, 6, 1, %0, x0, x0" : "=r"(v) : : "memory");
    return v;
}
static inline void uipi_write(unsigned long bits)
{
    __asm__ volatile(".insn r 0x7b, 6, 2, x0, %0, x0" : : "r"(bits) : "memory");
}
static inline void uipi_activate(void)
{
    __asm__ volatile(".insn r 0x7b, 6, 3, x0, x0, x0" : : : "memory");
}
static inline void uipi_deactivate(void)
{
    __asm__ volatile(".insn r 0x7b, 6, 4, x0, x0, x0" : : : "memory");
}
// SEND, and the address of the next instruction (where a user interrupt that the send
// raises on this hart must be taken: uepc).
static inline unsigned long uipi_send_at(unsigned long index)
{
    unsigned long next;
    __asm__ volatile(".insn r 0x7b, 6, 0, x0, %1, x0\n1: lla %0, 1b"
                     : "=&r"(next) : "r"(index) : "memory");
    return next;
}

static inline unsigned long rdtime(void)
{
    return csr_read(time);
}

// --- per-hart state ------------------------------------------------------------------
// What the trap handlers record, and the remote-call mailbox of a secondary hart.
struct hart {
    unsigned long ssp;  // S stack while the hart runs U code (head.S: offset 0)
    unsigned long hartid;
    volatile int alive;
    // probe(): a trap expected from the next instruction is recorded and skipped
    volatile int probing, probe_hit;
    volatile unsigned long probe_cause, probe_tval;
    // interrupts taken in S mode (the handler clears the cause's sie bit)
    volatile unsigned long s_irq_count, s_irq_cause, s_irq_from_user;
    // traps taken in U mode (u_trap)
    volatile unsigned long u_count, u_cause, u_epc, u_tval, u_status, u_uip, u_entry;
    volatile unsigned long u_pending;         // what the default handler read
    void (*volatile u_hook)(struct hart *h, unsigned long cause);
    volatile unsigned long u_ready;           // U code is waiting (cross-hart tests)
    volatile unsigned long unexpected, unexpected_cause, unexpected_epc, unexpected_tval;
    // remote calls (hart.c)
    long (*volatile call_fn)(long);
    volatile long call_arg, call_ret;
    volatile unsigned long call_seq, done_seq;
    uint8_t ustack[8192] __attribute__((aligned(16)));
};

extern struct hart harts[MAX_HARTS];
static inline struct hart *this_hart(void)
{
    struct hart *h;
    __asm__ volatile("mv %0, tp" : "=r"(h));
    return h;
}

// --- the machine, from the DTB -----------------------------------------------------
extern unsigned long boot_hartid;
extern unsigned long hart_ids[MAX_HARTS];  // DT order, boot hart included
extern int n_harts;                        // harts running the tests
extern unsigned long timebase_hz;
extern uintptr_t uintc_base;               // 0 if the DTB has no riscv,uintc0 node
extern uint64_t uintc_size;
unsigned long timeout_ticks(void);         // what a wait may take (2 s)

// --- tests ---------------------------------------------------------------------------
struct test {
    const char *id;    // UINTC0001...
    const char *desc;
    int min_harts;     // fewer harts booted: reported ok with a SKIP directive
    void (*fn)(void);
};
// Self-registration into the .uintc_tests section, kept sorted by ID (uintc.ld).
#define TEST(id_, harts_, desc_)                                                    \
    static void id_##_fn(void);                                                    \
    static const struct test id_##_test                                            \
        __attribute__((used, section(".uintc_tests." #id_), aligned(8))) = {       \
            #id_, desc_, harts_, id_##_fn};                                        \
    static void id_##_fn(void)

// A failed check prints a diagnostic ("# ..."); the test fails if any check did.
extern int checks_failed;
void check_failed(const char *file, int line, const char *what);
#define CHECK(c) ((c) ? true : (check_failed(__FILE__, __LINE__, #c), false))
#define CHECK_EQ(a, b) check_eq(__FILE__, __LINE__, #a, (unsigned long)(a), (unsigned long)(b))
bool check_eq(const char *file, int line, const char *what, unsigned long got,
              unsigned long want);

// Before each test: reset_records() forgets what the trap handlers recorded on every
// hart; reset_machine_state(), supplied by each image, brings CSRs and devices back to
// the state every test starts from.
void reset_records(void);
void reset_machine_state(void);

// --- console (boot hart only) and SBI -----------------------------------------------
void pr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sbi_putchar(int c);
long sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque);
void sbi_send_ipi(unsigned long hartid);
__attribute__((noreturn)) void sbi_shutdown(void);

// --- running code elsewhere -----------------------------------------------------------
// Runs fn(arg) in U mode on this hart; returns its result, or -1 if it trapped to S
// unexpectedly (recorded in struct hart).
long run_user(long (*fn)(long), long arg);
// The same, entering U mode with uret executed in S mode.
long run_user_by_uret(long (*fn)(long), long arg);
// Traps from the next instruction(s) are recorded and skipped until probe_end(), which
// returns the cause of the last one, or NO_TRAP.
#define NO_TRAP (~0ul)
void probe_begin(void);
unsigned long probe_end(void);
// Remote calls: fn(arg) runs in S mode on another hart.
void hart_call_start(unsigned long hartid, long (*fn)(long), long arg);
bool hart_call_wait(unsigned long hartid, long *ret);  // false on timeout
long hart_call(unsigned long hartid, long (*fn)(long), long arg);
struct hart *hart_of(unsigned long hartid);
// The n-th hart other than the boot hart.
unsigned long other_hart(int n);
