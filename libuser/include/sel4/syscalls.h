// System call stubs for riscv64: a0 cptr/badge, a1 message info, a2..a5 MR0..MR3,
// a7 syscall number. The kernel preserves every other register, so the stubs clobber
// only memory (the IPC buffer).
#pragma once
#include "functions.h"
#include "syscall.h"

static inline void riscv_sys_send(seL4_Word sys, seL4_Word dest, seL4_Word info, seL4_Word mr0,
                                  seL4_Word mr1, seL4_Word mr2, seL4_Word mr3)
{
    register seL4_Word a0 asm("a0") = dest;
    register seL4_Word a1 asm("a1") = info;
    register seL4_Word a2 asm("a2") = mr0;
    register seL4_Word a3 asm("a3") = mr1;
    register seL4_Word a4 asm("a4") = mr2;
    register seL4_Word a5 asm("a5") = mr3;
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
                 : "r"(a7) : "memory");
}

static inline void riscv_sys_reply(seL4_Word sys, seL4_Word info, seL4_Word mr0, seL4_Word mr1,
                                   seL4_Word mr2, seL4_Word mr3)
{
    register seL4_Word a1 asm("a1") = info;
    register seL4_Word a2 asm("a2") = mr0;
    register seL4_Word a3 asm("a3") = mr1;
    register seL4_Word a4 asm("a4") = mr2;
    register seL4_Word a5 asm("a5") = mr3;
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5) : "r"(a7) : "memory");
}

static inline void riscv_sys_recv(seL4_Word sys, seL4_Word src, seL4_Word *out_badge,
                                  seL4_Word *out_info, seL4_Word *mr0, seL4_Word *mr1,
                                  seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word a0 asm("a0") = src;
    register seL4_Word a1 asm("a1");
    register seL4_Word a2 asm("a2");
    register seL4_Word a3 asm("a3");
    register seL4_Word a4 asm("a4");
    register seL4_Word a5 asm("a5");
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : "+r"(a0), "=r"(a1), "=r"(a2), "=r"(a3), "=r"(a4), "=r"(a5)
                 : "r"(a7) : "memory");
    *out_badge = a0;
    *out_info = a1;
    *mr0 = a2;
    *mr1 = a3;
    *mr2 = a4;
    *mr3 = a5;
}

static inline void riscv_sys_send_recv(seL4_Word sys, seL4_Word dest, seL4_Word *out_badge,
                                       seL4_Word info, seL4_Word *out_info, seL4_Word *mr0,
                                       seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word a0 asm("a0") = dest;
    register seL4_Word a1 asm("a1") = info;
    register seL4_Word a2 asm("a2") = *mr0;
    register seL4_Word a3 asm("a3") = *mr1;
    register seL4_Word a4 asm("a4") = *mr2;
    register seL4_Word a5 asm("a5") = *mr3;
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5)
                 : "r"(a7) : "memory");
    *out_badge = a0;
    *out_info = a1;
    *mr0 = a2;
    *mr1 = a3;
    *mr2 = a4;
    *mr3 = a5;
}

static inline void riscv_sys_null(seL4_Word sys)
{
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : : "r"(a7) : "memory");
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    riscv_sys_send(seL4_SysSend, dest, msgInfo.words[0], seL4_GetMR(0), seL4_GetMR(1),
                   seL4_GetMR(2), seL4_GetMR(3));
}

static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    riscv_sys_send(seL4_SysNBSend, dest, msgInfo.words[0], seL4_GetMR(0), seL4_GetMR(1),
                   seL4_GetMR(2), seL4_GetMR(3));
}

static inline void seL4_Reply(seL4_MessageInfo_t msgInfo)
{
    riscv_sys_reply(seL4_SysReply, msgInfo.words[0], seL4_GetMR(0), seL4_GetMR(1),
                    seL4_GetMR(2), seL4_GetMR(3));
}

// A Send that carries no message registers: a notification's Send reads the cap and
// the info only (upstream's seL4_Signal passes just those two as well), so a2..a5 are
// neither set nor trusted afterwards.
static inline void riscv_sys_send_null(seL4_Word sys, seL4_Word dest, seL4_Word info)
{
    register seL4_Word a0 asm("a0") = dest;
    register seL4_Word a1 asm("a1") = info;
    register seL4_Word a7 asm("a7") = sys;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a7) : "a2", "a3", "a4", "a5", "memory");
}

static inline void seL4_Signal(seL4_CPtr dest)
{
    riscv_sys_send_null(seL4_SysSend, dest, seL4_MessageInfo_new(0, 0, 0, 0).words[0]);
}

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_MessageInfo_t info;
    seL4_Word badge, m0, m1, m2, m3;
    riscv_sys_recv(seL4_SysRecv, src, &badge, &info.words[0], &m0, &m1, &m2, &m3);
    seL4_SetMR(0, m0);
    seL4_SetMR(1, m1);
    seL4_SetMR(2, m2);
    seL4_SetMR(3, m3);
    if (sender)
        *sender = badge;
    return info;
}

static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_MessageInfo_t info;
    seL4_Word badge, m0, m1, m2, m3;
    riscv_sys_recv(seL4_SysNBRecv, src, &badge, &info.words[0], &m0, &m1, &m2, &m3);
    seL4_SetMR(0, m0);
    seL4_SetMR(1, m1);
    seL4_SetMR(2, m2);
    seL4_SetMR(3, m3);
    if (sender)
        *sender = badge;
    return info;
}

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_MessageInfo_t info;
    seL4_Word badge;
    seL4_Word m0 = seL4_GetMR(0), m1 = seL4_GetMR(1), m2 = seL4_GetMR(2), m3 = seL4_GetMR(3);
    riscv_sys_send_recv(seL4_SysCall, dest, &badge, msgInfo.words[0], &info.words[0], &m0, &m1,
                        &m2, &m3);
    seL4_SetMR(0, m0);
    seL4_SetMR(1, m1);
    seL4_SetMR(2, m2);
    seL4_SetMR(3, m3);
    return info;
}

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                seL4_Word *sender)
{
    seL4_MessageInfo_t info;
    seL4_Word badge;
    seL4_Word m0 = seL4_GetMR(0), m1 = seL4_GetMR(1), m2 = seL4_GetMR(2), m3 = seL4_GetMR(3);
    riscv_sys_send_recv(seL4_SysReplyRecv, src, &badge, msgInfo.words[0], &info.words[0], &m0,
                        &m1, &m2, &m3);
    seL4_SetMR(0, m0);
    seL4_SetMR(1, m1);
    seL4_SetMR(2, m2);
    seL4_SetMR(3, m3);
    if (sender)
        *sender = badge;
    return info;
}

static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Recv(src, sender);
}

static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    return seL4_NBRecv(src, sender);
}

static inline void seL4_Yield(void)
{
    riscv_sys_null(seL4_SysYield);
}

// Debug calls exist only in the configurations that have them, as in upstream libsel4:
// calling one elsewhere fails to compile instead of faulting.
#ifdef CONFIG_PRINTING
static inline void seL4_DebugPutChar(char c)
{
    seL4_Word unused0 = 0, unused1 = 0, unused2 = 0, unused3 = 0, unused4 = 0, unused5 = 0;
    riscv_sys_send_recv(seL4_SysDebugPutChar, (seL4_Word)(unsigned char)c, &unused0, 0,
                        &unused1, &unused2, &unused3, &unused4, &unused5);
}

static inline void seL4_DebugDumpScheduler(void)
{
    riscv_sys_null(seL4_SysDebugDumpScheduler);
}

#endif

#ifdef CONFIG_DEBUG_BUILD
static inline void seL4_DebugHalt(void)
{
    riscv_sys_null(seL4_SysDebugHalt);
}

static inline void seL4_DebugSnapshot(void)
{
    riscv_sys_null(seL4_SysDebugSnapshot);
}

static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word unused0 = 0, unused1 = 0, unused2 = 0, unused3 = 0, unused4 = 0;
    riscv_sys_send_recv(seL4_SysDebugCapIdentify, cap, &cap, 0, &unused0, &unused1, &unused2,
                        &unused3, &unused4);
    return (seL4_Uint32)cap;
}

// The name is read from the caller's IPC buffer, msg[0] onward, NUL-terminated.
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&seL4_GetIPCBuffer()->msg[0];
    seL4_Word max = seL4_MsgMaxLength * sizeof(seL4_Word) - 1, i = 0;
    for (; i < max && name[i]; i++)
        dst[i] = name[i];
    dst[i] = 0;
    seL4_Word unused0 = 0, unused1 = 0, unused2 = 0, unused3 = 0, unused4 = 0;
    riscv_sys_send_recv(seL4_SysDebugNameThread, tcb, &unused0, 0, &unused1, &unused2, &unused3,
                        &unused4, &unused0);
}
#endif
