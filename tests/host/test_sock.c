// Host unit tests for the network server's socket service (servers/net/sock.c,
// docs/sockets.md) on the simulated wire of net_wire.h: the real service on B, its
// requests handed to its handler as the aipc dispatcher hands them, the answers it
// gives later captured in place of al4_aipc_reply; peers on A. Bad requests are
// refused with their documented errors and change nothing; a slow application holds
// its peer back by TCP's window; resets, closes and a broken connection give every
// socket back. The aipc dispatcher itself is test_aipc's; here it is not run.
#include "net_peer.h"
#include "apps.h"
#include <al4/aipc.h>

// The answers given later (deferred calls), in order.
static struct answer {
    uint32_t id;
    unsigned err;
    seL4_Word w0;
} answers[64];
static unsigned n_answers;

static bool test_reply(struct al4_aipc_server *s, uint32_t id, seL4_MessageInfo_t info,
                       const seL4_Word *mr)
{
    (void)s;
    assert_true(n_answers < 64);
    assert_int_equal(seL4_MessageInfo_get_length(info), 1);
    answers[n_answers++] = (struct answer){id, (unsigned)seL4_MessageInfo_get_label(info), mr[0]};
    return true;
}
static seL4_Error test_serve_with(struct al4_aipc_rt *rt, unsigned i, struct al4_aipc_server *s,
                                  co_resume_fn dispatch, void *arg, unsigned prio)
{
    (void)rt, (void)i, (void)s, (void)dispatch, (void)arg, (void)prio;
    return seL4_NoError;
}
#define al4_aipc_reply test_reply
#define al4_aipc_serve_with test_serve_with
#include "../../servers/net/sock.c"

static unsigned sync_resets;
void sock_sync_reset(void)
{
    sync_resets++;
}

// The synchronous front's answers (sock_sync.c needs the kernel): captured the same way.
void sock_sync_answer(uint32_t id, unsigned err, seL4_Word w0)
{
    assert_true(id & SOCK_SYNC_ID);
    assert_true(n_answers < 64);
    answers[n_answers++] = (struct answer){id, err, w0};
}

#define APP_PORT 7007

static uint8_t region[SOCK_REGION_BYTES], sync_region[SOCK_REGION_BYTES];
static uint32_t next_id;

// One request of client `via`, as the aipc dispatcher (through the handler) or the
// synchronous front (an id with SOCK_SYNC_ID) hands it over; true with *out filled
// when answered at once. *id: the call's id.
static bool call_via(enum sock_via via, seL4_Word op, unsigned words, seL4_Word w0, seL4_Word w1,
                     struct al4_aipc_req *out, uint32_t *id)
{
    struct al4_aipc_req req = {.id = ++next_id, .info = seL4_MessageInfo_new(op, 0, 0, words),
                               .mr = {w0, w1}};
    if (via == SOCK_VIA_SYNC)
        req.id |= SOCK_SYNC_ID;
    *out = (struct al4_aipc_req){.id = req.id};
    if (id)
        *id = req.id;
    return via == SOCK_VIA_AIPC ? handle(&svc.server, &req, out, NULL)
                                : sock_request(via, &req, out);
}

static bool call(seL4_Word op, unsigned words, seL4_Word w0, seL4_Word w1,
                 struct al4_aipc_req *out, uint32_t *id)
{
    return call_via(SOCK_VIA_AIPC, op, words, w0, w1, out, id);
}

// A request answered at once with `err`; returns its word 0.
static seL4_Word now(seL4_Word op, unsigned words, seL4_Word w0, seL4_Word w1, unsigned err)
{
    struct al4_aipc_req out;
    assert_true(call(op, words, w0, w1, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), err);
    assert_int_equal(seL4_MessageInfo_get_length(out.info), 1);
    return out.mr[0];
}

// A request left waiting; returns its id.
static uint32_t later(unsigned op, seL4_Word w0)
{
    struct al4_aipc_req out;
    uint32_t id;
    assert_false(call(op, 1, w0, 0, &out, &id));
    return id;
}

// The one answer given since the last look: that of call `id`.
static seL4_Word answered(uint32_t id, unsigned err)
{
    assert_int_equal(n_answers, 1);
    n_answers = 0;
    assert_int_equal(answers[0].id, id);
    assert_int_equal(answers[0].err, err);
    return answers[0].w0;
}

// The stack, once for the group (lwIP adds an interface once).
static int group_setup(void **state)
{
    (void)state;
    wire_setup();
    return 0;
}

// The service afresh for each test (the last one's teardown dropped what it held).
static int setup(void **state)
{
    (void)state;
    memset(&sock_stats, 0, sizeof(sock_stats));
    n_answers = 0;
    sock_init(&ns);
    assert_int_equal(sock_serve_aipc(NULL, 0, region), seL4_NoError);
    sock_serve_sync(sync_region);
    return 0;
}

// A peer connected to the application's port and the socket ACCEPT gave for it.
static unsigned accept_one(unsigned listener, struct peer *pe, bool reads)
{
    uint32_t id = later(SOCK_ACCEPT, listener);
    assert_true(peer_open(pe, reads, APP_PORT));
    for (int i = 0; i < 20 && !n_answers; i++)
        run_for(1);
    assert_true(pe->connected);
    seL4_Word s = answered(id, SOCK_OK);
    assert_true(s < SOCK_MAX);
    return (unsigned)s;
}

// LISTEN on the application's port, and the socket of a peer connected to it.
static unsigned listen_accept(struct peer *pe, bool reads)
{
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    return accept_one(0, pe, reads);
}

// The application's CLOSE, then the peer's.
static void close_both(unsigned s, struct peer *pe)
{
    now(SOCK_CLOSE, 1, s, 0, SOCK_OK);
    assert_int_equal(netstack_close(&ns, pe->pcb), ERR_OK);
}

static void send_from_peer(struct peer *pe, const void *data, u16_t n)
{
    assert_int_equal(netstack_write(&ns, pe->pcb, data, n, TCP_WRITE_FLAG_COPY), ERR_OK);
}

// Every bad request is refused with its error before anything is done, and counted.
static void test_bad_requests(void **state)
{
    (void)state;
    now(0, 1, 0, 0, SOCK_EINVAL);
    now(SOCK_CLOSE + 1, 1, 0, 0, SOCK_EINVAL);
    now(0xfffff, 1, 0, 0, SOCK_EINVAL);
    now((1ul << 32) | SOCK_LISTEN, 1, APP_PORT, 0, SOCK_EINVAL);  // the whole label counts
    now((1ul << 32) | SOCK_CLOSE, 1, 0, 0, SOCK_EINVAL);
    now(SOCK_LISTEN, 0, APP_PORT, 0, SOCK_EINVAL);  // words
    now(SOCK_LISTEN, 2, APP_PORT, 0, SOCK_EINVAL);
    now(SOCK_SEND, 1, 0, 0, SOCK_EINVAL);
    now(SOCK_LISTEN, 1, 0, 0, SOCK_EINVAL);         // ports
    now(SOCK_LISTEN, 1, 0x10000, 0, SOCK_EINVAL);
    now(SOCK_ACCEPT, 1, SOCK_LISTENERS, 0, SOCK_EINVAL);
    now(SOCK_ACCEPT, 1, 0, 0, SOCK_EBADF);          // no listener yet
    now(SOCK_RECV, 1, SOCK_MAX, 0, SOCK_EINVAL);
    now(SOCK_RECV, 1, UINT64_MAX, 0, SOCK_EINVAL);
    now(SOCK_RECV, 1, 0, 0, SOCK_EBADF);            // no socket open
    now(SOCK_SEND, 2, 0, 0, SOCK_EINVAL);           // lengths, checked before the socket
    now(SOCK_SEND, 2, 0, SOCK_BUF + 1, SOCK_EINVAL);
    now(SOCK_SEND, 2, 0, 1, SOCK_EBADF);
    now(SOCK_CLOSE, 1, 5, 0, SOCK_EBADF);
    assert_int_equal(sock_stats.bad, 19);
    // Listeners: two a client, then SOCK_ENOMEM; the other client still has its two,
    // and then all four are taken; a port in use is refused by lwIP.
    struct al4_aipc_req out;
    for (unsigned i = 0; i < SOCK_LISTENERS_PER_CLIENT; i++)
        assert_int_equal(now(SOCK_LISTEN, 1, APP_PORT + i, 0, SOCK_OK), i);
    now(SOCK_LISTEN, 1, APP_PORT + 10, 0, SOCK_ENOMEM);
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_ENOMEM);  // the port's in use
    for (unsigned i = 0; i < SOCK_LISTENERS_PER_CLIENT; i++) {
        assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 20 + i, 0, &out, NULL));
        assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
    }
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 30, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_ENOMEM);
    // One ACCEPT at a time per listener.
    uint32_t id = later(SOCK_ACCEPT, 0);
    now(SOCK_ACCEPT, 1, 0, 0, SOCK_EBUSY);
    assert_int_equal(n_answers, 0);
    // One RECV and one SEND at a time per socket.
    static struct peer pe;
    assert_true(peer_open(&pe, true, APP_PORT));
    for (int i = 0; i < 20 && !n_answers; i++)
        run_for(1);
    unsigned s = (unsigned)answered(id, SOCK_OK);
    uint32_t r = later(SOCK_RECV, s);
    now(SOCK_RECV, 1, s, 0, SOCK_EBUSY);
    now(SOCK_CLOSE, 1, s, 0, SOCK_OK);
    assert_int_equal(answered(r, SOCK_ECLOSED), 0);
    now(SOCK_RECV, 1, s, 0, SOCK_EBADF);
    assert_int_equal(sock_stats.bad, 20);  // the EBADF after the close
    assert_int_equal(sock_stats.open, 0);
    assert_int_equal(netstack_close(&ns, pe.pcb), ERR_OK);
}

// Bytes both ways: RECV answers with what came, in the receive buffer; SEND's bytes
// reach the peer; the peer's FIN answers RECV with 0; CLOSE frees the socket.
static void test_echo_flow(void **state)
{
    (void)state;
    struct usage before = usage_now();
    static const char msg[] = "hello, socket service";
    const u16_t n = sizeof(msg) - 1;
    static struct peer pe;
    unsigned s = listen_accept(&pe, true);
    assert_int_equal(sock_stats.open, 1);
    uint32_t r = later(SOCK_RECV, s);
    send_from_peer(&pe, msg, n);
    run_for(1);
    assert_int_equal(answered(r, SOCK_OK), n);
    assert_memory_equal(region + SOCK_RX(s), msg, n);
    memcpy(region + SOCK_TX(s), msg, n);
    assert_int_equal(now(SOCK_SEND, 2, s, n, SOCK_OK), n);
    run_for(1);
    assert_int_equal(pe.got, n);
    r = later(SOCK_RECV, s);
    assert_int_equal(netstack_close(&ns, pe.pcb), ERR_OK);
    run_for(1);
    assert_int_equal(answered(r, SOCK_OK), 0);
    now(SOCK_CLOSE, 1, s, 0, SOCK_OK);
    assert_int_equal(sock_stats.open, 0);
    for (int i = 0; i < 400 && (tcp_active_pcbs || tcp_tw_pcbs); i++)
        run_for(1);
    assert_null(tcp_active_pcbs);
    assert_null(tcp_tw_pcbs);
    assert_usage(usage_now(), before);
    assert_int_equal(sock_stats.bytes_in, n);
    assert_int_equal(sock_stats.bytes_out, n);
}

// The peer queues data[sent..total) in pieces of up to 1000 bytes while lwIP takes
// them; returns how much is sent now.
static size_t peer_send_more(struct peer *pe, const uint8_t *data, size_t sent, size_t total)
{
    while (sent < total) {
        u16_t k = total - sent < 1000 ? (u16_t)(total - sent) : 1000;
        if (k > tcp_sndbuf(pe->pcb) ||
            netstack_write(&ns, pe->pcb, data + sent, k, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        sent += k;
    }
    return sent;
}

// An application that does not read: the service keeps at most APP_MAX_PBUFS pbufs of
// the socket and acknowledges nothing, so the peer's window closes with most of its
// data unsent; RECVs then take all of it, in order.
static void test_slow_reader(void **state)
{
    (void)state;
    static struct peer pe;
    unsigned s = listen_accept(&pe, true);
    enum { TOTAL = 64 * 1024 };
    static uint8_t data[TOTAL];
    for (size_t i = 0; i < TOTAL; i++)
        data[i] = (uint8_t)(i * 7 + i / 256);
    size_t sent = 0;
    for (int round = 0; round < 40; round++) {
        sent = peer_send_more(&pe, data, sent, TOTAL);
        run_for(1);
    }
    struct sock *so = &svc.socks[s];
    assert_non_null(so->rx);
    assert_true(pbuf_clen(so->rx) <= APP_MAX_PBUFS);
    assert_true(so->rx->tot_len <= TCP_WND);  // what the window let through
    assert_true(sent < TOTAL);
    size_t got = 0;
    for (int i = 0; i < 2000 && got < TOTAL; i++) {
        struct al4_aipc_req out;
        uint32_t id;
        if (call(SOCK_RECV, 1, s, 0, &out, &id)) {
            assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
        } else {
            sent = peer_send_more(&pe, data, sent, TOTAL);
            for (int j = 0; j < 20 && !n_answers; j++)
                run_for(1);
            out.mr[0] = answered(id, SOCK_OK);
        }
        assert_true(out.mr[0] >= 1 && out.mr[0] <= SOCK_BUF);
        assert_memory_equal(region + SOCK_RX(s), data + got, out.mr[0]);
        got += out.mr[0];
    }
    assert_int_equal(got, TOTAL);
    close_both(s, &pe);
}

// A reset answers what waits with SOCK_ERESET and keeps the socket the application's
// until its CLOSE; a broken connection then drops every socket and closes the port.
static void test_reset_and_broken(void **state)
{
    (void)state;
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    static struct peer a, b;
    unsigned sa_ = accept_one(0, &a, true), sb_ = accept_one(0, &b, true);
    uint32_t r = later(SOCK_RECV, sa_);
    tcp_abort(a.pcb);  // RST to the server
    a.pcb = NULL;
    run_for(1);
    assert_int_equal(answered(r, SOCK_ERESET), 0);
    assert_int_equal(sock_stats.reset, 1);
    assert_int_equal(sock_stats.open, 2);  // still the application's
    now(SOCK_RECV, 1, sa_, 0, SOCK_ERESET);
    memcpy(region + SOCK_TX(sa_), "x", 1);
    now(SOCK_SEND, 2, sa_, 1, SOCK_ERESET);
    // The application's connection breaks: nobody will close sa_ or sb_.
    r = later(SOCK_RECV, sb_);
    svc.server.link.broken = true;
    run_for(2);
    assert_int_equal(n_answers, 0);  // nothing written into the broken ring
    (void)r;
    assert_int_equal(sock_stats.open, 0);
    for (unsigned i = 0; i < SOCK_MAX; i++)
        assert_int_equal(svc.socks[i].state, FREE);
    assert_true(b.failed);
    assert_null(svc.ls[0].pcb);
    static struct peer c;
    assert_true(peer_open(&c, true, APP_PORT));
    run_for(2);
    assert_false(c.connected);  // refused: the port is closed
    assert_true(c.failed);
}

// Each client sees only its own listeners and sockets, its bytes go to its own region,
// and a broken aipc connection drops the aipc client's sockets only.
static void test_owners(void **state)
{
    (void)state;
    struct al4_aipc_req out;
    uint32_t id;
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    static struct peer a, b;
    unsigned sa_ = accept_one(0, &a, true);
    // The synchronous client: the aipc client's listener and socket are not open for it.
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_ACCEPT, 1, 0, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_EBADF);
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_RECV, 1, sa_, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_EBADF);
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_CLOSE, 1, sa_, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_EBADF);
    // Its own port and connection.
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 1, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
    seL4_Word l = out.mr[0];
    assert_false(call_via(SOCK_VIA_SYNC, SOCK_ACCEPT, 1, l, 0, &out, &id));
    assert_true(peer_open(&b, true, APP_PORT + 1));
    for (int i = 0; i < 20 && !n_answers; i++)
        run_for(1);
    seL4_Word sb_ = answered(id, SOCK_OK);
    now(SOCK_RECV, 1, sb_, 0, SOCK_EBADF);  // not the aipc client's
    assert_false(call_via(SOCK_VIA_SYNC, SOCK_RECV, 1, sb_, 0, &out, &id));
    send_from_peer(&b, "sync", 4);
    run_for(1);
    assert_int_equal(answered(id, SOCK_OK), 4);
    assert_memory_equal(sync_region + SOCK_RX(sb_), "sync", 4);
    assert_memory_not_equal(region + SOCK_RX(sb_), "sync", 4);
    // The aipc connection breaks: its socket goes, the synchronous client's stays.
    svc.server.link.broken = true;
    run_for(2);
    assert_int_equal(svc.socks[sa_].state, FREE);
    assert_int_equal(svc.socks[sb_].state, OPEN);
    assert_false(b.failed);
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_CLOSE, 1, sb_, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
    assert_int_equal(sock_stats.open, 0);
    assert_int_equal(netstack_close(&ns, b.pcb), ERR_OK);
}


// A connection lwIP accepted that no ACCEPT took yet is nobody's: RECV, SEND and CLOSE
// on it are SOCK_EBADF; the ACCEPT then hands it out.
static void test_queued_is_nobodys(void **state)
{
    (void)state;
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    static struct peer pe;
    assert_true(peer_open(&pe, true, APP_PORT));
    run_for(1);
    assert_true(pe.connected);
    unsigned q = SOCK_MAX;
    for (unsigned i = 0; i < SOCK_MAX; i++)
        if (svc.socks[i].state == QUEUED)
            q = i;
    assert_true(q < SOCK_MAX);
    now(SOCK_RECV, 1, q, 0, SOCK_EBADF);
    now(SOCK_SEND, 2, q, 1, SOCK_EBADF);
    now(SOCK_CLOSE, 1, q, 0, SOCK_EBADF);
    // ACCEPT finds it queued: answered at once, through the path of later answers.
    uint32_t id = later(SOCK_ACCEPT, 0);
    assert_int_equal(answered(id, SOCK_OK), q);
    close_both(q, &pe);
}

// A SEND larger than lwIP's free send buffer waits (the peer reads nothing, so its
// window and then the send buffer fill) and is answered once the peer reads; a CLOSE
// while a SEND waits ends it with SOCK_ECLOSED.
static void test_send_waits(void **state)
{
    (void)state;
    static struct peer pe;
    unsigned s = listen_accept(&pe, false);
    memset(region + SOCK_TX(s), 'x', SOCK_BUF);
    uint32_t id = 0;
    unsigned sends = 0;
    for (; sends < 64; sends++) {
        struct al4_aipc_req out;
        if (!call(SOCK_SEND, 2, s, SOCK_BUF, &out, &id))
            break;
        assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
        run_for(1);
    }
    assert_true(sends < 64);  // one waits: lwIP's send buffer is full
    run_for(2);
    assert_int_equal(n_answers, 0);
    now(SOCK_SEND, 2, s, 1, SOCK_EBUSY);
    // The peer reads what came: the window opens, lwIP sends, the SEND completes.
    tcp_recved(pe.pcb, (u16_t)pe.got);
    pe.reads = true;
    for (int i = 0; i < 20 && !n_answers; i++)
        run_for(1);
    assert_int_equal(answered(id, SOCK_OK), SOCK_BUF);
    // Again until one waits, then CLOSE ends it.
    pe.reads = false;
    for (sends = 0; sends < 64; sends++) {
        struct al4_aipc_req out;
        if (!call(SOCK_SEND, 2, s, SOCK_BUF, &out, &id))
            break;
        run_for(1);
    }
    assert_true(sends < 64);
    now(SOCK_CLOSE, 1, s, 0, SOCK_OK);
    assert_int_equal(answered(id, SOCK_ECLOSED), 0);
    // The peer reads the rest and closes: the server's side drains and goes.
    tcp_recved(pe.pcb, (u16_t)(pe.got > 0xffff ? 0xffff : pe.got));
    pe.reads = true;
    assert_int_equal(netstack_close(&ns, pe.pcb), ERR_OK);
}

// One-byte segments from a peer while the application does not RECV: the socket keeps
// at most APP_MAX_PBUFS pbufs and lwIP holds the refused one; a RECV takes what is
// kept and the refused data at once (not at lwIP's next fast timer).
static void test_pbuf_cap(void **state)
{
    (void)state;
    static struct peer pe;
    unsigned s = listen_accept(&pe, true);
    struct sock *so = &svc.socks[s];
    unsigned sent = 0;
    for (int i = 0; i < 40; i++) {
        if (netstack_write(&ns, pe.pcb, "abcdefghijklmnopqrstuvwxyz0123456789ABCD" + i, 1,
                           TCP_WRITE_FLAG_COPY) == ERR_OK)
            sent++;
        run_for(1);  // each its own segment (no Nagle at the peer)
    }
    assert_non_null(so->rx);
    assert_int_equal(pbuf_clen(so->rx), APP_MAX_PBUFS);
    assert_non_null(so->pcb->refused_data);
    struct al4_aipc_req out;
    assert_true(call(SOCK_RECV, 1, s, 0, &out, NULL));
    assert_int_equal(out.mr[0], APP_MAX_PBUFS);
    assert_memory_equal(region + SOCK_RX(s), "abcdefghijklmnop", APP_MAX_PBUFS);
    assert_null(so->pcb->refused_data);  // taken with the RECV, no timer run
    // The rest: the segments lwIP dropped while it held the refused one come again
    // with the peer's retransmissions.
    size_t got = APP_MAX_PBUFS;
    for (int i = 0; i < 200 && got < sent; i++) {
        uint32_t id;
        if (call(SOCK_RECV, 1, s, 0, &out, &id)) {
            got += out.mr[0];
            continue;
        }
        for (int j = 0; j < 60 && !n_answers; j++)
            run_for(1);
        got += answered(id, SOCK_OK);
    }
    assert_int_equal(got, sent);
    close_both(s, &pe);
}

// A peer silent for APP_IDLE_S is aborted: the waiting RECV gets SOCK_ERESET and the
// socket stays the application's until its CLOSE.
static void test_idle_abort(void **state)
{
    (void)state;
    static struct peer pe;
    unsigned s = listen_accept(&pe, true);
    uint64_t aborts = app_stats.idle_aborts;
    uint32_t r = later(SOCK_RECV, s);
    run_for(APP_IDLE_S - 5);
    assert_int_equal(n_answers, 0);
    run_for(10);
    assert_int_equal(answered(r, SOCK_ERESET), 0);
    assert_int_equal(app_stats.idle_aborts, aborts + 1);
    assert_int_equal(sock_stats.open, 1);
    now(SOCK_CLOSE, 1, s, 0, SOCK_OK);
    assert_true(pe.failed);  // the abort's RST
}

// The root task's word that an application is gone drops that client's sockets and
// ports (and, for the synchronous one, what its front holds); the other's stay.
static void test_gone(void **state)
{
    (void)state;
    sock_watch_gone(&ex);
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    static struct peer a, b;
    unsigned sa_ = accept_one(0, &a, true);
    struct al4_aipc_req out;
    uint32_t id;
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 1, 0, &out, NULL));
    assert_false(call_via(SOCK_VIA_SYNC, SOCK_ACCEPT, 1, out.mr[0], 0, &out, &id));
    assert_true(peer_open(&b, true, APP_PORT + 1));
    for (int i = 0; i < 20 && !n_answers; i++)
        run_for(1);
    seL4_Word sb_ = answered(id, SOCK_OK);
    assert_false(call_via(SOCK_VIA_SYNC, SOCK_RECV, 1, sb_, 0, &out, &id));
    unsigned resets = sync_resets;
    co_exec_signal(&ex, 1ul << SOCK_GONE_BIT(SOCK_VIA_SYNC));
    run_for(1);
    assert_int_equal(sync_resets, resets + 1);
    assert_int_equal(sock_stats.gone, 1);
    assert_int_equal(svc.socks[sb_].state, FREE);
    assert_true(b.failed);
    assert_int_equal(n_answers, 0);  // nobody to answer
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 2, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_EBADF);
    // The aipc client's socket is untouched; then it goes too.
    assert_int_equal(svc.socks[sa_].state, OPEN);
    co_exec_signal(&ex, 1ul << SOCK_GONE_BIT(SOCK_VIA_AIPC));
    run_for(1);
    assert_true(svc.server.link.broken);
    assert_int_equal(svc.socks[sa_].state, FREE);
    assert_int_equal(sock_stats.open, 0);
    assert_null(svc.ls[0].pcb);
    assert_true(a.failed);
    for (unsigned via = 0; via < SOCK_CLIENTS; via++)
        co_exec_bind(&ex, SOCK_GONE_BIT(via), NULL);
}

// A client at its socket quota: one more connection to its port is refused (RST),
// while the other client's port still takes one.
static void test_socket_quota(void **state)
{
    (void)state;
    now(SOCK_LISTEN, 1, APP_PORT, 0, SOCK_OK);
    struct al4_aipc_req out;
    assert_true(call_via(SOCK_VIA_SYNC, SOCK_LISTEN, 1, APP_PORT + 1, 0, &out, NULL));
    assert_int_equal(seL4_MessageInfo_get_label(out.info), SOCK_OK);
    // As if it held SOCK_PER_CLIENT - 1 already (64 real connections and their peers
    // are more PCBs than the host's lwIP has).
    svc.held[SOCK_VIA_AIPC] = SOCK_PER_CLIENT - 1;
    static struct peer a, b, c;
    assert_true(peer_open(&a, true, APP_PORT));
    run_for(1);
    assert_true(a.connected);
    assert_int_equal(svc.held[SOCK_VIA_AIPC], SOCK_PER_CLIENT);
    assert_true(peer_open(&b, true, APP_PORT));
    run_for(1);
    assert_true(b.failed);  // refused
    assert_int_equal(sock_stats.refused, 1);
    assert_true(peer_open(&c, true, APP_PORT + 1));
    run_for(1);
    assert_true(c.connected);
    assert_int_equal(svc.held[SOCK_VIA_SYNC], 1);
    svc.held[SOCK_VIA_AIPC] = 1;  // the one real one, for the teardown's count
    assert_int_equal(netstack_close(&ns, a.pcb), ERR_OK);
    assert_int_equal(netstack_close(&ns, c.pcb), ERR_OK);
}

// Random words (xorshift, seeded: the run repeats).
static uint64_t fuzz_seed = 0x50c4f00dull;
static uint64_t fuzz_next(void)
{
    fuzz_seed ^= fuzz_seed << 13, fuzz_seed ^= fuzz_seed >> 7, fuzz_seed ^= fuzz_seed << 17;
    return fuzz_seed;
}
// Near `valid` values (below `limit`) mostly, sometimes just past it, sometimes anything.
static seL4_Word fuzz_word(seL4_Word limit)
{
    uint64_t r = fuzz_next();
    switch (r % 8) {
    case 0: return fuzz_next();
    case 1: return limit + (r >> 8) % 3;
    default: return (r >> 8) % limit;
    }
}

// What each client was given (listeners and sockets by their indices), so that most
// requests name its own, and the operation of each call by its id, to read the
// answers given later.
static struct {
    uint8_t op[32768];
    bool sock[SOCK_CLIENTS][SOCK_MAX], listener[SOCK_CLIENTS][SOCK_LISTENERS];
} fz;

// One of the indices `have` marks (of n), or a fuzz_word when there is none or by chance.
static seL4_Word fuzz_pick(const bool *have, unsigned n)
{
    unsigned start = (unsigned)(fuzz_next() % n);
    if (fuzz_next() % 4)
        for (unsigned i = 0; i < n; i++)
            if (have[(start + i) % n])
                return (start + i) % n;
    return fuzz_word(n);
}

// The answer of a call of operation `op` by client `via`: what it gave or took away.
static void fuzz_learn(enum sock_via via, seL4_Word op, seL4_Word w0_asked, unsigned err,
                       seL4_Word w0)
{
    if (err == SOCK_OK && op == SOCK_LISTEN && w0 < SOCK_LISTENERS)
        fz.listener[via][w0] = true;
    if (err == SOCK_OK && op == SOCK_ACCEPT && w0 < SOCK_MAX)
        fz.sock[via][w0] = true;
    if (err == SOCK_OK && op == SOCK_CLOSE && w0_asked < SOCK_MAX)
        fz.sock[via][w0_asked] = false;
}

// A request of client `via` as an application might send it: mostly well formed (the
// right word count, its own listeners and sockets, lengths in range, ports the peers
// connect to), the rest malformed in any field; true when answered at once, with *out.
static bool fuzz_request(enum sock_via via, struct al4_aipc_req *out)
{
    uint64_t r = fuzz_next();
    seL4_Word op = 1 + (r >> 4) % SOCK_CLOSE, w0, w1 = 0;
    unsigned words = op == SOCK_SEND ? 2 : 1;
    switch (op) {
    case SOCK_LISTEN: w0 = APP_PORT + fuzz_word(3); break;
    case SOCK_ACCEPT: w0 = fuzz_pick(fz.listener[via], SOCK_LISTENERS); break;
    case SOCK_SEND: w1 = fuzz_word(SOCK_BUF + 1); __attribute__((fallthrough));
    default: w0 = fuzz_pick(fz.sock[via], SOCK_MAX); break;
    }
    if (r % 4 == 0) {  // malformed: a label, a word count or a word at random
        switch ((r >> 12) % 3) {
        case 0: op = r % 16 == 0 ? fuzz_next() : (r >> 16) % (SOCK_CLOSE + 3); break;
        case 1: words = (unsigned)((r >> 16) % 4); break;
        default: w0 = fuzz_next(); w1 = fuzz_next(); break;
        }
    }
    uint32_t id;
    bool at_once = call_via(via, op, words, w0, w1, out, &id);
    fz.op[id & ~SOCK_SYNC_ID & 32767] = op <= SOCK_CLOSE ? (uint8_t)op : 0;
    if (at_once)
        fuzz_learn(via, op, w0, (unsigned)seL4_MessageInfo_get_label(out->info), out->mr[0]);
    return at_once;
}

// 20,000 requests at random from both clients, mostly well formed, the rest malformed
// in any field, while peers connect to the ports they listen on and send: every answer
// given at once has length 1 and a documented status, every later one too; nothing
// crashes (ASan and UBSan watch the host build); once both clients are dropped and the
// peers close, lwIP's memory is back where it started.
static void test_random_requests(void **state)
{
    (void)state;
    struct usage before = usage_now();
    memset(&fz, 0, sizeof(fz));
    // A new peer every 100 requests, closed by its side 800 requests later (each its
    // own struct: lwIP's callbacks for a closing PCB still name it).
    static struct peer pe[200];
    static const uint8_t data[100];
    unsigned immediate = 0, ok = 0, later_ = 0;
    for (unsigned n = 0; n < 20000; n++) {
        struct al4_aipc_req out;
        if (fuzz_request(fuzz_next() % 2 ? SOCK_VIA_AIPC : SOCK_VIA_SYNC, &out)) {
            immediate++;
            ok += seL4_MessageInfo_get_label(out.info) == SOCK_OK;
            assert_int_equal(seL4_MessageInfo_get_length(out.info), 1);
            assert_true(seL4_MessageInfo_get_label(out.info) <= SOCK_ENOMEM);
        }
        if (n % 100 == 0) {
            // A peer connects, an old one closes, the live ones send; the stack runs.
            unsigned k = n / 100;
            peer_open(&pe[k], fuzz_next() % 2, APP_PORT + (unsigned)(fuzz_next() % 3));
            if (k >= 8 && pe[k - 8].pcb && !pe[k - 8].failed) {
                netstack_close(&ns, pe[k - 8].pcb);
                pe[k - 8].pcb = NULL;
            }
            for (unsigned i = k >= 8 ? k - 7 : 0; i < k; i++)
                if (pe[i].connected && !pe[i].failed && tcp_sndbuf(pe[i].pcb) >= sizeof(data))
                    netstack_write(&ns, pe[i].pcb, data, sizeof(data), TCP_WRITE_FLAG_COPY);
            run_for(1);
        }
        for (unsigned i = 0; i < n_answers; i++) {
            assert_true(answers[i].err <= SOCK_ENOMEM);
            enum sock_via via = answers[i].id & SOCK_SYNC_ID ? SOCK_VIA_SYNC : SOCK_VIA_AIPC;
            fuzz_learn(via, fz.op[answers[i].id & ~SOCK_SYNC_ID & 32767], SOCK_MAX,
                       answers[i].err, answers[i].w0);
        }
        later_ += n_answers;
        n_answers = 0;
    }
    printf("# %u answered at once (%u SOCK_OK), %u later; %lu refused as bad, %lu accepted, "
           "%lu bytes in, %lu out\n", immediate, ok, later_, (unsigned long)sock_stats.bad,
           (unsigned long)sock_stats.accepted, (unsigned long)sock_stats.bytes_in,
           (unsigned long)sock_stats.bytes_out);
    assert_true(sock_stats.bad > 0);
    assert_true(ok > 0);
    assert_true(sock_stats.accepted > 0);
    // Both clients gone: every socket and listener goes, the peers see resets.
    sock_drop(SOCK_VIA_AIPC);
    sock_drop(SOCK_VIA_SYNC);
    n_answers = 0;
    assert_int_equal(sock_stats.open, 0);
    for (unsigned i = 0; i < 200; i++)
        if (pe[i].pcb && !pe[i].failed)
            netstack_close(&ns, pe[i].pcb);
    for (int i = 0; i < 2000 && (tcp_active_pcbs || tcp_tw_pcbs); i++)
        run_for(1);
    assert_null(tcp_active_pcbs);
    assert_usage(usage_now(), before);
}

// Whatever a test left open goes, listeners too, and the stack runs until every
// connection is gone, so that the next test starts from nothing.
static int teardown(void **state)
{
    (void)state;
    sock_drop(SOCK_VIA_AIPC);
    sock_drop(SOCK_VIA_SYNC);
    for (int i = 0; i < 400 && (tcp_active_pcbs || tcp_tw_pcbs); i++)
        run_for(1);
    assert_null(tcp_active_pcbs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_echo_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queued_is_nobodys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pbuf_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_quota, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_requests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
