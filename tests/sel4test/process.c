// PROCESS: the root task builds a second process with the process library (al4/process.h)
// from an ELF image (tests/sel4test/child/, embedded by child_image.S): its own VSpace,
// CSpace and thread, talking to the root task over an endpoint.
#include "vm.h"
#include <elf.h>
#include <string.h>

#include "child/child.h"
#define CHILD_CNODE_BITS 8
#define CHILD_BADGE 0x42
#define FAULT_BADGE 0xfa

extern const char child_elf[], child_elf_end[];

// The runner prints a test's description after running it: a test that cannot run
// appends the TAP directive, which the harness counts as skipped.
#define SKIP_NOTE " # SKIP no child image in this build (CHILD_ELF)"
static char desc_echo[128] = "a process loaded from an ELF image talks with its parent";
static char desc_fault[128] = "a process's VM fault reaches its parent, which maps the page";

static size_t child_size(void)
{
    return (uintptr_t)child_elf_end - (uintptr_t)child_elf;
}

static bool have_child(char *desc)
{
    if (child_size())
        return true;
    strcat(desc, SKIP_NOTE);
    return false;
}

// Creates and starts the child at a priority below the root task's: it runs when the
// root task waits. `fault` gives it a fault endpoint (a second badge of `ep`).
static void start_child(struct env *env, struct al4_alloc *a, struct al4_process *p, seL4_CPtr ep,
                        bool fault)
{
    lib_alloc(env, a, 256, 22);
    test_eq(env, al4_process_create(p, a, child_elf, child_size(), seL4_CapInitThreadASIDPool,
                                    CHILD_CNODE_BITS),
            seL4_NoError);
    test_eq(env, al4_process_give(p, ep, seL4_AllRights, CHILD_BADGE), seL4_NumInitialCaps);
    seL4_CPtr fault_ep = fault ? al4_process_give(p, ep, seL4_AllRights, FAULT_BADGE) : 0;
    test_eq(env, al4_process_start(p, fault_ep, VM_PRIO - 1, seL4_CapInitThreadTCB), seL4_NoError);
}

// Waits for the child's hello and checks what it says about how it was built.
static void expect_hello(struct env *env, const struct al4_process *p, seL4_CPtr ep)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), HELLO);
    test_eq(env, badge, CHILD_BADGE);
    test_eq(env, seL4_GetMR(0), 0x5eed);  // .data was loaded
    test_eq(env, seL4_GetMR(1), 0);       // .bss is zero
    test_eq(env, seL4_GetMR(3), p->ipc_buffer);
    test_eq(env, seL4_GetMR(4), p->next_slot);
    test_eq(env, seL4_GetMR(5), CHILD_CNODE_BITS);
    test_eq(env, seL4_GetMR(6), seL4_NoError);  // its CNode copy worked
    test_eq(env, seL4_GetMR(7), env->bi->numNodes);  // the machine's harts, as the root's
    // The child is linked where the root task is: its variable's address is in the
    // root task's image too, holding something else here.
    test_check(env, *(volatile seL4_Word *)seL4_GetMR(2) != 0x5eed);
}

static void process_echo(struct env *env)
{
    static struct al4_alloc a;
    static struct al4_process p;
    if (!have_child(desc_echo))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    start_child(env, &a, &p, ep, false);
    expect_hello(env, &p, ep);
    // A long message (through both IPC buffers) and its answer.
    seL4_Word sum = 0, badge = 0;
    for (seL4_Word i = 0; i < 20; i++) {
        seL4_SetMR(i, i * i);
        sum += i * i;
    }
    seL4_MessageInfo_t info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(ADD, 0, 0, 20), &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), RESULT);
    test_eq(env, badge, CHILD_BADGE);  // its copy of the endpoint keeps the badge
    test_eq(env, seL4_GetMR(0), sum);
    // Its code is where the ELF file says, with what the file holds.
    const Elf64_Ehdr *eh = (const void *)child_elf;
    const Elf64_Phdr *text = (const void *)(child_elf + eh->e_phoff);
    while (text->p_type != PT_LOAD)
        text++;
    seL4_SetMR(0, text->p_vaddr);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(TOUCH, 0, 0, 1), &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), RESULT);
    test_eq(env, seL4_GetMR(0), *(const seL4_Word *)(child_elf + text->p_offset));
    seL4_Reply(seL4_MessageInfo_new(STOP, 0, 0, 0));
}
DEFINE_TEST(PROCESS0001, desc_echo, process_echo);

static void process_fault(struct env *env)
{
    static struct al4_alloc a;
    static struct al4_process p;
    const seL4_Word addr = 0x7000000, value = 0x77;
    if (!have_child(desc_fault))
        return;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    start_child(env, &a, &p, ep, true);
    expect_hello(env, &p, ep);
    seL4_Word badge = 0;
    seL4_SetMR(0, addr);
    seL4_MessageInfo_t info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(TOUCH, 0, 0, 1), &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), seL4_VMFault);
    test_eq(env, badge, FAULT_BADGE);
    test_eq(env, seL4_GetMR(seL4_VMFault_Addr), addr);
    test_eq(env, seL4_GetMR(seL4_VMFault_FSR), 5);
    test_check(env, seL4_GetMR(seL4_VMFault_IP) >= 0x10000);
    // The parent pages it in, in the child's VSpace, and lets it retry.
    seL4_CPtr frame = al4_alloc_frame_with(&a, &value, sizeof(value), 0);
    test_eq(env, al4_map_frame(&a, p.vspace, frame, addr, seL4_CanRead, seL4_RISCV_ExecuteNever),
            seL4_NoError);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    test_eq(env, seL4_MessageInfo_get_label(info), RESULT);
    test_eq(env, badge, CHILD_BADGE);
    test_eq(env, seL4_GetMR(0), value);
    seL4_Reply(seL4_MessageInfo_new(STOP, 0, 0, 0));
}
DEFINE_TEST(PROCESS0002, desc_fault, process_fault);

static void alloc_from_bootinfo(struct env *env)
{
    static seL4_BootInfo bi;
    struct al4_alloc a;
    seL4_CPtr first = alloc_slot(env);
    for (int i = 1; i < 4; i++)
        alloc_slot(env);
    // Three untypeds in a row, described as a root task's boot info would: a small one,
    // one said to be device memory, a larger one.
    seL4_CPtr small = alloc_object(env, seL4_UntypedObject, seL4_PageBits);
    seL4_CPtr device = alloc_object(env, seL4_UntypedObject, 16);
    seL4_CPtr large = alloc_object(env, seL4_UntypedObject, 16);
    seL4_CPtr spare = alloc_slot(env);
    test_assert(env, device == small + 1 && large == small + 2);
    memset(&bi, 0, sizeof(bi));
    bi.empty = (seL4_SlotRegion){first, first + 4};
    bi.untyped = (seL4_SlotRegion){small, small + 3};
    bi.untypedList[0].sizeBits = seL4_PageBits;
    bi.untypedList[1].sizeBits = 16;
    bi.untypedList[1].isDevice = 1;
    bi.untypedList[2].sizeBits = 16;
    al4_alloc_init_bootinfo(&a, &bi, LIB_SCRATCH);
    test_eq(env, a.n_untyped, 2);
    // The first frame fills the small untyped, the second comes from the large one.
    test_eq(env, al4_alloc_object(&a, seL4_RISCV_4K_Page, 0), first);
    test_eq(env, al4_alloc_object(&a, seL4_RISCV_4K_Page, 0), first + 1);
    test_eq(env, seL4_Untyped_Retype(small, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, spare, 1),
            seL4_NotEnoughMemory);
    test_eq(env, seL4_Untyped_Retype(device, seL4_UntypedObject, 16, ROOT_CNODE, 0, 0, spare, 1),
            seL4_NoError);  // untouched
    // Too large for any: nothing made, no slot used up, and smaller objects still fit.
    test_eq(env, al4_alloc_object(&a, seL4_RISCV_Mega_Page, 0), 0);
    test_eq(env, al4_alloc_object(&a, seL4_EndpointObject, 0), first + 2);
    // Out of slots.
    test_eq(env, al4_alloc_slot(&a), first + 3);
    test_eq(env, al4_alloc_slot(&a), 0);
    test_eq(env, al4_alloc_object(&a, seL4_EndpointObject, 0), 0);
}
DEFINE_TEST(PROCESS0003, "the allocator takes free slots and RAM untypeds from boot info",
            alloc_from_bootinfo);
