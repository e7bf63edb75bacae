// Kernel initialisation on the boot hart: memory map from the DTB, the kernel's own
// page tables, the root task, the other harts; then the first return to user mode.
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
#include "smp.h"

struct hart harts[CONFIG_MAX_HARTS];
unsigned num_harts_found;
unsigned num_nodes = 1;
uint8_t kernel_stacks[CONFIG_MAX_HARTS][1u << KSTACK_BITS] ALIGNED(16);

extern char kernel_image_end[];  // linker.ld
extern void trap_entry(void);

NORETURN void init_kernel(paddr_t ui_p_start, paddr_t ui_p_end, word_t pv_offset, vptr_t v_entry,
                          paddr_t dtb, word_t dtb_size, word_t hartid);

static struct fdt_info fdt;

static void init_free_memory(const struct user_image *ui)
{
    for (int i = 0; i < fdt.n_mem; i++)
        if (!region_list_add(&boot_free, fdt.mem[i].base, fdt.mem[i].base + fdt.mem[i].size))
            panic("boot: too many memory regions");
    bool ok = true;
    for (int i = 0; i < fdt.n_resv; i++)
        ok &= region_list_remove(&boot_free, fdt.resv[i].base, fdt.resv[i].base + fdt.resv[i].size);
    // The kernel image, the user image and the DTB are all in use.
    ok &= region_list_remove(&boot_free, KERNEL_ELF_PADDR, kpptr_to_paddr(kernel_image_end));
    ok &= region_list_remove(&boot_free, ROUND_DOWN(ui->p_start, PAGE_BITS), ROUND_UP(ui->p_end, PAGE_BITS));
    ok &= region_list_remove(&boot_free, ROUND_DOWN(ui->dtb, PAGE_BITS),
                             ROUND_UP(ui->dtb + ui->dtb_size, PAGE_BITS));
    // A full list would lose free memory silently: refuse to boot instead.
    if (!ok)
        panic("boot: too many reserved regions for the free-memory list");
}

// Every hart: external (PLIC), software (IPIs) and timer interrupts; counters
// readable from user mode (benchmarks read cycle and instret).
void hart_enable_interrupts(void)
{
    csr_set(sie, BIT(1) | BIT(9));
    csr_write(scounteren, 7);
    timer_start_hart();
}

void init_kernel(paddr_t ui_p_start, paddr_t ui_p_end, word_t pv_offset, vptr_t v_entry,
                 paddr_t dtb, word_t dtb_size, word_t hartid)
{
    struct hart *h = &harts[0];
    kernel_lock();  // secondaries wait here until the boot hart drops to user space
    h->kstack_top = (word_t)kernel_stacks[0] + sizeof(kernel_stacks[0]);
    h->hartid = hartid;
    h->online = true;
    csr_write(stvec, (word_t)trap_entry);
    fpu_init_hart();
    kprintf("aL4: Bootstrapping kernel\n");

    int err = fdt_parse(paddr_to_pptr(dtb), dtb_size, &fdt);
    if (err)
        panic("boot: cannot parse the DTB at %lx (error %d)", dtb, err);
    if (fdt.n_mem == 0)
        panic("boot: the DTB describes no memory");
    vspace_init_kernel(&fdt);
    kdev_map();
    plic_init(&fdt);
    plic_init_hart(0);
    timer_init(&fdt);

    struct user_image ui = {ui_p_start, ui_p_end, pv_offset, v_entry, dtb, dtb_size};
    init_free_memory(&ui);
    // The tick is armed first: under QEMU -icount it bounds how long the boot hart
    // spins while the others start.
    hart_enable_interrupts();
    smp_start_secondaries(&fdt, hartid);
    struct tcb *root = create_rootserver(&ui, &fdt);
    root->hart = 0;

    kprintf("aL4: Booting all finished, dropped to user space\n");
    return_to_user();
}
