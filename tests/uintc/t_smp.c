// Delivery across harts: the UINTC is one device that every hart's uipi reaches.
#include "setup.h"

static volatile unsigned long go;

// On the receiving hart, in U mode: say so, then wait (bounded) for the handler.
static long u_wait_for_interrupt(long want)
{
    struct hart *h = this_hart();
    h->u_ready = 1;
    wait_for(&h->u_count, (unsigned long)want);
    return (long)h->u_count;
}

static long receiver(long want)
{
    receive_here();
    return run_user(u_wait_for_interrupt, want);
}

static long u_send(long index)
{
    uipi_send((unsigned long)index);
    return 0;
}

TEST(UINTC0016, 2, "send to an active receiver on another hart: its handler runs there, not here")
{
    unsigned long r = other_hart(0);
    struct hart *me = this_hart(), *rh = hart_of(r);
    long count = -1;
    hart_call_start(r, receiver, 1);
    CHECK(wait_for(&rh->u_ready, 1));
    uist[0] = uiste(true, 12, RX(r));
    suist_use(1);
    run_user(u_send, 0);
    CHECK(hart_call_wait(r, &count));
    CHECK_EQ(count, 1);
    CHECK_EQ(rh->u_cause, CAUSE_INTR | IRQ_USI);
    CHECK_EQ(rh->u_pending, 1ul << 12);
    CHECK_EQ(me->u_count, 0);
    CHECK_EQ(recv_take(RX(r)), 0);
}

// On each sending hart: its own suist (the shared table), then send entry j from U.
static long sender(long j)
{
    suist_use(1);
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
        ;
    return run_user(u_send, j);
}

static long u_collect(long want)
{
    struct hart *h = this_hart();
    unsigned long deadline = rdtime() + timeout_ticks();
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    while (h->u_pending != (unsigned long)want && rdtime() < deadline)
        ;
    return (long)h->u_pending;
}

TEST(UINTC0017, 2, "every other hart sends its own vector to one receiver at once: all arrive")
{
    unsigned long me = this_hart()->hartid, want = 0;
    go = 0;
    receive_here();
    for (int j = 0; j < n_harts - 1; j++) {
        uist[j] = uiste(true, 20 + j, RX(me));
        want |= 1ul << (20 + j);
        hart_call_start(other_hart(j), sender, j);
    }
    CHECK_EQ(run_user(u_collect, (long)want), want);
    for (int j = 0; j < n_harts - 1; j++) {
        long ret = -1;
        CHECK(hart_call_wait(other_hart(j), &ret));
        CHECK_EQ(ret, 0);
        CHECK_EQ(hart_of(other_hart(j))->u_count, 0);
    }
    CHECK(this_hart()->u_count >= 1);
    CHECK_EQ(recv_take(RX(me)), 0);
}
