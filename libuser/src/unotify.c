// The receiver's side of U-notification (al4/unotify.h).
#include <al4/unotify.h>

// Every copy of the receiver's word (al4/unotify.h): set before the sleep, cleared after.
static inline __attribute__((always_inline)) void set_sleeping(const struct al4_unotify_rx *rx,
                                                              seL4_Word v)
{
    if (rx->sleeping)
        __atomic_store_n(rx->sleeping, v, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < rx->n_also; i++)
        __atomic_store_n(rx->also[i], v, __ATOMIC_RELAXED);
}

// A call that woke a receiver sleeping on its endpoint, to rx->on_msg; out of line, so
// that the wait's usual path keeps no frame for it.
__attribute__((noinline)) static seL4_Word take_call(const struct al4_unotify_rx *rx,
                                                     seL4_Word badge, seL4_Word info, seL4_Word m0,
                                                     seL4_Word m1, seL4_Word m2, seL4_Word m3)
{
    struct al4_unotify_msg m = {badge, {{info}}, {m0, m1, m2, m3}};
    rx->on_msg(rx->msg_arg, &m);
    return rx->ep_bits;
}

seL4_Word al4_unotify_wait(const struct al4_unotify_rx *rx)
{
    // Masked, so that the handler (if any) cannot take bits between the look below and
    // the kernel's recheck: what arrives meanwhile is the kernel's to see.
    seL4_Word was = al4_unotify_mask();
    seL4_Word bits = al4_uipi_read();
    if (bits) {
        al4_unotify_unmask(was);
        return bits;
    }
    set_sleeping(rx, 1);
    asm volatile("fence iorw, iorw" : : : "memory");
    // seL4_Wait without its copy of the four message registers into the IPC buffer: a
    // notification's Wait returns none.
    seL4_CPtr ep = rx->ep;
    seL4_Word info, m0, m1, m2, m3;
    riscv_sys_recv(seL4_SysRecv, ep ? ep : rx->ntfn, &bits, &info, &m0, &m1, &m2, &m3);
    set_sleeping(rx, 0);
    al4_unotify_unmask(was);
    // A call is taken right after the unmask, a tail call: the handler that may run in
    // between does not enter the kernel, so the caller's reply cap is still in place
    // (and the usual path keeps no frame).
    if (__builtin_expect(ep && (bits & rx->ep_mark), 0))
        return take_call(rx, bits, info, m0, m1, m2, m3);
    return bits;
}

seL4_Word al4_unotify_poll_ep(const struct al4_unotify_rx *rx)
{
    if (!rx->ep)
        return 0;
    // Unmasked: nothing sleeps here, and a handler that runs before take_call does not
    // enter the kernel, so a call's reply cap is still in place then (as in the wait).
    seL4_Word bits, info, m0, m1, m2, m3;
    riscv_sys_recv(seL4_SysNBRecv, rx->ep, &bits, &info, &m0, &m1, &m2, &m3);
    if (bits & rx->ep_mark)
        return take_call(rx, bits, info, m0, m1, m2, m3);
    return bits;
}

void al4_unotify_entry(struct al4_unotify_handler *h);
extern char al4_unotify_vector[];

// Called by the entry stub (unotify_entry.S) with uscratch: the bits are taken here,
// so that the line drops before the handler returns.
void al4_unotify_entry(struct al4_unotify_handler *h)
{
    seL4_Word bits = al4_uipi_read();
    if (bits && h && h->fn)
        h->fn(bits, h->arg);
}

void al4_unotify_install(struct al4_unotify_handler *h)
{
    asm volatile("csrw 0x040, %0" : : "r"(h));                          // uscratch
    asm volatile("csrw 0x005, %0" : : "r"((seL4_Word)al4_unotify_vector | 1));  // utvec
    asm volatile("csrsi 0x004, 1" : : : "memory");                      // uie.USIE
    asm volatile("csrsi 0x000, 1" : : : "memory");                      // ustatus.UIE
}
