// The NET tests' device (net_test.h).
#include "net_test.h"

bool net_open(struct env *env, struct net_dev *d)
{
    d->frame = device_frame(env, NET_PADDR);
    if (!d->frame || map_in_root(env, d->frame, NET_MMIO_VADDR) != seL4_NoError)
        return false;
    for (unsigned i = 0; i < NET_PAGES; i++) {
        d->pages[i] = alloc_object(env, seL4_RISCV_4K_Page, 0);
        if (!d->pages[i] || map_in_root(env, d->pages[i], NET_DMA_VADDR + i * 4096) != seL4_NoError)
            return false;
        d->pa[i] = seL4_RISCV_Page_GetAddress(d->pages[i]).paddr;
    }
    struct vnet_mem mem = {(uint8_t *)NET_DMA_VADDR, d->pa, NET_PAGES};
    int e = vnet_init(&d->n, (volatile void *)NET_MMIO_VADDR, mem, NET_QSIZE);
    test_eq(env, e, VIRTIO_OK);
    return e == VIRTIO_OK;
}

void net_close(struct env *env, struct net_dev *d)
{
    vnet_stop(&d->n);
    for (unsigned i = 0; i < NET_PAGES; i++)
        test_eq(env, seL4_RISCV_Page_Unmap(d->pages[i]), seL4_NoError);
    test_eq(env, seL4_RISCV_Page_Unmap(d->frame), seL4_NoError);
}
