// Starting the memory server from a root task (docs/memserver.md, "Set-up"): the server
// process from its embedded image, its pools, its ring frame, and one aipc connection
// and window per client process. The ASYNCSYS tests and bench-asyncsys both start it
// through this.
#pragma once
#include <al4/aipc.h>
#include <al4/process.h>
#include "../memserver.h"

#define MEMSRV_CNODE_BITS 11  // the pools' slots (MEM_MAX_FRAMES) and a few more
#define MEMSRV_AIPC_VA 0x40000000ul  // where the server sees its connections

struct memsrv {
    struct al4_process server;
    struct al4_aipc_proc sp, cp[MEM_MAX_CLIENTS];
    struct mem_boot boot;
    seL4_CPtr ring;  // the ring frame, mapped at MEM_RING_VA in the server
};

// Creates the server process with `frames` frames and `pts` page tables in its pools,
// starting in `mode` with `concurrency` workers. Not started.
seL4_Error memsrv_create(struct memsrv *m, struct al4_alloc *a, unsigned frames, unsigned pts,
                         enum mem_mode mode, unsigned concurrency, seL4_Word hz);
// Connects client process p (created, not started; its connection at `aipc_va` in its
// VSpace) with the window of `pages` pages from `base`; CONFIG is accepted from it when
// `control`. Clients are the server's connections in the order added.
seL4_Error memsrv_add_client(struct memsrv *m, struct al4_process *p, seL4_Word aipc_va,
                             seL4_Word base, seL4_Word pages, bool control);
// Writes the boot info and starts the server (prio: authority's MCP must allow it).
seL4_Error memsrv_start(struct memsrv *m, seL4_Word prio, seL4_CPtr authority);
