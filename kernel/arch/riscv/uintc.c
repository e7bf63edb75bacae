// The UINTC's registers, reached through the kernel's device window. Its place and
// size come from the DTB ("riscv,uintc0"): 512 entries on QEMU virt, 32 on the Rocket
// board. Without it every U-notification invocation is refused.
#include "uintc.h"
#include "kdev.h"
#include "printf.h"

struct uintc uintc;

volatile uint64_t *uintc_entry(unsigned idx)
{
    return (volatile uint64_t *)(KDEV_BASE + uintc.base + (word_t)idx * UINTC_ENTRY_SIZE);
}

void uintc_init(const struct fdt_info *fdt)
{
    const struct fdt_device *d = fdt_find_compatible(fdt, "riscv,uintc0");
    if (!d)
        return;
    if (d->reg.base + d->reg.size > (1ul << 30)) {
        kprintf("aL4: UINTC at %lx is outside the device window: not used\n", d->reg.base);
        return;
    }
    uintc.base = d->reg.base;
    uintc.entries = MIN(d->reg.size / UINTC_ENTRY_SIZE, UINTC_MAX_ENTRIES);
    for (unsigned i = 0; i < uintc.entries; i++)
        uintc_reset(i);
    kprintf("aL4: UINTC at %lx, %u receiver entries\n", uintc.base, uintc.entries);
}

void uintc_or(unsigned idx, word_t bits)
{
    uintc_entry(idx)[UINTC_HIGH / 8] = bits;
}

void uintc_reset(unsigned idx)
{
    uintc_entry(idx)[UINTC_LOW / 8] = UINTC_LOW_MODE64;
    (void)uintc_take(idx);
}
