// Asynchronous IPC (issue 11; the kernel paper's section 2.2; docs/aipc.md): requests
// and replies in two SPSC rings (al4/ring.h) in memory shared by a client process and
// a server process, coroutines on both sides (al4/co.h), and a U-notification each way
// (al4/unotify.h) that is sent only when the peer's dispatcher is not marked running
// (docs/aipc-protocol.md).
//
// One connection per client: the client's thread is the only producer of the request
// ring and the only consumer of the reply ring, the server's thread the reverse.
//
// Set-up is one call on each side. The root task, before it starts the two processes
// (al4/process.h), calls al4_aipc_connect: it makes the shared frames and maps them
// into both, makes each process's notification (once per process), binds it to the
// process's thread and registers that thread as its receiver, gives each process a
// badged cap to the other's, and describes the connection in the process's boot info
// (chunk AL4_BOOTINFO_AIPC). Each process, once running, calls al4_aipc_attach: it
// registers one sender per connection and sets up the coroutine executor that runs
// everything; then
// al4_aipc_client_open or al4_aipc_serve per connection, and co_exec_run.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <al4/co.h>
#include <al4/co_sel4.h>
#include <al4/ring.h>
#include <al4/unotify.h>
#include <al4/process.h>

#define AL4_AIPC_MAX_CAPACITY 256u  // items per ring, so calls in flight per client
#define AL4_AIPC_MAX_CONN 16u       // connections per process
// Items a dispatcher takes per resume before it yields: a peer that refills the ring as
// fast as it is drained cannot keep the dispatcher from returning to the executor (the
// other connections' dispatchers of its priority, the flush, the timers).
#define AL4_AIPC_BATCH 64u
// The label of a reply that refuses a malformed request (the request's own labels are
// the application's; this one, the largest a message info holds, is aipc's).
#define AL4_AIPC_LABEL_REFUSED ((1ul << 52) - 1)

enum { AL4_AIPC_IDLE = 0, AL4_AIPC_RUNNING = 1 };

// The shared control page (the first page of a connection's region); rings follow it.
// Every word is written by both processes or by the one the comment names, and
// trusted by neither (docs/aipc-protocol.md, "A peer that lies").
struct al4_aipc_ctrl {
    struct { uint32_t v; } __attribute__((aligned(64))) req_mark;    // server's dispatcher
    struct { uint32_t v; } __attribute__((aligned(64))) reply_mark;  // client's dispatcher
    struct { seL4_Word v; } __attribute__((aligned(64))) server_sleeping;
    struct { seL4_Word v; } __attribute__((aligned(64))) client_sleeping;
};

enum al4_aipc_role { AL4_AIPC_SERVER = 1, AL4_AIPC_CLIENT = 2 };

// One connection as the root task describes it to one side (trusted: in that side's
// own boot info, never in shared memory).
struct al4_aipc_desc {
    uint32_t role;        // enum al4_aipc_role: which end this process is
    uint32_t capacity;    // items per ring, a power of two <= AL4_AIPC_MAX_CAPACITY
    seL4_Word base;       // the region in this process's VSpace
    seL4_CPtr peer_ntfn;  // Write-only cap to the peer's notification, one-bit badge
    uint32_t own_bit;     // the bit the peer's signals set in this process's word
    uint32_t reserved;
};

// The boot info chunk AL4_BOOTINFO_AIPC.
struct al4_aipc_boot {
    seL4_CPtr ntfn;       // the process's notification (all rights)
    uint32_t n, reserved;
    struct al4_aipc_desc conn[AL4_AIPC_MAX_CONN];
};

// The bytes of a connection's region: control page, request ring, reply ring, each
// starting on a page.
seL4_Word al4_aipc_region_bytes(uint32_t capacity);

// --- The root task ---

// What the root task keeps per process taking part.
struct al4_aipc_proc {
    struct al4_process *p;
    seL4_CPtr ntfn;        // the process's notification, in the root task's CSpace
    seL4_Word next_va;     // where the next region is mapped in the process
    seL4_Word bits_used;   // badge bits given out on this notification
    struct al4_aipc_boot boot;
};

// Regions of process p are mapped from `va` on (page aligned, free in its VSpace).
void al4_aipc_proc_init(struct al4_aipc_proc *ap, struct al4_process *p, seL4_Word va);
// Before its first connection: the process's notification is `ntfn` (in the root
// task's CSpace; `slot`: the process's cap to it), already bound to the process's
// thread and registered as its receiver, with the badge bits in `bits_used` taken by
// other signallers (interrupts). Otherwise the first connection makes one.
void al4_aipc_proc_use_ntfn(struct al4_aipc_proc *ap, seL4_CPtr ntfn, seL4_CPtr slot,
                            seL4_Word bits_used);
// Connects client and server (created, not yet started) with rings of `capacity`
// items. Returns the connection's index on the server's side in *server_conn (the
// client's is its own count of connections). seL4_RangeError: capacity not a power of
// two in [1, AL4_AIPC_MAX_CAPACITY], or a process has AL4_AIPC_MAX_CONN connections or
// no badge bit left; seL4_NotEnoughMemory: out of objects, slots or boot info room.
seL4_Error al4_aipc_connect(struct al4_aipc_proc *server, struct al4_aipc_proc *client,
                            uint32_t capacity, unsigned *server_conn);

// --- A process: its runtime ---

struct al4_aipc_link;
struct al4_aipc_client;
struct al4_aipc_server;

// Everything one process's thread runs async IPC with: the executor, its platform, the
// receiver, and the connections. One per process, static (it is large).
struct al4_aipc_rt {
    // First, within an immediate offset of the struct: every batch's owe and flush
    // touch them.
    struct al4_aipc_link *owing[AL4_AIPC_MAX_CONN];  // links with a notification owed
    unsigned n_owing;
    struct co_exec ex;
    struct co_sel4 plat;
    struct al4_unotify_rx rx;
    struct al4_unotify_handler handler;
    struct al4_aipc_boot boot;  // a private copy of the boot info chunk
    volatile seL4_Word *sleeping_copies[AL4_AIPC_MAX_CONN];
    seL4_Word sender_index[AL4_AIPC_MAX_CONN];
    struct co_timer *timer_heap[16];
    uint64_t uintr;   // user interrupts taken (the handler's calls)
    uint64_t polled;  // wakes read by the flush instead (al4_aipc_flush)
    // al4_aipc_serve_flooded's, counted across this process's stepping dispatchers: the
    // items they took in, the count when the executor last ran out of work, and the
    // executor's `empty_at` then.
    uint64_t step_taken, step_base, step_empty_at;
};

// Sends every notification owed (the executor's flush hook; attach installs it), and
// returns the signal bits that came meanwhile, for the executor to wake (masked across
// the sends, they are read rather than taken as a user interrupt).
uint64_t al4_aipc_flush(void *rt);

// A notification a producer owes its peer is sent when this process's executor has
// nothing ready (so always before it sleeps), or after at most this many resumes: one
// signal per batch of items instead of one per item (docs/aipc-protocol.md, "Batching").
#define AL4_AIPC_FLUSH_EVERY 1024u

// Reads the boot info chunk, registers every connection's peer cap as a sender of the
// calling thread (the receiver is already registered), and sets up rt->ex
// (hz: the timebase frequency). The U-notification's errors (al4/unotify.h), or
// seL4_InvalidArgument when the boot info has no (or a malformed) aipc chunk.
seL4_Error al4_aipc_attach(struct al4_aipc_rt *rt, const seL4_BootInfo *bi, uint64_t hz);
// The same in two steps, for a process whose executor sleeps its own way (the network
// server's RTC alarm): attach_rx reads the chunk and registers (the errors above) and
// fills rt->rx, which the caller's platform then sleeps through (it carries every
// connection's "asleep" word); attach_exec sets up rt->ex on the caller's `ops` (which
// must outlive it) with the flush and the user-interrupt handler. Everything the
// process runs then runs on rt->ex.
seL4_Error al4_aipc_attach_rx(struct al4_aipc_rt *rt, const seL4_BootInfo *bi);
void al4_aipc_attach_exec(struct al4_aipc_rt *rt, const struct co_ops *ops, uint64_t hz);
// Connection i's description, or NULL.
const struct al4_aipc_desc *al4_aipc_conn(const struct al4_aipc_rt *rt, unsigned i);

// --- One end of a connection (shared by client and server) ---

// (The items each way are the rings' own indices: l->tx.tail, l->rx.head, mod 2^32.)
struct al4_aipc_stats {
    uint64_t signals;              // notifications sent to the peer (its mark was idle)
    uint64_t kernel_signals;       // of which went through seL4_Signal (peer asleep)
    uint64_t sleeps;               // times this end's dispatcher suspended, marked idle
    uint64_t refused;              // malformed items refused
};

struct al4_aipc_link {
    struct al4_aipc_ctrl *ctrl;
    struct al4_ring_tx tx;
    struct al4_ring_rx rx;
    struct al4_unotify_tx peer;
    uint32_t *out_mark;  // the peer's mark (on the ring this end produces into)
    uint32_t *in_mark;   // this end's mark (on the ring it consumes)
    uint32_t capacity;
    bool broken;         // a ring was corrupt or the peer broke the protocol: dead
    bool owed;           // the peer's mark was idle: a notification is owed (flush)
    uint32_t published;  // tx.tail as al4_aipc_link_publish last published it (the
                         // server's: a round end with nothing new announces nothing)
    struct al4_aipc_rt *rt;
    struct al4_aipc_stats st;
};

// --- The client ---

// One call, in the calling coroutine's struct (it lives across the suspension).
struct al4_aipc_call {
    struct co *co;
    struct al4_aipc_call *next;  // waiting for a free slot (NULL when not waiting)
    seL4_MessageInfo_t info;     // the request's; the reply's when done
    seL4_Word mr[AL4_RING_MRS];  // the request's payload; the reply's when done
    int status;                  // AL4_AIPC_OK or an error (enum below)
    bool done;
    // Set by al4_aipc_call_bind: the client whose id `id` the call owns for good (in
    // flight it uses it without taking an id from the free list and giving it back).
    // NULL: unbound, as a zeroed call is (the usual path: an id per call, recorded in
    // `id` while it is in flight).
    const struct al4_aipc_client *owner;
    uint32_t id;
    // The tag the call went out under while in flight (its id's, al4_aipc_client_tag),
    // and a bound call's own from one call to the next: the reply is checked against
    // it and the send reads it without indexing the client's table. A word, as the
    // item's word 0 is (reserved half 0): neither the send nor the compare widens it.
    uint64_t tag;
};

enum {
    AL4_AIPC_OK = 0,
    AL4_AIPC_EBROKEN = 1,   // the connection is dead (corrupt ring, refused protocol)
    AL4_AIPC_ELENGTH = 2,   // request length > AL4_RING_MRS or names caps: not sent
    AL4_AIPC_EREFUSED = 3,  // the server refused the request as malformed
    AL4_AIPC_EABANDONED = 4,  // given up by al4_aipc_call_abandon
};

struct al4_aipc_client {
    struct al4_aipc_link link;
    struct co dispatcher;                          // drains replies
    struct al4_aipc_call *slot[AL4_AIPC_MAX_CAPACITY];  // calls in flight, by id
    uint32_t tag[AL4_AIPC_MAX_CAPACITY];           // id's tag (below) for its next call
    uint32_t free_ids[AL4_AIPC_MAX_CAPACITY];
    size_t n_free;  // a word, as it indexes free_ids on every call
    struct al4_aipc_call *wait_head, *wait_tail;   // calls waiting for an id
    // Stands in the slot of an abandoned call (al4_aipc_call_abandon) until its reply
    // comes: its tag is no tag in flight, so the reply takes the refusal path, which
    // frees the id.
    struct al4_aipc_call gone;
};

// The coroutine id a request of slot `id` carries and its reply must carry back: the
// slot in the low 8 bits (AL4_AIPC_TAG_ID_BITS), the slot's generation (the calls it
// has answered, mod 2^23) above, so that a reply meant for an earlier call of a reused
// slot (a stale or duplicated one) names no call in flight. (Ids are reused last in
// first out, so at one call in flight an id's generation wraps only after 2^23 calls:
// a duplicate delayed by exactly that many is the only one it would not tell apart.)
// Never AL4_RING_CO_ANY (bit 31 is 0). Kept whole per id, so that neither the send nor
// the check composes it. An id bound to a call (al4_aipc_call_bind) keeps its tag in
// the call instead (call->tag) until it is unbound; c->tag is then the id's for the
// next unbound call.
static inline uint32_t al4_aipc_client_tag(const struct al4_aipc_client *c, uint32_t id)
{
    return c->tag[id];
}
#define AL4_AIPC_TAG_ID_BITS 8
_Static_assert(AL4_AIPC_MAX_CAPACITY <= 1u << AL4_AIPC_TAG_ID_BITS, "every id fits below the generation");
// The next generation's tag: the id kept, the generation one up, mod 2^23. In the
// word form call->tag and an item's word 0 have (high half 0), so no step widens it.
static inline uint64_t al4_aipc_next_tag(uint64_t tag)
{
    return (tag + (1u << AL4_AIPC_TAG_ID_BITS)) & 0x7fffffffu;
}

// Opens connection `i` (a client end) of rt; the reply dispatcher runs at `prio`.
seL4_Error al4_aipc_client_open(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_client *c,
                                unsigned prio);
// Starts `call` for coroutine co: sends it, or queues it until an id is free. Then the
// coroutine awaits call->done (CO_AWAIT(co, call->done)): AL4_AIPC_CALL does both.
// Inline (below, after the link's inline send): it is on every call's path.
static inline __attribute__((always_inline)) void
al4_aipc_submit(struct al4_aipc_client *c, struct co *co, struct al4_aipc_call *call);
#define AL4_AIPC_CALL(co, client, call) \
    do { \
        al4_aipc_submit((client), (co), (call)); \
        CO_AWAIT(co, (call)->done); \
    } while (0)
// A call made again and again (a worker's own call object) can own an id for good:
// al4_aipc_call_bind takes a free id out of the pool for it, so each of its calls saves
// taking an id and giving it back. The id keeps its generation (the tag steps at every
// reply as for any id), so a stale or duplicated reply is refused as before. Every
// bound call leaves one id fewer for the unbound ones (which wait for a free id when
// none is left). False, and the call stays unbound (and works as before), when no id is
// free, the connection is dead, the call is already bound, or it is in flight or
// waiting for an id (binding looks at every waiter: it is for set-up, not for every
// call).
bool al4_aipc_call_bind(struct al4_aipc_client *c, struct al4_aipc_call *call);
// Gives a bound call's id back to the pool (to the first call waiting for one, if any):
// the call is unbound again. False, and nothing changes, when the call is not bound (to
// this client) or is in flight (its reply still to come).
bool al4_aipc_call_unbind(struct al4_aipc_client *c, struct al4_aipc_call *call);
// Gives up on a call in flight or waiting for an id (a caller with a timeout, say): the
// call ends with AL4_AIPC_EABANDONED and its object and coroutine are not touched again,
// so both may be reused at once. A call in flight keeps its id until its reply comes
// (then dropped, and the id goes back to the pool); one waiting for an id just leaves
// the queue. A bound call is unbound by it (its id goes back with the reply). False,
// and nothing changes, when the call is neither in flight nor waiting on this client.
// Does not wake the call's coroutine (the caller is usually that coroutine).
bool al4_aipc_call_abandon(struct al4_aipc_client *c, struct al4_aipc_call *call);

// --- The server ---

// A request as the handler sees it: a checked private copy.
struct al4_aipc_req {
    uint32_t id;  // the client's id for the call: al4_aipc_reply takes it back
    seL4_MessageInfo_t info;
    seL4_Word mr[AL4_RING_MRS];
};

// Returns true with *reply filled to answer at once, or false to answer later with
// al4_aipc_reply (the server then remembers req->id; replies may go in any order).
typedef bool (*al4_aipc_handler_fn)(struct al4_aipc_server *s, const struct al4_aipc_req *req,
                                    struct al4_aipc_req *reply, void *arg);

struct al4_aipc_server {
    struct al4_aipc_link link;
    struct co dispatcher;
    al4_aipc_handler_fn handle;
    void *arg;
    uint64_t handled;
    uint8_t prio, yield_prio;  // the dispatcher's, and the one it steps down to
    // Its items taken in (handled and refused) that rt->step_taken counts already.
    uint64_t taken_seen;
};

// Serves connection `i` of rt with `handle` (the default dispatcher, at `prio`).
seL4_Error al4_aipc_serve(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                          al4_aipc_handler_fn handle, void *arg, unsigned prio);
// The same with a dispatcher of the caller's, one AL4_AIPC_DISPATCHER defined around its
// handler (below): the handler is then called directly, inlined where the compiler
// sees fit, with no indirect call and no argument set-up per request. s->handle is
// unused (NULL); `arg` is passed to the handler as with al4_aipc_serve.
seL4_Error al4_aipc_serve_with(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                               co_resume_fn dispatch, void *arg, unsigned prio);
// A stepping dispatcher (AL4_AIPC_STEPPING_DISPATCHER, below) steps down to `prio`
// (below its own) when clients flood it: once the process's stepping dispatchers have
// together taken in more items than its ring holds since the executor last ran out of
// work, each of its resumes takes at most one round (a batch at most), runs the
// executor's flush (co_exec_flush) and yields queued at `prio`, not its own (which it
// has again when it resumes). Every coroutine down to `prio` queued meanwhile then runs
// before its next round, and the notifications of what they did go out (a busy
// executor flushes only every AL4_AIPC_FLUSH_EVERY resumes, however much each did).
// For a server whose handlers hand work to coroutines below the dispatcher: it sets
// their priority here, so that a client that keeps its ring full of requests answered
// at once cannot hold up that work, its own or other clients' (the memory server:
// docs/memserver.md, "Priorities"). An honest client's round, at most its ring, is
// still taken in whole before that work runs (that is what batches it) when no other
// client's items were taken in since the executor last ran out of work: always on one
// hart; on several, two clients' full rounds at once count together.
// The default dispatcher does not step (its hot path stays as it is). Called after
// al4_aipc_serve_with, which sets the yield priority to the dispatcher's own: a flooded
// stepping dispatcher then still takes a round per resume and flushes, but yields at
// its own priority.
void al4_aipc_serve_yield(struct al4_aipc_server *s, unsigned prio);
// Answers request `id` (a deferred one). False when the connection is dead or the id
// cannot be a call of this client (the reply ring full: more calls than the capacity).
bool al4_aipc_reply(struct al4_aipc_server *s, uint32_t id, seL4_MessageInfo_t info,
                    const seL4_Word *mr);

// --- For custom dispatchers (the default ones are built from these) ---

// Binds the link of connection i to rt: rings, marks and the peer's sender.
seL4_Error al4_aipc_link_open(struct al4_aipc_rt *rt, unsigned i, enum al4_aipc_role role,
                              struct al4_aipc_link *l);
// Puts an item, any info (a malformed one is the peer's to refuse; at most
// AL4_RING_MRS payload words are copied); if the peer's mark said idle, a notification
// is owed and goes out at the executor's next flush (al4_aipc_flush). False: ring full
// or dead.
bool al4_aipc_link_put(struct al4_aipc_link *l, const struct al4_ring_item *it);
// Takes the next item into *it (a private copy, not yet checked). False when empty or
// dead (then l->broken).
bool al4_aipc_link_get(struct al4_aipc_link *l, struct al4_ring_item *it);

// The same without a private item in between, inline: the default dispatchers' path,
// which every call takes four times (a request put and taken, a reply put and taken).
// al4_aipc_link_write_n writes an item of word 0 `w0` (the coroutine id; the high half
// is the item's reserved word, 0), message info `info`, and n <= AL4_RING_MRS payload
// words from mr; al4_aipc_link_send_n also publishes it (the client's submit), the
// server's round publishes its replies at its end (al4_aipc_link_publish).
// The peer's mark was idle: the link owes it a notification, sent at the next flush.
void al4_aipc_link_owe(struct al4_aipc_link *l);
// The producer's step after a publication: full fence, then a look at the consumer's
// mark (store then load: the fence is what forbids both sides missing each other,
// docs/aipc-protocol.md). While a notification is owed there is nothing to look at: it
// goes out after what was just published, and the consumer drains after every wake
// ("Batching").
static inline __attribute__((always_inline)) void al4_aipc_link_announce(struct al4_aipc_link *l)
{
    if (!l->owed) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_exchange_n(l->out_mark, AL4_AIPC_RUNNING, __ATOMIC_SEQ_CST) == AL4_AIPC_IDLE)
            al4_aipc_link_owe(l);
    }
}
// Writes the item without publishing it (al4_ring_write_msg_live): the server's
// dispatcher publishes a round's replies at once (al4_aipc_link_publish).
static inline __attribute__((always_inline)) bool al4_aipc_link_write_n(struct al4_aipc_link *l,
                                                                        uint64_t w0, uint64_t info,
                                                                        const seL4_Word *mr,
                                                                        unsigned n)
{
    if (l->broken)
        return false;
    // l->broken covers tx.broken: only this function writes into tx, and it sets
    // l->broken whenever the put says AL4_RING_ECORRUPT.
    int r = al4_ring_write_msg_live(&l->tx, w0, info, mr, n);
    if (r != AL4_RING_OK) {
        l->broken |= r == AL4_RING_ECORRUPT;
        return false;
    }
    return true;
}
// Frees every slot consumed so far (al4_ring_rx_publish), then publishes every item
// written (al4_ring_tx_publish) and announces them: in this order, so that no answer is
// seen before the slot of what it answers is free (docs/aipc-protocol.md, "The ring").
static inline __attribute__((always_inline)) void al4_aipc_link_publish(struct al4_aipc_link *l)
{
    al4_ring_rx_publish(&l->rx);
    l->published = l->tx.tail;
    al4_ring_tx_publish(&l->tx);
    al4_aipc_link_announce(l);
}
// Writes, publishes and announces one item, for a link whose consumed slots are all
// free already: the client's submit (its reply dispatcher frees each reply's slot as it
// takes it). Code that consumes without freeing (the server's round) publishes with
// al4_aipc_link_publish.
static inline __attribute__((always_inline)) bool al4_aipc_link_send_n(struct al4_aipc_link *l,
                                                                       uint64_t w0, uint64_t info,
                                                                       const seL4_Word *mr,
                                                                       unsigned n)
{
    if (!al4_aipc_link_write_n(l, w0, info, mr, n))
        return false;
    al4_ring_tx_publish(&l->tx);
    al4_aipc_link_announce(l);
    return true;
}
// The same for an info that fits an item (al4_ring_info_fits), which the default
// dispatchers' calls and replies always have: its low twelve bits are then the length
// and no caps, so the length is not clamped again. (al4_aipc_link_put takes any info.)
static inline __attribute__((always_inline)) bool al4_aipc_link_send(struct al4_aipc_link *l,
                                                                     uint64_t w0, uint64_t info,
                                                                     const seL4_Word *mr)
{
    unsigned n = (unsigned)(info & 0xfff);
#ifdef CONFIG_DEBUG_BUILD
    if (n > AL4_RING_MRS)
        __builtin_trap();  // a caller broke the precondition: fault here, not in the copy
#endif
    if (n > AL4_RING_MRS)
        __builtin_unreachable();
    return al4_aipc_link_send_n(l, w0, info, mr, n);
}
// A dispatcher's round: one look at the producer's index (al4_aipc_link_look), then
// the items that look saw, each read in place (al4_aipc_link_peek_seen, as
// al4_ring_peek says) and freed: by the client's reply dispatcher one at a time
// (al4_aipc_link_release), by the server's at the round's end (al4_ring_consume each,
// then al4_aipc_link_publish); then al4_aipc_link_idle,
// whose recheck is the round's second look. No look in between: at low load nothing
// is put while a round runs, and what is (a producer on another hart; on this one, a
// higher-priority peer run by a signal a nested hand-off sent) the recheck finds (the
// mark flips to idle and back, and a producer that saw it idle signals once more).
static inline void al4_aipc_link_look(struct al4_aipc_link *l)
{
    if (!l->broken && !al4_ring_rx_reload(&l->rx))
        l->broken = true;
}
// The next item of those the last look saw, or NULL (then also when dead).
static inline const volatile uint64_t *al4_aipc_link_peek_seen(struct al4_aipc_link *l)
{
    if (l->broken || l->rx.head == l->rx.tail_seen)
        return NULL;
    return al4_ring_slot(l->rx.sh, l->rx.head, l->rx.mask);
}
static inline void al4_aipc_link_release(struct al4_aipc_link *l)
{
    al4_ring_release(&l->rx);
}
// The dispatcher's step before it suspends: marks this end idle, fences, and rechecks
// the ring. True: really empty, suspend now (a signal wakes it); false: items arrived
// (the mark is running again) or the link is dead.
// Inline: every dispatcher resume at low load ends with one and starts with the other.
static inline bool al4_aipc_link_idle(struct al4_aipc_link *l)
{
    if (l->broken)
        return false;
    __atomic_store_n(l->in_mark, AL4_AIPC_IDLE, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (al4_ring_rx_empty(&l->rx)) {
        l->st.sleeps++;
        return true;
    }
    l->broken |= l->rx.broken;
    __atomic_store_n(l->in_mark, AL4_AIPC_RUNNING, __ATOMIC_RELAXED);
    return false;
}
// After a wake: marks this end running.
static inline void al4_aipc_link_running(struct al4_aipc_link *l)
{
    __atomic_store_n(l->in_mark, AL4_AIPC_RUNNING, __ATOMIC_RELAXED);
}

// --- The client's inline send (al4_aipc_submit above) ---

// What al4_aipc_submit does not do inline: refusals, a dead link, waiting for an id.
void al4_aipc_submit_slow(struct al4_aipc_client *c, struct al4_aipc_call *call);
// The connection is dead: every call in flight or waiting ends with EBROKEN.
void al4_aipc_client_fail(struct al4_aipc_client *c);

// Sends `call` under id `id` (free, or the call's own) and tag `tag` (the id's).
static inline __attribute__((always_inline)) void
al4_aipc_send_id(struct al4_aipc_client *c, struct al4_aipc_call *call, size_t id, uint64_t tag)
{
    c->slot[id] = call;
    // With at most `capacity` calls in flight the ring always has room: a full one
    // means the server moved its index wrongly.
    if (!al4_aipc_link_send(&c->link, tag, call->info.words[0], call->mr))
        al4_aipc_client_fail(c);
}
// Sends an unbound `call` under a free id (the caller made sure there is one).
static inline __attribute__((always_inline)) void al4_aipc_send_now(struct al4_aipc_client *c,
                                                                    struct al4_aipc_call *call)
{
    // The id recorded, so that al4_aipc_call_bind can tell the call is in flight, and
    // its tag, which the reply is checked against.
    size_t id = c->free_ids[--c->n_free];
    uint32_t tag = al4_aipc_client_tag(c, (uint32_t)id);
    call->id = (uint32_t)id;
    call->tag = tag;
    al4_aipc_send_id(c, call, id, tag);
}

static inline __attribute__((always_inline)) void
al4_aipc_submit(struct al4_aipc_client *c, struct co *co, struct al4_aipc_call *call)
{
#ifdef CONFIG_DEBUG_BUILD
    // A call object makes one call at a time, and a bound one only through its own
    // client: submitted again while in flight it would lose its first reply and an id
    // (or, bound, overfill the ring and kill the connection); through another client it
    // would take that client's slot. The caller's bug: caught here, not in the peer.
    // (Waiting for an id: linked to a next waiter, or the last one.)
    if (c->slot[call->id & c->link.rx.mask] == call || call->next || c->wait_tail == call ||
        (call->owner && call->owner != c))
        __builtin_trap();
#endif
    call->co = co;
    call->done = false;
    if (al4_ring_info_fits(call->info.words[0]) && !c->link.broken) {
        // A bound call's id is its own and not in flight (its last reply was taken):
        // nothing to take from the pool.
        if (call->owner) {
            al4_aipc_send_id(c, call, call->id, call->tag);
            return;
        }
        if (c->n_free) {
            al4_aipc_send_now(c, call);
            return;
        }
    }
    al4_aipc_submit_slow(c, call);
}

// --- The server's dispatcher, inline (al4_aipc_serve's, and AL4_AIPC_DISPATCHER's) ---

// A reply as the client may take it: no caps, at most AL4_RING_MRS words; written, not
// yet published (the dispatcher publishes a round's replies at its end, al4_aipc_reply
// its own at once). Inline in the dispatcher: it is on every call's path.
static inline __attribute__((always_inline)) bool al4_aipc_write_reply_w0(struct al4_aipc_server *s,
                                                                         uint64_t w0,
                                                                         seL4_MessageInfo_t info,
                                                                         const seL4_Word *mr)
{
    // A reply that already fits (al4_ring_info_fits) needs no new info; its low twelve
    // bits are then the payload length, computed once for the check and the copy.
    unsigned n = (unsigned)(info.words[0] & 0xfff);
    if (n > AL4_RING_MRS) {
        seL4_Word len = seL4_MessageInfo_get_length(info);
        n = len < AL4_RING_MRS ? (unsigned)len : AL4_RING_MRS;
        info = seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 0, 0, n);
    }
    // An honest client has at most `capacity` calls in flight, so replies always fit:
    // a full reply ring means it sent more than that (or stopped reading): drop it.
    if (!al4_aipc_link_write_n(&s->link, w0, info.words[0], mr, n)) {
        s->link.broken = true;
        return false;
    }
    return true;
}

// The same for reply id `id` (word 0 is the id, its reserved half 0).
static inline __attribute__((always_inline)) bool al4_aipc_write_reply(struct al4_aipc_server *s,
                                                                       uint32_t id,
                                                                       seL4_MessageInfo_t info,
                                                                       const seL4_Word *mr)
{
    return al4_aipc_write_reply_w0(s, id, info, mr);
}

// One request, read in place (al4_aipc_link_peek_seen): its header and payload copied
// into a private request and its slot consumed; then checked and handed to `handle` (a
// constant where this is inlined: called directly), and its reply written. The round's
// end (al4_aipc_link_publish) frees the slots and then publishes the replies: the
// client may reuse a slot for its next call as soon as it sees the reply, from another
// hart, and a slot still held would make the honest client find the ring full.
static inline __attribute__((always_inline)) void
al4_aipc_take_request(struct al4_aipc_server *s, const volatile uint64_t *slot,
                      al4_aipc_handler_fn handle)
{
    // The header in locals, each word loaded once: the checks below use these copies,
    // never the slot again (the client may rewrite it meanwhile).
    uint64_t w0 = slot[0], info = slot[1];
    // Not zero-filled: only the words the lengths name are ever read.
    struct al4_aipc_req req, out;
    al4_ring_copy_out_all(req.mr, slot + 2);
    al4_ring_consume(&s->link.rx);
    // al4_ring_header_check's tests in two steps: reserved 0 and a coroutine id other
    // than AL4_RING_CO_ANY is word 0 below UINT32_MAX; no caps and at most AL4_RING_MRS
    // words is an info that fits.
    if (w0 >= UINT32_MAX || !al4_ring_info_fits(info)) {
        s->link.st.refused++;
        // Answer it, so the call ends instead of hanging; an id the check refused
        // (the one reserved value) names no call and gets nothing.
        if ((uint32_t)w0 != UINT32_MAX)
            al4_aipc_write_reply(s, (uint32_t)w0,
                                 seL4_MessageInfo_new(AL4_AIPC_LABEL_REFUSED, 0, 0, 0), NULL);
        return;
    }
    req.info.words[0] = info;
    req.id = out.id = (uint32_t)w0;
    out.info = seL4_MessageInfo_new(0, 0, 0, 0);
    s->handled++;
    // The request's own word 0 (checked below UINT32_MAX: the id, zero-extended) when
    // the handler left the id as it was, which an inlined handler lets the compiler see:
    // no zero-extension of out.id then.
    if (handle(s, &req, &out, s->arg))
        al4_aipc_write_reply_w0(s, out.id == (uint32_t)w0 ? w0 : out.id, out.info, out.mr);
}

// Whether the process's stepping dispatchers together have taken in more than s's ring
// holds since the executor last ran out of work (al4_aipc_serve_yield); n: the items
// this resume of s took. Counted together, so that several flooding clients hold the
// work below for a ring in all and a round each, not a ring and a round each. Every
// item taken in counts: those handled and those refused (a flood of malformed items
// holds the thread as well).
static inline bool al4_aipc_serve_flooded(struct al4_aipc_server *s, unsigned n)
{
    struct al4_aipc_rt *rt = s->link.rt;
    uint64_t taken = s->handled + s->link.st.refused;
    rt->step_taken += taken - s->taken_seen;  // its rounds since its last look
    s->taken_seen = taken;
    if (rt->ex.empty_at != rt->step_empty_at) {
        // It ran out before this resume began: all of this resume's items came after,
        // and nobody else's (any stepping dispatcher that took items since would have
        // seen it first).
        rt->step_empty_at = rt->ex.empty_at;
        rt->step_base = rt->step_taken - n;
    }
    return rt->step_taken - rt->step_base > s->link.capacity;
}

// The dispatcher's body: drains the connection a batch per resume, each request to
// `handle`; `steps` (a constant): al4_aipc_serve_yield's step down when flooded.
static inline __attribute__((always_inline)) enum co_status
al4_aipc_dispatch(struct co *co, al4_aipc_handler_fn handle, bool steps)
{
    struct al4_aipc_server *s =
        (struct al4_aipc_server *)((char *)co - offsetof(struct al4_aipc_server, dispatcher));
    const volatile uint64_t *slot;
    // Counted per resume (a local starts again at each), across the rounds of one:
    // a peer that keeps the recheck finding items cannot hold the thread past a batch.
    unsigned n = 0;
    CO_BEGIN(co);
    while (!s->link.broken) {
        // At most a batch per resume, so that one busy client cannot keep the other
        // connections' dispatchers (same priority) from running.
        al4_aipc_link_look(&s->link);
        unsigned n0 = n;
        for (; n < AL4_AIPC_BATCH && (slot = al4_aipc_link_peek_seen(&s->link)); n++) {
            al4_aipc_take_request(s, slot, handle);  // consumes the slot
        }
        // The round's slots freed and its replies published, two stores for the round
        // instead of two an item, before anything else runs (the yields below, the
        // idle mark): docs/aipc-protocol.md, "Publishing a round". A round whose
        // requests all wait for a later answer (al4_aipc_reply) only frees its slots:
        // the client's mark is looked at only when there is something to announce.
        if (n != n0) {
            if (s->link.tx.tail != s->link.published)
                al4_aipc_link_publish(&s->link);
            else
                al4_ring_rx_publish(&s->link.rx);
        }
        // Still marked running across both yields: producers do not signal meanwhile.
        if (steps && n && al4_aipc_serve_flooded(s, n)) {
            co_exec_flush(&s->link.rt->ex);
            CO_YIELD_AT(co, s->yield_prio, s->prio);
            continue;
        }
        if (n == AL4_AIPC_BATCH) {
            CO_YIELD(co);
            continue;
        }
        if (!al4_aipc_link_idle(&s->link))
            continue;
        CO_SUSPEND(co);
        al4_aipc_link_running(&s->link);
    }
    CO_END(co);
}

// Defines `static enum co_status name(struct co *)`, a dispatcher that calls `handler`
// (an al4_aipc_handler_fn, usually static in the same file) directly: pass `name` to
// al4_aipc_serve_with. The same dispatcher, checks and replies as al4_aipc_serve's,
// without its indirect call per request. One definition serves any number of
// connections (each has its own al4_aipc_server).
#define AL4_AIPC_DISPATCHER(name, handler) \
    static enum co_status name(struct co *co) \
    { \
        return al4_aipc_dispatch(co, (handler), false); \
    }
// The same dispatcher stepping down under a flood (al4_aipc_serve_yield).
#define AL4_AIPC_STEPPING_DISPATCHER(name, handler) \
    static enum co_status name(struct co *co) \
    { \
        return al4_aipc_dispatch(co, (handler), true); \
    }
