// Shared by the VSPACE, FRAMEEXPORTS and PROCESS tests: the process library's allocator
// over one test's resources, and helper threads that touch memory and report.
#pragma once
#include "helpers.h"
#include <al4/process.h>

#define ROOT_CNODE seL4_CapInitThreadCNode
#define ROOT_VSPACE seL4_CapInitThreadVSpace
#define VM_PRIO 255
// Free in the root task's VSpace (its image starts at 0x10000): the first GiB has a
// level-1 table, the 2 MiB region here no level-0 table.
#define FREE_VA 0x10000000ul
#define PAGE 4096ul
#define MEGA (1ul << seL4_LargePageBits)
// Free too: the library maps frames here while filling them.
#define LIB_SCRATCH 0x20000000ul

// A library allocator over a run of `slots` of this test's slots and an untyped of
// 2^untyped_bits bytes from its untyped; the runner's reset takes both back.
static inline void lib_alloc(struct env *env, struct al4_alloc *a, unsigned slots,
                             unsigned untyped_bits)
{
    seL4_CPtr first = alloc_slot(env);
    for (unsigned i = 1; i < slots; i++)
        alloc_slot(env);
    al4_alloc_init(a, first, first + slots, LIB_SCRATCH);
    al4_alloc_add_untyped(a, alloc_object(env, seL4_UntypedObject, untyped_bits));
}

// A toucher is a helper thread in the root task's VSpace that makes one access to
// arg[0] and reports on the endpoint arg[3] with label TOUCHED and MR0 = what it read
// (or what the code there returned). Its fault endpoint is the same endpoint, so the
// root task's next Recv there gets either the report or the fault.
enum touch { TOUCH_LOAD, TOUCH_STORE, TOUCH_EXEC };
#define TOUCHED 0x70c

static inline void toucher(struct test_thread *t)
{
    volatile seL4_Word *p = (volatile seL4_Word *)t->arg[0];
    seL4_Word v = 0;
    if (t->arg[1] == TOUCH_LOAD)
        v = *p;
    else if (t->arg[1] == TOUCH_STORE)
        *p = t->arg[2];
    else
        v = ((seL4_Word(*)(void))t->arg[0])();
    seL4_SetMR(0, v);
    seL4_Send(t->arg[3], seL4_MessageInfo_new(TOUCHED, 0, 0, 1));
}

static inline void start_toucher(struct env *env, struct test_thread *t, seL4_CPtr ep,
                                 seL4_Word addr, enum touch how, seL4_Word value)
{
    thread_create(env, t, toucher, VM_PRIO, ep);
    t->arg[0] = addr;
    t->arg[1] = how;
    t->arg[2] = value;
    t->arg[3] = ep;
    thread_start(t);
}

// Receives the VM fault a toucher must take: at `addr`, FSR 1 (fetch), 5 (load) or
// 7 (store). The toucher waits for a reply to retry.
static inline void expect_vm_fault(struct env *env, seL4_CPtr ep, seL4_Word addr, seL4_Word fsr)
{
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_VMFault);
    test_eq(env, seL4_MessageInfo_get_length(info), seL4_VMFault_Length);
    test_eq(env, seL4_GetMR(seL4_VMFault_Addr), addr);
    test_eq(env, seL4_GetMR(seL4_VMFault_FSR), fsr);
    test_eq(env, seL4_GetMR(seL4_VMFault_PrefetchFault), fsr == 1);
}

// Receives a toucher's report and returns its word (~0 after a failed check).
static inline seL4_Word expect_touched(struct env *env, seL4_CPtr ep)
{
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL);
    test_eq(env, seL4_MessageInfo_get_label(info), TOUCHED);
    return seL4_MessageInfo_get_label(info) == TOUCHED ? seL4_GetMR(0) : ~0ul;
}

// Position-independent code (vm_blob.S) for threads in VSpaces of their own: stores a0
// at the address in a1, loads it back and sends it with seL4_Call on the endpoint in a2.
extern const char touch_blob[], touch_blob_end[];
// Also position independent: seL4_Call on the endpoint in a2 with MR0 = a0, again and
// again, MR0 one higher each time.
extern const char call_blob[], call_blob_end[];
// Also position independent: adds one to the word at the address in a1, for ever.
extern const char spin_blob[], spin_blob_end[];

// A thread in `vspace` running touch_blob (mapped at `code` by the caller): it stores
// `tag` at `data` and reports the word through the endpoint at `ep` of `cspace`.
static inline seL4_CPtr start_blob_thread(struct env *env, struct al4_alloc *a, seL4_CPtr vspace,
                                          seL4_CPtr cspace, seL4_Word cspace_data, seL4_Word code,
                                          seL4_Word data, seL4_CPtr ep, seL4_Word tag)
{
    seL4_CPtr tcb = al4_alloc_object(a, seL4_TCBObject, 0);
    test_check(env, tcb != 0);
    test_eq(env, seL4_TCB_Configure(tcb, 0, cspace, cspace_data, vspace, 0, 0, 0), seL4_NoError);
    test_eq(env, seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, VM_PRIO - 1), seL4_NoError);
    seL4_UserContext regs = {.pc = code, .a0 = tag, .a1 = data, .a2 = ep};
    test_eq(env, seL4_TCB_WriteRegisters(tcb, true, 0, sizeof(regs) / sizeof(seL4_Word), &regs),
            seL4_NoError);
    return tcb;
}

static inline seL4_Word blob_size(void)
{
    return touch_blob_end - touch_blob;
}
