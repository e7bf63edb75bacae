// What every service does alike: open a listening PCB, tell a silent peer, keep
// received data without pinning the receive pool.
#include "apps.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/memp.h"
#include "lwip/stats.h"

struct app_stats app_stats;

struct tcp_pcb *app_listen(uint16_t port, tcp_accept_fn accept)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb)
        return NULL;
    if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
        tcp_close(pcb);
        return NULL;
    }
    // tcp_listen frees pcb and returns a smaller listening PCB, or NULL leaving pcb.
    struct tcp_pcb *l = tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG);
    if (!l) {
        tcp_close(pcb);
        return NULL;
    }
    tcp_accept(l, accept);
    return l;
}

bool app_silent(const struct tcp_pcb *pcb)
{
    // tcp_ticks counts slow-timer periods; pcb->tmr is its value at the last segment.
    return (u32_t)(tcp_ticks - pcb->tmr) >= APP_IDLE_S * 1000 / TCP_SLOW_INTERVAL;
}

// More than half the receive pool in use. A window's worth per connection is 8 full
// pool pbufs: 64 peers that keep their windows shut would hold the whole pool, so past
// half a service keeps what it holds in the heap, whatever its size.
static bool pool_short(void)
{
    return lwip_stats.memp[MEMP_PBUF_POOL]->used > PBUF_POOL_SIZE / 2;
}

struct pbuf *app_hold(const struct pbuf *held, struct pbuf *p)
{
    if (held && pbuf_clen(held) + pbuf_clen(p) > APP_MAX_PBUFS)
        return NULL;
    if ((p->tot_len >= APP_COPY_BELOW && !pool_short()) || !pbuf_match_allocsrc(p, PBUF_POOL))
        return p;
    struct pbuf *q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
    if (!q)
        return NULL;
    pbuf_copy_partial(p, q->payload, p->tot_len, 0);
    pbuf_free(p);
    return q;
}
