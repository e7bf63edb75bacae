#include <al4/bootinfo.h>

const void *al4_bootinfo_dtb(const seL4_BootInfo *bi, size_t *size)
{
    // Extra boot info starts on the page after the boot info page.
    const char *base = (const char *)bi + (1ul << seL4_BootInfoFrameBits);
    seL4_Word off = 0;
    while (off + sizeof(seL4_BootInfoHeader) <= bi->extraLen) {
        const seL4_BootInfoHeader *h = (const void *)(base + off);
        if (h->len < sizeof(*h) || h->len > bi->extraLen - off)
            return NULL;
        if (h->id == SEL4_BOOTINFO_HEADER_FDT) {
            *size = h->len - sizeof(*h);
            return h + 1;
        }
        off += h->len;
    }
    return NULL;
}
