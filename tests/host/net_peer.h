// A TCP client on side A of net_wire.h's simulated wire, for the host tests of the
// network server's services (test_netapps, test_sock): it connects, counts what comes
// back, and can vanish without a word.
#pragma once
#include "net_wire.h"

struct peer {
    struct tcp_pcb *pcb;
    bool connected, failed, reads;  // reads: tcp_recved what arrives (else the window closes)
    size_t got;
};

static err_t peer_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct peer *pe = arg;
    (void)err;
    if (!p)
        return ERR_OK;
    pe->got += p->tot_len;
    if (pe->reads)
        tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t peer_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)pcb;
    (void)err;
    ((struct peer *)arg)->connected = true;
    return ERR_OK;
}

static void peer_err(void *arg, err_t err)
{
    struct peer *pe = arg;
    (void)err;
    pe->failed = true;
    pe->pcb = NULL;  // lwIP freed it
}

// A connection from A to B's `port`; false if A has no PCB left.
static bool peer_open(struct peer *pe, bool reads, u16_t port)
{
    *pe = (struct peer){.reads = reads};
    pe->pcb = tcp_new();
    if (!pe->pcb)
        return false;
    tcp_bind_netif(pe->pcb, &ifa.netif);
    assert_int_equal(tcp_bind(pe->pcb, netif_ip_addr4(&ifa.netif), 0), ERR_OK);
    tcp_nagle_disable(pe->pcb);
    tcp_arg(pe->pcb, pe);
    tcp_recv(pe->pcb, peer_recv);
    tcp_err(pe->pcb, peer_err);
    assert_int_equal(netstack_connect(&ns, pe->pcb, netif_ip_addr4(&ifb.netif), port,
                                      peer_connected), ERR_OK);
    return true;
}

// Gone without a word to the server: the PCB is freed, nothing is sent.
static inline void peer_vanish(struct peer *pe)
{
    tcp_arg(pe->pcb, NULL);
    tcp_err(pe->pcb, NULL);
    tcp_recv(pe->pcb, NULL);
    tcp_pcb_remove(&tcp_active_pcbs, pe->pcb);
    tcp_free(pe->pcb);
    pe->pcb = NULL;
}
