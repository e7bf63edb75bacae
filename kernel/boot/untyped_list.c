// The untypeds the root task gets (seL4's create_untypeds): device untypeds for the
// physical address space that is neither RAM nor kept by the kernel, then all RAM left
// free after boot, each cut into the largest aligned blocks. Pure code: the host unit
// tests compile it as it is.
#include "untyped_list.h"

bool avail_ram(const struct fdt_info *fdt, paddr_t window_top, struct region_list *out)
{
    bool ok = true;
    out->n = 0;
    for (int i = 0; i < fdt->n_mem; i++)
        ok &= region_list_add(out, fdt->mem[i].base, fdt->mem[i].base + fdt->mem[i].size);
    // seL4 merges memory nodes only within one node; merged here, the carving is the
    // same unless two nodes touch at an address that is not 2^38-aligned.
    // The SBI's 2 MiB from the start of RAM. seL4's build tool carves them after the
    // no-map regions, but from a DTB without OpenSBI's own no-map node (QEMU's); here
    // that node is inside the 2 MiB, so they are counted from RAM's start.
    if (out->n)
        ok &= region_list_remove(out, out->r[0].start, out->r[0].start + BIT(SBI_RESERVE_BITS));
    for (int i = 0; i < fdt->n_resv; i++)
        if (fdt->resv_nomap & BIT(i))
            ok &= region_list_remove(out, fdt->resv[i].base, fdt->resv[i].base + fdt->resv[i].size);
    ok &= region_list_remove(out, window_top, ~0ul);
    return ok;
}

static bool add_frames(struct region_list *out, paddr_t base, word_t size)
{
    paddr_t start = ROUND_DOWN(base, KERNEL_DEV_FRAME_BITS);
    paddr_t end = ROUND_UP(base + size, KERNEL_DEV_FRAME_BITS);
    return size == 0 || region_list_add(out, start, end);
}

bool kernel_device_frames(const struct fdt_info *fdt, struct region_list *out)
{
    bool ok = true;
    out->n = 0;
    const struct fdt_device *plic = fdt_find_compatible(fdt, "riscv,plic0");
    if (!plic)
        plic = fdt_find_compatible(fdt, "sifive,plic-1.0.0");
    if (plic)
        ok &= add_frames(out, plic->reg.base, MIN(plic->reg.size, PLIC_KERNEL_SIZE));
    // seL4 13.0.0 took the CLINT from user space: the kernel's timer depends on it.
    const struct fdt_device *clint = fdt_find_compatible(fdt, "riscv,clint0");
    if (!clint)
        clint = fdt_find_compatible(fdt, "sifive,clint0");
    if (clint)
        ok &= add_frames(out, clint->reg.base, BIT(KERNEL_DEV_FRAME_BITS));
    // The UINTC's registers hold every receiver's pending bits and where it is
    // delivered: only the kernel may touch them (U-notification, docs/unotify.md).
    const struct fdt_device *uintc = fdt_find_compatible(fdt, "riscv,uintc0");
    if (uintc)
        ok &= add_frames(out, uintc->reg.base, uintc->reg.size);
    return ok;
}

static bool remove_images(struct region_list *l, const struct boot_images *img)
{
    bool ok = region_list_remove(l, img->kernel.start, img->kernel.end);
    ok &= region_list_remove(l, img->user.start, img->user.end);
    return ok & region_list_remove(l, img->dtb.start, img->dtb.end);
}

bool free_ram(const struct region_list *avail, const struct boot_images *img,
              struct region_list *out)
{
    *out = *avail;
    return remove_images(out, img);
}

bool device_regions(const struct fdt_info *fdt, const struct region_list *avail,
                    const struct boot_images *img, struct region_list *out)
{
    struct region_list kdev;
    bool ok = kernel_device_frames(fdt, &kdev);
    out->n = 0;
    ok &= region_list_add(out, 0, PADDR_USER_DEVICE_TOP);
    for (int i = 0; i < avail->n; i++)
        ok &= region_list_remove(out, avail->r[i].start, avail->r[i].end);
    for (int i = 0; i < kdev.n; i++)
        ok &= region_list_remove(out, kdev.r[i].start, kdev.r[i].end);
    return ok & remove_images(out, img);
}

static int add_blocks(const struct region_list *l, bool device, seL4_UntypedDesc *list,
                      int n, int max, int *dropped)
{
    struct block b[64];
    const int cap = (int)ARRAY_SIZE(b);
    for (int i = 0; i < l->n; i++) {
        // Carve in batches of `cap` blocks, each batch going on from the last one's end.
        for (paddr_t start = l->r[i].start; start < l->r[i].end;) {
            int want = carve_blocks(start, l->r[i].end, seL4_MinUntypedBits, seL4_MaxUntypedBits, b, cap);
            for (int j = 0; j < MIN(want, cap); j++) {
                if (n >= max) {
                    (*dropped)++;
                    continue;
                }
                list[n++] = (seL4_UntypedDesc){.paddr = b[j].paddr, .sizeBits = (uint8_t)b[j].bits,
                                               .isDevice = device};
            }
            if (want <= cap)
                break;
            start = b[cap - 1].paddr + BIT(b[cap - 1].bits);
        }
    }
    return n;
}

int build_untyped_list(const struct region_list *ram, const struct region_list *devices,
                       seL4_UntypedDesc *list, int max, int *dropped)
{
    *dropped = 0;
    int n = add_blocks(devices, true, list, 0, max, dropped);
    return add_blocks(ram, false, list, n, max, dropped);
}
