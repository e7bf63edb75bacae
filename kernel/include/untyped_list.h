#pragma once
#include "regions.h"
#include "fdt.h"
#include <sel4/bootinfo_types.h>

// Physical ranges that are not RAM, below phys_top: what device untypeds cover.
void device_regions(const struct fdt_info *fdt, paddr_t phys_top, struct region_list *out);

// Fills list (device untypeds first, then RAM, each in address order) and returns the
// number written; *dropped counts blocks that did not fit in max entries.
int build_untyped_list(const struct region_list *ram, const struct region_list *devices,
                       seL4_UntypedDesc *list, int max, int *dropped);
