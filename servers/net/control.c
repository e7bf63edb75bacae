// The control port: a client sends "stats\n" and gets one line of lwIP's memory and
// protocol counters and the services' counts, "key=value" separated by spaces, ending
// in "\n" (tools/net/netclient.py reads it). The NET tests compare the memory figures
// (pbufs, PCBs, segments, heap) before and after a load to find leaks. The control
// connection itself holds one PCB while it asks, every time. Under make bench-net
// "mark" reads the counters (bench.c) and "handover" stops this server so that the
// root task starts the next one; "busy N" sets busy polling's budget (N microseconds,
// 0: off). Any other line is answered with "error unknown command\n".
#include "apps.h"
#include "bench.h"
#include <stdio.h>
#include <string.h>
#include "lwip/stats.h"
#include "lwip/memp.h"

#define CONTROL_CONNS 4
#define CONTROL_LINE 32

struct control_conn {
    bool used;
    unsigned len;
    char line[CONTROL_LINE];
};

static struct control_conn conns[CONTROL_CONNS];
static struct netstack *control_ns;

#define MEMP_USED(t) ((unsigned long)lwip_stats.memp[t]->used)

// The stats line into buf (at most size bytes, always terminated).
static int stats_line(char *buf, size_t size)
{
    unsigned long memp_err = 0;
    for (int i = 0; i < MEMP_MAX; i++)
        memp_err += lwip_stats.memp[i]->err;
    const struct stats_proto *l = &lwip_stats.link, *ip = &lwip_stats.ip, *t = &lwip_stats.tcp;
    return snprintf(
        buf, size,
        "stats pool=%lu pbuf=%lu pcb=%lu listen=%lu seg=%lu reass=%lu frag=%lu arpq=%lu "
        "heap=%lu memp_err=%lu heap_err=%lu link_recv=%lu link_drop=%lu link_err=%lu "
        "ip_recv=%lu ip_drop=%lu ip_chkerr=%lu ip_lenerr=%lu ip_opterr=%lu ip_proterr=%lu "
        "tcp_recv=%lu tcp_drop=%lu tcp_chkerr=%lu tcp_proterr=%lu tcp_lenerr=%lu "
        "echo_open=%lu echo_accepted=%lu echo_reset=%lu echo_refused=%lu echo_bytes=%lu "
        "discard_bytes=%lu idle_aborts=%lu sock_open=%lu sock_accepted=%lu sock_reset=%lu "
        "sock_refused=%lu sock_bad=%lu sock_in=%lu sock_out=%lu sync_calls=%lu sync_busy=%lu sync_polled=%lu sock_gone=%lu ",
        MEMP_USED(MEMP_PBUF_POOL), MEMP_USED(MEMP_PBUF), MEMP_USED(MEMP_TCP_PCB),
        MEMP_USED(MEMP_TCP_PCB_LISTEN), MEMP_USED(MEMP_TCP_SEG), MEMP_USED(MEMP_REASSDATA),
        MEMP_USED(MEMP_FRAG_PBUF), MEMP_USED(MEMP_ARP_QUEUE),
        (unsigned long)lwip_stats.mem.used, memp_err, (unsigned long)lwip_stats.mem.err,
        (unsigned long)l->recv, (unsigned long)l->drop, (unsigned long)l->err,
        (unsigned long)ip->recv, (unsigned long)ip->drop, (unsigned long)ip->chkerr,
        (unsigned long)ip->lenerr, (unsigned long)ip->opterr, (unsigned long)ip->proterr,
        (unsigned long)t->recv, (unsigned long)t->drop, (unsigned long)t->chkerr,
        (unsigned long)t->proterr, (unsigned long)t->lenerr, (unsigned long)app_stats.echo_open,
        (unsigned long)app_stats.echo_accepted, (unsigned long)app_stats.echo_reset,
        (unsigned long)app_stats.echo_refused, (unsigned long)app_stats.echo_bytes,
        (unsigned long)app_stats.discard_bytes, (unsigned long)app_stats.idle_aborts,
        (unsigned long)sock_stats.open, (unsigned long)sock_stats.accepted,
        (unsigned long)sock_stats.reset, (unsigned long)sock_stats.refused,
        (unsigned long)sock_stats.bad, (unsigned long)sock_stats.bytes_in,
        (unsigned long)sock_stats.bytes_out, (unsigned long)sync_stats.calls,
        (unsigned long)sync_stats.busy, (unsigned long)sync_stats.polled,
        (unsigned long)sock_stats.gone);
}

// "busy N": a budget of 0 to 1,000,000 microseconds in decimal.
static bool busy_arg(const char *s, uint32_t *us)
{
    uint32_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000)
            return false;
        v = v * 10 + (uint32_t)(*s - '0');
    }
    *us = v;
    return v <= 1000000;
}

static void answer(struct tcp_pcb *pcb, const char *line)
{
    static char buf[1536];
    uint32_t us;
    const char *out = "error unknown command\n";
    if (strcmp(line, "stats") == 0) {
        int n = stats_line(buf, sizeof(buf));
        if (n > 0 && (size_t)n < sizeof(buf))
            n += server_counters(buf + n, sizeof(buf) - (size_t)n);
        if (n > 0 && (size_t)n < sizeof(buf) - 1)
            memcpy(buf + n, "\n", 2);
        out = buf;
    } else if (strcmp(line, "mark") == 0 && bench_mark(buf, sizeof(buf))) {
        out = buf;
    } else if (strcmp(line, "handover") == 0 && bench_handover()) {
        out = "ok\n";
    } else if (strncmp(line, "busy ", 5) == 0 && busy_arg(line + 5, &us)) {
        // make bench-net measures with and without busy polling in one boot.
        server_busy_poll(us);
        out = "ok\n";
    }
    // The answer fits the empty send buffer of a fresh connection; should lwIP lack
    // memory the client sees no answer and times out (it is a diagnostic port).
    netstack_write(control_ns, pcb, out, (u16_t)strlen(out), TCP_WRITE_FLAG_COPY);
}

static void conn_release(struct tcp_pcb *pcb, struct control_conn *c)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    c->used = false;
}

static err_t control_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct control_conn *c = arg;
    (void)err;
    if (!p) {
        conn_release(pcb, c);
        netstack_close(control_ns, pcb);
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next)
        for (u16_t i = 0; i < q->len; i++) {
            char ch = ((const char *)q->payload)[i];
            if (ch == '\n') {
                c->line[c->len < CONTROL_LINE ? c->len : CONTROL_LINE - 1] = '\0';
                if (c->len && c->line[c->len - 1] == '\r')
                    c->line[c->len - 1] = '\0';
                answer(pcb, c->line);
                c->len = 0;
            } else if (c->len < CONTROL_LINE - 1) {
                c->line[c->len++] = ch;
            } else {
                c->len = CONTROL_LINE;  // too long: answered as unknown
            }
        }
    netstack_recved(control_ns, pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void control_err(void *arg, err_t err)
{
    struct control_conn *c = arg;
    (void)err;
    c->used = false;
}

static err_t control_poll(void *arg, struct tcp_pcb *pcb)
{
    (void)arg;
    if (!app_silent(pcb))
        return ERR_OK;
    app_stats.idle_aborts++;
    tcp_abort(pcb);  // control_err frees the slot
    return ERR_ABRT;
}

static err_t control_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    for (unsigned i = 0; i < CONTROL_CONNS; i++)
        if (!conns[i].used) {
            conns[i] = (struct control_conn){.used = true};
            tcp_nagle_disable(pcb);
            tcp_arg(pcb, &conns[i]);
            tcp_recv(pcb, control_recv);
            tcp_err(pcb, control_err);
            tcp_poll(pcb, control_poll, APP_POLL);
            return ERR_OK;
        }
    tcp_abort(pcb);
    return ERR_ABRT;
}

// The control port's connections outrank the services': when every PCB is taken, lwIP
// aborts the longest-idle connection of a lower priority to accept one (tcp_alloc's
// tcp_kill_prio), so the counters can still be read while a peer holds every PCB.
bool control_start(struct netstack *ns, uint16_t port)
{
    control_ns = ns;
    struct tcp_pcb *l = app_listen(port, control_accept);
    if (l)
        tcp_setprio(l, TCP_PRIO_MAX);
    return l != NULL;
}
