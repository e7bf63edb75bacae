// Debug and project system calls. Each exists only in the builds that configure it,
// as on seL4 (handleUnknownSyscall): DebugPutChar and DebugDumpScheduler with
// CONFIG_PRINTING, the other debug calls in debug builds, the project's counters and
// fastpath switch in debug and benchmark builds (docs/syscalls.md). Elsewhere the
// number is an unknown syscall: any thread could otherwise halt the machine or turn
// the fastpath off for everyone.
#include "syscall.h"
#include "cspace.h"
#include "sched.h"
#include "sbi.h"
#include "hart.h"
#include "string.h"
#include "printf.h"
#include "fastpath.h"
#include "invariants.h"
#include <sel4/syscall.h>
#include <al4/syscall.h>

#ifdef CONFIG_DEBUG_BUILD
// DebugNameThread: as seL4, anything wrong means the system is misconfigured: halt.
static void debug_name_thread(struct tcb *t)
{
    struct lookup lu = lookup_slot(t, t->ctx[CTX_A0]);
    if (!lu.slot || cap_get_tag(lu.slot->cap) != cap_thread) {
        kprintf("SysDebugNameThread: cap is not a TCB, halting\n");
        sbi_shutdown();
    }
    const char *name = (const char *)(tcb_ipc_buffer(t, false));
    if (!name) {
        kprintf("SysDebugNameThread: Failed to lookup IPC buffer, halting\n");
        sbi_shutdown();
    }
    name += sizeof(word_t);  // skip the message info word
    size_t max = seL4_MsgMaxLength * sizeof(word_t);
    if (strnlen(name, max) == max) {
        kprintf("SysDebugNameThread: Name too long, halting\n");
        sbi_shutdown();
    }
    tcb_set_name(cap_ptr(lu.slot->cap), name, max);
}

// DebugSnapshot: a listing of the caller's CSpace, one line per capability, in the
// spirit of seL4's capDL dump.
static void debug_snapshot(struct tcb *t)
{
    struct cap root = tcb_slot(t, TCB_CTABLE)->cap;
    kprintf("aL4 snapshot of thread \"%s\"\ncaps {\n", t->name);
    if (cap_get_tag(root) == cap_cnode) {
        struct cte *slots = cap_ptr(root);
        for (word_t i = 0; i < BIT(cap_cnode_radix(root)); i++) {
            struct cap c = slots[i].cap;
            if (cap_get_tag(c) != cap_null)
                kprintf("  0x%lx: tag %u paddr 0x%lx data 0x%lx\n", i, cap_get_tag(c),
                        cap_paddr(c), c.w1);
        }
    }
    kprintf("}\n");
}
#endif

#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)
static void project_syscall(struct tcb *t, long nr)
{
    if (nr == al4_SysKernelCounters) {
        // a0: a hart index, or anything else for the caller's hart; with 1 in the upper
        // half (AL4_COUNTERS_NTFN, which no earlier caller passes: they pass an index or
        // ~0), the second set, of the hart in the lower half (libuser al4/debug.h).
        word_t sel = t->ctx[CTX_A0];
        bool ntfn = sel >> 32 == 1;
        if (ntfn)
            sel &= MASK(32);
        struct hart *h = sel < num_nodes ? &harts[sel] : this_hart();
        if (ntfn) {
            t->ctx[CTX_A0] = h->fastpath_signal;
            t->ctx[CTX_A1] = h->fastpath_wait;
            t->ctx[CTX_A2] = h->index;
            t->ctx[CTX_A3] = h->asyncsys_served;
            t->ctx[CTX_A4] = h->lingers;
            t->ctx[CTX_A5] = h->linger_caught;
            t->ctx[CTX_A6] = h->fastpath_busy;
            return;
        }
        t->ctx[CTX_A0] = h->kernel_entries;
        t->ctx[CTX_A1] = h->fastpath_call;
        t->ctx[CTX_A2] = h->fastpath_reply_recv;
        t->ctx[CTX_A3] = h->index;
        t->ctx[CTX_A4] = h->preemptions;
        t->ctx[CTX_A5] = h->hartid;
        t->ctx[CTX_A6] = h->boot_entries;
    } else {  // al4_SysSetFastpath
        word_t was = fastpath_enabled;
#ifdef CONFIG_FASTPATH
        fastpath_enabled = t->ctx[CTX_A0] != 0;
#endif
        t->ctx[CTX_A0] = was;
    }
}
#endif

bool handle_debug_syscall(word_t nr)
{
    struct tcb *t = this_hart()->cur;
    switch ((long)nr) {
#ifdef CONFIG_PRINTING
    case seL4_SysDebugPutChar:
        sbi_putchar((int)(t->ctx[CTX_A0] & 0xff));
        return true;
    case seL4_SysDebugDumpScheduler:
        sched_dump();
        return true;
#endif
#ifdef CONFIG_DEBUG_BUILD
    case seL4_SysDebugHalt:
        kprintf("Debug halt syscall from user thread %p \"%s\"\n", (void *)t, t->name);
        sbi_shutdown();
    case seL4_SysDebugCapIdentify: {
        struct lookup lu = lookup_slot(t, t->ctx[CTX_A0]);
        t->ctx[CTX_A0] = lu.slot ? cap_get_tag(lu.slot->cap) : cap_null;
        return true;
    }
    case seL4_SysDebugSnapshot:
        debug_snapshot(t);
        return true;
    case seL4_SysDebugNameThread:
        debug_name_thread(t);
        return true;
#endif
#if defined(CONFIG_DEBUG_BUILD) || defined(CONFIG_AL4_BENCHMARK)
    case al4_SysKernelCounters:
    case al4_SysSetFastpath:
        project_syscall(t, (long)nr);
        return true;
#endif
#ifdef CONFIG_DEBUG_BUILD
    case al4_SysDebugCheckInvariants:
        syscall_check_invariants(t);
        return true;
#endif
    default:
        (void)t;
        return false;
    }
}
