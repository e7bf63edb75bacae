// Object sizes and limits of seL4 15.0.0 riscv64 (non-MCS, FPU on).
#pragma once
#include "simple_types.h"

#define seL4_SlotBits 5
#define seL4_TCBBits 11
#define seL4_EndpointBits 4
#define seL4_NotificationBits 5
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_PageTableBits 12
#define seL4_PageTableEntryBits 3
#define seL4_PageTableIndexBits 9
#define seL4_VSpaceBits seL4_PageTableBits
#define seL4_ASIDPoolBits 12
#define seL4_NumASIDPoolsBits 7
#define seL4_ASIDPoolIndexBits 9
#define seL4_IPCBufferSizeBits 10
#define seL4_BootInfoFrameBits 12
#define seL4_MinUntypedBits 4
#define seL4_MaxUntypedBits 38
#define seL4_UserTop 0x3ffffff000ul
#define seL4_MsgLengthBits 7
#define seL4_MsgExtraCapBits 2
#define seL4_MsgMaxLength 120
#define seL4_MsgMaxExtraCaps 3
#define seL4_FastMessageRegisters 4
#define seL4_MaxPrio 255
#define seL4_MinPrio 0
#define seL4_NumDomains 1
#define seL4_GuardSizeBits 6
#define seL4_GuardBits 58
#define seL4_BadgeBits 64
#define seL4_NumHWBreakpoints 0
#define seL4_MaxUntypedBootInfo 230

enum seL4_VMAttributes {
    seL4_RISCV_Default_VMAttributes = 0,
    seL4_RISCV_ExecuteNever = 0x1,
};
typedef enum seL4_VMAttributes seL4_RISCV_VMAttributes;

// Per-thread flags of seL4_TCB_SetFlags (RFC-18): fpuDisabled makes every
// floating-point instruction of the thread a UserException.
typedef enum {
    seL4_TCBFlag_NoFlag = 0x0,
    seL4_TCBFlag_fpuDisabled = 0x1,
    seL4_TCBFlag_MASK = seL4_TCBFlag_fpuDisabled,
} seL4_TCBFlag;
