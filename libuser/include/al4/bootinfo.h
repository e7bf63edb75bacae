// Helpers over seL4 boot info that upstream keeps in its support libraries.
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stddef.h>

// Extra boot info chunks of aL4's own, for processes the process library starts
// (al4/process.h). Upstream's ids are small (SEL4_BOOTINFO_HEADER_NUM is 7); these are
// far above them so that a later upstream id cannot collide.
enum {
    AL4_BOOTINFO_ARGS = 0x414c0001,  // words from the creator: al4_process_set_args
    AL4_BOOTINFO_AIPC = 0x414c0002,  // asynchronous IPC connections (al4/aipc.h)
    AL4_BOOTINFO_MEMSERVER = 0x414c0003,  // the memory server's pools and clients
};

// The payload of the first chunk `id` of the extra boot info and its size, or NULL when
// there is none or the chunk list is malformed.
const void *al4_bootinfo_chunk(const seL4_BootInfo *bi, seL4_Word id, size_t *size);
// The DTB the kernel passed as extra boot info (chunk SEL4_BOOTINFO_HEADER_FDT), or
// NULL when there is none or the chunk list is malformed.
const void *al4_bootinfo_dtb(const seL4_BootInfo *bi, size_t *size);
// Word i of the creator's AL4_BOOTINFO_ARGS, or `dflt` when there is no such word.
seL4_Word al4_bootinfo_arg(const seL4_BootInfo *bi, unsigned i, seL4_Word dflt);

// The kernel command line (the DTB's /chosen/bootargs: QEMU's -append) holds
// space-separated key=value words. Copies the value of the last `key=` into out
// (truncated to size - 1, NUL-terminated) and returns true, or returns false with out
// empty.
bool al4_bootarg(const char *args, const char *key, char *out, size_t size);
// The value of `key=` as a number (strtoul base 0), or `dflt` when it is not given.
seL4_Word al4_bootarg_word(const char *args, const char *key, seL4_Word dflt);
// The kernel command line from the boot info's DTB chunk, or NULL without one.
const char *al4_bootargs(const seL4_BootInfo *bi);
