// Host unit tests for the socket service's synchronous front (servers/net/sock_sync.c,
// docs/sockets.md "Over synchronous IPC"), compiled unchanged into this file with
// stand-ins for the kernel (SaveCaller, NBSend, Reply, Delete record what they are
// asked) and for sock_request (answers at once or later by the operation): the reply
// slots are taken and given back one for one, calls run in order, a front without a
// slot or whose SaveCaller fails answers SOCK_EBUSY through the caller's own reply cap
// and keeps nothing, a reset deletes exactly the slots that hold a reply cap, and the
// busy window's look (sock_sync_poll) takes a call as the sleep does and hands a signal
// on to the executor.
#include "host_test.h"
#include "apps.h"
#include "net.h"
#include "sock.h"
#include <al4/aipc.h>

#define SLOT0 100
#define DEFER_OP SOCK_RECV  // the stand-in answers this one later, every other at once

static struct sent {
    seL4_CPtr cap;  // 0: through the caller's own reply cap (seL4_Reply)
    unsigned label;
    seL4_Word w0;
} sent[256];
static unsigned n_sent, n_saved, n_deleted;
static seL4_CPtr deleted[256];
static bool save_fails;
static seL4_Word mr0;

static seL4_Error host_save(seL4_CPtr slot)
{
    (void)slot;
    if (save_fails)
        return seL4_FailedLookup;
    n_saved++;
    return seL4_NoError;
}
static void host_send(seL4_CPtr cap, seL4_MessageInfo_t info)
{
    assert_true(n_sent < 256);
    assert_int_equal(seL4_MessageInfo_get_length(info), 1);
    sent[n_sent++] = (struct sent){cap, (unsigned)seL4_MessageInfo_get_label(info), mr0};
}
#define seL4_SetMR(i, v) ((void)(i), mr0 = (v))
#define seL4_NBSend(cap, info) host_send((cap), (info))
#define seL4_Reply(info) host_send(0, (info))
#define seL4_CNode_SaveCaller(root, slot, depth) host_save(slot)
static seL4_Error host_delete(seL4_CPtr slot)
{
    assert_true(n_deleted < 256);
    deleted[n_deleted++] = slot;
    return seL4_NoError;
}
#define seL4_CNode_Delete(root, slot, depth) host_delete(slot)

// sock.c's, standing in: DEFER_OP waits, everything else is answered at once with its
// label times 10 and word 0 + 1.
bool sock_request(enum sock_via via, const struct al4_aipc_req *req, struct al4_aipc_req *reply)
{
    assert_int_equal(via, SOCK_VIA_SYNC);
    assert_true(req->id & SOCK_SYNC_ID);
    seL4_Word op = seL4_MessageInfo_get_label(req->info);
    if (op == DEFER_OP)
        return false;
    reply->info = seL4_MessageInfo_new(op * 10, 0, 0, 1);
    reply->mr[0] = req->mr[0] + 1;
    return true;
}

// unotify.c's NBRecv, standing in: what it finds is one of `queued` calls (handed to
// rx->on_msg as its take_call does, the front's bit returned), else a signal's bits
// when `signal_pending` is set, else nothing.
#define SIGNAL_BIT 5
static unsigned queued, n_polls;
static bool signal_pending;
static seL4_Word host_poll_ep(const struct al4_unotify_rx *r)
{
    n_polls++;
    if (queued) {
        queued--;
        struct al4_unotify_msg m = {.badge = 1ul << SOCK_SYNC_BIT,
                                    .info = seL4_MessageInfo_new(SOCK_LISTEN, 0, 0, 1),
                                    .mr = {8, 0, 0, 0}};
        r->on_msg(r->msg_arg, &m);
        return r->ep_bits;
    }
    return signal_pending ? 1ul << SIGNAL_BIT : 0;
}
#define al4_unotify_poll_ep(r) host_poll_ep(r)

#include "../../servers/net/sock_sync.c"

static struct co_exec ex;
static struct al4_unotify_rx rx;

static int setup(void **state)
{
    (void)state;
    n_sent = n_saved = n_deleted = 0;
    save_fails = false;
    memset(&sync_stats, 0, sizeof(sync_stats));
    co_exec_init(&ex, &co_ops_manual, 1000000, NULL, 0);  // run_ready by hand
    rx = (struct al4_unotify_rx){.ntfn = 7};
    sock_sync_start(&rx, &ex, 9, SOCK_SYNC_BIT, SLOT0, SYNC_SLOTS + 10);
    return 0;
}

// A call as the wait hands it over, then the executor's round that the wait's bits
// start (the front's coroutine).
static void arrive(seL4_Word op, seL4_Word w0)
{
    struct al4_unotify_msg m = {.badge = 1ul << SOCK_SYNC_BIT,
                                .info = seL4_MessageInfo_new(op, 0, 0, 1), .mr = {w0, 0, 0, 0}};
    rx.on_msg(rx.msg_arg, &m);
}
static void run_front(void)
{
    co_exec_signal(&ex, rx.ep_bits);
    co_exec_run_ready(&ex);
}

static void test_started(void **state)
{
    (void)state;
    assert_int_equal(rx.ep, 9);
    assert_int_equal(rx.ep_mark, 1ul << SOCK_SYNC_BIT);
    assert_int_equal(rx.ep_bits, 1ul << SOCK_SYNC_BIT);
    assert_int_equal(sy.n_slots, SYNC_SLOTS);  // more offered than it keeps
    assert_int_equal(sy.n_free, SYNC_SLOTS);
}

// Answered at once, in the order they came, each through the slot its reply cap was
// saved into, which is free again afterwards.
static void test_answered_in_order(void **state)
{
    (void)state;
    arrive(SOCK_LISTEN, 41);
    arrive(SOCK_CLOSE, 42);
    assert_int_equal(n_saved, 2);
    assert_int_equal(sy.n_free, SYNC_SLOTS - 2);
    assert_int_equal(n_sent, 0);  // nothing before the front runs
    run_front();
    assert_int_equal(n_sent, 2);
    assert_int_equal(sent[0].label, SOCK_LISTEN * 10);
    assert_int_equal(sent[0].w0, 42);
    assert_int_equal(sent[1].label, SOCK_CLOSE * 10);
    assert_int_equal(sent[1].w0, 43);
    assert_true(sent[0].cap >= SLOT0 && sent[0].cap < SLOT0 + SYNC_SLOTS);
    assert_true(sent[1].cap != sent[0].cap);
    assert_int_equal(sy.n_free, SYNC_SLOTS);
    assert_int_equal(sync_stats.calls, 2);
}

// A call that waits keeps its slot until answered; the answer goes to that slot.
static void test_deferred(void **state)
{
    (void)state;
    arrive(DEFER_OP, 1);
    run_front();
    assert_int_equal(n_sent, 0);
    assert_int_equal(sy.n_free, SYNC_SLOTS - 1);
    uint32_t slot = sy.free[sy.n_free];  // the one taken (just above the free ones)
    sock_sync_answer(SOCK_SYNC_ID | slot, SOCK_OK, 77);
    assert_int_equal(n_sent, 1);
    assert_int_equal(sent[0].cap, SLOT0 + slot);
    assert_int_equal(sent[0].w0, 77);
    assert_int_equal(sy.n_free, SYNC_SLOTS);
}

// Every slot held: the next call is answered SOCK_EBUSY through the caller's own reply
// cap at once and keeps nothing; once a slot is free again a call takes it.
static void test_slots_exhausted(void **state)
{
    (void)state;
    for (unsigned i = 0; i < SYNC_SLOTS; i++)
        arrive(DEFER_OP, i);
    run_front();
    assert_int_equal(sy.n_free, 0);
    arrive(SOCK_LISTEN, 5);
    assert_int_equal(n_saved, SYNC_SLOTS);
    assert_int_equal(n_sent, 1);
    assert_int_equal(sent[0].cap, 0);
    assert_int_equal(sent[0].label, SOCK_EBUSY);
    assert_int_equal(sync_stats.busy, 1);
    assert_int_equal(sy.len, 0);  // not queued
    sock_sync_answer(SOCK_SYNC_ID | 3, SOCK_OK, 0);
    arrive(SOCK_LISTEN, 5);
    run_front();
    assert_int_equal(n_sent, 3);
    assert_int_equal(sent[2].cap, SLOT0 + 3);
    assert_int_equal(sent[2].label, SOCK_LISTEN * 10);
}

// A SaveCaller the kernel refuses: SOCK_EBUSY at once, the slot still free.
static void test_save_refused(void **state)
{
    (void)state;
    save_fails = true;
    arrive(SOCK_LISTEN, 5);
    assert_int_equal(n_sent, 1);
    assert_int_equal(sent[0].cap, 0);
    assert_int_equal(sent[0].label, SOCK_EBUSY);
    assert_int_equal(sy.n_free, SYNC_SLOTS);
    assert_int_equal(sy.len, 0);
}

// The application gone: exactly the slots holding a reply cap are deleted, every slot
// is free and nothing queued is run.
static void test_reset(void **state)
{
    (void)state;
    arrive(DEFER_OP, 1);
    arrive(DEFER_OP, 2);
    run_front();
    arrive(SOCK_LISTEN, 3);  // queued, not yet run
    uint32_t held[3] = {sy.free[sy.n_free], sy.free[sy.n_free + 1], sy.free[sy.n_free + 2]};
    sock_sync_reset();
    assert_int_equal(n_deleted, 3);
    for (unsigned i = 0; i < 3; i++) {
        bool found = false;
        for (unsigned j = 0; j < n_deleted; j++)
            found |= deleted[j] == SLOT0 + held[i];
        assert_true(found);
    }
    assert_int_equal(sy.n_free, SYNC_SLOTS);
    assert_int_equal(sy.len, 0);
    run_front();
    assert_int_equal(n_sent, 0);
}

// The coroutine a signal's bit wakes, counting its runs.
static unsigned signal_runs;
static enum co_status on_signal(struct co *co)
{
    (void)co;
    signal_runs++;
    return CO_PENDING;
}

// The busy window's look: calls it finds are taken as from the sleep (slot saved,
// counted as polled), as many as are queued up to SYNC_POLL_MAX and the free slots,
// and answered when the front runs; a signal it finds wakes what the bit binds and
// ends the look; finding nothing changes nothing.
static void test_poll(void **state)
{
    (void)state;
    static struct co sig;
    co_init(&sig, &ex, on_signal, 10);
    co_exec_bind(&ex, SIGNAL_BIT, &sig);
    signal_runs = n_polls = 0;
    signal_pending = false;
    queued = 3;
    sock_sync_poll(NULL);
    assert_int_equal(n_polls, 4);  // three calls, then the look that found none
    assert_int_equal(sync_stats.calls, 3);
    assert_int_equal(sync_stats.polled, 3);
    assert_int_equal(n_saved, 3);
    co_exec_run_ready(&ex);  // no signal in between: the poll woke the front itself
    assert_int_equal(n_sent, 3);
    assert_int_equal(sent[0].label, SOCK_LISTEN * 10);
    assert_int_equal(sent[0].w0, 9);
    assert_int_equal(signal_runs, 0);
    // More queued than a look takes: SYNC_POLL_MAX, the rest for the next look.
    queued = SYNC_POLL_MAX + 4;
    n_polls = 0;
    sock_sync_poll(NULL);
    assert_int_equal(n_polls, SYNC_POLL_MAX);
    assert_int_equal(sync_stats.polled, 3 + SYNC_POLL_MAX);
    co_exec_run_ready(&ex);
    sock_sync_poll(NULL);
    assert_int_equal(queued, 0);
    assert_int_equal(sync_stats.polled, 3 + SYNC_POLL_MAX + 4);
    co_exec_run_ready(&ex);
    assert_int_equal(n_sent, 3 + SYNC_POLL_MAX + 4);
    // A signal: handed to the executor, nothing taken, the look ends there.
    signal_pending = true;
    n_polls = 0;
    sock_sync_poll(NULL);
    co_exec_run_ready(&ex);
    assert_int_equal(n_polls, 1);
    assert_int_equal(signal_runs, 1);
    assert_int_equal(sync_stats.polled, 3 + SYNC_POLL_MAX + 4);
    signal_pending = false;
    sock_sync_poll(NULL);
    co_exec_run_ready(&ex);
    assert_int_equal(signal_runs, 1);
    // No free slot: the look takes nothing (the call would only get SOCK_EBUSY).
    for (unsigned i = 0; i < SYNC_SLOTS; i++)
        arrive(DEFER_OP, i);
    queued = 1;
    n_polls = 0;
    sock_sync_poll(NULL);
    assert_int_equal(n_polls, 0);
    assert_int_equal(queued, 1);
    co_exec_bind(&ex, SIGNAL_BIT, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_started, setup),
        cmocka_unit_test_setup(test_answered_in_order, setup),
        cmocka_unit_test_setup(test_deferred, setup),
        cmocka_unit_test_setup(test_slots_exhausted, setup),
        cmocka_unit_test_setup(test_save_refused, setup),
        cmocka_unit_test_setup(test_reset, setup),
        cmocka_unit_test_setup(test_poll, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
