// Secondary harts. The loader starts them, as seL4's elfloader does, and enters the
// kernel on each with its core id; the kernel starts none. Each waits for the boot
// hart to finish (seL4's try_init_kernel_secondary_core waiting on node_boot_lock),
// then sets itself up and schedules threads. The boot hart never waits for them:
// under QEMU -icount harts run in turn, and a boot hart spinning on another keeps it
// from running. Cores past the ones that schedule threads (all but core 0 in a
// single-core build) stay parked.
#include "uintr.h"
#include "smp.h"
#include "boot.h"
#include "config.h"
#include "csr.h"
#include "hart.h"
#include "vspace.h"
#include "plic.h"
#include "fpu.h"
#include "trap.h"
#include "printf.h"
#include "sbi.h"

#ifndef CONFIG_MAX_NUM_NODES
#define CONFIG_MAX_NUM_NODES 1
#endif
_Static_assert(CONFIG_MAX_NUM_NODES <= CONFIG_MAX_HARTS, "harts[] holds every core");

extern void trap_entry(void);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// Set by the boot hart once the kernel's tables, devices and the root task exist.
static bool boot_done;
#endif

// seL4 gives the root task CONFIG_MAX_NUM_NODES nodes; a machine with fewer harts
// cannot have started more cores.
void smp_count_nodes(const struct fdt_info *fdt)
{
    unsigned n = fdt->n_harts < CONFIG_MAX_NUM_NODES ? fdt->n_harts : CONFIG_MAX_NUM_NODES;
    num_nodes = n ? n : 1;
    if (num_nodes > 1)
        kprintf("aL4: %u harts scheduling threads\n", num_nodes);
}

// The boot hart wakes the cores already waiting; one that has not arrived yet finds
// boot_done set. Both sides store, fence and then load (seq_cst), so at least one sees
// the other.
void smp_release_secondaries(void)
{
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    __atomic_store_n(&boot_done, true, __ATOMIC_SEQ_CST);
    for (unsigned i = 1; i < num_nodes; i++)
        if (__atomic_load_n(&harts[i].boot_entries, __ATOMIC_SEQ_CST))
            sbi_send_ipi(harts[i].hartid);
#endif
}

#ifdef CONFIG_ENABLE_SMP_SUPPORT
// Waits asleep (wfi, woken by the boot hart's IPI), not spinning: under QEMU -icount a
// runnable boot hart keeps the other harts from running, so a core that came online
// early would leave the boot hart's remote fences waiting on a hart that never runs.
// Asleep, the core comes up when the boot hart first idles, as a hart that SBI starts.
static void wait_for_boot(void)
{
    csr_set(sie, BIT(1));
    for (;;) {
        csr_clear(sip, BIT(1));
        if (__atomic_load_n(&boot_done, __ATOMIC_SEQ_CST))
            break;
        wfi();
    }
    csr_clear(sie, BIT(1));
    csr_clear(sip, BIT(1));
}
#endif

void init_secondary_core(struct hart *h)
{
    csr_write(stvec, (word_t)trap_entry);  // sscratch is 0: any trap here is a kernel bug
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    if (h->index < CONFIG_MAX_NUM_NODES) {
        wait_for_boot();
        sfence_vma();  // the kernel window the boot hart added to the table in use
        if (h->index < num_nodes) {
            fpu_init_hart();
            uintr_init_hart();
            plic_init_hart(h->index);
            hart_enable_interrupts();
            __atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
            kernel_lock();
            return_to_user();
        }
    }
#endif
    __atomic_store_n(&h->parked, true, __ATOMIC_RELEASE);
    for (;;)
        wfi();
}
