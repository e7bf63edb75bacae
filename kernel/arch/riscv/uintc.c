// The UINTC's registers, reached through the kernel's device window. Its place and
// size come from the DTB ("riscv,uintc0"): 512 entries on QEMU virt, 32 on the Rocket
// board. Without it every U-notification invocation is refused.
#include "uintc.h"
#include "kdev.h"
#include "printf.h"

struct uintc uintc;

static volatile uint64_t *reg(unsigned idx, unsigned r)
{
    return (volatile uint64_t *)(KDEV_BASE + uintc.base + (word_t)idx * UINTC_ENTRY_SIZE + r);
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

word_t uintc_take(unsigned idx)
{
    return *reg(idx, UINTC_HIGH);
}

void uintc_or(unsigned idx, word_t bits)
{
    *reg(idx, UINTC_HIGH) = bits;
}

void uintc_activate(unsigned idx, word_t hartid)
{
    *reg(idx, UINTC_LOW) = hartid << 16 | UINTC_LOW_MODE64 | UINTC_LOW_ACTIVE;
}

void uintc_deactivate(unsigned idx)
{
    *reg(idx, UINTC_ACTIVE) = 0;
}

void uintc_reset(unsigned idx)
{
    *reg(idx, UINTC_LOW) = UINTC_LOW_MODE64;
    (void)uintc_take(idx);
}
