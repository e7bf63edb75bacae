// Kernel initialisation (seL4's init_kernel): every hart the loader starts enters here
// with its core id. Core 0 builds the kernel's page tables, reads the DTB through
// them, creates the root task and releases the others; the others wait for that
// (smp.c) and then schedule threads, as seL4's try_init_kernel_secondary_core.
#include "boot.h"
#include "config.h"
#include "csr.h"
#include "hart.h"
#include "tcb.h"
#include "smp.h"
#include "vspace.h"
#include "printf.h"
#include "trap.h"
#include "fpu.h"
#include "kdev.h"
#include "plic.h"
#include "timer.h"
#include "uintc.h"
#include "uintr.h"

struct hart harts[CONFIG_MAX_HARTS];
unsigned num_nodes = 1;
uint8_t kernel_stacks[CONFIG_MAX_HARTS][1u << KSTACK_BITS] ALIGNED(16);

extern char kernel_image_end[];  // linker.ld
extern void trap_entry(void);

NORETURN void init_kernel(paddr_t ui_p_start, paddr_t ui_p_end, word_t pv_offset, vptr_t v_entry,
                          paddr_t dtb, word_t dtb_size, word_t hartid, word_t core);

static struct fdt_info fdt;

// Every hart: external (PLIC), software (IPIs) and timer interrupts; counters
// readable from user mode (benchmarks read cycle and instret).
void hart_enable_interrupts(void)
{
    csr_set(sie, BIT(1) | BIT(9));
    csr_write(scounteren, 7);
    timer_start_hart();
}

// seL4 refuses a DTB it cannot read through the kernel window.
static void check_dtb(paddr_t dtb, word_t dtb_size)
{
    if (dtb_size == 0 || dtb + dtb_size < dtb || dtb + dtb_size >= PADDR_TOP)
        panic("boot: DTB at %lx, %lu bytes, is outside the kernel window", dtb, dtb_size);
}

void init_kernel(paddr_t ui_p_start, paddr_t ui_p_end, word_t pv_offset, vptr_t v_entry,
                 paddr_t dtb, word_t dtb_size, word_t hartid, word_t core)
{
    // head.S chose the stack by core id (< CONFIG_MAX_HARTS); the hart's state goes
    // by the same index, and a hart's own id comes only from the loader (a6).
    struct hart *h = &harts[core];
    asm volatile("mv tp, %0" : : "r"(h));
    h->hartid = hartid;
    h->index = core;
    h->kstack_top = (word_t)kernel_stacks[core] + sizeof(kernel_stacks[core]);
    __atomic_fetch_add(&h->boot_entries, 1, __ATOMIC_SEQ_CST);  // see smp_release_secondaries
    vspace_leave_loader();
    if (core != 0)
        init_secondary_core(h);

    kernel_lock();  // taken until the first return to user mode
    h->online = true;
    csr_write(stvec, (word_t)trap_entry);
    fpu_init_hart();
    // The window first: the DTB is read through it (the loader maps nothing of it).
    vspace_map_kernel_window();
    kdev_map();
    kprintf("aL4: Bootstrapping kernel\n");

    check_dtb(dtb, dtb_size);
    int err = fdt_parse(paddr_to_pptr(dtb), dtb_size, &fdt);
    if (err)
        panic("boot: cannot parse the DTB at %lx (error %d)", dtb, err);
    if (fdt.n_mem == 0)
        panic("boot: the DTB describes no memory");
    plic_init(&fdt);
    plic_init_hart(0);
    timer_init(&fdt);
    uintc_init(&fdt);
    uintr_init_hart();

    struct user_image ui = {ui_p_start, ui_p_end, pv_offset, v_entry, dtb, dtb_size};
    boot_mem_init(&ui, &fdt);
    hart_enable_interrupts();
    smp_count_nodes(&fdt);
    struct tcb *root = create_rootserver(&ui, &fdt);
    root->hart = 0;

    kprintf("aL4: Booting all finished, dropped to user space\n");
    smp_release_secondaries();
    return_to_user();
}
