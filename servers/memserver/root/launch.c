// The root task's half of the memory server (launch.h).
#include "launch.h"
#include <al4/bootinfo.h>
#include <string.h>

extern const char memserver_elf[], memserver_elf_end[];

// `n` new objects of `type`, given to the server in consecutive slots; the first.
static seL4_CPtr give_run(struct memsrv *m, struct al4_alloc *a, seL4_Word type, unsigned n)
{
    seL4_CPtr first = 0;
    for (unsigned i = 0; i < n; i++) {
        seL4_CPtr obj = al4_alloc_object(a, type, 0);
        seL4_CPtr given = obj ? al4_process_give(&m->server, obj, seL4_AllRights, 0) : 0;
        if (!given || (i && given != first + i))
            return 0;
        first = i ? first : given;
    }
    return first;
}

// The ring frame of the server's asynchronous system calls: made and mapped here,
// registered by the server (servers/memserver/ring.c). Its type is MEM_RING_FRAME_TYPE.
static seL4_Error ring_frame(struct memsrv *m, struct al4_alloc *a)
{
    m->ring = al4_alloc_object(a, MEM_RING_FRAME_TYPE, 0);
    if (!m->ring)
        return seL4_NotEnoughMemory;
    seL4_Error e = al4_map_frame(a, m->server.vspace, m->ring, MEM_RING_VA, seL4_ReadWrite,
                                 seL4_RISCV_ExecuteNever);
    if (e)
        return e;
    m->boot.ring_frame = al4_process_give(&m->server, m->ring, seL4_AllRights, 0);
    return m->boot.ring_frame ? seL4_NoError : seL4_NotEnoughMemory;
}

seL4_Error memsrv_create(struct memsrv *m, struct al4_alloc *a, unsigned frames, unsigned pts,
                         enum mem_mode mode, unsigned concurrency, seL4_Word hz)
{
    memset(&m->boot, 0, sizeof(m->boot));
    if (frames > MEM_MAX_FRAMES || pts > MEM_MAX_PTS || mode >= MEM_MODES)
        return seL4_RangeError;
    size_t size = (uintptr_t)memserver_elf_end - (uintptr_t)memserver_elf;
    seL4_Error e = al4_process_create(&m->server, a, memserver_elf, size,
                                      seL4_CapInitThreadASIDPool, MEMSRV_CNODE_BITS);
    if (e)
        return e;
    al4_aipc_proc_init(&m->sp, &m->server, MEMSRV_AIPC_VA);
    m->boot = (struct mem_boot){.mode = mode, .concurrency = concurrency,
                                .control = MEM_NO_CONTROL, .hz = hz,
                                .n_frames = frames, .n_pts = pts};
    m->boot.frames = give_run(m, a, seL4_RISCV_4K_Page, frames);
    // Page tables as memory to make them from: seL4 copies no unmapped page-table cap,
    // so the server retypes its pool itself, into its own CNode.
    seL4_Word ut_bits = seL4_PageTableBits;
    while ((1ul << ut_bits) < (seL4_Word)pts << seL4_PageTableBits)
        ut_bits++;
    seL4_CPtr ut = pts ? al4_alloc_object(a, seL4_UntypedObject, ut_bits) : 0;
    m->boot.pts_untyped = ut ? al4_process_give(&m->server, ut, seL4_AllRights, 0) : 0;
    if ((frames && !m->boot.frames) || (pts && !m->boot.pts_untyped))
        return seL4_NotEnoughMemory;
    return ring_frame(m, a);
}

seL4_Error memsrv_add_client(struct memsrv *m, struct al4_process *p, seL4_Word aipc_va,
                             seL4_Word base, seL4_Word pages, bool control)
{
    unsigned i = m->boot.n_clients, conn;
    if (i == MEM_MAX_CLIENTS || pages > MEM_MAX_PAGES)
        return seL4_RangeError;
    struct al4_aipc_proc *cp = &m->cp[i];
    al4_aipc_proc_init(cp, p, aipc_va);
    seL4_Error e = al4_aipc_connect(&m->sp, cp, AL4_AIPC_MAX_CAPACITY, &conn);
    if (e)
        return e;
    seL4_CPtr vspace = al4_process_give(&m->server, p->vspace, seL4_AllRights, 0);
    if (!vspace || conn != i)
        return seL4_NotEnoughMemory;
    m->boot.client[i] = (struct mem_client_desc){.vspace = vspace, .base = base, .pages = pages};
    if (control)
        m->boot.control = i;
    m->boot.n_clients++;
    return seL4_NoError;
}

seL4_Error memsrv_start(struct memsrv *m, seL4_Word prio, seL4_CPtr authority)
{
    seL4_Error e = al4_process_set_bootinfo(&m->server, AL4_BOOTINFO_MEMSERVER, &m->boot,
                                            sizeof(m->boot));
    return e ? e : al4_process_start(&m->server, 0, prio, authority);
}
