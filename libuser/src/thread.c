// More threads in the calling process (al4/thread.h).
#include <al4/thread.h>
#include <stdbool.h>
#include <string.h>

extern char __tdata_start[], __tdata_end[], __tbss_end[];

seL4_CPtr al4_thread_make(struct al4_alloc *a, seL4_Word ipc_va, seL4_Word stack_va,
                          void (*fn)(seL4_Word), seL4_Word arg, seL4_Word prio,
                          seL4_CPtr fault_ep)
{
    if (__tbss_end - __tdata_start > AL4_THREAD_TLS_BYTES)
        return 0;
    seL4_CPtr ipc = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    seL4_CPtr stack = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    seL4_CPtr tcb = al4_alloc_object(a, seL4_TCBObject, 0);
    if (!ipc || !stack || !tcb ||
        al4_map_frame(a, seL4_CapInitThreadVSpace, ipc, ipc_va, seL4_ReadWrite,
                      seL4_RISCV_ExecuteNever) ||
        al4_map_frame(a, seL4_CapInitThreadVSpace, stack, stack_va, seL4_ReadWrite,
                      seL4_RISCV_ExecuteNever) ||
        seL4_TCB_Configure(tcb, fault_ep, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadVSpace,
                           0, ipc_va, ipc) ||
        seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, prio))
        return 0;
    // RISC-V TLS variant I: tp points at the copy of .tdata, .tbss (zero) follows. At
    // the top of the page, the stack below it: an overflow runs into the gap page
    // below, not into the TLS block.
    char *tls = (char *)(stack_va + 4096 - AL4_THREAD_TLS_BYTES);
    size_t tdata = __tdata_end - __tdata_start;
    memcpy(tls, __tdata_start, tdata);
    memset(tls + tdata, 0, AL4_THREAD_TLS_BYTES - tdata);
    seL4_Word gp;
    asm("mv %0, gp" : "=r"(gp));
    seL4_UserContext regs = {.pc = (seL4_Word)fn, .sp = (seL4_Word)tls, .a0 = arg, .gp = gp,
                             .tp = (seL4_Word)tls};
    if (seL4_TCB_WriteRegisters(tcb, true, 0, sizeof(regs) / sizeof(seL4_Word), &regs))
        return 0;
    return tcb;
}
