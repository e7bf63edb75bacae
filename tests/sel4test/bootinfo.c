// BOOTINFO: what the kernel hands the root task, checked against the DTB and the
// layout seL4 documents (sel4-abi.md, "Boot info and the root task").
#include "test.h"

extern char _start[], _end[];

#define PAGE 4096ul
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static void bootinfo_fields(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    test_eq(env, bi->nodeID, 0);
#ifndef CONFIG_ENABLE_SMP_SUPPORT
    test_eq(env, bi->numNodes, 1);
#endif
    test_eq(env, bi->numIOPTLevels, 0);
    test_eq(env, bi->initThreadCNodeSizeBits, CONFIG_ROOT_CNODE_SIZE_BITS);
    test_eq(env, bi->initThreadDomain, 0);
    test_eq(env, bi->sharedFrames.start, bi->sharedFrames.end);
    test_eq(env, bi->ioSpaceCaps.start, bi->ioSpaceCaps.end);
    // Slot regions follow each other from slot 16 in seL4's order.
    test_eq(env, bi->userImagePaging.start, seL4_NumInitialCaps);
    test_eq(env, bi->extraBIPages.start, bi->userImagePaging.end);
    test_eq(env, bi->userImageFrames.start, bi->extraBIPages.end);
    test_eq(env, bi->untyped.start, bi->userImageFrames.end);
    test_eq(env, bi->empty.start, bi->untyped.end);
    test_eq(env, bi->empty.end, 1ul << bi->initThreadCNodeSizeBits);
    test_check(env, bi->untyped.end - bi->untyped.start <= seL4_MaxUntypedBootInfo);
}
DEFINE_TEST(BOOTINFO0001, "boot info fields and slot regions", bootinfo_fields);

static bool overlaps(seL4_Word a, seL4_Word alen, seL4_Word b, seL4_Word blen)
{
    return a < b + blen && b < a + alen;
}

static bool in_ram(const struct fdt_info *f, seL4_Word p, seL4_Word len)
{
    for (int i = 0; i < f->n_mem; i++)
        if (p >= f->mem[i].base && p + len <= f->mem[i].base + f->mem[i].size)
            return true;
    return false;
}

// RAM seL4 does not treat as RAM: the SBI's first 2 MiB and no-map reserved memory.
static bool not_ram(const struct fdt_info *f, seL4_Word p, seL4_Word len)
{
    seL4_Word first = ~0ul;
    for (int i = 0; i < f->n_mem; i++)
        first = f->mem[i].base < first ? f->mem[i].base : first;
    if (p >= first && p + len <= first + (2ul << 20))
        return true;
    for (int r = 0; r < f->n_resv; r++)
        if ((f->resv_nomap & (1u << r)) && p >= f->resv[r].base &&
            p + len <= f->resv[r].base + f->resv[r].size)
            return true;
    return false;
}

static bool touches_ram(const struct fdt_info *f, seL4_Word p, seL4_Word len)
{
    for (int i = 0; i < f->n_mem; i++)
        if (overlaps(p, len, f->mem[i].base, f->mem[i].size))
            return true;
    return false;
}

static void untypeds_match_dtb(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    struct fdt_info *f = &env->fdt;
    test_assert(env, env->fdt_error == 0);
    seL4_Word n = bi->untyped.end - bi->untyped.start, ram = 0, ram_total = 0, resv = 0;
    test_assert(env, n > 0);
    bool ram_seen = false;
    for (seL4_Word i = 0; i < n; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        seL4_Word size = 1ul << d->sizeBits;
        test_check(env, d->sizeBits >= seL4_MinUntypedBits && d->sizeBits <= seL4_MaxUntypedBits);
        test_check(env, d->paddr % size == 0);
        test_eq(env, seL4_DebugCapIdentify(bi->untyped.start + i), seL4_CapTag_Untyped);
        for (seL4_Word j = 0; j < i; j++) {
            seL4_UntypedDesc *e = &bi->untypedList[j];
            test_check(env, !overlaps(d->paddr, size, e->paddr, 1ul << e->sizeBits));
        }
        // seL4's order: device untypeds, then RAM, each in address order.
        if (i > 0 && d->isDevice == bi->untypedList[i - 1].isDevice)
            test_check(env, d->paddr > bi->untypedList[i - 1].paddr);
        if (d->isDevice) {
            test_check(env, !ram_seen);
            test_check(env, !touches_ram(f, d->paddr, size) || not_ram(f, d->paddr, size));
            test_check(env, d->paddr + size <= 1ul << 39);
            continue;
        }
        ram_seen = true;
        ram += size;
        test_check(env, in_ram(f, d->paddr, size));
        test_check(env, !not_ram(f, d->paddr, 1) && !not_ram(f, d->paddr + size - 1, 1));
    }
    for (int i = 0; i < f->n_mem; i++)
        ram_total += f->mem[i].size;
    for (int r = 0; r < f->n_resv; r++)
        if (f->resv_nomap & (1u << r))
            resv += f->resv[r].size;
    // Everything but the firmware, the kernel, the root task's image and its boot
    // objects (a few MiB at most) is handed out as untyped.
    printf("# RAM %lu KiB, no-map reserved %lu KiB, untyped RAM %lu KiB\n", ram_total >> 10,
           resv >> 10, ram >> 10);
    test_check(env, ram <= ram_total - (2ul << 20));
    test_check(env, ram >= ram_total - (2ul << 20) - resv - (8ul << 20));
}
DEFINE_TEST(BOOTINFO0002, "untypeds cover free RAM and device space as the DTB says", untypeds_match_dtb);

static void harts_match_dtb(struct env *env)
{
    test_assert(env, env->fdt_error == 0);
    test_check(env, env->fdt.n_harts >= 1);
    if (env->expect_harts)
        test_eq(env, env->fdt.n_harts, env->expect_harts);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    // Every hart up to the configured number of nodes schedules threads.
    seL4_Word nodes = env->fdt.n_harts < CONFIG_MAX_NUM_NODES ? env->fdt.n_harts : CONFIG_MAX_NUM_NODES;
    test_eq(env, env->bi->numNodes, nodes);
#else
    // The single-core configuration: the other harts are parked.
    test_eq(env, env->bi->numNodes, 1);
#endif
}
DEFINE_TEST(BOOTINFO0003, "harts in the DTB match the machine", harts_match_dtb);

static void extra_bootinfo_dtb(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    const seL4_BootInfoHeader *h = (const void *)((char *)bi + PAGE);
    test_eq(env, h->id, SEL4_BOOTINFO_HEADER_FDT);
    const unsigned char *dtb = (const unsigned char *)(h + 1);
    test_check(env, dtb[0] == 0xd0 && dtb[1] == 0x0d && dtb[2] == 0xfe && dtb[3] == 0xed);
    seL4_Word total = (seL4_Word)dtb[4] << 24 | dtb[5] << 16 | dtb[6] << 8 | dtb[7];
    test_eq(env, h->len, total + sizeof(*h));
    // As seL4: the extra boot info is exactly the DTB chunk (no padding chunk), in as
    // many pages as it touches.
    test_eq(env, bi->extraLen, h->len);
    test_eq(env, bi->extraBIPages.end - bi->extraBIPages.start, PAGE_UP(bi->extraLen) / PAGE);
    for (seL4_Word s = bi->extraBIPages.start; s < bi->extraBIPages.end; s++)
        test_eq(env, seL4_DebugCapIdentify(s), seL4_CapTag_Frame);
    test_eq(env, env->fdt_error, 0);
}
DEFINE_TEST(BOOTINFO0004, "the DTB arrives as extra boot info", extra_bootinfo_dtb);

static void image_layout(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    seL4_Word start = (seL4_Word)_start & ~(PAGE - 1), end = PAGE_UP((seL4_Word)_end);
    test_eq(env, bi->userImageFrames.end - bi->userImageFrames.start, (end - start) / PAGE);
    for (seL4_Word s = bi->userImageFrames.start; s < bi->userImageFrames.end; s++)
        test_eq(env, seL4_DebugCapIdentify(s), seL4_CapTag_Frame);
    // As seL4's get_n_paging: a table of each level for every GiB and 2 MiB the root
    // task's region touches (the image, IPC buffer, boot info and the extra boot info's
    // block, the power of two that holds it), one of each while it stays below 2 MiB.
    seL4_Word block = bi->extraLen ? PAGE : 0;
    while (block && block < bi->extraLen)
        block <<= 1;
    seL4_Word top = end + 2 * PAGE + block;
    seL4_Word tables = ((top - 1) >> 30) - (start >> 30) + 1 + ((top - 1) >> 21) - (start >> 21) + 1;
    test_eq(env, bi->userImagePaging.end - bi->userImagePaging.start, tables);
    for (seL4_Word s = bi->userImagePaging.start; s < bi->userImagePaging.end; s++)
        test_eq(env, seL4_DebugCapIdentify(s), seL4_CapTag_PageTable);
    // IPC buffer right after the image, boot info after the IPC buffer.
    test_eq(env, bi->ipcBuffer, end);
    test_eq(env, bi, end + PAGE);
}
DEFINE_TEST(BOOTINFO0005, "image frames, paging caps, IPC buffer and boot info positions", image_layout);

static void empty_slots(struct env *env)
{
    seL4_BootInfo *bi = env->bi;
    // The runner keeps each test's untyped in the first empty slot.
    test_eq(env, seL4_DebugCapIdentify(bi->empty.start), seL4_CapTag_Untyped);
    for (seL4_Word s = bi->empty.start + 1; s < bi->empty.end; s++)
        if (seL4_DebugCapIdentify(s) != seL4_CapTag_Null) {
            printf("# slot %lu is not empty\n", (unsigned long)s);
            test_check(env, false);
            return;
        }
}
DEFINE_TEST(BOOTINFO0006, "the empty region is empty but for the test untyped", empty_slots);

static void ipc_buffer(struct env *env)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    test_eq(env, b, env->bi->ipcBuffer);
    test_eq(env, (seL4_Word)b % (1ul << seL4_IPCBufferSizeBits), 0);
    for (int i = 0; i < seL4_MsgMaxLength; i++)
        seL4_SetMR(i, 0x1000 + i);
    for (int i = 0; i < seL4_MsgMaxLength; i++)
        test_eq(env, seL4_GetMR(i), 0x1000 + i);
    b->userData = 0x5a5a;
    test_eq(env, seL4_GetUserData(), 0x5a5a);
}
DEFINE_TEST(BOOTINFO0007, "IPC buffer is aligned, readable and writable", ipc_buffer);

// seL4's create_initial_thread inserts the root thread's CTable, VTable and IPC buffer
// caps as children of the initial caps (cteInsert), so setting the thread's space to
// the CNode and VSpace it already has deletes only those copies. It runs alone: if the
// copies were outside the derivation tree, the old CTable cap would look final and its
// deletion would take the root CNode, and the root task's TCB cap with it.
static void set_space_on_self(struct env *env)
{
    test_eq(env, seL4_TCB_SetSpace(seL4_CapInitThreadTCB, seL4_CapNull, seL4_CapInitThreadCNode, 0,
                                   seL4_CapInitThreadVSpace, 0), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(seL4_CapInitThreadCNode), seL4_CapTag_CNode);
    test_eq(env, seL4_DebugCapIdentify(seL4_CapInitThreadTCB), seL4_CapTag_Thread);
    test_eq(env, seL4_DebugCapIdentify(seL4_CapInitThreadVSpace), seL4_CapTag_PageTable);
    // The buffer slot's copy is derived (unmapped): replacing it keeps the page mapped.
    test_eq(env, seL4_TCB_SetIPCBuffer(seL4_CapInitThreadTCB, (seL4_Word)env->bi->ipcBuffer,
                                       seL4_CapInitThreadIPCBuffer), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(seL4_CapInitThreadIPCBuffer), seL4_CapTag_Frame);
    seL4_SetMR(seL4_MsgMaxLength - 1, 0x5a);
    test_eq(env, seL4_GetMR(seL4_MsgMaxLength - 1), 0x5a);
    if (!env->failures)
        printf("root task kept its CNode, VSpace, IPC buffer and TCB\n");
}
DEFINE_CONSOLE_TEST(BOOTINFO0008, "TCB_SetSpace on the root thread with its own CNode and VSpace",
                    set_space_on_self, "root task kept its CNode, VSpace, IPC buffer and TCB\n");
