// U-notification (docs/unotify.md): a seL4 notification whose signals the UINTC
// delivers. Its receiver is the thread bound to it, given a UINTC receiver entry; its
// senders are notification caps given an entry in a sender table the kernel owns.
// The notification's word is its kernel badge word ORed with the entry's pending bits.
#pragma once
#include "types.h"
#include "cap.h"
#include "object.h"

struct tcb;
struct hart;

// Sender tables: a pool in the kernel image, one 4 KiB table (512 entries) per thread.
#define UNOTIFY_TABLES        16
#define UNOTIFY_TABLE_ENTRIES 512

// The registered notification's receiver entry, or -1.
int unotify_rx(const struct notification *n);
// Its pending bits, consumed (0 when not registered).
word_t unotify_take(const struct notification *n);
// A kernel-path signal with a nonzero badge for a registered notification nobody waits
// on in the kernel: the bits go to the entry. False when not registered.
bool unotify_post(const struct notification *n, word_t badge);

// Registration (invoke side; decode has checked everything).
int unotify_rx_alloc(void);
void unotify_register_receiver(struct tcb *t, unsigned idx);
// The thread's table, allocated on first use; -1 when the pool is empty.
int unotify_table_of(struct tcb *t);
// A free entry of table, or -1.
int unotify_table_free_entry(unsigned table);
word_t unotify_sender_ref(unsigned table, unsigned index);
unsigned unotify_ref_table(word_t ref);
unsigned unotify_ref_index(word_t ref);
void unotify_register_sender(struct cte *slot, unsigned table, unsigned index, unsigned rx,
                             unsigned vector);

// Lifetime: the receiver entry lives while its thread is bound (notification_unbind
// releases it); a sender entry lives while its cap does.
void unotify_receiver_release(struct tcb *t, struct notification *n);
void unotify_sender_release(struct cap cap);
void unotify_sender_moved(struct cap cap, struct cte *dest);
void unotify_sender_revoked(struct cte *slot);
void unotify_thread_gone(struct tcb *t);

// suist for a thread that owns table.
word_t unotify_suist(unsigned table);

// The tick's check of registered notifications with a thread blocked in the kernel:
// bits a sender set without waking it are delivered (docs/unotify-protocol.md).
void unotify_poll(void);
bool unotify_have_sleepers(void);
// Whether idle hart h must keep its tick for sleeping receivers: the boot hart does
// (one hart is enough for the bound; more would only contend for the kernel lock).
bool unotify_ticker(const struct hart *h);

// What the invariant checker (kernel/debug/invariants_unotify.c, debug builds) reads of
// the pools, without making them global: a receiver entry, a sender table's owner, and
// one sender entry decoded.
struct unotify_rx_view {
    struct tcb *owner;  // NULL: free
    bool used;          // its bit in the bitmap of entries in use
};
struct unotify_sender_view {
    struct cte *slot;   // the cap the entry belongs to, NULL: free
    word_t word;        // the entry as the hardware reads it
    bool valid;
    unsigned rx, vector;
};
void unotify_view_rx(unsigned idx, struct unotify_rx_view *v);
struct tcb *unotify_view_table(unsigned table);
void unotify_view_sender(unsigned table, unsigned index, struct unotify_sender_view *v);
