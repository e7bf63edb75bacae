// U-notification from user code (docs/unotify.md): a seL4 notification whose signals
// the UINTC delivers without a kernel entry. The receiver is the thread bound to the
// notification, registered once; each sender is a badged notification cap registered
// once for the thread that sends with it. Programs that use only seL4_Signal, seL4_Wait
// and seL4_Poll on the same caps see seL4's behaviour.
#pragma once
#include <stdbool.h>
#include <sel4/sel4.h>
#include <al4/invocation.h>

// --- Registration (seL4_Call on the notification cap; docs/unotify.md has the details) ---
//
// Labels (al4/invocation.h): RegisterReceiver 41, RegisterSender 42, RegisterAsyncSyscall
// 43 (reserved, refused) in the single-core numbering; 42, 43, 44 with SMP. Errors, in
// the order they are checked:
//   no UINTC on the machine                          seL4_IllegalOperation
//   receiver: cap without Read; sender: without Write seL4_IllegalOperation
//   sender: badge 0 or of several bits               seL4_InvalidCapability (cap 0)
//   no extra cap                                     seL4_TruncatedMessage
//   extra cap not a thread                           seL4_InvalidCapability (cap 1)
//   receiver: thread not bound to this notification  seL4_IllegalOperation
//   sender: the notification has no receiver         seL4_IllegalOperation
//   sender: cap registered for another thread        seL4_DeleteFirst
//   no receiver entry / sender table entry left      seL4_NotEnoughMemory

// One registration Call: extra cap 0 = tcb; on success *index = MR0 of the reply.
static inline seL4_Error al4_unotify_register(seL4_CPtr ntfn, seL4_Word label, seL4_CPtr tcb,
                                              seL4_Word *index)
{
    seL4_SetCap(0, tcb);
    seL4_MessageInfo_t info = seL4_Call(ntfn, seL4_MessageInfo_new(label, 0, 1, 0));
    seL4_Error err = (seL4_Error)seL4_MessageInfo_get_label(info);
    if (err == seL4_NoError && index)
        *index = seL4_GetMR(0);
    return err;
}

// The bound thread `tcb` becomes the receiver of `ntfn` (needs Read on ntfn). On success
// *index is its UINTC receiver entry. Registering again returns the same entry.
static inline seL4_Error al4_unotify_register_receiver(seL4_CPtr ntfn, seL4_CPtr tcb,
                                                       seL4_Word *index)
{
    return al4_unotify_register(ntfn, al4_NotificationRegisterReceiver, tcb, index);
}

// The cap `ntfn` (Write, a badge of exactly one bit) gets an entry in the sender table
// of thread `tcb`; *index is what that thread passes to al4_uipi_send. The entry dies
// with the cap (delete, revoke) and with the notification's receiver.
static inline seL4_Error al4_unotify_register_sender(seL4_CPtr ntfn, seL4_CPtr tcb,
                                                     seL4_Word *index)
{
    return al4_unotify_register(ntfn, al4_NotificationRegisterSender, tcb, index);
}

// --- The uipi instructions (uintr.md: custom-3, funct3 6, funct7 selects) ---

static inline void al4_uipi_send(seL4_Word index)
{
    asm volatile(".insn r 0x7b, 6, 0, x0, %0, x0" : : "r"(index) : "memory");
}
// The receiver entry's pending bits, cleared (0 for a thread that is no receiver).
static inline seL4_Word al4_uipi_read(void)
{
    seL4_Word bits;
    asm volatile(".insn r 0x7b, 6, 1, %0, x0, x0" : "=r"(bits) : : "memory");
    return bits;
}
static inline void al4_uipi_write(seL4_Word bits)
{
    asm volatile(".insn r 0x7b, 6, 2, x0, %0, x0" : : "r"(bits) : "memory");
}

// The spin-loop hint (Zihintpause's PAUSE, by its encoding: the user -march has no
// Zihintpause; older harts execute it as a FENCE with no effect). On hardware it eases
// the hart; under the project's QEMU it hands the time slice to the next hart
// (tools/qemu/README, 0004). The kernel's is cpu_relax (kernel/include/smp.h).
static inline void al4_pause(void)
{
    asm volatile(".4byte 0x0100000f" ::: "memory");
}

// --- The receiver ---

#define AL4_USTATUS_UIE 1ul

static inline seL4_Word al4_unotify_mask(void)
{
    seL4_Word old;
    asm volatile("csrrci %0, 0x000, 1" : "=r"(old) : : "memory");
    return old & AL4_USTATUS_UIE;
}
static inline void al4_unotify_unmask(seL4_Word was)
{
    if (was)
        asm volatile("csrsi 0x000, 1" : : : "memory");
}

// The receiving side: the notification and, when the senders share memory with the
// receiver, the word through which they wake it at once (docs/unotify-protocol.md).
// Without it a sender's signal to a receiver asleep in the kernel is delivered at the
// next kernel tick at the latest.
//
// A receiver that shares a different region with each group of senders (a server with
// one connection per client) keeps a copy of the word in each: `also` lists the extra
// copies. The protocol holds per word, so every copy is set before the sleep and
// cleared after it, and a sender only ever swaps the copy it maps.
//
// A receiver that also serves synchronous IPC (a seL4 server with its notification
// bound to its thread) sleeps in seL4_Recv on that endpoint instead, `ep`: the bound
// notification still wakes it, and the kernel rechecks the receiver's entry there too.
// A message (its badge has `ep_mark`, which no signal bit may use) goes to `on_msg`,
// called as the wait returns (a caller's reply cap lasts only until the thread's next
// Recv: on_msg saves it; only a user-interrupt handler can run before it, and no
// handler may block); the wait then returns `ep_bits`, for the executor to wake
// whatever takes the message.
struct al4_unotify_msg {
    seL4_Word badge;
    seL4_MessageInfo_t info;
    seL4_Word mr[4];  // the message registers passed in registers
};
struct al4_unotify_rx {
    seL4_CPtr ntfn;
    volatile seL4_Word *sleeping;  // 1: the receiver is asleep or about to be; or NULL
    volatile seL4_Word *const *also;  // n_also more copies of that word (or NULL)
    unsigned n_also;
    seL4_CPtr ep;  // 0: sleep in the notification's Wait
    seL4_Word ep_mark, ep_bits;
    void (*on_msg)(void *arg, const struct al4_unotify_msg *m);
    void *msg_arg;
};

// What has been signalled, without waiting and without entering the kernel (the bits
// of signals sent through the kernel to a receiver that runs are there too).
static inline seL4_Word al4_unotify_poll(void)
{
    return al4_uipi_read();
}

// Waits for a signal: enters the kernel only when nothing is pending, and there sleeps
// unless the kernel finds bits that arrived meanwhile. Returns the notification word
// (what seL4_Wait returns for the same signals).
seL4_Word al4_unotify_wait(const struct al4_unotify_rx *rx);
// For a receiver that sleeps on an endpoint (rx->ep): takes a call queued there now,
// without sleeping (seL4_NBRecv), for a receiver kept awake while calls wait for its
// sleep. A call goes to rx->on_msg and rx->ep_bits is returned, as from the wait; a
// signal the kernel found pending instead (its notification is bound) is returned as
// its bits, taken: the caller hands them on (co_exec_wake_bits). 0: nothing, or no ep.
seL4_Word al4_unotify_poll_ep(const struct al4_unotify_rx *rx);

// A handler for user interrupts: runs on the interrupted thread's stack with its user
// interrupts masked, given the bits it consumed. It must not use floating point (the
// entry stub saves the integer caller-saved registers only).
struct al4_unotify_handler {
    void (*fn)(seL4_Word bits, void *arg);
    void *arg;
};
// Installs h for the calling thread (utvec vectored, uscratch = h, uie.USIE and
// ustatus.UIE on): from now on a signal interrupts it wherever it runs.
void al4_unotify_install(struct al4_unotify_handler *h);

// --- The sender ---

#define AL4_UNOTIFY_KERNEL (~0ul)  // no sender index: seL4_Signal through the kernel

struct al4_unotify_tx {
    seL4_CPtr cap;                 // the badged notification cap
    seL4_Word index;               // its sender index, or AL4_UNOTIFY_KERNEL
    volatile seL4_Word *sleeping;  // the receiver's word when shared, or NULL
};

// seL4_Signal's meaning: the receiver's word gains the cap's badge. True when it went
// through the kernel (no sender index, or the receiver was asleep).
static inline bool al4_unotify_signal(const struct al4_unotify_tx *tx)
{
    if (tx->index == AL4_UNOTIFY_KERNEL) {
        seL4_Signal(tx->cap);
        return true;
    }
    al4_uipi_send(tx->index);
    if (!tx->sleeping)
        return false;
    // The send is ordered before the look at the word: either the receiver's recheck
    // in the kernel sees the bit, or this sees its 1 (docs/unotify-protocol.md).
    asm volatile("fence iorw, iorw" : : : "memory");
    // (The fence is the ordering; the exchange itself need only acquire.)
    if (__atomic_exchange_n(tx->sleeping, 0, __ATOMIC_ACQUIRE) != 1)
        return false;
    seL4_Signal(tx->cap);
    return true;
}
