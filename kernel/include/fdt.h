// Flattened device tree reader: the facts the kernel needs from the DTB (RAM,
// reserved memory, harts, devices, /chosen). Pure code, no kernel state, so that the
// host unit tests and the user-side test suite compile this same file.
#pragma once
#include "types.h"

#define FDT_MAX_MEM     8
#define FDT_MAX_RESV    16
#define FDT_MAX_HARTS   16
#define FDT_MAX_DEVS    48
#define FDT_NAME_LEN    32
#define FDT_COMPAT_LEN  64

struct fdt_region {
    uint64_t base;
    uint64_t size;
};

struct fdt_device {
    char name[FDT_NAME_LEN];        // node name, e.g. "uart@10000000"
    char compatible[FDT_COMPAT_LEN];  // the compatible list, NUL-separated (cut to fit)
    struct fdt_region reg;          // first reg entry
    uint32_t irq;                   // first "interrupts" cell, 0 if none
};

struct fdt_info {
    struct fdt_region mem[FDT_MAX_MEM];
    int n_mem;
    struct fdt_region resv[FDT_MAX_RESV];  // /memreserve/ and /reserved-memory
    int n_resv;
    uint32_t resv_nomap;                   // bit i: resv[i] is a reserved-memory child with no-map
    uint64_t harts[FDT_MAX_HARTS];         // hart ids of enabled cpus, DT order
    int n_harts;
    struct fdt_device dev[FDT_MAX_DEVS];
    int n_dev;
    uint64_t timebase_hz;
    const char *bootargs;  // points into the blob, NUL-terminated, or NULL
};

enum fdt_error {
    FDT_OK = 0,
    FDT_ERR_MAGIC = -1,     // not a DTB
    FDT_ERR_TRUNCATED = -2, // a header offset or a token runs past the blob
    FDT_ERR_VERSION = -3,   // older than version 16
    FDT_ERR_STRUCTURE = -4, // unbalanced nodes or an unknown token
    FDT_ERR_FULL = -5,      // more entries of one kind than fdt_info holds
};

int fdt_parse(const void *blob, uint64_t blob_size, struct fdt_info *out);
uint32_t fdt_totalsize(const void *blob);
const struct fdt_device *fdt_find_compatible(const struct fdt_info *info, const char *compat);
_Static_assert(FDT_MAX_RESV <= 32, "resv_nomap is a 32-bit mask");
