// Threads of the benchmarks in a twin address space (twin.h).
#include "twin.h"
#include <stdio.h>
#include <string.h>

extern char _start[], __tdata_start[], __tdata_end[];

static seL4_Word image_base(void)
{
    return (seL4_Word)_start & ~0xffful;
}

seL4_CPtr twin_vspace(struct al4_alloc *a, seL4_BootInfo *bi)
{
    seL4_CPtr vspace = al4_vspace_new(a, seL4_CapInitThreadASIDPool);
    if (!vspace) {
        printf("bench: cannot create the twin VSpace\n");
        return 0;
    }
    for (seL4_CPtr f = bi->userImageFrames.start; f < bi->userImageFrames.end; f++) {
        seL4_CPtr copy = al4_alloc_slot(a);
        seL4_CNode_Copy(seL4_CapInitThreadCNode, copy, 64, seL4_CapInitThreadCNode, f, 64, seL4_AllRights);
        seL4_Error e = al4_map_frame(a, vspace, copy, image_base() + (f - bi->userImageFrames.start) * 4096,
                                     seL4_AllRights, seL4_RISCV_Default_VMAttributes);
        if (e) {
            printf("bench: mapping the twin image failed (%d)\n", e);
            return 0;
        }
    }
    return vspace;
}

bool twin_thread_create(struct al4_alloc *a, seL4_BootInfo *bi, seL4_CPtr vspace,
                        struct twin_thread *t, void (*entry)(seL4_Word), seL4_Word arg,
                        seL4_Word prio)
{
    t->tcb = al4_alloc_object(a, seL4_TCBObject, 0);
    if (!t->tcb) {
        printf("bench: cannot allocate a TCB\n");
        return false;
    }
    seL4_CPtr ipc_frame = bi->userImageFrames.start + (((seL4_Word)t->ipc - image_base()) >> 12);
    seL4_TCB_Configure(t->tcb, 0, seL4_CapInitThreadCNode, 0, vspace, 0, (seL4_Word)t->ipc, ipc_frame);
    seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio);
    memcpy(t->tls, __tdata_start, __tdata_end - __tdata_start);
    seL4_UserContext regs = {0};
    seL4_Word gp;
    asm("mv %0, gp" : "=r"(gp));
    regs.pc = (seL4_Word)entry;
    regs.sp = (seL4_Word)(t->stack + sizeof(t->stack));
    regs.a0 = arg;
    regs.gp = gp;
    regs.tp = (seL4_Word)t->tls;
    return seL4_TCB_WriteRegisters(t->tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs) ==
           seL4_NoError;
}
