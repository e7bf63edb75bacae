// IPC buffer, message info, rights, faults and register context: the words that cross
// the user/kernel boundary. Bit layouts are written as shifts, never C bitfields.
#pragma once
#include "simple_types.h"
#include "constants.h"

typedef struct seL4_IPCBuffer_ {
    seL4_Word tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} seL4_IPCBuffer __attribute__((__aligned__(sizeof(seL4_Word))));

SEL4_ABI_ASSERT(__builtin_offsetof(seL4_IPCBuffer, msg) == 8, ipc_msg);
SEL4_ABI_ASSERT(__builtin_offsetof(seL4_IPCBuffer, userData) == 968, ipc_userdata);
SEL4_ABI_ASSERT(__builtin_offsetof(seL4_IPCBuffer, caps_or_badges) == 976, ipc_caps);
SEL4_ABI_ASSERT(__builtin_offsetof(seL4_IPCBuffer, receiveDepth) == 1016, ipc_depth);
SEL4_ABI_ASSERT(sizeof(seL4_IPCBuffer) == 1024, ipc_size);

// Message info: length bits 0-6, extraCaps 7-8, capsUnwrapped 9-11, label 12-63.
typedef struct seL4_MessageInfo {
    seL4_Word words[1];
} seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Word label, seL4_Word capsUnwrapped,
                                                      seL4_Word extraCaps, seL4_Word length)
{
    seL4_MessageInfo_t m;
    m.words[0] = (label << 12) | ((capsUnwrapped & 0x7) << 9) | ((extraCaps & 0x3) << 7) |
                 (length & 0x7f);
    return m;
}
static inline seL4_Word seL4_MessageInfo_get_label(seL4_MessageInfo_t m) { return m.words[0] >> 12; }
static inline seL4_Word seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t m) { return (m.words[0] >> 9) & 0x7; }
static inline seL4_Word seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t m) { return (m.words[0] >> 7) & 0x3; }
static inline seL4_Word seL4_MessageInfo_get_length(seL4_MessageInfo_t m) { return m.words[0] & 0x7f; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_label(seL4_MessageInfo_t m, seL4_Word v)
{
    m.words[0] = (m.words[0] & 0xfff) | (v << 12);
    return m;
}
static inline seL4_MessageInfo_t seL4_MessageInfo_set_length(seL4_MessageInfo_t m, seL4_Word v)
{
    m.words[0] = (m.words[0] & ~(seL4_Word)0x7f) | (v & 0x7f);
    return m;
}
static inline seL4_MessageInfo_t seL4_MessageInfo_set_extraCaps(seL4_MessageInfo_t m, seL4_Word v)
{
    m.words[0] = (m.words[0] & ~(seL4_Word)0x180) | ((v & 0x3) << 7);
    return m;
}

// Cap rights: bit 0 Write, 1 Read, 2 Grant, 3 GrantReply.
typedef struct seL4_CapRights {
    seL4_Word words[1];
} seL4_CapRights_t;

static inline seL4_CapRights_t seL4_CapRights_new(seL4_Word grantReply, seL4_Word grant,
                                                  seL4_Word read, seL4_Word write)
{
    seL4_CapRights_t r;
    r.words[0] = ((grantReply & 1) << 3) | ((grant & 1) << 2) | ((read & 1) << 1) | (write & 1);
    return r;
}
#define seL4_AllRights seL4_CapRights_new(1, 1, 1, 1)
#define seL4_CanRead seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanWrite seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanGrant seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply seL4_CapRights_new(1, 0, 0, 0)
#define seL4_NoWrite seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead seL4_CapRights_new(1, 1, 0, 1)
#define seL4_NoRights seL4_CapRights_new(0, 0, 0, 0)
#define seL4_ReadWrite seL4_CapRights_new(0, 0, 1, 1)

// CNode cap data: guard in bits 6-63, guard size in bits 0-5.
static inline seL4_Word seL4_CNode_CapData_new(seL4_Word guard, seL4_Word guardSize)
{
    return (guard << 6) | (guardSize & 0x3f);
}

typedef enum {
    seL4_NoFault = 0,
    seL4_CapFault = 1,
    seL4_UnknownSyscall = 2,
    seL4_UserException = 3,
    seL4_VMFault = 5,
} seL4_FaultType;

typedef enum {
    seL4_NoFailure = 0,
    seL4_InvalidRoot = 1,
    seL4_MissingCapability = 2,
    seL4_DepthMismatch = 3,
    seL4_GuardMismatch = 4,
} seL4_LookupFailureType;

// Message register indices of the fault messages (sel4-abi.md).
enum {
    seL4_CapFault_IP = 0,
    seL4_CapFault_Addr,
    seL4_CapFault_InRecvPhase,
    seL4_CapFault_LookupFailureType,
    seL4_CapFault_BitsLeft,
    seL4_CapFault_DepthMismatch_BitsFound,
    seL4_CapFault_GuardMismatch_GuardFound = seL4_CapFault_DepthMismatch_BitsFound,
    seL4_CapFault_GuardMismatch_BitsFound,
};
enum {
    seL4_UnknownSyscall_FaultIP = 0,
    seL4_UnknownSyscall_SP,
    seL4_UnknownSyscall_RA,
    seL4_UnknownSyscall_A0,
    seL4_UnknownSyscall_A1,
    seL4_UnknownSyscall_A2,
    seL4_UnknownSyscall_A3,
    seL4_UnknownSyscall_A4,
    seL4_UnknownSyscall_A5,
    seL4_UnknownSyscall_A6,
    seL4_UnknownSyscall_Syscall,
    seL4_UnknownSyscall_Length,
};
enum {
    seL4_UserException_FaultIP = 0,
    seL4_UserException_SP,
    seL4_UserException_Number,
    seL4_UserException_Code,
    seL4_UserException_Length,
};
enum {
    seL4_VMFault_IP = 0,
    seL4_VMFault_Addr,
    seL4_VMFault_PrefetchFault,
    seL4_VMFault_FSR,
    seL4_VMFault_Length,
};

// seL4_UserContext: the order of TCB Read/WriteRegisters.
typedef struct seL4_UserContext_ {
    seL4_Word pc, ra, sp, gp;
    seL4_Word s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
    seL4_Word a0, a1, a2, a3, a4, a5, a6, a7;
    seL4_Word t0, t1, t2, t3, t4, t5, t6;
    seL4_Word tp;
} seL4_UserContext;
SEL4_ABI_ASSERT(sizeof(seL4_UserContext) == 32 * 8, user_context_size);

// Cap types as DebugCapIdentify reports them.
typedef enum {
    seL4_CapTag_Null = 0,
    seL4_CapTag_Frame = 1,
    seL4_CapTag_Untyped = 2,
    seL4_CapTag_PageTable = 3,
    seL4_CapTag_Endpoint = 4,
    seL4_CapTag_Notification = 6,
    seL4_CapTag_Reply = 8,
    seL4_CapTag_CNode = 10,
    seL4_CapTag_ASIDControl = 11,
    seL4_CapTag_Thread = 12,
    seL4_CapTag_ASIDPool = 13,
    seL4_CapTag_IRQControl = 14,
    seL4_CapTag_IRQHandler = 16,
    seL4_CapTag_Zombie = 18,
    seL4_CapTag_Domain = 20,
} seL4_CapTag;
