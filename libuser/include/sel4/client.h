// Object invocations under upstream libsel4's names and signatures (upstream
// generates these from its interface files). Each is a Call on the object's cap:
// label = invocation, arguments in message registers, extra caps in the IPC buffer,
// and the reply's label is the seL4_Error.
#pragma once
#include "syscalls.h"
#include "invocation.h"
#include "errors.h"

static inline seL4_Error seL4__invoke(seL4_CPtr service, seL4_Word label, seL4_Word n_caps,
                                      seL4_Word n_mrs, seL4_MessageInfo_t *reply)
{
    seL4_MessageInfo_t r = seL4_Call(service, seL4_MessageInfo_new(label, 0, n_caps, n_mrs));
    if (reply)
        *reply = r;
    return (seL4_Error)seL4_MessageInfo_get_label(r);
}

/* Untyped */
static inline seL4_Error seL4_Untyped_Retype(seL4_Untyped service, seL4_Word type, seL4_Word size_bits,
                                             seL4_CNode root, seL4_Word node_index, seL4_Word node_depth,
                                             seL4_Word node_offset, seL4_Word num_objects)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, type);
    seL4_SetMR(1, size_bits);
    seL4_SetMR(2, node_index);
    seL4_SetMR(3, node_depth);
    seL4_SetMR(4, node_offset);
    seL4_SetMR(5, num_objects);
    return seL4__invoke(service, UntypedRetype, 1, 6, 0);
}

/* CNode */
static inline seL4_Error seL4_CNode_Revoke(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return seL4__invoke(service, CNodeRevoke, 0, 2, 0);
}
static inline seL4_Error seL4_CNode_Delete(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return seL4__invoke(service, CNodeDelete, 0, 2, 0);
}
static inline seL4_Error seL4_CNode_CancelBadgedSends(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return seL4__invoke(service, CNodeCancelBadgedSends, 0, 2, 0);
}
static inline seL4_Error seL4_CNode_SaveCaller(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return seL4__invoke(service, CNodeSaveCaller, 0, 2, 0);
}
static inline seL4_Error seL4_CNode_Copy(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
                                         seL4_CapRights_t rights)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights.words[0]);
    return seL4__invoke(service, CNodeCopy, 1, 5, 0);
}
static inline seL4_Error seL4_CNode_Mint(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
                                         seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights.words[0]);
    seL4_SetMR(5, badge);
    return seL4__invoke(service, CNodeMint, 1, 6, 0);
}
static inline seL4_Error seL4_CNode_Move(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                         seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    return seL4__invoke(service, CNodeMove, 1, 4, 0);
}
static inline seL4_Error seL4_CNode_Mutate(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                           seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
                                           seL4_Word badge)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, badge);
    return seL4__invoke(service, CNodeMutate, 1, 5, 0);
}
static inline seL4_Error seL4_CNode_Rotate(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                                           seL4_CNode pivot_root, seL4_Word pivot_index, seL4_Uint8 pivot_depth,
                                           seL4_Word pivot_badge, seL4_CNode src_root, seL4_Word src_index,
                                           seL4_Uint8 src_depth, seL4_Word src_badge)
{
    seL4_SetCap(0, pivot_root);
    seL4_SetCap(1, src_root);
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, pivot_badge);
    seL4_SetMR(3, pivot_index);
    seL4_SetMR(4, pivot_depth);
    seL4_SetMR(5, src_badge);
    seL4_SetMR(6, src_index);
    seL4_SetMR(7, src_depth);
    return seL4__invoke(service, CNodeRotate, 2, 8, 0);
}

/* TCB */
static inline seL4_Error seL4_TCB_ReadRegisters(seL4_TCB service, seL4_Bool suspend_source,
                                                seL4_Uint8 arch_flags, seL4_Word count,
                                                seL4_UserContext *regs)
{
    seL4_SetMR(0, (suspend_source & 1) | (seL4_Word)arch_flags << 8);
    seL4_SetMR(1, count);
    seL4_Error e = seL4__invoke(service, TCBReadRegisters, 0, 2, 0);
    if (e == seL4_NoError) {
        seL4_Word *out = (seL4_Word *)regs;
        for (seL4_Word i = 0; i < count && i < sizeof(*regs) / sizeof(seL4_Word); i++)
            out[i] = seL4_GetMR(i);
    }
    return e;
}
static inline seL4_Error seL4_TCB_WriteRegisters(seL4_TCB service, seL4_Bool resume_target,
                                                 seL4_Uint8 arch_flags, seL4_Word count,
                                                 seL4_UserContext *regs)
{
    seL4_SetMR(0, (resume_target & 1) | (seL4_Word)arch_flags << 8);
    seL4_SetMR(1, count);
    const seL4_Word *in = (const seL4_Word *)regs;
    for (seL4_Word i = 0; i < count && i < sizeof(*regs) / sizeof(seL4_Word); i++)
        seL4_SetMR(2 + i, in[i]);
    return seL4__invoke(service, TCBWriteRegisters, 0, 2 + count, 0);
}
static inline seL4_Error seL4_TCB_CopyRegisters(seL4_TCB service, seL4_TCB source, seL4_Bool suspend_source,
                                                seL4_Bool resume_target, seL4_Bool transfer_frame,
                                                seL4_Bool transfer_integer, seL4_Uint8 arch_flags)
{
    seL4_SetCap(0, source);
    seL4_SetMR(0, (suspend_source & 1) | (resume_target & 1) << 1 | (transfer_frame & 1) << 2 |
                      (transfer_integer & 1) << 3 | (seL4_Word)arch_flags << 8);
    return seL4__invoke(service, TCBCopyRegisters, 1, 1, 0);
}
static inline seL4_Error seL4_TCB_Configure(seL4_TCB service, seL4_Word fault_ep, seL4_CNode cspace_root,
                                            seL4_Word cspace_root_data, seL4_CPtr vspace_root,
                                            seL4_Word vspace_root_data, seL4_Word buffer,
                                            seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetCap(2, bufferFrame);
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    seL4_SetMR(3, buffer);
    return seL4__invoke(service, TCBConfigure, 3, 4, 0);
}
static inline seL4_Error seL4_TCB_SetPriority(seL4_TCB service, seL4_TCB authority, seL4_Word priority)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, priority);
    return seL4__invoke(service, TCBSetPriority, 1, 1, 0);
}
static inline seL4_Error seL4_TCB_SetMCPriority(seL4_TCB service, seL4_TCB authority, seL4_Word mcp)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, mcp);
    return seL4__invoke(service, TCBSetMCPriority, 1, 1, 0);
}
static inline seL4_Error seL4_TCB_SetSchedParams(seL4_TCB service, seL4_TCB authority, seL4_Word mcp,
                                                 seL4_Word priority)
{
    seL4_SetCap(0, authority);
    seL4_SetMR(0, mcp);
    seL4_SetMR(1, priority);
    return seL4__invoke(service, TCBSetSchedParams, 1, 2, 0);
}
static inline seL4_Error seL4_TCB_SetIPCBuffer(seL4_TCB service, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, bufferFrame);
    seL4_SetMR(0, buffer);
    return seL4__invoke(service, TCBSetIPCBuffer, 1, 1, 0);
}
static inline seL4_Error seL4_TCB_SetSpace(seL4_TCB service, seL4_Word fault_ep, seL4_CNode cspace_root,
                                           seL4_Word cspace_root_data, seL4_CPtr vspace_root,
                                           seL4_Word vspace_root_data)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    return seL4__invoke(service, TCBSetSpace, 2, 3, 0);
}
static inline seL4_Error seL4_TCB_Suspend(seL4_TCB service)
{
    return seL4__invoke(service, TCBSuspend, 0, 0, 0);
}
static inline seL4_Error seL4_TCB_Resume(seL4_TCB service)
{
    return seL4__invoke(service, TCBResume, 0, 0, 0);
}
static inline seL4_Error seL4_TCB_BindNotification(seL4_TCB service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return seL4__invoke(service, TCBBindNotification, 1, 0, 0);
}
static inline seL4_Error seL4_TCB_UnbindNotification(seL4_TCB service)
{
    return seL4__invoke(service, TCBUnbindNotification, 0, 0, 0);
}
#ifdef CONFIG_ENABLE_SMP_SUPPORT
static inline seL4_Error seL4_TCB_SetAffinity(seL4_TCB service, seL4_Word affinity)
{
    seL4_SetMR(0, affinity);
    return seL4__invoke(service, TCBSetAffinity, 0, 1, 0);
}
#endif
static inline seL4_Error seL4_TCB_SetTLSBase(seL4_TCB service, seL4_Word tls_base)
{
    seL4_SetMR(0, tls_base);
    return seL4__invoke(service, TCBSetTLSBase, 0, 1, 0);
}
typedef struct seL4_TCB_SetFlags {
    int error;
    seL4_Word flags;
} seL4_TCB_SetFlags_t;
static inline seL4_TCB_SetFlags_t seL4_TCB_SetFlags(seL4_TCB service, seL4_Word clear, seL4_Word set)
{
    seL4_SetMR(0, clear);
    seL4_SetMR(1, set);
    seL4_TCB_SetFlags_t r = {seL4__invoke(service, TCBSetFlags, 0, 2, 0), 0};
    if (r.error == seL4_NoError)
        r.flags = seL4_GetMR(0);
    return r;
}

/* Domains and IRQs */
static inline seL4_Error seL4_DomainSet_Set(seL4_DomainSet service, seL4_Uint8 domain, seL4_TCB thread)
{
    seL4_SetCap(0, thread);
    seL4_SetMR(0, domain);
    return seL4__invoke(service, DomainSetSet, 1, 1, 0);
}
static inline seL4_Error seL4_DomainSet_ScheduleConfigure(seL4_DomainSet service, seL4_Word index,
                                                          seL4_Uint8 domain, seL4_Uint64 duration)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, domain);
    seL4_SetMR(2, duration);
    return seL4__invoke(service, DomainScheduleConfigure, 0, 3, 0);
}
static inline seL4_Error seL4_DomainSet_ScheduleSetStart(seL4_DomainSet service, seL4_Word index)
{
    seL4_SetMR(0, index);
    return seL4__invoke(service, DomainScheduleSetStart, 0, 1, 0);
}
static inline seL4_Error seL4_IRQControl_Get(seL4_IRQControl service, seL4_Word irq, seL4_CNode root,
                                             seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, irq);
    seL4_SetMR(1, index);
    seL4_SetMR(2, depth);
    return seL4__invoke(service, IRQIssueIRQHandler, 1, 3, 0);
}
// RISC-V: the same with the line's trigger (non-zero: edge), as upstream's arch interface.
static inline seL4_Error seL4_IRQControl_GetTrigger(seL4_IRQControl service, seL4_Word irq,
                                                    seL4_Word trigger, seL4_CNode root,
                                                    seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(0, irq);
    seL4_SetMR(1, trigger);
    seL4_SetMR(2, index);
    seL4_SetMR(3, depth);
    return seL4__invoke(service, RISCVIRQIssueIRQHandlerTrigger, 1, 4, 0);
}
static inline seL4_Error seL4_IRQHandler_Ack(seL4_IRQHandler service)
{
    return seL4__invoke(service, IRQAckIRQ, 0, 0, 0);
}
static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_IRQHandler service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return seL4__invoke(service, IRQSetIRQHandler, 1, 0, 0);
}
static inline seL4_Error seL4_IRQHandler_Clear(seL4_IRQHandler service)
{
    return seL4__invoke(service, IRQClearIRQHandler, 0, 0, 0);
}

/* RISC-V VSpace */
static inline seL4_Error seL4_RISCV_PageTable_Map(seL4_RISCV_PageTable service, seL4_CPtr vspace,
                                                  seL4_Word vaddr, seL4_RISCV_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, attr);
    return seL4__invoke(service, RISCVPageTableMap, 1, 2, 0);
}
static inline seL4_Error seL4_RISCV_PageTable_Unmap(seL4_RISCV_PageTable service)
{
    return seL4__invoke(service, RISCVPageTableUnmap, 0, 0, 0);
}
static inline seL4_Error seL4_RISCV_Page_Map(seL4_RISCV_Page service, seL4_CPtr vspace, seL4_Word vaddr,
                                             seL4_CapRights_t rights, seL4_RISCV_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, rights.words[0]);
    seL4_SetMR(2, attr);
    return seL4__invoke(service, RISCVPageMap, 1, 3, 0);
}
static inline seL4_Error seL4_RISCV_Page_Unmap(seL4_RISCV_Page service)
{
    return seL4__invoke(service, RISCVPageUnmap, 0, 0, 0);
}
typedef struct seL4_RISCV_Page_GetAddress {
    int error;
    seL4_Word paddr;
} seL4_RISCV_Page_GetAddress_t;
static inline seL4_RISCV_Page_GetAddress_t seL4_RISCV_Page_GetAddress(seL4_RISCV_Page service)
{
    seL4_RISCV_Page_GetAddress_t r = {seL4__invoke(service, RISCVPageGetAddress, 0, 0, 0), 0};
    if (r.error == seL4_NoError)
        r.paddr = seL4_GetMR(0);
    return r;
}
static inline seL4_Error seL4_RISCV_ASIDControl_MakePool(seL4_RISCV_ASIDControl service, seL4_Untyped untyped,
                                                         seL4_CNode root, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, untyped);
    seL4_SetCap(1, root);
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return seL4__invoke(service, RISCVASIDControlMakePool, 2, 2, 0);
}
static inline seL4_Error seL4_RISCV_ASIDPool_Assign(seL4_RISCV_ASIDPool service, seL4_CPtr vspace)
{
    seL4_SetCap(0, vspace);
    return seL4__invoke(service, RISCVASIDPoolAssign, 1, 0, 0);
}
