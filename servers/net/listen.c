// Opening a listening PCB, as every service does.
#include "apps.h"
#include "lwip/priv/tcp_priv.h"

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
