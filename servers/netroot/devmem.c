// Carving device pages out of device untypeds (devmem.h). seL4 retypes an untyped
// from its watermark up, aligning each object to its size; to land a frame on a given
// address, the bytes from the watermark up to it are first retyped into untypeds of
// the largest aligned sizes that fit, and dropped.
#include "devmem.h"
#include <stdbool.h>

#define DEV_UNTYPEDS 256

static seL4_Word watermark[DEV_UNTYPEDS];  // 0: untouched (the untyped's start)

static bool retype(struct al4_alloc *a, seL4_CPtr ut, seL4_Word type, seL4_Word bits)
{
    seL4_CPtr s = al4_alloc_slot(a);
    return s && seL4_Untyped_Retype(ut, type, bits, seL4_CapInitThreadCNode, 0, 0, s, 1) ==
                    seL4_NoError;
}

seL4_CPtr device_frame(struct al4_alloc *a, const seL4_BootInfo *bi, seL4_Word paddr)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < DEV_UNTYPEDS; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || paddr < d->paddr || paddr >= d->paddr + (1ul << d->sizeBits))
            continue;
        seL4_CPtr ut = bi->untyped.start + i;
        seL4_Word cur = watermark[i] ? watermark[i] : d->paddr;
        if (paddr < cur || paddr & 0xfff)
            return 0;
        while (cur < paddr) {
            unsigned bits = 12;
            while (bits + 1 < d->sizeBits && !(cur & ((2ul << bits) - 1)) &&
                   cur + (2ul << bits) <= paddr)
                bits++;
            if (!retype(a, ut, seL4_UntypedObject, bits))
                return 0;
            cur += 1ul << bits;
        }
        seL4_CPtr frame = al4_alloc_slot(a);
        if (!frame || seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, seL4_CapInitThreadCNode, 0,
                                          0, frame, 1) != seL4_NoError)
            return 0;
        watermark[i] = paddr + 4096;
        return frame;
    }
    return 0;
}
