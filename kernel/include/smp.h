// Multiprocessing: the loader enters the kernel on every hart; with
// CONFIG_ENABLE_SMP_SUPPORT they all run threads under one big kernel lock (as seL4
// does), each from its own ready queues.
#pragma once
#include "fdt.h"

struct tcb;
struct hart;

// The spin-loop hint (Zihintpause's PAUSE, a FENCE hint that older harts execute as a
// no-op; spelled as its encoding since the kernel's -march has no Zihintpause). Under
// QEMU's -icount the harts run in turn, and a hart spinning for the lock or for an
// answer would spin its whole time slice while the hart it waits for cannot run; the
// project's QEMU ends the slice at a PAUSE (tools/qemu/README).
static inline void cpu_relax(void)
{
    asm volatile(".4byte 0x0100000f" ::: "memory");
}

// Boot: how many cores schedule threads (num_nodes); letting the others go once the
// kernel is built; a core other than 0 arriving from the loader (does not return).
void smp_count_nodes(const struct fdt_info *fdt);
void smp_release_secondaries(void);
NORETURN void init_secondary_core(struct hart *h);

#ifdef CONFIG_ENABLE_SMP_SUPPORT
void kernel_lock(void);
// The lock if it is free at once, without waiting and without answering requests.
bool kernel_trylock(void);
void kernel_unlock(void);
// Tell hart `index` to reschedule (an IPI; it takes the lock when it enters).
void smp_reschedule(unsigned index);
// Make sure no other hart is running `t` in user mode or about to handle its trap;
// returns with t's registers saved. Called with the lock held.
void smp_stall(struct tcb *t);
// Called by a hart entering the kernel, before and while waiting for the lock.
void smp_answer_stall(struct hart *h);
void tlb_shootdown(word_t asid);
// The VSpace of `asid` is being deleted: every other hart that has it active switches
// to the kernel's table before this returns. Called with the lock held.
void smp_drop_vspace(word_t asid);
void icache_sync(void);
#else
static inline void kernel_lock(void) {}
static inline bool kernel_trylock(void) { return true; }
static inline void kernel_unlock(void) {}
static inline void smp_reschedule(unsigned index) { (void)index; }
static inline void smp_stall(struct tcb *t) { (void)t; }
static inline void smp_answer_stall(struct hart *h) { (void)h; }
static inline void tlb_shootdown(word_t asid) { (void)asid; }
static inline void smp_drop_vspace(word_t asid) { (void)asid; }
static inline void icache_sync(void) { asm volatile("fence.i" ::: "memory"); }
#endif
