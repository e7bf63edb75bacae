// Secondary harts: started through SBI HSM and brought onto the kernel's page tables.
// With SMP support the first CONFIG_MAX_NUM_NODES harts then schedule threads like
// the boot hart; the others (and all of them in a non-SMP build, as upstream's
// single-core configuration) stay parked.
#include "smp.h"
#include "boot.h"
#include "config.h"
#include "csr.h"
#include "hart.h"
#include "sbi.h"
#include "vspace.h"
#include "plic.h"
#include "fpu.h"
#include "trap.h"
#include "printf.h"

#ifndef CONFIG_MAX_NUM_NODES
#define CONFIG_MAX_NUM_NODES 1
#endif

extern uint8_t kernel_stacks[CONFIG_MAX_HARTS][1u << KSTACK_BITS];
extern char secondary_entry[];
extern void trap_entry(void);
NORETURN void secondary_main(unsigned index);

void smp_start_secondaries(const struct fdt_info *fdt, word_t boot_hartid)
{
    vspace_init_trampoline();
    num_harts_found = 1;
    for (int i = 0; i < fdt->n_harts; i++) {
        if (fdt->harts[i] == boot_hartid)
            continue;
        if (num_harts_found >= CONFIG_MAX_HARTS) {
            kprintf("aL4: hart %lu ignored: the kernel is built for %u harts\n", fdt->harts[i],
                    CONFIG_MAX_HARTS);
            continue;
        }
        unsigned idx = num_harts_found++;
        struct hart *h = &harts[idx];
        h->hartid = fdt->harts[i];
        h->index = idx;
        h->kstack_top = (word_t)kernel_stacks[idx] + sizeof(kernel_stacks[idx]);
        if (idx < CONFIG_MAX_NUM_NODES)
            num_nodes = idx + 1;
        struct sbiret r = sbi_hart_start(h->hartid, kpptr_to_paddr(secondary_entry), idx);
        if (r.error)
            kprintf("aL4: hart %lu did not start (SBI error %ld)\n", h->hartid, r.error);
        // No waiting for it: under QEMU -icount harts take turns, and a boot hart
        // spinning here keeps the new one from ever running. A thread bound to a hart
        // that is not up yet waits in that hart's queue until it starts scheduling;
        // remote fences go only to harts already online.
    }
    if (num_harts_found > num_nodes)
        kprintf("aL4: %u harts up, %u scheduling threads, %u parked\n", num_harts_found, num_nodes,
                num_harts_found - num_nodes);
    else if (num_nodes > 1)
        kprintf("aL4: %u harts scheduling threads\n", num_nodes);
}

void secondary_main(unsigned index)
{
    struct hart *h = &harts[index];
    asm volatile("mv tp, %0" : : "r"(h));
    csr_write(stvec, (word_t)trap_entry);  // sscratch is 0: any trap here is a kernel bug
    csr_write(satp, vspace_satp(kpptr_to_paddr(kernel_root_pt), 0));
    sfence_vma();
    if (index >= CONFIG_MAX_NUM_NODES) {
        __atomic_store_n(&h->parked, true, __ATOMIC_RELEASE);
        for (;;)
            wfi();
    }
    fpu_init_hart();
    plic_init_hart(index);
    hart_enable_interrupts();
    __atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
    kernel_lock();
    return_to_user();
}
