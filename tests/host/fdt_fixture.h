// A DTB fixture parsed by the kernel's own reader, for tests of what the kernel makes
// from it (untyped carving, boot info). The caller frees the result.
#pragma once
#include "host_test.h"
#include "fdt.h"

static inline struct fdt_info *parse_fixture(const char *name)
{
    size_t size;
    uint8_t *blob = load_fixture(name, &size);
    struct fdt_info *info = malloc(sizeof(*info));
    assert_non_null(info);
    assert_int_equal(fdt_parse(blob, size, info), FDT_OK);
    info->bootargs = NULL;  // points into the blob
    free(blob);
    return info;
}
