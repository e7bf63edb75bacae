// The root task of `make run`: prints a banner and what the kernel handed over, then
// halts. Later issues grow it into the system's init (servers, network, apps).
#include <sel4/sel4.h>
#include <al4/bootinfo.h>
#include <stdio.h>
#include "fdt.h"

#ifdef CONFIG_DEBUG_BUILD
static const char *const initial_cap_names[seL4_NumInitialCaps] = {
    "null", "InitThreadTCB", "InitThreadCNode", "InitThreadVSpace", "IRQControl",
    "ASIDControl", "InitThreadASIDPool", "IOPortControl", "IOSpace", "BootInfoFrame",
    "InitThreadIPCBuffer", "Domain", "SMMUSIDControl", "SMMUCBControl", "InitThreadSC", "SMC",
};
#endif

static struct fdt_info fdt;

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    printf("\naL4 root task: hello from user space\n");

    size_t dtb_size = 0;
    const void *dtb = al4_bootinfo_dtb(bi, &dtb_size);
    int err = dtb ? fdt_parse(dtb, dtb_size, &fdt) : -1;
    if (err)
        printf("  DTB: not usable (error %d)\n", err);
    else
        printf("  harts: %d in the DTB, %lu running the kernel (node %lu)\n", fdt.n_harts,
               (unsigned long)bi->numNodes, (unsigned long)bi->nodeID);

    seL4_Word ram = 0, dev = 0, n_ram = 0, n_dev = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice) {
            dev += 1ul << d->sizeBits;
            n_dev++;
        } else {
            ram += 1ul << d->sizeBits;
            n_ram++;
        }
    }
    printf("  untypeds: %lu (%lu RAM: %lu KiB, %lu device: %lu MiB)\n",
           (unsigned long)(n_ram + n_dev), (unsigned long)n_ram, (unsigned long)(ram >> 10),
           (unsigned long)n_dev, (unsigned long)(dev >> 20));
    printf("  user image: %lu frames, %lu page tables; IPC buffer at %p\n",
           (unsigned long)(bi->userImageFrames.end - bi->userImageFrames.start),
           (unsigned long)(bi->userImagePaging.end - bi->userImagePaging.start),
           (void *)bi->ipcBuffer);
    printf("  empty slots: [%lu, %lu)\n", (unsigned long)bi->empty.start,
           (unsigned long)bi->empty.end);
#ifdef CONFIG_DEBUG_BUILD
    // DebugCapIdentify exists in debug builds only.
    printf("  initial caps:");
    for (int i = 1; i < seL4_NumInitialCaps; i++) {
        seL4_Uint32 tag = seL4_DebugCapIdentify(i);
        if (tag)
            printf(" %s", initial_cap_names[i]);
    }
    printf("\n");
#endif
    printf("aL4 root task: done, halting\n");
    return 0;  // the runtime's exit halts the machine (debug builds) or stops the thread
}
