// The kernel's device window: the first physical gigabyte (where QEMU virt and the
// Rocket board keep their MMIO) mapped at KDEV_BASE, as seL4 maps its kernel devices
// in the top gigabyte. Only the kernel's own devices are touched through it.
#include "kdev.h"
#include "pte.h"
#include "csr.h"
#include "vspace.h"

void kdev_map(void)
{
    kernel_root_pt[pt_index(KDEV_BASE, 2)] = pte_leaf(0, PTE_R | PTE_W | PTE_G);
    sfence_vma();
}
