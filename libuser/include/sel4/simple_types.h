// Base types of the seL4 ABI (riscv64). Shared by libuser and the kernel: these
// headers are the one place the binary interface is written down.
#pragma once
#include <stdint.h>

typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef int8_t seL4_Int8;
typedef int32_t seL4_Int32;
typedef int64_t seL4_Int64;
typedef uint64_t seL4_Word;
typedef int64_t seL4_SWord;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_Domain;
typedef seL4_Int8 seL4_Bool;
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_SchedContext;
typedef seL4_CPtr seL4_SchedControl;
typedef seL4_CPtr seL4_RISCV_Page;
typedef seL4_CPtr seL4_RISCV_PageTable;
typedef seL4_CPtr seL4_RISCV_ASIDControl;
typedef seL4_CPtr seL4_RISCV_ASIDPool;
typedef seL4_Word seL4_Time;

#define seL4_True  1
#define seL4_False 0
#define seL4_Null  ((void *)0)
#define seL4_WordBits 64
#define seL4_WordSizeBits 3

#define SEL4_ABI_ASSERT(cond, name) _Static_assert(cond, #name)
