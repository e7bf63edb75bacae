// The head of a user_error line (printf.h): seL4's "<<seL4(CPU n) [function/line T0x...
// "name" @pc]:" with the thread the kernel acts for.
#include "printf.h"
#include "hart.h"
#include "tcb.h"

#ifdef CONFIG_DEBUG_BUILD
void user_error_begin(const char *func, int line)
{
    struct hart *h = this_hart();
    struct tcb *t = h->cur;
    if (h->async.running)
        t = (struct tcb *)((char *)h->async.running - __builtin_offsetof(struct tcb, async));
    if (!t) {
        kprintf("<<aL4(CPU %u) [%s/%d idle]: ", h->index, func, line);
        return;
    }
    kprintf("<<aL4(CPU %u) [%s/%d T%p \"%s\" @%lx]: ", h->index, func, line, (void *)t, t->name,
            t->ctx[CTX_FAULT_PC]);
}
#endif
