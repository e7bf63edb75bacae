// A single-producer single-consumer ring of 64-byte items in memory shared by two
// processes (issue 11; the kernel paper's section 2.2.1, "IPCItem" and the shared
// buffer of its Fig. 4). Asynchronous IPC (al4/aipc.h) uses one ring per direction and
// connection, so every ring has exactly one producer thread and one consumer thread.
//
// The whole protocol is in this header (as sDDF keeps one queue kind per header): the
// shared layout, who writes which word, the memory ordering, and what the consumer
// checks because it must not trust the producer (nor the producer the consumer). When
// to signal the peer (the paper's co_status) is aipc's: docs/aipc-protocol.md.
//
// --- Shared layout (one region, 64-byte aligned, AL4_RING_BYTES(capacity) bytes) ----
//
//   offset   size  word          written by   read by
//   0        4     tail          producer     consumer   items published, mod 2^32
//   4        60    (padding)     nobody
//   64       4     head          consumer     producer   items consumed, mod 2^32
//   68       60    (padding)     nobody
//   128      64*C  slot[C]       producer     consumer   item i is in slot[i mod C]
//
// The two indices sit on separate cache lines so that the producer's stores of tail
// and the consumer's stores of head do not bounce one line between two harts. The
// region holds no pointer (the processes map it at different addresses) and no
// capacity: each side learns C at set-up, from its own trusted side of the connection,
// and keeps it in its private handle (al4_ring_tx / al4_ring_rx), together with its
// own index. Neither side ever reads back its own index from shared memory, so the peer
// cannot move it; it only reads the peer's index, and checks it.
//
// The indices run freely over 32 bits and wrap: tail - head (mod 2^32) is the number of
// items in the ring, 0 = empty, C = full. C is a power of two (so i mod C is a mask and
// stays right across the wrap of i), at most AL4_RING_MAX_CAPACITY.
//
// --- Ordering (C11 acquire/release through the __atomic builtins) ---
//
// put: load head (acquire: the consumer's copy out of the slot is done before this
//      overwrites it), store the item's words, store tail (release: the item is visible
//      before the index that publishes it).
// get: load tail (acquire: pairs with put's release), copy the item out, store head
//      (release: the copy is done before the producer may reuse the slot).
// Either store may cover several items: a producer may write a batch and publish it
// with one store of tail (al4_ring_write_msg_live, al4_ring_tx_publish), a consumer
// consume a batch and free it with one store of head (al4_ring_consume,
// al4_ring_rx_publish); the release orders every item's accesses before it.
// On RISC-V (RVWMO) Debian's gcc 12 emits a load-acquire as `lw; fence iorw,iorw`
// and a store-release as `fence iorw,ow; sw` (stronger than the ISA manual's mapping,
// `fence r,rw` and `fence rw,w`, which is all they need). They order each side's own
// accesses to the ring; they do NOT order a store to the ring before a later load of
// another word (the store-buffering pattern). aipc's "write the item, then read the
// peer's mark" and "mark idle, then recheck the ring" need a full fence between the
// two (__atomic_thread_fence(__ATOMIC_SEQ_CST): `fence iorw,iorw`):
// docs/aipc-protocol.md.
//
// --- Not trusting the peer ---
//
// A peer that writes garbage can only hurt the connection it is part of:
//   - an index that moves by more than C (tail - head > C, including a tail behind the
//     consumer's head or a head ahead of the producer's tail) is AL4_RING_ECORRUPT, and
//     the handle stays broken from then on (sticky: a peer cannot flip back; aipc's
//     link keeps its own sticky flag over it, al4_ring_write_msg_live);
//   - an item is copied out of shared memory, one volatile 64-bit load per word, and
//     only the copy is checked (al4_ring_item_check) and used. Checking in place would
//     be a TOCTOU hole: the producer could rewrite the length or the coroutine id
//     between the check and the use, e.g. after a length was found <= AL4_RING_MRS and
//     before the payload loop reads that many words. Volatile (Linux's READ_ONCE) is
//     what makes the copy a copy: the compiler must load each word exactly once and may
//     not read the slot again later in place of the private copy. An honest producer
//     never writes a slot while it is copied (acquire/release above order the two, and
//     ThreadSanitizer checks exactly that: it sees volatile accesses as plain ones); a
//     dishonest one only gets a torn item, which the check then judges.
// Status codes: enum al4_ring_status below.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4/shared_types.h>

#define AL4_RING_LINE 64u                // the cache line; an item is one line
#define AL4_RING_MRS 6u                  // payload words per item
#define AL4_RING_MAX_CAPACITY (1u << 20) // items; 64 MiB of slots
#define AL4_RING_CO_ANY UINT32_MAX       // al4_ring_item_check: accept any coroutine id

// The bytes of shared memory a ring of `capacity` items needs (a multiple of 64).
#define AL4_RING_BYTES(capacity) (2 * AL4_RING_LINE + (size_t)(capacity) * AL4_RING_LINE)

// The paper's IPCItem: one cache line.
struct al4_ring_item {
    uint32_t co;                // the submitting coroutine's id; a reply carries it back
    uint32_t reserved;          // 0: the consumer refuses anything else (room to grow)
    uint64_t info;              // seL4_MessageInfo_t word: label, length <= AL4_RING_MRS,
                                // extraCaps 0, capsUnwrapped 0 (caps never cross a ring)
    uint64_t mr[AL4_RING_MRS];  // payload, mr[0 .. length)
};
_Static_assert(sizeof(struct al4_ring_item) == AL4_RING_LINE, "an item is one cache line");
_Static_assert(offsetof(struct al4_ring_item, info) == 8, "item layout is shared ABI");
_Static_assert(offsetof(struct al4_ring_item, mr) == 16, "item layout is shared ABI");

// The shared region as the layout table above describes it. Only this header touches
// its fields: the indices through __atomic builtins, the slots through volatile.
struct al4_ring_shared {
    struct {
        uint32_t tail;
    } __attribute__((aligned(AL4_RING_LINE))) prod;  // the producer's line
    struct {
        uint32_t head;
    } __attribute__((aligned(AL4_RING_LINE))) cons;  // the consumer's line
    struct {
        volatile uint64_t w[AL4_RING_LINE / 8];
    } __attribute__((aligned(AL4_RING_LINE))) slot[];
};
_Static_assert(offsetof(struct al4_ring_shared, cons) == 64, "head on its own line");
_Static_assert(offsetof(struct al4_ring_shared, slot) == 128, "slots after both lines");

enum al4_ring_status {
    AL4_RING_OK = 0,
    AL4_RING_FULL = 1,      // put: C items unconsumed; nothing written, try later
    AL4_RING_EMPTY = 2,     // get: nothing published
    AL4_RING_ECORRUPT = 3,  // the peer's index moved by more than C: the handle is dead
    AL4_RING_EINVAL = 4,    // init: capacity not a power of two in [1, MAX], or the
                            // region not 64-byte aligned
    // al4_ring_item_check, in the order it checks:
    AL4_RING_ERESERVED = 5, // reserved != 0
    AL4_RING_ECAPS = 6,     // info names caps (extraCaps or capsUnwrapped != 0)
    AL4_RING_ELENGTH = 7,   // info's length > AL4_RING_MRS
    AL4_RING_ECOID = 8,     // co >= the caller's limit
};

// The producer's private handle (in the producer's own memory, never shared).
struct al4_ring_tx {
    struct al4_ring_shared *sh;
    uint32_t mask;       // C - 1
    uint32_t tail;       // the producer's index: the truth, shared tail is a copy
    uint32_t limit;      // the consumer's head as last read and checked, plus C: the
                         // tail that would fill the ring (one compare per put)
    bool broken;         // the consumer's head was out of range once
};

// The consumer's private handle.
struct al4_ring_rx {
    struct al4_ring_shared *sh;
    uint32_t mask;
    uint32_t head;       // the consumer's index
    uint32_t tail_seen;  // the producer's tail as last read and checked
    bool broken;
};

// Word 0 of a slot holds the item's co in its low half and reserved in its high half
// (little-endian, as the layout above). Items move word by word between the private
// copies and the slot, and only the words the message uses: a call to the C library's
// memcpy here used to cost more than the rest of a put (picolibc's copies bytes).
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the slot layout is little-endian");

// Whether a message info can go into an item as it is: no caps and a length of at most
// AL4_RING_MRS. Its low 12 bits are capsUnwrapped, extraCaps and length, so that is one
// compare (al4_ring_header_check makes the same test in steps, to say which failed).
static inline bool al4_ring_info_fits(uint64_t info)
{
    return (info & 0xfff) <= AL4_RING_MRS;
}

// The payload words an item's message info says it uses, at most AL4_RING_MRS.
static inline unsigned al4_ring_item_words(uint64_t info)
{
    unsigned len = (unsigned)(info & 0x7f);  // seL4_MessageInfo's length field
    return len < AL4_RING_MRS ? len : AL4_RING_MRS;
}

// Payload copies between a slot and private memory, n <= AL4_RING_MRS words (callers
// pass al4_ring_item_words). Unrolled: a loop over at most six words spends more in its
// control than in its copying, and every call makes four such copies. One body for both
// directions, which differ only in which side is volatile.
_Static_assert(AL4_RING_MRS == 6, "one case per payload word");
#define AL4_RING_COPY_WORDS(dst, src, n) \
    switch (n) { \
    case 6: (dst)[5] = (src)[5]; __attribute__((fallthrough)); \
    case 5: (dst)[4] = (src)[4]; __attribute__((fallthrough)); \
    case 4: (dst)[3] = (src)[3]; __attribute__((fallthrough)); \
    case 3: (dst)[2] = (src)[2]; __attribute__((fallthrough)); \
    case 2: (dst)[1] = (src)[1]; __attribute__((fallthrough)); \
    case 1: (dst)[0] = (src)[0]; __attribute__((fallthrough)); \
    default: break; \
    }
// n <= AL4_RING_MRS is the callers' promise (al4_ring_item_words clamps): said to the
// compiler, it spares the switch a second range check.
static inline void al4_ring_copy_in(volatile uint64_t *dst, const uint64_t *src, unsigned n)
{
    if (n > AL4_RING_MRS)
        __builtin_unreachable();
    AL4_RING_COPY_WORDS(dst, src, n);
}
static inline void al4_ring_copy_out(uint64_t *dst, const volatile uint64_t *src, unsigned n)
{
    if (n > AL4_RING_MRS)
        __builtin_unreachable();
    AL4_RING_COPY_WORDS(dst, src, n);
}
// All AL4_RING_MRS payload words of a slot into dst (room for AL4_RING_MRS): cheaper
// than choosing the count when the words past the length are ignored anyway, as they
// are in a private copy whose own length bounds every later read. Each word is still
// loaded once. Not for the other direction: a slot must only get the words the message
// uses, or stale private words would leak to the peer.
static inline void al4_ring_copy_out_all(uint64_t *dst, const volatile uint64_t *src)
{
    // Unrolled by hand: the compiler keeps a loop over volatile loads a loop.
    AL4_RING_COPY_WORDS(dst, src, AL4_RING_MRS);
}

// Slot i mod C of the shared region. The index widened through int32_t: RV64 keeps a
// 32-bit value sign-extended in its register, so that widening is free where a
// zero-extension costs two shifts, and the mask (< 2^20) clears every bit in which the
// two differ.
static inline volatile uint64_t *al4_ring_slot(struct al4_ring_shared *sh, uint32_t i,
                                               uint32_t mask)
{
    return sh->slot[(size_t)(int64_t)(int32_t)i & mask].w;
}
// The same with the mask widened through int32_t too (< 2^20: the same value). For the
// producer's put, where the compiler loads a uint32_t mask sign-extended and then
// zero-extends it, two more shifts; the consumer's paths keep al4_ring_slot, where the
// zero-extended mask is loaded as such and also masks the item's id.
static inline volatile uint64_t *al4_ring_slot_sx(struct al4_ring_shared *sh, uint32_t i,
                                                  uint32_t mask)
{
    return sh->slot[(size_t)((int64_t)(int32_t)i & (int64_t)(int32_t)mask)].w;
}

static inline bool al4_ring_geometry_ok(const void *shared, uint32_t capacity)
{
    return capacity >= 1 && capacity <= AL4_RING_MAX_CAPACITY &&
           (capacity & (capacity - 1)) == 0 && ((uintptr_t)shared % AL4_RING_LINE) == 0;
}

// Attach as the producer of the (zeroed) region `shared` of `capacity` items; writes
// only the producer's line (tail = 0). AL4_RING_OK or AL4_RING_EINVAL.
static inline int al4_ring_tx_init(struct al4_ring_tx *tx, void *shared, uint32_t capacity)
{
    if (!al4_ring_geometry_ok(shared, capacity))
        return AL4_RING_EINVAL;
    *tx = (struct al4_ring_tx){.sh = shared, .mask = capacity - 1, .limit = capacity};
    __atomic_store_n(&tx->sh->prod.tail, 0, __ATOMIC_RELEASE);
    return AL4_RING_OK;
}

// Attach as the consumer; writes only the consumer's line (head = 0).
static inline int al4_ring_rx_init(struct al4_ring_rx *rx, void *shared, uint32_t capacity)
{
    if (!al4_ring_geometry_ok(shared, capacity))
        return AL4_RING_EINVAL;
    *rx = (struct al4_ring_rx){.sh = shared, .mask = capacity - 1};
    __atomic_store_n(&rx->sh->cons.head, 0, __ATOMIC_RELEASE);
    return AL4_RING_OK;
}

// Rereads the consumer's head; false (and broken) if it is out of range: more than C
// behind the producer's tail, or ahead of it (which the subtraction wraps to > C).
static inline bool al4_ring_tx_reload(struct al4_ring_tx *tx)
{
    uint32_t h = __atomic_load_n(&tx->sh->cons.head, __ATOMIC_ACQUIRE);
    if ((uint32_t)(tx->tail - h) > tx->mask + 1) {
        tx->broken = true;
        return false;
    }
    tx->limit = h + tx->mask + 1;
    return true;
}

// Publishes an item straight from its parts: word 0 (co in the low half, reserved in
// the high half), the message info, and the payload words the info's length names
// (at most AL4_RING_MRS), read from mr. AL4_RING_OK, AL4_RING_FULL (nothing written;
// never overwrites an unconsumed item) or AL4_RING_ECORRUPT. No private item in
// between: a call's own words go into the slot.
// al4_ring_put_msg_n takes the payload length n (<= AL4_RING_MRS) from a caller that
// already knows it, so that it is not clamped a second time.
// al4_ring_put_msg_live is the same without the look at tx->broken, for a caller whose
// own dead flag already covers it (it is set whenever a put returns AL4_RING_ECORRUPT,
// and nothing else puts into tx).
// al4_ring_write_msg_live is put_msg_live without the publication: it writes the item
// and advances the producer's own index, and the consumer sees nothing until
// al4_ring_tx_publish, which publishes every item written so far with one store (a
// batch of items, one release). aipc's link writes with it, under its own dead flag.
static inline int al4_ring_write_msg_live(struct al4_ring_tx *tx, uint64_t w0, uint64_t info,
                                          const uint64_t *mr, unsigned n)
{
    // The cached head is a checked value <= tail, so the items it implies are an upper
    // bound of those in the ring: look at the consumer's line only when it says full.
    if (tx->tail == tx->limit) {
        if (!al4_ring_tx_reload(tx))
            return AL4_RING_ECORRUPT;
        if (tx->tail == tx->limit)
            return AL4_RING_FULL;
    }
    // The words past the payload keep what they held: the consumer reads only the
    // payload its (private copy of the) length names.
    volatile uint64_t *slot = al4_ring_slot_sx(tx->sh, tx->tail, tx->mask);
    slot[0] = w0;
    slot[1] = info;
    al4_ring_copy_in(slot + 2, mr, n);
    tx->tail++;
    return AL4_RING_OK;
}
static inline void al4_ring_tx_publish(struct al4_ring_tx *tx)
{
    __atomic_store_n(&tx->sh->prod.tail, tx->tail, __ATOMIC_RELEASE);
}
static inline int al4_ring_put_msg_live(struct al4_ring_tx *tx, uint64_t w0, uint64_t info,
                                        const uint64_t *mr, unsigned n)
{
    int r = al4_ring_write_msg_live(tx, w0, info, mr, n);
    if (r == AL4_RING_OK)
        al4_ring_tx_publish(tx);
    return r;
}
static inline int al4_ring_put_msg_n(struct al4_ring_tx *tx, uint64_t w0, uint64_t info,
                                     const uint64_t *mr, unsigned n)
{
    if (tx->broken)
        return AL4_RING_ECORRUPT;
    return al4_ring_put_msg_live(tx, w0, info, mr, n);
}
static inline int al4_ring_put_msg(struct al4_ring_tx *tx, uint64_t w0, uint64_t info,
                                   const uint64_t *mr)
{
    return al4_ring_put_msg_n(tx, w0, info, mr, al4_ring_item_words(info));
}

// Publishes a copy of *it (al4_ring_put_msg of its fields).
static inline int al4_ring_put(struct al4_ring_tx *tx, const struct al4_ring_item *it)
{
    return al4_ring_put_msg(tx, it->co | (uint64_t)it->reserved << 32, it->info, it->mr);
}

// Rereads the producer's tail; false (and broken) if it is out of range.
static inline bool al4_ring_rx_reload(struct al4_ring_rx *rx)
{
    uint32_t t = __atomic_load_n(&rx->sh->prod.tail, __ATOMIC_ACQUIRE);
    if ((uint32_t)(t - rx->head) > rx->mask + 1) {
        rx->broken = true;
        return false;
    }
    rx->tail_seen = t;
    return true;
}

// The oldest item's slot, or NULL with *status AL4_RING_EMPTY or AL4_RING_ECORRUPT.
// The caller reads each word it needs exactly once, through the volatile pointer, into
// private memory (word 1's length bounds the payload it reads: the copy's length, never
// the slot's again), checks the copy (al4_ring_header_check), and then frees the slot
// with al4_ring_release. Reading in place this way saves the private item in between,
// and is as safe as al4_ring_get: the producer can only tear what is read.
static inline const volatile uint64_t *al4_ring_peek(struct al4_ring_rx *rx, int *status)
{
    if (rx->broken) {
        *status = AL4_RING_ECORRUPT;
        return NULL;
    }
    if (rx->head == rx->tail_seen) {
        if (!al4_ring_rx_reload(rx)) {
            *status = AL4_RING_ECORRUPT;
            return NULL;
        }
        if (rx->head == rx->tail_seen) {
            *status = AL4_RING_EMPTY;
            return NULL;
        }
    }
    return al4_ring_slot(rx->sh, rx->head, rx->mask);
}

// al4_ring_release frees the slot al4_ring_peek returned: every read of it is done
// before the producer may reuse it (release).
// al4_ring_consume only advances the consumer's own index, past an item whose reads are
// done: the slot stays the consumer's (the producer cannot reuse it) until
// al4_ring_rx_publish, which frees every slot consumed so far with one store.
static inline void al4_ring_consume(struct al4_ring_rx *rx)
{
    rx->head++;
}
static inline void al4_ring_rx_publish(struct al4_ring_rx *rx)
{
    __atomic_store_n(&rx->sh->cons.head, rx->head, __ATOMIC_RELEASE);
}
static inline void al4_ring_release(struct al4_ring_rx *rx)
{
    al4_ring_consume(rx);
    al4_ring_rx_publish(rx);
}

// Copies the oldest item out into *out (private memory) and frees its slot: the header
// and the payload words its length names (at most AL4_RING_MRS; out->mr past them is
// left as it was). AL4_RING_OK, AL4_RING_EMPTY or AL4_RING_ECORRUPT. The copy is not
// checked yet: call al4_ring_item_check on *out before using any field (see the top
// of this file).
static inline int al4_ring_get(struct al4_ring_rx *rx, struct al4_ring_item *out)
{
    int status;
    const volatile uint64_t *slot = al4_ring_peek(rx, &status);
    if (!slot)
        return status;
    // Each word loaded once: the length that bounds the payload is the copy's.
    uint64_t w0 = slot[0];
    out->co = (uint32_t)w0;
    out->reserved = (uint32_t)(w0 >> 32);
    out->info = slot[1];
    al4_ring_copy_out(out->mr, slot + 2, al4_ring_item_words(out->info));
    al4_ring_release(rx);
    return AL4_RING_OK;
}

// The consumer's look before it sleeps: true only if the ring is verifiably empty
// (rereads tail). A broken ring is not empty, so that a dispatcher does not sleep on it
// and its next al4_ring_get reports AL4_RING_ECORRUPT.
static inline bool al4_ring_rx_empty(struct al4_ring_rx *rx)
{
    if (rx->broken || !al4_ring_rx_reload(rx))
        return false;
    return rx->head == rx->tail_seen;
}

// Checks a copied item's header, given as its word 0 (co, reserved) and its message
// info: AL4_RING_OK or the first of ERESERVED, ECAPS, ELENGTH, ECOID that applies. co
// must be below co_limit: a client passes the size of its coroutine table (aipc still
// checks that the coroutine waits for a reply); a server, which only echoes the id
// back, passes AL4_RING_CO_ANY (UINT32_MAX is then the one refused id).
static inline int al4_ring_header_check(uint64_t w0, uint64_t info_word, uint32_t co_limit)
{
    seL4_MessageInfo_t info = {{info_word}};
    if (w0 >> 32)
        return AL4_RING_ERESERVED;
    if (seL4_MessageInfo_get_extraCaps(info) != 0 ||
        seL4_MessageInfo_get_capsUnwrapped(info) != 0)
        return AL4_RING_ECAPS;
    if (seL4_MessageInfo_get_length(info) > AL4_RING_MRS)
        return AL4_RING_ELENGTH;
    if ((uint32_t)w0 >= co_limit)
        return AL4_RING_ECOID;
    return AL4_RING_OK;
}

// The same for a copied item.
static inline int al4_ring_item_check(const struct al4_ring_item *it, uint32_t co_limit)
{
    return al4_ring_header_check(it->co | (uint64_t)it->reserved << 32, it->info, co_limit);
}
