// Secondary harts: started once through SBI HSM, they wait (wfi, woken by an SBI IPI)
// for remote calls from the boot hart and run them in S mode.
#include "test.h"

struct hart harts[MAX_HARTS];

void secondary_entry(void);
void secondary_main(unsigned long hartid);

struct hart *hart_of(unsigned long hartid)
{
    return &harts[hartid];
}

unsigned long other_hart(int n)
{
    for (int i = 0; i < n_harts; i++)
        if (hart_ids[i] != boot_hartid && n-- == 0)
            return hart_ids[i];
    return boot_hartid;
}

void secondary_main(unsigned long hartid)
{
    struct hart *h = &harts[hartid];
    __asm__ volatile("mv tp, %0" : : "r"(h));
    h->hartid = hartid;
    csr_write(scounteren, 7);
    // The IPI only has to end wfi: SSIE on, sstatus.SIE off, so it is never taken.
    csr_set(sie, MIP_SSIP);
    __atomic_store_n(&h->alive, 1, __ATOMIC_RELEASE);
    for (;;) {
        unsigned long seq = __atomic_load_n(&h->call_seq, __ATOMIC_ACQUIRE);
        if (seq == h->done_seq) {
            __asm__ volatile("wfi");
            csr_clear(sip, MIP_SSIP);
            continue;
        }
        h->call_ret = h->call_fn(h->call_arg);
        __atomic_store_n(&h->done_seq, seq, __ATOMIC_RELEASE);
    }
}

// Starts the harts named in the DTB (up to n_harts) and waits until they run.
void start_harts(void);
void start_harts(void)
{
    for (int i = 0; i < n_harts; i++) {
        unsigned long id = hart_ids[i];
        if (id == boot_hartid)
            continue;
        long err = sbi_hart_start(id, (unsigned long)secondary_entry, 0);
        if (err)
            pr("# hart %lu: SBI hart_start failed (%ld)\n", id, err);
    }
    unsigned long deadline = rdtime() + timeout_ticks();
    for (int i = 0; i < n_harts; i++) {
        struct hart *h = &harts[hart_ids[i]];
        if (hart_ids[i] == boot_hartid)
            continue;
        while (!__atomic_load_n(&h->alive, __ATOMIC_ACQUIRE) && rdtime() < deadline)
            ;
        if (!h->alive)
            pr("# hart %lu did not start\n", hart_ids[i]);
    }
}

void hart_call_start(unsigned long hartid, long (*fn)(long), long arg)
{
    struct hart *h = &harts[hartid];
    h->call_fn = fn;
    h->call_arg = arg;
    __atomic_store_n(&h->call_seq, h->call_seq + 1, __ATOMIC_RELEASE);
    sbi_send_ipi(hartid);
}

bool hart_call_wait(unsigned long hartid, long *ret)
{
    struct hart *h = &harts[hartid];
    unsigned long deadline = rdtime() + timeout_ticks();
    while (__atomic_load_n(&h->done_seq, __ATOMIC_ACQUIRE) != h->call_seq)
        if (rdtime() > deadline)
            return false;
    if (ret)
        *ret = h->call_ret;
    return true;
}

long hart_call(unsigned long hartid, long (*fn)(long), long arg)
{
    long ret = -1;
    hart_call_start(hartid, fn, arg);
    if (!hart_call_wait(hartid, &ret))
        pr("# hart %lu: remote call timed out\n", hartid);
    return ret;
}

void reset_records(void)
{
    for (int i = 0; i < n_harts; i++) {
        struct hart *h = &harts[hart_ids[i]];
        h->probing = h->probe_hit = 0;
        h->s_irq_count = h->s_irq_cause = h->s_irq_from_user = 0;
        h->u_count = h->u_cause = h->u_epc = h->u_tval = h->u_status = 0;
        h->u_uip = h->u_entry = h->u_pending = h->u_ready = 0;
        h->u_hook = NULL;
        h->unexpected = h->unexpected_cause = h->unexpected_epc = h->unexpected_tval = 0;
    }
}
