// The memory-allocation server's protocol (issue 12; the kernel paper's Fig. 6 server;
// docs/memserver.md): what a client asks over its asynchronous IPC connection
// (al4/aipc.h), what the server answers, and what the root task that starts it
// describes in its boot info. Shared by the server, its clients and the root tasks
// that start them (the ASYNCSYS tests, bench-asyncsys).
#pragma once
#include <stdint.h>
#include <sel4/sel4.h>
#include <al4/asyncsys_ring.h>

// Request labels. Every reply carries the request's label, MR0 = an enum mem_err.
enum mem_op {
    MEM_ALLOC = 1,   // MR0 = vaddr: a frame of the pool mapped there, read-write
    MEM_FREE = 2,    // MR0 = vaddr: unmapped, the frame back in the pool
    MEM_STATS = 3,   // MR0 = group (MEM_STATS_*): reply MR1.. = its words
    MEM_CONFIG = 4,  // MR0 = enum mem_mode, MR1 = concurrency (control connection only)
};

enum mem_err {
    MEM_OK = 0,
    MEM_EALIGN = 1,    // vaddr not page aligned
    MEM_ERANGE = 2,    // vaddr outside the client's window
    MEM_EEXIST = 3,    // ALLOC: the page is allocated (or being allocated or freed)
    MEM_ENOENT = 4,    // FREE: the page is not allocated (or is being allocated or freed)
    MEM_ENOMEM = 5,    // ALLOC: the frame pool (or the page-table pool) is empty
    MEM_EBADOP = 6,    // unknown label
    MEM_EINVAL = 7,    // too few words, an unknown STATS group, mode or concurrency
    MEM_EPERM = 8,     // CONFIG from a connection that is not the control one
    MEM_EBUSY = 9,     // CONFIG while frames are out of the pool
    MEM_ESYSCALL = 10, // the kernel refused the map or unmap: MR1 = its seL4_Error
};

// How the server makes its map and unmap system calls (CONFIG, or the boot chunk).
enum mem_mode {
    MEM_SYNC = 0,   // libsel4's seL4_RISCV_Page_Map etc. from the worker coroutine
    MEM_ASYNC = 1,  // al4/asyncsys.h, awaited by the worker; one wake per batch
    MEM_NONE = 2,   // the bookkeeping and the reply without the system call (the
                    // benchmark's baseline: pages are not really mapped)
    MEM_MODES
};

// STATS groups, MR1..MR5 of the reply.
enum { MEM_STATS_POOLS = 0, MEM_STATS_CALLS = 1, MEM_STATS_REQUESTS = 2, MEM_STATS_EXEC = 3,
       MEM_STATS_QUEUE = 4, MEM_STATS_GROUPS };
enum { MS_FRAMES_FREE, MS_FRAMES, MS_PTS_FREE, MS_PTS };               // POOLS
enum { MS_MAPS, MS_UNMAPS, MS_PT_MAPS, MS_WAKES, MS_FAILED };          // CALLS
enum { MS_ALLOCS, MS_FREES, MS_REFUSED, MS_MODE, MS_CONCURRENCY };     // REQUESTS
// EXEC: the server's executor (al4/co.h): sleeps in the kernel, idle-path polls that
// found nothing, spins a poll ended with signal bits, user interrupts taken, and
// signal bits read by aipc's flush instead.
enum { MS_SLEEPS, MS_SPINS, MS_SPIN_WAKES, MS_UINTR, MS_POLLED };
// QUEUE: requests taken in (every well-formed one, of every client), and the most of
// them taken in while one ALLOC or FREE waited for its worker to start it: how long
// intake held up work (docs/memserver.md, "Priorities").
enum { MS_INTAKE, MS_WAIT_MAX };
#define MEM_STATS_WORDS 5

#define MEM_MAX_CLIENTS 8
#define MEM_MAX_PAGES 512        // pages of one client's window (one 2 MiB table)
#define MEM_MAX_FRAMES 1024      // frames in the pool
#define MEM_MAX_PTS 32           // page tables in the pool
#define MEM_MAX_CONCURRENCY 256  // worker coroutines
#define MEM_NO_CONTROL UINT32_MAX

// The ring frame of asynchronous system calls: where the server maps it and its size.
// The root task makes and maps it, the server registers it (ring.c); the one place to
// change for a larger ring frame.
// A 2 MiB ring (8192 slots): a batch of up to 256 calls takes one wake. For a 4 KiB
// one (16 slots): AL4_ASYNCSYS_FRAME_BITS and seL4_RISCV_4K_Page. MEM_RING_VA is 2 MiB
// aligned.
#define MEM_RING_VA 0x30000000ul
#define MEM_RING_FRAME_BITS AL4_ASYNCSYS_MEGA_BITS
#define MEM_RING_FRAME_TYPE seL4_RISCV_Mega_Page

// The boot info chunk AL4_BOOTINFO_MEMSERVER. Client i is the server's aipc connection
// i; caps are slots of the server's CSpace: the frames a run of consecutive slots, the
// page tables an untyped the server retypes into n_pts of them (seL4 copies no unmapped
// page-table cap, so the root task cannot hand them over made).
struct mem_client_desc {
    seL4_CPtr vspace;  // the client's VSpace (the server maps into it)
    seL4_Word base;    // its window: pages [base, base + pages * 4 KiB)
    seL4_Word pages;
};
struct mem_boot {
    uint32_t mode, concurrency;  // at start
    uint32_t control;            // the connection CONFIG is accepted from, or MEM_NO_CONTROL
    uint32_t n_clients;
    // Polls before a sleep while asynchronous system calls are in flight (their replies
    // come from the kernel's handler on another hart; co_exec_set_spin), 0: none.
    uint32_t spin;
    seL4_Word hz;                // the timebase frequency (the executor's clock)
    seL4_CPtr frames, pts_untyped, ring_frame;
    seL4_Word n_frames, n_pts;
    struct mem_client_desc client[MEM_MAX_CLIENTS];
};
