// Objects from untypeds, VSpaces with page tables on demand, and ELF processes
// (al4/process.h).
#include <al4/process.h>
#include <al4/bootinfo.h>
#include <elf.h>
#include <stdbool.h>
#include <string.h>

#define PAGE_SIZE (1ul << seL4_PageBits)
#define ROUND_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define ROUND_UP(x) ROUND_DOWN((x) + PAGE_SIZE - 1)

void al4_alloc_init(struct al4_alloc *a, seL4_CPtr first_slot, seL4_CPtr end_slot,
                    seL4_Word scratch)
{
    memset(a, 0, sizeof(*a));
    a->cnode = seL4_CapInitThreadCNode;
    a->vspace = seL4_CapInitThreadVSpace;
    a->next_slot = first_slot;
    a->end_slot = end_slot;
    a->scratch = scratch;
}

void al4_alloc_add_untyped(struct al4_alloc *a, seL4_CPtr untyped)
{
    if (a->n_untyped < AL4_ALLOC_UNTYPEDS)
        a->untyped[a->n_untyped++] = untyped;
}

void al4_alloc_init_bootinfo(struct al4_alloc *a, const seL4_BootInfo *bi, seL4_Word scratch)
{
    al4_alloc_init(a, bi->empty.start, bi->empty.end, scratch);
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (!bi->untypedList[i].isDevice)
            al4_alloc_add_untyped(a, bi->untyped.start + i);
}

seL4_CPtr al4_alloc_slot(struct al4_alloc *a)
{
    return a->next_slot < a->end_slot ? a->next_slot++ : 0;
}

seL4_CPtr al4_alloc_object(struct al4_alloc *a, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = al4_alloc_slot(a);
    if (!slot)
        return 0;
    // Start with the untyped that gave the last object; one too full for this object
    // may still hold a smaller one later.
    for (unsigned i = 0; i < a->n_untyped; i++) {
        unsigned u = (a->cur + i) % a->n_untyped;
        seL4_Error e = seL4_Untyped_Retype(a->untyped[u], type, size_bits, a->cnode, 0, 0, slot, 1);
        if (e == seL4_NoError) {
            a->cur = u;
            return slot;
        }
        if (e != seL4_NotEnoughMemory)
            break;
    }
    a->next_slot--;
    return 0;
}

// Writes `len` bytes of `data` at `offset` into `frame`, mapped for the moment at the
// scratch address.
static seL4_Error fill_frame(struct al4_alloc *a, seL4_CPtr frame, const void *data, size_t len,
                             size_t offset)
{
    seL4_Error e =
        al4_map_frame(a, a->vspace, frame, a->scratch, seL4_ReadWrite, seL4_RISCV_ExecuteNever);
    if (e)
        return e;
    memcpy((char *)a->scratch + offset, data, len);
    return seL4_RISCV_Page_Unmap(frame);
}

seL4_CPtr al4_alloc_frame_with(struct al4_alloc *a, const void *data, size_t len, size_t offset)
{
    if (offset > PAGE_SIZE || len > PAGE_SIZE - offset)
        return 0;
    seL4_CPtr frame = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    if (!frame)
        return 0;
    // Frames retyped from RAM start zeroed: only the data needs writing.
    if (len && fill_frame(a, frame, data, len, offset) != seL4_NoError)
        return 0;
    return frame;
}

seL4_CPtr al4_vspace_new(struct al4_alloc *a, seL4_CPtr asid_pool)
{
    seL4_CPtr root = al4_alloc_object(a, seL4_RISCV_PageTableObject, 0);
    if (!root || seL4_RISCV_ASIDPool_Assign(asid_pool, root) != seL4_NoError)
        return 0;
    return root;
}

seL4_Error al4_map_frame(struct al4_alloc *a, seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                         seL4_CapRights_t rights, seL4_Word attr)
{
    // FailedLookup: the walk ended above the frame's level; a page table mapped at the
    // address hangs where the walk ended, one level further down. Sv39 has two levels
    // below the root.
    for (int tries = 0;; tries++) {
        seL4_Error e = seL4_RISCV_Page_Map(frame, vspace, vaddr, rights, attr);
        if (e != seL4_FailedLookup || tries == 2)
            return e;
        seL4_CPtr pt = al4_alloc_object(a, seL4_RISCV_PageTableObject, 0);
        if (!pt)
            return seL4_NotEnoughMemory;
        e = seL4_RISCV_PageTable_Map(pt, vspace, vaddr, seL4_RISCV_Default_VMAttributes);
        if (e)
            return e;
    }
}

static bool elf_ok(const Elf64_Ehdr *eh, size_t size)
{
    return size >= sizeof(*eh) && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
           eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_EXEC &&
           eh->e_machine == EM_RISCV && eh->e_phentsize == sizeof(Elf64_Phdr) &&
           eh->e_phoff <= size && eh->e_phnum <= (size - eh->e_phoff) / sizeof(Elf64_Phdr);
}

// Maps one PT_LOAD segment page by page, each a new frame holding its part of the file.
static seL4_Error load_segment(struct al4_process *p, const char *elf, const Elf64_Phdr *ph)
{
    seL4_CapRights_t rights = (ph->p_flags & PF_W) ? seL4_ReadWrite : seL4_CanRead;
    seL4_Word attr =
        (ph->p_flags & PF_X) ? seL4_RISCV_Default_VMAttributes : seL4_RISCV_ExecuteNever;
    seL4_Word file_end = ph->p_vaddr + ph->p_filesz;
    for (seL4_Word va = ROUND_DOWN(ph->p_vaddr); va < ph->p_vaddr + ph->p_memsz; va += PAGE_SIZE) {
        seL4_Word from = va > ph->p_vaddr ? va : ph->p_vaddr;
        seL4_Word to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
        size_t len = to > from ? to - from : 0;
        seL4_CPtr frame = al4_alloc_frame_with(p->alloc, elf + ph->p_offset + (from - ph->p_vaddr),
                                               len, from - va);
        if (!frame)
            return seL4_NotEnoughMemory;
        seL4_Error e = al4_map_frame(p->alloc, p->vspace, frame, va, rights, attr);
        if (e)
            return e;
    }
    return seL4_NoError;
}

static seL4_Error load_elf(struct al4_process *p, const void *elf, size_t size, seL4_Word *end)
{
    const Elf64_Ehdr *eh = elf;
    if (!elf_ok(eh, size))
        return seL4_InvalidArgument;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)elf + eh->e_phoff);
    *end = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        // Segments come in address order (ELF spec); two must not share a page.
        if (ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset ||
            ph[i].p_filesz > ph[i].p_memsz || ROUND_DOWN(ph[i].p_vaddr) < *end)
            return seL4_InvalidArgument;
        seL4_Error e = load_segment(p, elf, &ph[i]);
        if (e)
            return e;
        *end = ROUND_UP(ph[i].p_vaddr + ph[i].p_memsz);
    }
    p->entry = eh->e_entry;
    // The code was written through the data side; this hart's instruction fetches must
    // see it. (Another hart running the process would need its own fence.i.)
    asm volatile("fence.i" ::: "memory");
    return seL4_NoError;
}

// Copies `cap` of the creator's CSpace into `slot` of the process's CNode.
static seL4_Error give_at(struct al4_process *p, seL4_CPtr slot, seL4_CPtr cap,
                          seL4_CapRights_t rights, seL4_Word badge)
{
    return seL4_CNode_Mint(p->cnode, slot, p->cnode_bits, p->alloc->cnode, cap, seL4_WordBits,
                           rights, badge);
}

// The guard that makes the process's one-level CSpace resolve 64-bit addresses.
static seL4_Word cspace_guard(const struct al4_process *p)
{
    return seL4_CNode_CapData_new(0, seL4_WordBits - p->cnode_bits);
}

seL4_Error al4_process_create(struct al4_process *p, struct al4_alloc *a, const void *elf,
                              size_t elf_size, seL4_CPtr asid_pool, seL4_Word cnode_bits)
{
    memset(p, 0, sizeof(*p));
    p->alloc = a;
    p->cnode_bits = cnode_bits;
    p->vspace = al4_vspace_new(a, asid_pool);
    if (!p->vspace)
        return seL4_NotEnoughMemory;
    seL4_Word end;
    seL4_Error e = load_elf(p, elf, elf_size, &end);
    if (e)
        return e;
    // As for the root task: the IPC buffer on the page after the image, the boot info
    // on the page after that.
    p->ipc_buffer = end;
    p->bootinfo = end + PAGE_SIZE;
    p->ipc_frame = al4_alloc_object(a, seL4_RISCV_4K_Page, 0);
    p->cnode = al4_alloc_object(a, seL4_CapTableObject, cnode_bits);
    p->tcb = al4_alloc_object(a, seL4_TCBObject, 0);
    if (!p->ipc_frame || !p->cnode || !p->tcb)
        return seL4_NotEnoughMemory;
    e = al4_map_frame(a, p->vspace, p->ipc_frame, p->ipc_buffer, seL4_ReadWrite,
                      seL4_RISCV_ExecuteNever);
    if (e)
        return e;
    if ((e = give_at(p, seL4_CapInitThreadTCB, p->tcb, seL4_AllRights, 0)) ||
        (e = give_at(p, seL4_CapInitThreadCNode, p->cnode, seL4_AllRights, cspace_guard(p))) ||
        (e = give_at(p, seL4_CapInitThreadVSpace, p->vspace, seL4_AllRights, 0)))
        return e;
    p->next_slot = seL4_NumInitialCaps;
    return seL4_NoError;
}

seL4_CPtr al4_process_give(struct al4_process *p, seL4_CPtr cap, seL4_CapRights_t rights,
                           seL4_Word badge)
{
    if (p->next_slot >= (1ul << p->cnode_bits) ||
        give_at(p, p->next_slot, cap, rights, badge) != seL4_NoError)
        return 0;
    return p->next_slot++;
}

seL4_Error al4_process_set_bootinfo(struct al4_process *p, seL4_Word id, const void *data,
                                    size_t len)
{
    // Drop the chunk of this id, if any, by moving the ones after it down.
    size_t off = 0;
    while (off < p->extra_len) {
        seL4_BootInfoHeader *h = (void *)(p->extra + off);
        if (h->id == id) {
            memmove(p->extra + off, p->extra + off + h->len, p->extra_len - off - h->len);
            p->extra_len -= h->len;
            break;
        }
        off += h->len;
    }
    size_t chunk = sizeof(seL4_BootInfoHeader) + ((len + 7) & ~7ul);  // keep chunks aligned
    if (chunk > sizeof(p->extra) - p->extra_len)
        return seL4_NotEnoughMemory;
    seL4_BootInfoHeader *h = (void *)(p->extra + p->extra_len);
    *h = (seL4_BootInfoHeader){.id = id, .len = chunk};
    memcpy(h + 1, data, len);
    memset((char *)(h + 1) + len, 0, chunk - sizeof(*h) - len);
    p->extra_len += chunk;
    return seL4_NoError;
}

seL4_Error al4_process_set_args(struct al4_process *p, const seL4_Word *args, unsigned n)
{
    return al4_process_set_bootinfo(p, AL4_BOOTINFO_ARGS, args, n * sizeof(seL4_Word));
}

seL4_Error al4_process_start(struct al4_process *p, seL4_CPtr fault_ep, seL4_Word prio,
                             seL4_CPtr authority)
{
    static seL4_BootInfo bi;  // static: too large for a small stack
    memset(&bi, 0, sizeof(bi));
    // The machine's harts as the creator was told them (a root task by the kernel): a
    // process that spreads its threads over harts needs the number. It boots on node 0
    // unless its creator set another affinity, as a root task does.
    bi.numNodes = platsupport_get_bootinfo()->numNodes;
    bi.ipcBuffer = (seL4_IPCBuffer *)p->ipc_buffer;
    bi.empty = (seL4_SlotRegion){p->next_slot, 1ul << p->cnode_bits};
    bi.initThreadCNodeSizeBits = p->cnode_bits;
    bi.extraLen = p->extra_len;
    p->bootinfo_frame = al4_alloc_frame_with(p->alloc, &bi, sizeof(bi), 0);
    if (!p->bootinfo_frame)
        return seL4_NotEnoughMemory;
    seL4_Error e = al4_map_frame(p->alloc, p->vspace, p->bootinfo_frame, p->bootinfo,
                                 seL4_ReadWrite, seL4_RISCV_ExecuteNever);
    if (e)
        return e;
    if (p->extra_len) {
        // As seL4 places it for a root task: on the page after the boot info.
        p->extra_frame = al4_alloc_frame_with(p->alloc, p->extra, p->extra_len, 0);
        if (!p->extra_frame)
            return seL4_NotEnoughMemory;
        e = al4_map_frame(p->alloc, p->vspace, p->extra_frame, p->bootinfo + PAGE_SIZE,
                          seL4_CanRead, seL4_RISCV_ExecuteNever);
        if (e)
            return e;
    }
    if ((e = seL4_TCB_Configure(p->tcb, fault_ep, p->cnode, cspace_guard(p), p->vspace, 0,
                                p->ipc_buffer, p->ipc_frame)) ||
        (e = seL4_TCB_SetPriority(p->tcb, authority, prio)))
        return e;
    // The C runtime sets up its own stack and thread pointer from the image.
    seL4_UserContext regs = {.pc = p->entry, .a0 = p->bootinfo};
    return seL4_TCB_WriteRegisters(p->tcb, true, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
}
