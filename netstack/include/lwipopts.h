// lwIP 2.1.3's configuration for aL4's network stack (docs/netstack.md). lwIP reads it
// through lwip/opt.h; everything not set here keeps lwIP's default (src/include/lwip/
// opt.h in the Debian source package). Sizes follow ../shared/design/net.md: lwIP's
// defaults are for a few connections on a microcontroller, a server holds many.
#pragma once

// --- One context, raw API ---
// The stack runs in one thread, on the coroutine executor (netstack.c): no OS
// abstraction, no sequential or socket API, no locking.
#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

// --- Protocols ---
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1        // ICMP echo from the raw API (NET tests)
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0       // static configuration from the root task
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define ARP_QUEUEING 1    // a packet sent before the ARP reply waits for it
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0

// --- Checksums ---
// No offload is negotiated with the device (docs/virtio.md): lwIP generates and checks
// every checksum in software (opt.h's defaults, spelled out).
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

// --- Sizes ---
// For a server with many connections; a program that must stay small (the seL4 test
// suite: its root task image stays below 2 MiB) overrides them with -D, for lwIP's
// files and its own alike.
#ifndef NETSTACK_TCP_PCBS
#define NETSTACK_TCP_PCBS 128
#endif
#ifndef NETSTACK_TCP_SEGS
#define NETSTACK_TCP_SEGS 512
#endif
#ifndef NETSTACK_MEM_SIZE
#define NETSTACK_MEM_SIZE (256 * 1024)
#endif
#ifndef NETSTACK_PBUFS
#define NETSTACK_PBUFS 256
#endif

// --- TCP, sized for many connections ---
#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)          // below 64 KiB: no window scaling needed
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
// Out-of-order segments wait in pool pbufs until the gap fills; without a bound a peer
// that never fills it holds as many as its window lets it send in one-byte pieces.
// A window's bytes in at most 8 pbufs per connection; under pool pressure lwIP frees
// them all (pbuf_free_ooseq, from sys_check_timeouts: netstack.c wakes egress when
// a frame finds no pbuf).
#define TCP_OOSEQ_MAX_PBUFS 8
#define TCP_OOSEQ_MAX_BYTES TCP_WND
#define LWIP_TCP_KEEPALIVE 0
#define TCP_LISTEN_BACKLOG 1
#define MEMP_NUM_TCP_PCB NETSTACK_TCP_PCBS
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG NETSTACK_TCP_SEGS  // >= TCP_SND_QUEUELEN (init.c checks)
#define MEMP_NUM_UDP_PCB 8
#define MEMP_NUM_RAW_PCB 4

// --- Memory ---
// lwIP's own heap (mem.c) and pools (memp.c), static arrays: nothing from malloc.
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE NETSTACK_MEM_SIZE      // PBUF_RAM: headers and copied TCP data
#define MEMP_NUM_PBUF NETSTACK_PBUFS   // PBUF_REF/ROM
#define PBUF_POOL_SIZE NETSTACK_PBUFS  // received frames, one pool pbuf each
#define MEMP_NUM_REASSDATA 8
// Fragments held for reassembly, over all datagrams (opt.h: keep the pool above twice
// this, so that reassembly cannot starve reception). lwIP's default, 10, drops an IPv4
// datagram of more than about 14 KiB; the network server raises it (Makefile).
#ifndef NETSTACK_REASS_PBUFS
#define NETSTACK_REASS_PBUFS 10
#endif
#define IP_REASS_MAX_PBUFS NETSTACK_REASS_PBUFS
#define MEMP_NUM_ARP_QUEUE 32
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

// --- Netif ---
#define LWIP_SINGLE_NETIF 0            // the host tests join two netifs
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0

// --- Statistics ---
// The tests read lwip_stats: pbufs, PCBs and segments in use must come back to where
// they started once the connections are closed.
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
// 32-bit counters: the NET tests count 100,000 frames and more (16 bits by default).
#define LWIP_STATS_LARGE 1
#define LINK_STATS 1
#define ETHARP_STATS 1
#define IP_STATS 1
#define IPFRAG_STATS 1
#define ICMP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
#define MEM_STATS 1
#define MEMP_STATS 1
#define SYS_STATS 0

// --- Debugging ---
// LWIP_DEBUG stays off: lwIP's LWIP_ASSERTs are on unless LWIP_NOASSERT (cc.h maps
// them to a message and exit()).
#ifdef NDEBUG
#define LWIP_NOASSERT 1
#endif
