// Capabilities: two words, described once here and used only through these helpers.
//   w0: tag [0,5) | type fields [5,24) | object physical address [24,64)
//   w1: one type-specific word (badge, guard, untyped free index, mapping)
// Tags are seL4's cap tags, so DebugCapIdentify returns what seL4 returns.
#pragma once
#include "types.h"
#include "config.h"
#include <sel4/shared_types.h>

struct cap {
    word_t w0, w1;
};

// A capability slot: the cap plus its derivation-tree links (seL4's cte_t).
struct cte {
    struct cap cap;
    word_t mdb_prev;  // struct cte * or 0
    word_t mdb_next;  // struct cte * | MDB_REVOCABLE | MDB_FIRST_BADGED
};
_Static_assert(sizeof(struct cte) == 1u << seL4_SlotBits, "cte is a 32-byte slot");

#define MDB_REVOCABLE    1ul
#define MDB_FIRST_BADGED 2ul
#define MDB_PTR_MASK     (~31ul)

enum cap_tag {
    cap_null = seL4_CapTag_Null,
    cap_frame = seL4_CapTag_Frame,
    cap_untyped = seL4_CapTag_Untyped,
    cap_page_table = seL4_CapTag_PageTable,
    cap_endpoint = seL4_CapTag_Endpoint,
    cap_notification = seL4_CapTag_Notification,
    cap_reply = seL4_CapTag_Reply,
    cap_cnode = seL4_CapTag_CNode,
    cap_asid_control = seL4_CapTag_ASIDControl,
    cap_thread = seL4_CapTag_Thread,
    cap_asid_pool = seL4_CapTag_ASIDPool,
    cap_irq_control = seL4_CapTag_IRQControl,
    cap_irq_handler = seL4_CapTag_IRQHandler,
    cap_zombie = seL4_CapTag_Zombie,
    cap_domain = seL4_CapTag_Domain,
};

static inline word_t cap_field(struct cap c, unsigned lo, unsigned bits)
{
    return (c.w0 >> lo) & MASK(bits);
}

static inline struct cap cap_make(enum cap_tag tag, word_t fields, paddr_t paddr, word_t w1)
{
    return (struct cap){.w0 = (word_t)tag | fields << 5 | paddr << 24, .w1 = w1};
}

static inline enum cap_tag cap_get_tag(struct cap c) { return (enum cap_tag)(c.w0 & 31); }
static inline paddr_t cap_paddr(struct cap c) { return c.w0 >> 24; }
static inline void *cap_ptr(struct cap c) { return (void *)(cap_paddr(c) + PPTR_BASE); }
static inline struct cap cap_null_new(void) { return (struct cap){0, 0}; }

// Untyped: size bits [5,11), device [11]; w1 = bytes already used (the watermark).
static inline struct cap cap_untyped_new(paddr_t p, unsigned bits, bool dev, word_t used)
{
    return cap_make(cap_untyped, bits | (word_t)dev << 6, p, used);
}
static inline unsigned cap_untyped_bits(struct cap c) { return cap_field(c, 5, 6); }
static inline bool cap_untyped_is_device(struct cap c) { return cap_field(c, 11, 1); }

// CNode: radix [5,11), guard size [11,17); w1 = guard.
static inline struct cap cap_cnode_new(paddr_t p, unsigned radix, unsigned guard_size, word_t guard)
{
    return cap_make(cap_cnode, radix | (word_t)guard_size << 6, p, guard);
}
static inline unsigned cap_cnode_radix(struct cap c) { return cap_field(c, 5, 6); }
static inline unsigned cap_cnode_guard_size(struct cap c) { return cap_field(c, 11, 6); }
static inline word_t cap_cnode_guard(struct cap c) { return c.w1; }

// Thread: the address is the tcb's (the object's second half, as in seL4).
static inline struct cap cap_thread_new(paddr_t tcb) { return cap_make(cap_thread, 0, tcb, 0); }

// Frame: size [5,7) (0 4K, 1 2M, 2 1G), VM rights [7,9), device [9];
// w1 = mapped ASID [0,16) | mapped virtual page number [16,64).
enum frame_size { FRAME_4K = 0, FRAME_2M = 1, FRAME_1G = 2 };
enum vm_rights { VM_KERNEL_ONLY = 1, VM_READ_ONLY = 2, VM_READ_WRITE = 3 };
static inline struct cap cap_frame_new(paddr_t p, enum frame_size sz, enum vm_rights r, bool dev,
                                       word_t asid, vptr_t vaddr)
{
    return cap_make(cap_frame, sz | (word_t)r << 2 | (word_t)dev << 4, p,
                    asid | (vaddr >> 12) << 16);
}
static inline enum frame_size cap_frame_size(struct cap c) { return cap_field(c, 5, 2); }
static inline enum vm_rights cap_frame_rights(struct cap c) { return cap_field(c, 7, 2); }
static inline bool cap_frame_is_device(struct cap c) { return cap_field(c, 9, 1); }
static inline word_t cap_frame_asid(struct cap c) { return c.w1 & 0xffff; }
static inline vptr_t cap_frame_vaddr(struct cap c) { return (c.w1 >> 16) << 12; }

// Page table: mapped [5]; w1 = mapped ASID [0,16) | mapped virtual page number [16,64).
static inline struct cap cap_page_table_new(paddr_t p, bool mapped, word_t asid, vptr_t vaddr)
{
    return cap_make(cap_page_table, mapped, p, asid | (vaddr >> 12) << 16);
}
static inline bool cap_page_table_is_mapped(struct cap c) { return cap_field(c, 5, 1); }
static inline word_t cap_page_table_asid(struct cap c) { return c.w1 & 0xffff; }

// ASID pool: w1 = first ASID of the pool.
static inline struct cap cap_asid_pool_new(paddr_t p, word_t base)
{
    return cap_make(cap_asid_pool, 0, p, base);
}

static inline struct cap cap_simple_new(enum cap_tag tag) { return cap_make(tag, 0, 0, 0); }

static inline paddr_t pptr_to_paddr(const void *p) { return (word_t)p - PPTR_BASE; }
static inline void *paddr_to_pptr(paddr_t p) { return (void *)(p + PPTR_BASE); }

// Endpoint: rights [5,9) (seL4_CapRights bits); w1 = badge.
static inline struct cap cap_endpoint_new(paddr_t p, word_t badge, word_t rights)
{
    return cap_make(cap_endpoint, rights & 0xf, p, badge);
}
// Notification: rights [5,9) (only Write = send, Read = receive matter); w1 = badge.
static inline struct cap cap_notification_new(paddr_t p, word_t badge, word_t rights)
{
    return cap_make(cap_notification, rights & 0xf, p, badge);
}
// A notification cap registered as a U-notification sender (kernel/object/unotify.c)
// names its sender-table entry in bits [9,23): (table + 1) << 9 | index, 0 for none.
// The kernel sets it; copies never inherit it (derive_cap clears it).
#define CAP_NTFN_SENDER_SHIFT 9
#define CAP_NTFN_SENDER_BITS  14
static inline word_t cap_ntfn_sender(struct cap c)
{
    return cap_field(c, CAP_NTFN_SENDER_SHIFT, CAP_NTFN_SENDER_BITS);
}
static inline struct cap cap_ntfn_set_sender(struct cap c, word_t ref)
{
    word_t m = MASK(CAP_NTFN_SENDER_BITS) << CAP_NTFN_SENDER_SHIFT;
    c.w0 = (c.w0 & ~m) | (ref << CAP_NTFN_SENDER_SHIFT & m);
    return c;
}
static inline word_t cap_rights(struct cap c) { return cap_field(c, 5, 4); }
static inline struct cap cap_set_rights(struct cap c, word_t r)
{
    c.w0 = (c.w0 & ~(0xful << 5)) | (r & 0xf) << 5;
    return c;
}
static inline word_t cap_badge(struct cap c) { return c.w1; }
#define RIGHT_WRITE       1ul
#define RIGHT_READ        2ul
#define RIGHT_GRANT       4ul
#define RIGHT_GRANT_REPLY 8ul

// Reply: master [5], can grant [6]; the address is the waiting caller's tcb.
static inline struct cap cap_reply_new(paddr_t tcb, bool master, bool grant)
{
    return cap_make(cap_reply, (word_t)master | (word_t)grant << 1, tcb, 0);
}
static inline bool cap_reply_master(struct cap c) { return cap_field(c, 5, 1); }
static inline bool cap_reply_grant(struct cap c) { return cap_field(c, 6, 1); }

// Zombie: a CNode or TCB being destroyed. tcb [5]; address = first slot;
// w1 = slots still to delete.
static inline struct cap cap_zombie_new(paddr_t slots, bool tcb, word_t n)
{
    return cap_make(cap_zombie, tcb, slots, n);
}
static inline bool cap_zombie_is_tcb(struct cap c) { return cap_field(c, 5, 1); }

// IRQ handler: w1 = IRQ number.
static inline struct cap cap_irq_handler_new(word_t irq) { return cap_make(cap_irq_handler, 0, 0, irq); }
