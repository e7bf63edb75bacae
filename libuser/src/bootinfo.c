#include <al4/bootinfo.h>

const void *al4_bootinfo_chunk(const seL4_BootInfo *bi, seL4_Word id, size_t *size)
{
    // Extra boot info starts on the page after the boot info page.
    const char *base = (const char *)bi + (1ul << seL4_BootInfoFrameBits);
    seL4_Word off = 0;
    while (off + sizeof(seL4_BootInfoHeader) <= bi->extraLen) {
        const seL4_BootInfoHeader *h = (const void *)(base + off);
        if (h->len < sizeof(*h) || h->len > bi->extraLen - off)
            return NULL;
        if (h->id == id) {
            *size = h->len - sizeof(*h);
            return h + 1;
        }
        off += h->len;
    }
    return NULL;
}

const void *al4_bootinfo_dtb(const seL4_BootInfo *bi, size_t *size)
{
    return al4_bootinfo_chunk(bi, SEL4_BOOTINFO_HEADER_FDT, size);
}

seL4_Word al4_bootinfo_arg(const seL4_BootInfo *bi, unsigned i, seL4_Word dflt)
{
    size_t size = 0;
    const seL4_Word *w = al4_bootinfo_chunk(bi, AL4_BOOTINFO_ARGS, &size);
    return w && i < size / sizeof(seL4_Word) ? w[i] : dflt;
}
