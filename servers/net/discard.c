// TCP discard (RFC 863): a sink for bulk transfers (iperf 2's client sends to it).
// Data is acknowledged as it arrives; there is no state beyond lwIP's PCB.
#include "apps.h"

static struct netstack *discard_ns;

static err_t discard_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        // Closed by the peer. If lwIP has no memory for our FIN now, its slow timer
        // retries the close (tcp_close keeps the PCB in CLOSE_WAIT with the flag set).
        tcp_recv(pcb, NULL);
        tcp_poll(pcb, NULL, 0);
        netstack_close(discard_ns, pcb);
        return ERR_OK;
    }
    app_stats.discard_bytes += p->tot_len;
    netstack_recved(discard_ns, pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t discard_poll(void *arg, struct tcp_pcb *pcb)
{
    (void)arg;
    if (!app_silent(pcb))
        return ERR_OK;
    app_stats.idle_aborts++;
    tcp_abort(pcb);
    return ERR_ABRT;
}

static err_t discard_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    app_stats.discard_accepted++;
    tcp_recv(pcb, discard_recv);
    tcp_poll(pcb, discard_poll, APP_POLL);
    return ERR_OK;
}

bool discard_start(struct netstack *ns, uint16_t port)
{
    discard_ns = ns;
    return app_listen(port, discard_accept) != NULL;
}
