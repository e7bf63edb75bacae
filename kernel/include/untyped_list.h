// The root task's untypeds, by seL4 15.0.0's rules (docs/boot.md): which physical
// memory is RAM the kernel may hand out, which is device space, and what the kernel
// keeps for itself. Pure code: the host unit tests compile it as it is.
#pragma once
#include "regions.h"
#include "fdt.h"
#include <sel4/bootinfo_types.h>

// seL4's CONFIG_PADDR_USER_DEVICE_TOP with Sv39: device untypeds end here.
#define PADDR_USER_DEVICE_TOP BIT(39)
// seL4 on RISC-V (tools/hardware config.py) leaves the first 2 MiB of RAM to the SBI
// firmware: never RAM, so handed out as device memory.
#define SBI_RESERVE_BITS 21
// seL4 maps, and keeps out of the device untypeds, each kernel device in 2 MiB frames
// (seL4_LargePageBits); the PLIC at most 64 MiB (hardware.yml's kernel_size).
#define KERNEL_DEV_FRAME_BITS 21
#define PLIC_KERNEL_SIZE      0x4000000ul

// What the kernel occupies besides its devices: seL4's arch_init_freemem reserves
// these exactly as the loader passed them.
struct boot_images {
    struct region kernel, user, dtb;
};

// seL4's avail_p_regs: the DTB's memory nodes minus /reserved-memory children marked
// no-map, minus the SBI's first 2 MiB, and nothing at or above window_top (the end of
// the kernel window: RAM the kernel cannot address is not RAM to it).
bool avail_ram(const struct fdt_info *fdt, paddr_t window_top, struct region_list *out);
// The regions seL4's kernel maps for itself and keeps from user space (PLIC, CLINT),
// rounded out to whole 2 MiB frames.
bool kernel_device_frames(const struct fdt_info *fdt, struct region_list *out);
// Free RAM: avail minus the images (the root task's objects come out of it next).
bool free_ram(const struct region_list *avail, const struct boot_images *img,
              struct region_list *out);
// Device untypeds: [0, PADDR_USER_DEVICE_TOP) minus avail RAM, the images and the kernel
// devices (seL4's create_untypeds: the gaps between reserved regions).
bool device_regions(const struct fdt_info *fdt, const struct region_list *avail,
                    const struct boot_images *img, struct region_list *out);

// Fills list (device untypeds first, then RAM, each in address order) and returns the
// number written; *dropped counts blocks that did not fit in max entries.
int build_untyped_list(const struct region_list *ram, const struct region_list *devices,
                       seL4_UntypedDesc *list, int max, int *dropped);
