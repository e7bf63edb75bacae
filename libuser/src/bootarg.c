// The kernel command line's key=value words (al4/bootinfo.h).
#include <al4/bootinfo.h>
#include "fdt.h"
#include <stdlib.h>
#include <string.h>

bool al4_bootarg(const char *args, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    bool found = false;
    if (size)
        out[0] = 0;
    for (const char *p = args; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=' && size) {
            size_t n = len - klen - 1 < size - 1 ? len - klen - 1 : size - 1;
            memcpy(out, p + klen + 1, n);
            out[n] = 0;
            found = true;
        }
        p += len;
    }
    return found;
}

seL4_Word al4_bootarg_word(const char *args, const char *key, seL4_Word dflt)
{
    char v[24];
    return al4_bootarg(args, key, v, sizeof(v)) ? strtoul(v, NULL, 0) : dflt;
}

const char *al4_bootargs(const seL4_BootInfo *bi)
{
    static struct fdt_info fdt;
    size_t size;
    const void *dtb = al4_bootinfo_dtb(bi, &size);
    if (!dtb || fdt_parse(dtb, size, &fdt))
        return NULL;
    return fdt.bootargs;
}
