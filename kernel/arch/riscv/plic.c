// PLIC driver. Each hart's S-mode context is 2 * hartid + 1 on QEMU virt (context
// 2 * hartid is M mode); user IRQs are routed to the boot hart.
#include "plic.h"
#include "kdev.h"
#include "hart.h"

#define PLIC_PRIORITY(irq)   (4 * (irq))
#define PLIC_ENABLE(ctx)     (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)  (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)      (0x200004 + 0x1000 * (ctx))

static paddr_t base;
static word_t size;

static word_t context(const struct hart *h)
{
    return 2 * h->hartid + 1;
}

static volatile uint32_t *reg(word_t off)
{
    return kdev_reg32(base + off);
}

void plic_init(const struct fdt_info *fdt)
{
    const struct fdt_device *d = fdt_find_compatible(fdt, "sifive,plic-1.0.0");
    if (!d)
        d = fdt_find_compatible(fdt, "riscv,plic0");
    if (!d || d->reg.base + d->reg.size > BIT(30))
        return;
    base = d->reg.base;
    size = d->reg.size;
    // Every source starts masked at priority 0 (never delivered) until a handler
    // exists for it.
    for (word_t irq = 1; irq <= PLIC_MAX_IRQ; irq++)
        *reg(PLIC_PRIORITY(irq)) = 0;
}

void plic_init_hart(unsigned index)
{
    if (!base)
        return;
    word_t ctx = context(&harts[index]);
    for (word_t w = 0; w <= PLIC_MAX_IRQ / 32; w++)
        *reg(PLIC_ENABLE(ctx) + 4 * w) = 0;
    *reg(PLIC_THRESHOLD(ctx)) = 0;
}

bool plic_present(void)
{
    return base != 0;
}

paddr_t plic_base(void)
{
    return base;
}

word_t plic_size(void)
{
    return size;
}

word_t plic_claim(void)
{
    return *reg(PLIC_CLAIM(context(this_hart())));
}

void plic_complete(word_t irq)
{
    *reg(PLIC_CLAIM(context(&harts[0]))) = (uint32_t)irq;
}

// Enabling means priority 1 and the enable bit for the boot hart's context.
void plic_mask(word_t irq, bool masked)
{
    word_t ctx = context(&harts[0]);
    volatile uint32_t *en = reg(PLIC_ENABLE(ctx) + 4 * (irq / 32));
    if (masked) {
        *en &= ~(1u << (irq % 32));
    } else {
        *reg(PLIC_PRIORITY(irq)) = 1;
        *en |= 1u << (irq % 32);
    }
}
