// Kernel access to devices: physical addresses below 1 GiB appear at KDEV_BASE.
#pragma once
#include "types.h"
#include "config.h"

void kdev_map(void);

static inline volatile uint32_t *kdev_reg32(paddr_t p)
{
    return (volatile uint32_t *)(KDEV_BASE + p);
}
