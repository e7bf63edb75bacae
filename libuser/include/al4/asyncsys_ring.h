// The shared frame of asynchronous system calls (issue 12; the kernel paper's section
// 2.3 and table 3): one 4 KiB frame per registered thread holding a request ring that
// the process fills and the kernel drains, and a reply ring the kernel fills and the
// process drains. The kernel and libuser both include this header, so the layout and
// the checks of a request item are written once (docs/asyncsys.md).
//
//   offset  size      written by  what
//   0       64        process     user line: req_tail, rep_head, client_running
//   64      64        kernel      kernel line: req_head, rep_tail, handler_running
//   128     16 * 128  process     request slots, item i in slot i mod 16
//   2176    16 * 64   kernel      reply slots
//   3200..4095        nobody
//
// The indices run freely over 32 bits: tail - head (mod 2^32) is the number of items,
// at most AL4_ASYNCSYS_SLOTS. Each side keeps its own indices privately and only
// publishes them here; it reads only the other side's and checks them (an index that
// moved by more than the ring holds breaks the ring for good). The kernel copies a
// request out of the frame word by word (volatile) and checks and uses only the copy:
// the process may rewrite the slot meanwhile.
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

#define AL4_ASYNCSYS_FRAME_BITS 12
#define AL4_ASYNCSYS_SLOTS 16u      // items per ring, a power of two
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
    struct al4_asyncsys_req req[AL4_ASYNCSYS_SLOTS];
    struct al4_asyncsys_rep rep[AL4_ASYNCSYS_SLOTS];
};

_Static_assert(sizeof(struct al4_asyncsys_req) == 128, "a request is two cache lines");
_Static_assert(sizeof(struct al4_asyncsys_rep) == 64, "a reply is one cache line");
_Static_assert(offsetof(struct al4_asyncsys_shared, kern) == 64, "layout is ABI");
_Static_assert(offsetof(struct al4_asyncsys_shared, req) == 128, "layout is ABI");
_Static_assert(offsetof(struct al4_asyncsys_shared, rep) == 2176, "layout is ABI");
_Static_assert(sizeof(struct al4_asyncsys_shared) <= (1u << AL4_ASYNCSYS_FRAME_BITS),
               "the rings fit one 4 KiB frame");
_Static_assert((AL4_ASYNCSYS_SLOTS & (AL4_ASYNCSYS_SLOTS - 1)) == 0, "slots a power of two");

// What the kernel answers for a request it cannot read as a message: seL4_InvalidArgument
// with MR0 = the word of the item at fault (AL4_ASYNCSYS_BAD_INFO: its info word).
#define AL4_ASYNCSYS_BAD_INFO 1u

// An index the other side published is plausible when it is at most a full ring ahead
// of the reader's own (anything else, a tail behind the head included, wraps above).
static inline bool al4_asyncsys_index_ok(uint32_t ahead, uint32_t behind)
{
    return (uint32_t)(ahead - behind) <= AL4_ASYNCSYS_SLOTS;
}

// Copies request slot `i` out of shared memory one volatile load per word, so the
// checks and the use see one value of each word however the process rewrites it.
static inline void al4_asyncsys_req_copy(struct al4_asyncsys_req *dst,
                                         const struct al4_asyncsys_shared *sh, uint32_t i)
{
    const volatile uint64_t *s = (const volatile uint64_t *)&sh->req[i % AL4_ASYNCSYS_SLOTS];
    uint64_t *d = (uint64_t *)dst;
    for (unsigned w = 0; w < sizeof(*dst) / 8; w++)
        d[w] = s[w];
}

// Whether a (copied) request's info word describes a message the item can hold:
// length <= AL4_ASYNCSYS_MRS and no unwrapped caps (a request carries cptrs, never
// badges). The extraCaps field is 2 bits, so it never exceeds AL4_ASYNCSYS_CAPS.
static inline bool al4_asyncsys_req_ok(const struct al4_asyncsys_req *r)
{
    uint64_t length = r->info & 0x7f, unwrapped = (r->info >> 9) & 7;
    return length <= AL4_ASYNCSYS_MRS && unwrapped == 0;
}
