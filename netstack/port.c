// The port's system hooks for lwIP with NO_SYS (docs/netstack.md): time and random
// numbers. No sys_arch.h is needed: NO_SYS has no threads, semaphores or mailboxes.
#include <netstack.h>
#include "lwip/sys.h"

static struct co_exec *clock_ex;

void netstack_port_clock(struct co_exec *ex)
{
    clock_ex = ex;
}

// lwIP's clock (timeouts.c, TCP timestamps): milliseconds that wrap at 2^32, from the
// executor's clock (on aL4 rdtime and the DTB's timebase-frequency).
uint32_t netstack_now_ms(void)
{
    if (!clock_ex)
        return 0;
    uint64_t t = co_now(clock_ex), hz = clock_ex->hz;
    return (uint32_t)(t / hz * 1000 + t % hz * 1000 / hz);
}

u32_t sys_now(void)
{
    return netstack_now_ms();
}

// Initial sequence numbers and the first ephemeral port (LWIP_RAND, arch/cc.h): not
// cryptographic (RFC 6528 asks for a keyed hash; none is at hand), but different per
// boot: xorshift64 seeded from the clock at first use.
uint32_t netstack_rand(void)
{
    static uint64_t s;
    if (!s)
        s = (clock_ex ? co_now(clock_ex) : 0) * 0x9e3779b97f4a7c15ull | 1;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 32);
}
