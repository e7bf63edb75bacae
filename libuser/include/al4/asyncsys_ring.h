// The shared frame of asynchronous system calls (issue 12; the kernel paper's section
// 2.3 and table 3): one frame per registered thread holding a request ring that the
// process fills and the kernel drains, and a reply ring the kernel fills and the
// process drains. The kernel and libuser both include this header, so the layout and
// the checks of a request item are written once (docs/asyncsys.md).
//
// The frame is a 4 KiB page (16 slots per ring) or a 2 MiB megapage (8192 slots: a
// batch of calls as large as a process keeps in flight takes one wake):
//
//   offset               size          written by  what
//   0                    64            process     user line: req_tail, rep_head, client_running
//   64                   64            kernel      kernel line: req_head, rep_tail, handler_running
//   128                  slots * 128   process     request slots, item i in slot i mod slots
//   128 + slots * 128    slots * 64    kernel      reply slots
//
// The indices run freely over 32 bits: tail - head (mod 2^32) is the number of items,
// at most `slots`. Each side keeps its own indices privately and only publishes them
// here; it reads only the other side's and checks them (an index that moved by more
// than the ring holds breaks the ring for good). The kernel copies a request out of
// the frame word by word (volatile) and checks and uses only the copy: the process may
// rewrite the slot meanwhile.
//
// The marks say whether the other side needs a wake-up: `handler_running` (the kernel's
// handler is queued or running on some hart; it drains the ring before clearing the
// mark and looks again after a full fence) and `client_running` (the process's reply
// dispatcher is running; the kernel signals the completion notification only when it
// reads 0 after publishing replies). Both follow aipc's co_status protocol
// (docs/aipc-protocol.md): write the item, full fence, read the peer's mark.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AL4_ASYNCSYS_FRAME_BITS 12  // a 4 KiB frame ...
#define AL4_ASYNCSYS_SLOTS 16u      // ... holds rings of 16 items
#define AL4_ASYNCSYS_MEGA_BITS 21   // a 2 MiB frame ...
#define AL4_ASYNCSYS_MEGA_SLOTS 8192u
#define AL4_ASYNCSYS_LINES 128u     // the two index lines before the slots
#define AL4_ASYNCSYS_MRS 10u        // message registers of a request
#define AL4_ASYNCSYS_CAPS 3u        // extra caps of a request (seL4_MsgMaxExtraCaps)
#define AL4_ASYNCSYS_REPLY_MRS 6u   // message registers of a reply

// A request: 128 bytes, two cache lines.
struct al4_asyncsys_req {
    uint64_t tag;                      // the caller's, returned unchanged in the reply
    uint64_t info;                     // seL4_MessageInfo_t: label, length <= 10,
                                       // extraCaps, capsUnwrapped = 0
    uint64_t cptr;                     // the invoked cap, in the thread's CSpace
    uint64_t caps[AL4_ASYNCSYS_CAPS];  // extra caps (seL4's caps_or_badges), by cptr
    uint64_t mr[AL4_ASYNCSYS_MRS];     // message registers 0 .. length-1
};

// A reply: 64 bytes. info is what the synchronous Call would have returned in a1:
// label = seL4_Error, length = words of mr (the error's or the invocation's reply).
struct al4_asyncsys_rep {
    uint64_t tag;
    uint64_t info;
    uint64_t mr[AL4_ASYNCSYS_REPLY_MRS];
};

struct al4_asyncsys_shared {
    struct {
        uint32_t req_tail;        // requests published
        uint32_t rep_head;        // replies consumed
        uint32_t client_running;  // 1: the reply dispatcher runs, no signal needed
    } __attribute__((aligned(64))) user;
    struct {
        uint32_t req_head;         // requests consumed
        uint32_t rep_tail;         // replies published
        uint32_t handler_running;  // 1: the kernel's handler is queued or running
    } __attribute__((aligned(64))) kern;
    // the slots follow: al4_asyncsys_req_slot, al4_asyncsys_rep_slot
};

_Static_assert(sizeof(struct al4_asyncsys_req) == 128, "a request is two cache lines");
_Static_assert(sizeof(struct al4_asyncsys_rep) == 64, "a reply is one cache line");
_Static_assert(offsetof(struct al4_asyncsys_shared, kern) == 64, "layout is ABI");
_Static_assert(sizeof(struct al4_asyncsys_shared) == AL4_ASYNCSYS_LINES, "layout is ABI");
_Static_assert(AL4_ASYNCSYS_LINES + AL4_ASYNCSYS_SLOTS * 192 <= (1u << AL4_ASYNCSYS_FRAME_BITS),
               "the rings fit a 4 KiB frame");
_Static_assert(AL4_ASYNCSYS_LINES + AL4_ASYNCSYS_MEGA_SLOTS * 192 <= (1u << AL4_ASYNCSYS_MEGA_BITS),
               "the rings fit a 2 MiB frame");
_Static_assert((AL4_ASYNCSYS_SLOTS & (AL4_ASYNCSYS_SLOTS - 1)) == 0 &&
                   (AL4_ASYNCSYS_MEGA_SLOTS & (AL4_ASYNCSYS_MEGA_SLOTS - 1)) == 0,
               "slots a power of two");

// The slots per ring of a frame of 2^bits bytes; 0 for a size that holds no rings.
static inline uint32_t al4_asyncsys_slots(unsigned bits)
{
    return bits == AL4_ASYNCSYS_FRAME_BITS ? AL4_ASYNCSYS_SLOTS
           : bits == AL4_ASYNCSYS_MEGA_BITS ? AL4_ASYNCSYS_MEGA_SLOTS
                                            : 0;
}

// Item i's slot in a ring of `slots` (a power of two).
static inline struct al4_asyncsys_req *al4_asyncsys_req_slot(struct al4_asyncsys_shared *sh,
                                                             uint32_t slots, uint32_t i)
{
    return (struct al4_asyncsys_req *)((char *)sh + AL4_ASYNCSYS_LINES) + (i & (slots - 1));
}
static inline struct al4_asyncsys_rep *al4_asyncsys_rep_slot(struct al4_asyncsys_shared *sh,
                                                             uint32_t slots, uint32_t i)
{
    char *rep = (char *)sh + AL4_ASYNCSYS_LINES + (size_t)slots * sizeof(struct al4_asyncsys_req);
    return (struct al4_asyncsys_rep *)rep + (i & (slots - 1));
}

// What the kernel answers for a request it cannot read as a message: seL4_InvalidArgument
// with MR0 = the word of the item at fault (AL4_ASYNCSYS_BAD_INFO: its info word).
#define AL4_ASYNCSYS_BAD_INFO 1u

// An index the other side published is plausible when it is at most a full ring ahead
// of the reader's own (anything else, a tail behind the head included, wraps above).
static inline bool al4_asyncsys_index_ok(uint32_t ahead, uint32_t behind, uint32_t slots)
{
    return (uint32_t)(ahead - behind) <= slots;
}

// Whether a (copied) request's info word describes a message the item can hold:
// length <= AL4_ASYNCSYS_MRS and no unwrapped caps (a request carries cptrs, never
// badges). The extraCaps field is 2 bits, so it never exceeds AL4_ASYNCSYS_CAPS.
static inline bool al4_asyncsys_info_ok(uint64_t info)
{
    uint64_t length = info & 0x7f, unwrapped = (info >> 9) & 7;
    return length <= AL4_ASYNCSYS_MRS && unwrapped == 0;
}
static inline bool al4_asyncsys_req_ok(const struct al4_asyncsys_req *r)
{
    return al4_asyncsys_info_ok(r->info);
}

// Copies the first n words of src (at most `max`, a constant), one volatile load each.
// Unrolled into a chain of compare, load, store: a loop costs about 5 instructions a
// word, this 3 (a jump table 2 a word but 7 to enter, more than it saves on the short
// messages most requests have).
static inline __attribute__((always_inline)) void
al4_asyncsys_copy_words(uint64_t *dst, const volatile uint64_t *src, uint64_t n, unsigned max)
{
#pragma GCC unroll 16
    for (unsigned w = 0; w < max; w++) {
        if (w >= n)
            return;
        dst[w] = src[w];
    }
}

// Reads a request's header out of shared memory, one volatile load per word: its tag
// and info word, and, only when that info is sound (al4_asyncsys_info_ok), its cptr;
// false otherwise. The kernel's handler reads every request this way, then the body
// (al4_asyncsys_req_body); al4_asyncsys_req_copy below is the two together.
static inline __attribute__((always_inline)) bool
al4_asyncsys_req_head(const struct al4_asyncsys_req *src, uint64_t *tag, uint64_t *info,
                      uint64_t *cptr)
{
    const volatile struct al4_asyncsys_req *s = src;
    *tag = s->tag;
    *info = s->info;
    if (!al4_asyncsys_info_ok(*info))
        return false;
    *cptr = s->cptr;
    return true;
}

// Copies the caps and message registers that a request's info word names, the info
// word being the one already copied out of `src` and found sound (al4_asyncsys_req_head):
// the rest of the item is never read.
static inline void al4_asyncsys_req_body(uint64_t caps[AL4_ASYNCSYS_CAPS],
                                         uint64_t mr[AL4_ASYNCSYS_MRS],
                                         const struct al4_asyncsys_req *src, uint64_t info)
{
    const volatile uint64_t *s = (const volatile uint64_t *)src;
    al4_asyncsys_copy_words(caps, &s[offsetof(struct al4_asyncsys_req, caps) / 8], (info >> 7) & 3,
                            AL4_ASYNCSYS_CAPS);
    al4_asyncsys_copy_words(mr, &s[offsetof(struct al4_asyncsys_req, mr) / 8], info & 0x7f,
                            AL4_ASYNCSYS_MRS);
}

// Copies request `src` out of shared memory one volatile load per word, so the checks
// and the use see one value of each word however the process rewrites it: the header,
// then only the caps and message registers its (copied) info word names. Returns false,
// with nothing more copied, when that info word describes more than an item holds.
static inline bool al4_asyncsys_req_copy(struct al4_asyncsys_req *dst,
                                         const struct al4_asyncsys_req *src)
{
    if (!al4_asyncsys_req_head(src, &dst->tag, &dst->info, &dst->cptr))
        return false;
    al4_asyncsys_req_body(dst->caps, dst->mr, src, dst->info);
    return true;
}
