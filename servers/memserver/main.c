// The memory-allocation server (issue 12; docs/memserver.md): serves page allocation to
// the client processes connected to it over asynchronous IPC, with the frames, page
// tables and client VSpaces the root task gave it (the boot info chunk
// AL4_BOOTINFO_MEMSERVER, memserver.h).
#include "server.h"
#include <al4/bootinfo.h>
#include <stdio.h>
#include <string.h>

struct memserver srv;
static seL4_CPtr frame_stack[MEM_MAX_FRAMES], pt_stack[MEM_MAX_PTS];

// Only the root task writes the chunk, but it is input all the same: a bad one stops the
// server before it maps anything anywhere.
static bool boot_ok(const struct mem_boot *b, unsigned conns)
{
    if (b->n_clients > MEM_MAX_CLIENTS || b->n_clients != conns || b->mode >= MEM_MODES ||
        b->concurrency == 0 || b->concurrency > MEM_MAX_CONCURRENCY ||
        b->n_frames > MEM_MAX_FRAMES || b->n_pts > MEM_MAX_PTS)
        return false;
    for (unsigned i = 0; i < b->n_clients; i++)
        if (b->client[i].pages > MEM_MAX_PAGES || b->client[i].base % (1ul << seL4_PageBits))
            return false;
    return true;
}

static seL4_Error start(const seL4_BootInfo *bi)
{
    size_t size = 0;
    const void *chunk = al4_bootinfo_chunk(bi, AL4_BOOTINFO_MEMSERVER, &size);
    if (!chunk || size < sizeof(srv.boot))
        return seL4_InvalidArgument;
    memcpy(&srv.boot, chunk, sizeof(srv.boot));
    seL4_Error e = al4_aipc_attach(&srv.rt, bi, srv.boot.hz);
    if (e)
        return e;
    if (!boot_ok(&srv.boot, srv.rt.boot.n))
        return seL4_InvalidArgument;
    // Free slots: the completion cap (ring.c) first, then the page tables.
    seL4_CPtr pts = bi->empty.start + 1;
    if (pts + srv.boot.n_pts > bi->empty.end)
        return seL4_NotEnoughMemory;
    if (srv.boot.n_pts &&
        (e = seL4_Untyped_Retype(srv.boot.pts_untyped, seL4_RISCV_PageTableObject, 0,
                                 seL4_CapInitThreadCNode, 0, 0, pts, srv.boot.n_pts)))
        return e;
    pool_init(&srv.frames, frame_stack, srv.boot.frames, (unsigned)srv.boot.n_frames);
    pool_init(&srv.pts, pt_stack, pts, (unsigned)srv.boot.n_pts);
    if ((e = ring_init(bi)))
        return e;
    srv.mode = srv.boot.mode;
    work_init(srv.boot.concurrency);
    for (unsigned i = 0; i < srv.boot.n_clients; i++) {
        struct space *sp = &srv.sp[i];
        sp->d = srv.boot.client[i];
        sp->index = i;
        if ((e = serve_client(sp)))
            return e;
    }
    return seL4_NoError;
}

int main(void)
{
    const seL4_BootInfo *bi = platsupport_get_bootinfo();
    seL4_Error e = start(bi);
    if (e == seL4_NoError)
        co_exec_run(&srv.rt.ex);
#ifdef CONFIG_PRINTING
    printf("memserver: cannot start (%d)\n", e);
#endif
    // Returning from main would halt the system, as for a root task.
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    return 0;
}
