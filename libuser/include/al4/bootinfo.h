// Helpers over seL4 boot info that upstream keeps in its support libraries.
#pragma once
#include <sel4/sel4.h>
#include <stddef.h>

// The DTB the kernel passed as extra boot info (chunk SEL4_BOOTINFO_HEADER_FDT), or
// NULL when there is none or the chunk list is malformed.
const void *al4_bootinfo_dtb(const seL4_BootInfo *bi, size_t *size);
