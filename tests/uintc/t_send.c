// What an invalid send does (tools/qemu/README): nothing. No pending bit, no
// interrupt, no exception, no access beyond the sender-table entry it checked.
#include "setup.h"

#define R 50  // the receiver entry every sender-table entry below names
#define NOBODY 0x7f

static long u_send(long index)
{
    uipi_send((unsigned long)index);
    return 0;
}

TEST(UINTC0023, 1, "invalid sender entries (valid clear, vector >= 64) and a disabled suist send nothing")
{
    recv_set(R, NOBODY, true);
    uist[0] = uiste(false, 1, R);
    uist[1] = uiste(true, 64, R);
    uist[2] = uiste(true, 0xffff, R);
    uist[3] = uiste(true, 2, R);
    suist_use(1);
    for (long i = 0; i < 3; i++) {
        CHECK_EQ(run_user(u_send, i), 0);
        CHECK_EQ(recv_take(R), 0);
    }
    // suist.Enable clear: not even the valid entry counts
    csr_write(CSR_SUIST, csr_read(CSR_SUIST) & ~SUIST_ENABLE);
    CHECK_EQ(run_user(u_send, 3), 0);
    CHECK_EQ(recv_take(R), 0);
    suist_use(1);
    CHECK_EQ(run_user(u_send, 3), 0);  // control: the valid entry works
    CHECK_EQ(recv_take(R), 1ul << 2);
}

TEST(UINTC0024, 1, "sender indexes at or past suist.Size * 512 send nothing, even over a valid entry")
{
    recv_set(R, NOBODY, true);
    uist[511] = uiste(true, 11, R);
    uist[512] = uiste(true, 12, R);  // first entry of the table's second page
    uist[1023] = uiste(true, 13, R);
    suist_use(1);
    run_user(u_send, 511);
    CHECK_EQ(recv_take(R), 1ul << 11);
    run_user(u_send, 512);
    CHECK_EQ(recv_take(R), 0);
    run_user(u_send, -1);  // no wrap-around
    CHECK_EQ(recv_take(R), 0);
    suist_use(2);
    run_user(u_send, 512);
    run_user(u_send, 1023);
    CHECK_EQ(recv_take(R), 1ul << 12 | 1ul << 13);
    run_user(u_send, 1024);
    CHECK_EQ(recv_take(R), 0);
    suist_use(0);  // Size 0: no entry at all
    run_user(u_send, 511);
    CHECK_EQ(recv_take(R), 0);
}
