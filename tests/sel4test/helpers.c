#include "helpers.h"
#include <al4/bootinfo.h>
#include <stdlib.h>
#include <string.h>

#define TEST_UNTYPED_BITS 24  // 16 MiB per test, revoked after it
#define TEST_SLOTS 1024
#define IPC_PAGES 8

extern char _start[], __tdata_start[], __tdata_end[], __tbss_end[];

static seL4_CPtr parent_untyped, test_untyped, first_slot, next_slot;
static char ipc_pages[IPC_PAGES][4096] __attribute__((aligned(4096)));
static int next_ipc_page;

// The largest RAM untyped is the pool every test's untyped is carved from.
void helpers_init(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    seL4_Word best = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice && d->sizeBits > best) {
            best = d->sizeBits;
            parent_untyped = bi->untyped.start + i;
        }
    }
    first_slot = bi->empty.start;
    test_untyped = first_slot++;
}

// Everything the previous test created goes: revoking the test untyped deletes every
// object made from it, deleting the slots removes copies of other caps.
void helpers_reset(struct env *env)
{
    (void)env;
    seL4_CNode_Revoke(seL4_CapInitThreadCNode, test_untyped, seL4_WordBits);
    seL4_CNode_Delete(seL4_CapInitThreadCNode, test_untyped, seL4_WordBits);
    for (seL4_CPtr s = first_slot; s < next_slot; s++)
        seL4_CNode_Delete(seL4_CapInitThreadCNode, s, seL4_WordBits);
    seL4_CNode_Revoke(seL4_CapInitThreadCNode, parent_untyped, seL4_WordBits);
    seL4_Untyped_Retype(parent_untyped, seL4_UntypedObject, TEST_UNTYPED_BITS,
                        seL4_CapInitThreadCNode, 0, 0, test_untyped, 1);
    next_slot = first_slot;
    next_ipc_page = 0;
}

seL4_CPtr alloc_slot(struct env *env)
{
    (void)env;
    return next_slot < first_slot + TEST_SLOTS ? next_slot++ : 0;
}

seL4_CPtr alloc_object(struct env *env, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = alloc_slot(env);
    seL4_Error e = seL4_Untyped_Retype(test_untyped, type, size_bits, seL4_CapInitThreadCNode,
                                       0, 0, slot, 1);
    test_eq(env, e, seL4_NoError);
    return e == seL4_NoError ? slot : 0;
}

seL4_CPtr image_frame_cap(struct env *env, void *page)
{
    seL4_Word first = (seL4_Word)_start & ~0xffful;
    return env->bi->userImageFrames.start + (((seL4_Word)page - first) >> 12);
}

static void trampoline(struct test_thread *t)
{
    seL4_SetIPCBuffer(t->ipc);
    t->fn(t);
    t->done = 1;
    seL4_TCB_Suspend(t->tcb);
}

void thread_create(struct env *env, struct test_thread *t, void (*fn)(struct test_thread *),
                   seL4_Word prio, seL4_CPtr fault_ep)
{
    thread_create_on(env, t, alloc_object(env, seL4_TCBObject, 0), fn, prio, fault_ep);
}

void thread_create_on(struct env *env, struct test_thread *t, seL4_CPtr tcb,
                      void (*fn)(struct test_thread *), seL4_Word prio, seL4_CPtr fault_ep)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->tcb = tcb;
    test_check(env, next_ipc_page < IPC_PAGES);
    void *page = ipc_pages[next_ipc_page++ % IPC_PAGES];
    memset(page, 0, 4096);
    t->ipc = page;
    test_eq(env, seL4_TCB_Configure(t->tcb, fault_ep, seL4_CapInitThreadCNode, 0,
                                    seL4_CapInitThreadVSpace, 0, (seL4_Word)page,
                                    image_frame_cap(env, page)), seL4_NoError);
    test_eq(env, seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio), seL4_NoError);
    size_t tdata = __tdata_end - __tdata_start, tls = __tbss_end - __tdata_start;
    memcpy(t->tls, __tdata_start, tdata);
    memset(t->tls + tdata, 0, tls - tdata);
    seL4_UserContext regs = {0};
    seL4_Word gp;
    asm("mv %0, gp" : "=r"(gp));
    regs.pc = (seL4_Word)trampoline;
    regs.sp = (seL4_Word)&t->stack[THREAD_STACK_WORDS];
    regs.a0 = (seL4_Word)t;
    regs.gp = gp;
    regs.tp = (seL4_Word)t->tls;
    test_eq(env, seL4_TCB_WriteRegisters(t->tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs),
            seL4_NoError);
}

void thread_start(struct test_thread *t)
{
    seL4_TCB_Resume(t->tcb);
}

bool thread_wait(struct test_thread *t, int spins)
{
    for (int i = 0; i < spins && !t->done; i++)
        seL4_Yield();
    return t->done;
}

seL4_Error map_in_root(struct env *env, seL4_CPtr frame, seL4_Word va)
{
    seL4_Error e;
    while ((e = seL4_RISCV_Page_Map(frame, seL4_CapInitThreadVSpace, va, seL4_ReadWrite,
                                    seL4_RISCV_ExecuteNever)) == seL4_FailedLookup) {
        seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
        if (!pt || seL4_RISCV_PageTable_Map(pt, seL4_CapInitThreadVSpace, va, 0) != seL4_NoError)
            break;
    }
    return e;
}

// Retypes the device untyped first into blocks that use up the bytes below `paddr`.
seL4_CPtr device_frame(struct env *env, seL4_Word paddr)
{
    seL4_BootInfo *bi = env->bi;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || paddr < d->paddr || paddr >= d->paddr + (1ul << d->sizeBits))
            continue;
        seL4_CPtr ut = bi->untyped.start + i;
        seL4_Word offset = paddr - d->paddr;
        // Largest blocks first keeps every block naturally aligned.
        for (int bits = d->sizeBits - 1; bits >= 12; bits--)
            if (offset & (1ul << bits)) {
                seL4_CPtr s = alloc_slot(env);
                test_eq(env,
                        seL4_Untyped_Retype(ut, seL4_UntypedObject, bits,
                                            seL4_CapInitThreadCNode, 0, 0, s, 1),
                        seL4_NoError);
            }
        seL4_CPtr frame = alloc_slot(env);
        test_eq(env,
                seL4_Untyped_Retype(ut, seL4_RISCV_4K_Page, 0, seL4_CapInitThreadCNode, 0, 0,
                                    frame, 1),
                seL4_NoError);
        return frame;
    }
    return 0;
}

bool need_harts(struct env *env, seL4_Word n)
{
    if (env->bi->numNodes >= n)
        return true;
    printf("# needs %lu harts, have %lu\n", (unsigned long)n, (unsigned long)env->bi->numNodes);
    test_check(env, false);
    return false;
}

seL4_Word bootarg_word(struct env *env, const char *key, seL4_Word dflt)
{
    return al4_bootarg_word(env->fdt.bootargs, key, dflt);
}

bool long_revoke_setup(struct env *env, seL4_CPtr *ut, seL4_CPtr *cn)
{
    *ut = alloc_object(env, seL4_UntypedObject, 19);
    *cn = alloc_object(env, seL4_CapTableObject, 14);
    if (!*ut || !*cn) {
        test_check(env, false);
        return false;
    }
    for (seL4_Word i = 0; i < LONG_REVOKE_CAPS; i += 256)
        if (seL4_Untyped_Retype(*ut, seL4_EndpointObject, 0, seL4_CapInitThreadCNode, *cn, 64,
                                i, 256) != seL4_NoError) {
            test_check(env, false);
            return false;
        }
    return true;
}
