// Building processes from a root task: the roles of upstream's vka (objects and slots),
// vspace (page tables made on demand) and sel4utils process (ELF loading, thread
// start-up), kept small. Only upstream libsel4 calls underneath.
//
// A process starts the way seL4 starts a root task: a0 = the address of a boot info
// page in its VSpace (ipcBuffer, its CNode's size and free slots; no untypeds), so
// any libuser program runs as one unchanged (numNodes: the machine's harts, as its
// creator was told them). Its CNode holds its TCB, CNode and VSpace
// in seL4's initial slots (seL4_CapInitThreadTCB, ...CNode, ...VSpace); caps given to
// it with al4_process_give() follow from slot seL4_NumInitialCaps in the order given,
// and the boot info's `empty` region starts after the last.
#pragma once
#include <sel4/sel4.h>
#include <stddef.h>

#define AL4_ALLOC_UNTYPEDS 32

// Slots [next_slot, end_slot) of the caller's root CNode and the untypeds objects are
// retyped from (the one that gave the last object first, then the others in turn). New frames are filled
// through `scratch`, a free page-aligned address in the caller's VSpace.
struct al4_alloc {
    seL4_CPtr cnode, vspace;  // the caller's root CNode and VSpace
    seL4_CPtr next_slot, end_slot;
    seL4_CPtr untyped[AL4_ALLOC_UNTYPEDS];
    unsigned n_untyped, cur;  // cur: the untyped tried first
    seL4_Word scratch;
};

// An allocator over the given slots of the root task's own CNode, without untypeds.
void al4_alloc_init(struct al4_alloc *a, seL4_CPtr first_slot, seL4_CPtr end_slot,
                    seL4_Word scratch);
void al4_alloc_add_untyped(struct al4_alloc *a, seL4_CPtr untyped);
// A root task's: the boot info's empty slots and every RAM untyped.
void al4_alloc_init_bootinfo(struct al4_alloc *a, const seL4_BootInfo *bi, seL4_Word scratch);
// A free slot, or 0 when there is none.
seL4_CPtr al4_alloc_slot(struct al4_alloc *a);
// A new object (size_bits for untypeds and CNodes) in a free slot, or 0.
seL4_CPtr al4_alloc_object(struct al4_alloc *a, seL4_Word type, seL4_Word size_bits);
// A new 4 KiB frame holding `len` bytes of `data` from byte `offset` on, zero elsewhere.
seL4_CPtr al4_alloc_frame_with(struct al4_alloc *a, const void *data, size_t len, size_t offset);

// A new VSpace: a root page table that `asid_pool` gives an ASID. 0 on failure.
seL4_CPtr al4_vspace_new(struct al4_alloc *a, seL4_CPtr asid_pool);
// Maps `frame` at `vaddr`, first mapping the page tables that are missing there.
seL4_Error al4_map_frame(struct al4_alloc *a, seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                         seL4_CapRights_t rights, seL4_Word attr);

#define AL4_PROCESS_EXTRA 2048  // bytes of extra boot info chunks a process can be given

struct al4_process {
    seL4_CPtr tcb, cnode, vspace;  // in the creator's CSpace
    seL4_CPtr ipc_frame, bootinfo_frame, extra_frame;
    seL4_Word cnode_bits;
    seL4_CPtr next_slot;  // next free slot of the process's CNode
    seL4_Word entry, ipc_buffer, bootinfo;  // addresses in its VSpace
    struct al4_alloc *alloc;
    size_t extra_len;  // chunks (seL4_BootInfoHeader, payload) written at start
    _Alignas(8) unsigned char extra[AL4_PROCESS_EXTRA];
};

// Loads the ELF image `elf` (RISC-V 64-bit executable, page-disjoint PT_LOAD segments)
// into a new VSpace with an ASID from `asid_pool`, and makes a CNode of 2^cnode_bits
// slots and a TCB. Nothing runs yet. Returns seL4_NoError or why not
// (InvalidArgument: not such an ELF; NotEnoughMemory: out of objects or slots).
seL4_Error al4_process_create(struct al4_process *p, struct al4_alloc *a, const void *elf,
                              size_t elf_size, seL4_CPtr asid_pool, seL4_Word cnode_bits);
// Mints `cap` (a slot of the creator's CNode) into the process's next free slot and
// returns that slot's address in the process's CSpace, or 0.
seL4_CPtr al4_process_give(struct al4_process *p, seL4_CPtr cap, seL4_CapRights_t rights,
                           seL4_Word badge);
// Gives the process an extra boot info chunk `id` (al4/bootinfo.h) with `len` bytes of
// `data`, replacing an earlier one of the same id; the process reads it with
// al4_bootinfo_chunk. Before al4_process_start. seL4_NotEnoughMemory when the chunks
// would not fit in AL4_PROCESS_EXTRA.
seL4_Error al4_process_set_bootinfo(struct al4_process *p, seL4_Word id, const void *data,
                                    size_t len);
// The chunk AL4_BOOTINFO_ARGS: n words, read with al4_bootinfo_arg.
seL4_Error al4_process_set_args(struct al4_process *p, const seL4_Word *args, unsigned n);
// Writes the boot info (and the extra chunks on the page after it), binds CSpace, VSpace, IPC buffer and fault endpoint (a slot of
// the process's own CSpace, 0 for none), sets the priority (authority: a TCB whose MCP
// allows it) and starts the thread.
seL4_Error al4_process_start(struct al4_process *p, seL4_CPtr fault_ep, seL4_Word prio,
                             seL4_CPtr authority);
