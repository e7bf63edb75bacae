// The big kernel lock and the hart-to-hart requests it needs (seL4's clh lock and
// remote calls, simplified): a ticket lock, reschedule IPIs, and the stall handshake
// that stops a thread running on another hart before its state changes under it.
#include "smp.h"
#include "hart.h"
#include "tcb.h"
#include "sbi.h"
#include "fpu.h"
#include "uintr.h"
#include "vspace.h"

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static struct {
    volatile uint32_t next, owner;
} big_lock;

void kernel_lock(void)
{
    struct hart *h = this_hart();
    uint32_t ticket = __atomic_fetch_add(&big_lock.next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&big_lock.owner, __ATOMIC_ACQUIRE) != ticket) {
        smp_answer_stall(h);  // the lock holder may be waiting for us
        cpu_relax();
    }
}

bool kernel_trylock(void)
{
    // Free when the next ticket is the owner's: take that ticket, or fail if someone
    // else took it meanwhile. The owner load's acquire (a full fence as compiled) is
    // what orders this holder after the last one's release store: it must stay; the
    // CAS's own acquire (sc.aq) is not guaranteed to order anything on RISC-V.
    uint32_t owner = __atomic_load_n(&big_lock.owner, __ATOMIC_ACQUIRE);
    uint32_t next = owner;
    return __atomic_compare_exchange_n(&big_lock.next, &next, owner + 1, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void kernel_unlock(void)
{
    __atomic_store_n(&big_lock.owner, big_lock.owner + 1, __ATOMIC_RELEASE);
}

void smp_reschedule(unsigned index)
{
    // A core not online yet has no hart id here; it looks at its queue when it comes.
    if (index != this_hart()->index && __atomic_load_n(&harts[index].online, __ATOMIC_ACQUIRE))
        sbi_send_ipi(harts[index].hartid);
}

// This hart's thread was saved by trap entry; give it up and save the FPU state this
// hart holds too, so the asker may change, move or delete it. The FPU's owner need not
// be the running thread: a thread stalled for its FPU registers alone (a blocked one
// whose registers are still here) must find them in memory when it runs elsewhere or
// loses the FPU (fpu_disable). What this hart was about to do for its thread is
// dropped: the thread re-executes that instruction when it runs again.
void smp_answer_stall(struct hart *h)
{
    if (__atomic_load_n(&h->vspace_drop_req, __ATOMIC_ACQUIRE)) {
        // Whatever this hart does next, it does not walk the deleted VSpace's tables:
        // the way back to user mode activates its thread's VSpace afresh.
        vspace_activate_kernel();
        __atomic_store_n(&h->vspace_drop_req, false, __ATOMIC_RELEASE);
    }
    if (!__atomic_load_n(&h->stall_req, __ATOMIC_ACQUIRE))
        return;
    if (h->fpu_owner)
        fpu_flush(h);
    uintr_flush(h);
    if (h->cur) {
        // Trap entry set the pc past an ecall; the call is redone instead.
        h->cur->ctx[CTX_PC] = h->cur->ctx[CTX_FAULT_PC];
    }
    h->cur = NULL;
    h->ctx = NULL;
    __atomic_store_n(&h->stall_req, false, __ATOMIC_RELEASE);
}

// Sets one of hart h's request flags, interrupts it and waits until it has answered
// (smp_answer_stall clears the flag, from its trap entry or its wait for the lock).
static void ask_and_wait(struct hart *h, volatile bool *req)
{
    __atomic_store_n(req, true, __ATOMIC_RELEASE);
    sbi_send_ipi(h->hartid);
    while (__atomic_load_n(req, __ATOMIC_ACQUIRE))
        cpu_relax();
}

void smp_stall(struct tcb *t)
{
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h == this_hart() || (h->cur != t && h->fpu_owner != t && h->uintr_owner != t))
            continue;
        ask_and_wait(h, &h->stall_req);
    }
}

// A hart running user code on the VSpace keeps walking its root table after the
// table's last cap is gone, and that memory can be retyped into something the user
// then controls: the hart must leave it first, as seL4 leaves no core on a deleted
// VSpace. The asker waits, as for a stall; the IPI brings the hart into the kernel.
void smp_drop_vspace(word_t asid)
{
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h == this_hart() || !h->online || h->active_asid != asid)
            continue;
        ask_and_wait(h, &h->vspace_drop_req);
    }
}

// OpenSBI's remote fences return when every other hart has done them. A hart flushes
// its whole TLB whenever it switches address space, so only harts whose current ASID
// is this one can hold stale entries for it.
void tlb_shootdown(word_t asid)
{
    word_t mask = 0;
    for (unsigned i = 0; i < num_nodes; i++)
        if (&harts[i] != this_hart() && harts[i].online && harts[i].active_asid == asid)
            mask |= BIT(harts[i].hartid);
    if (mask)
        sbi_remote_sfence_vma_asid(mask, asid);
}

// A hart without a thread (idle, or answering a stall) runs no user code until it
// takes the lock and goes back to user mode, so it is not interrupted: it fences then
// (return_to_user). Besides the IPI saved, OpenSBI's remote fence waits for every
// target, which under QEMU's -icount costs a time slice per halted hart.
void icache_sync(void)
{
    asm volatile("fence.i" ::: "memory");
    word_t mask = 0;
    for (unsigned i = 0; i < num_nodes; i++) {
        struct hart *h = &harts[i];
        if (h == this_hart() || !h->online)
            continue;
        if (h->cur)
            mask |= BIT(h->hartid);
        else
            h->icache_stale = true;
    }
    if (mask)
        sbi_remote_fence_i(mask);
}
#endif
