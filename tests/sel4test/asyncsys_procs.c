// ASYNCSYS: several processes (the PROCESS child, tests/sel4test/child/) submit
// asynchronous system calls at once, each through its own rings from its own CSpace and
// VSpace. The same cptrs name different objects in each (a frame, a badged
// notification, an untyped of another size): every child's replies must be the ones
// its synchronous calls get (child/asyncsys.c compares them), name its own objects, and
// arrive in its own ring only; every Signal reaches its own notification.
#include "vm.h"
#include "child/child.h"
#include <al4/asyncsys.h>
#include <string.h>

#define PROCS 3
#define ROUNDS 24
#define CHILD_CNODE_BITS 8
#define RING_VA 0x40000000ul  // free in the child (linked where the root task is)

extern const char child_elf[], child_elf_end[];

struct proc {
    struct al4_process p;
    seL4_CPtr frame, signal;
    seL4_Word paddr, ut_bits;
    seL4_Word r[CR_WORDS];
};

static char desc[128] = "several processes' asynchronous system calls: own CSpace, own ring, no mixing";

// The child i: its caps in the same order for all, so the same cptrs; a ring frame
// mapped at RING_VA; on hart i of several.
static void make_child(struct env *env, struct al4_alloc *a, seL4_CPtr ep, unsigned i, struct proc *c)
{
    size_t size = (uintptr_t)child_elf_end - (uintptr_t)child_elf;
    test_eq(env, al4_process_create(&c->p, a, child_elf, size, seL4_CapInitThreadASIDPool,
                                    CHILD_CNODE_BITS), seL4_NoError);
    test_eq(env, al4_process_give(&c->p, ep, seL4_AllRights, i + 1), seL4_NumInitialCaps);
    seL4_CPtr ring = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    seL4_CPtr ring_ntfn = al4_alloc_object(a, seL4_NotificationObject, 0);
    c->frame = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    c->signal = al4_alloc_object(a, seL4_NotificationObject, 0);
    c->ut_bits = seL4_PageBits + i;
    seL4_CPtr ut = al4_alloc_object(a, seL4_UntypedObject, c->ut_bits);
    test_assert(env, ring && ring_ntfn && c->frame && c->signal && ut);
    c->paddr = seL4_RISCV_Page_GetAddress(c->frame).paddr;
    test_eq(env, al4_map_frame(a, c->p.vspace, ring, RING_VA, seL4_AllRights, seL4_RISCV_ExecuteNever),
            seL4_NoError);
    // The given caps land in the child's slots in order: the same cptrs in every child.
    test_eq(env, al4_process_give(&c->p, ring, seL4_AllRights, 0), seL4_NumInitialCaps + 1);
    test_eq(env, al4_process_give(&c->p, ring_ntfn, seL4_AllRights, 0), seL4_NumInitialCaps + 2);
    test_eq(env, al4_process_give(&c->p, c->frame, seL4_AllRights, 0), seL4_NumInitialCaps + 3);
    test_eq(env, al4_process_give(&c->p, c->signal, seL4_AllRights, 1ul << i), seL4_NumInitialCaps + 4);
    test_eq(env, al4_process_give(&c->p, ut, seL4_AllRights, 0), seL4_NumInitialCaps + 5);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    test_eq(env, seL4_TCB_SetAffinity(c->p.tcb, i % env->bi->numNodes), seL4_NoError);
#endif
    test_eq(env, al4_process_start(&c->p, 0, VM_PRIO - 1, seL4_CapInitThreadTCB), seL4_NoError);
}

// The ASYNCSYS command for child i (its HELLO is waiting for this reply).
static seL4_MessageInfo_t command(const struct proc *c)
{
    const seL4_Word arg[CA_WORDS] = {
        [CA_RING_VA] = RING_VA, [CA_RING_FRAME] = seL4_NumInitialCaps + 1,
        [CA_RING_NTFN] = seL4_NumInitialCaps + 2, [CA_FRAME] = seL4_NumInitialCaps + 3,
        [CA_SIGNAL] = seL4_NumInitialCaps + 4, [CA_UNTYPED] = seL4_NumInitialCaps + 5,
        [CA_UT_BITS] = c->ut_bits, [CA_ROUNDS] = ROUNDS};
    for (unsigned w = 0; w < CA_WORDS; w++)
        seL4_SetMR(w, arg[w]);
    return seL4_MessageInfo_new(ASYNCSYS, 0, 0, CA_WORDS);
}

static void processes(struct env *env)
{
    static struct al4_alloc a;
    static struct proc c[PROCS];
    if ((uintptr_t)child_elf_end == (uintptr_t)child_elf) {
        strcat(desc, " # SKIP no child image in this build (CHILD_ELF)");
        return;
    }
    memset(c, 0, sizeof(c));
    lib_alloc(env, &a, 600, 23);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    for (unsigned i = 0; i < PROCS; i++)
        make_child(env, &a, ep, i, &c[i]);
    if (env->failures)
        return;
    // Each child says hello and gets its command; the first to finish may report before
    // the last says hello. One reply cap: one child at a time waits for an answer.
    seL4_Word badge = 0;
    unsigned reported = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        seL4_Word label = seL4_MessageInfo_get_label(info);
        test_assert(env, badge >= 1 && badge <= PROCS);
        struct proc *p = &c[badge - 1];
        seL4_MessageInfo_t reply;
        if (label == HELLO) {
            reply = command(p);
        } else {
            test_eq(env, label, RESULT);
            test_eq(env, seL4_MessageInfo_get_length(info), CR_WORDS);
            for (unsigned w = 0; w < CR_WORDS; w++)
                p->r[w] = seL4_GetMR(w);
            reply = seL4_MessageInfo_new(STOP, 0, 0, 0);
            if (++reported == PROCS) {
                seL4_Reply(reply);
                break;
            }
        }
        info = seL4_ReplyRecv(ep, reply, &badge);
    }
    for (unsigned i = 0; i < PROCS; i++) {
        const struct proc *p = &c[i];
        printf("# child %u: %lu replies, %lu differing from the synchronous call\n", i,
               (unsigned long)p->r[CR_ANSWERED], (unsigned long)p->r[CR_BAD]);
        test_eq(env, p->r[CR_BAD], 0);
        // Its own frame, through its cptr and through its copy; its own untyped's room.
        test_eq(env, p->r[CR_PADDR], p->paddr);
        test_eq(env, p->r[CR_COPY_PADDR], p->paddr);
        test_eq(env, p->r[CR_FREE_BYTES], (1ul << p->ut_bits) - (1ul << seL4_NotificationBits));
        test_eq(env, p->r[CR_RETYPED], 1);
        // Its ring answered its requests, no more and no fewer.
        test_eq(env, p->r[CR_ANSWERED], ROUNDS * CA_STEPS);
        // Both runs signalled its own notification with its own badge, nobody else's.
        seL4_Word got = 0;
        seL4_Poll(p->signal, &got);
        test_eq(env, got, 1ul << i);
    }
}
DEFINE_TEST(ASYNCSYS0015, desc, processes);
