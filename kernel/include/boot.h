// Boot-time construction of the root task (seL4's "initial thread").
#pragma once
#include "types.h"
#include "regions.h"
#include "fdt.h"

struct user_image {
    paddr_t p_start, p_end;  // where the loader put it
    word_t pv_offset;        // physical minus virtual
    vptr_t v_entry;
    paddr_t dtb, dtb_size;
};


struct tcb;

// Free RAM and device space by seL4's rules, from the DTB and where the images are.
void boot_mem_init(const struct user_image *ui, const struct fdt_info *fdt);
// The root task's objects, in seL4's order, from one block of free RAM.
void *boot_alloc(unsigned bits);
void hart_enable_interrupts(void);
struct tcb *create_rootserver(const struct user_image *ui, const struct fdt_info *fdt);

extern struct region_list boot_free;
