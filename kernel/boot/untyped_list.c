// The untypeds the root task gets: all RAM left free after boot, cut into the largest
// aligned blocks, and device untypeds for the physical address space that is not RAM.
// Pure code: the host unit tests compile it as it is.
#include "untyped_list.h"

void device_regions(const struct fdt_info *fdt, paddr_t phys_top, struct region_list *out)
{
    out->n = 0;
    region_list_add(out, 0, phys_top);
    for (int i = 0; i < fdt->n_mem; i++)
        region_list_remove(out, fdt->mem[i].base, fdt->mem[i].base + fdt->mem[i].size);
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
