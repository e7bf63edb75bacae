"""Malformed Ethernet frames for the network server's robustness test (tests/net,
NET0107): every kind the issue lists, each made from a valid frame and then broken in
one way, so that it gets past the checks before the one it breaks. Frames go to the
guest's MAC (or broadcast) from the host's MAC and address, so that whatever lwIP
answers (RSTs, ICMP errors, ARP) comes back to the host and is dropped there, and no
ARP entry the guest keeps for the host is overwritten with a wrong MAC.

gen(rng, dst_mac, src_mac, src_ip, dst_ip) yields (kind, frame) without end."""
import struct

ETH_IP, ETH_ARP = 0x0800, 0x0806
MAX_FRAME = 1514


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ip4(src, dst, proto, payload, ihl=5, options=b"", total=None, frag=0, ttl=64,
        ident=0, version=4, good_csum=True):
    total = 20 + len(options) + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total & 0xFFFF, ident, frag,
                      ttl, proto, 0, src, dst) + options
    c = csum(hdr)
    if not good_csum:
        c ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, data=b"", off=5, opts=b"", win=8192):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (off & 0xF) << 4, flags, win, 0,
                      0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def arp(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=6, plen=4):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


def gen(rng, dst_mac, src_mac, src_ip, dst_ip):
    """Endless (kind, frame) pairs, kinds in turn."""
    bcast = b"\xff" * 6
    ports = [7, 9, 7070, 1, 80, 65535]

    def valid_tcp(flags=0x18, data=b"x"):
        return tcp(src_ip, dst_ip, rng.randint(1024, 65535), rng.choice(ports),
                   rng.getrandbits(32), rng.getrandbits(32), flags, data)

    def frame_ip(proto, payload, **kw):
        return eth(dst_mac, src_mac, ETH_IP, ip4(src_ip, dst_ip, proto, payload, **kw))

    def truncated():
        f = frame_ip(6, valid_tcp(data=rng.randbytes(rng.randint(0, 200))))
        return f[:rng.randint(14, len(f) - 1)]

    def oversized():
        return frame_ip(17, rng.randbytes(rng.randint(MAX_FRAME - 14 - 20 + 1, 3000)))

    def bad_ip_len():
        p = valid_tcp(data=rng.randbytes(rng.randint(0, 64)))
        total = rng.choice([0, 1, 19, 20 + len(p) + rng.randint(1, 2000), 65535,
                            rng.randint(20, 20 + len(p) - 1)])
        return frame_ip(6, p, total=total)

    def bad_ihl():
        ihl = rng.choice([0, 1, 4, 6, 15, rng.randint(0, 15)])
        return frame_ip(6, valid_tcp(), ihl=ihl)

    def bad_options():
        n = rng.choice([4, 8, 20, 40])
        opts = rng.randbytes(n)
        return frame_ip(rng.choice([1, 6, 17]), valid_tcp(), ihl=5 + n // 4, options=opts)

    def bad_csum():
        return frame_ip(6, valid_tcp(), good_csum=False)

    def bad_version():
        return frame_ip(6, valid_tcp(), version=rng.choice([0, 5, 6, 15]))

    def tcp_flags():
        # SYN+FIN, SYN+RST, RST+FIN, every flag, none, URG alone, FIN alone...
        flags = rng.choice([0x03, 0x06, 0x05, 0xFF, 0x00, 0x20, 0x01, 0x3F, 0x07,
                            rng.getrandbits(8)])
        return frame_ip(6, valid_tcp(flags, rng.randbytes(rng.randint(0, 32))))

    def tcp_offset():
        data = rng.randbytes(rng.randint(0, 16))
        off = rng.choice([0, 1, 4, 6, 15, rng.randint(0, 15)])
        opts = rng.randbytes(rng.choice([0, 4, 40]))
        seg = tcp(src_ip, dst_ip, rng.randint(1024, 65535), rng.choice(ports),
                  rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(8), data, off, opts)
        return frame_ip(6, seg)

    def tcp_bad_csum():
        seg = bytearray(valid_tcp(0x02))
        seg[16] ^= 0xFF
        return frame_ip(6, bytes(seg))

    def arp_garbage():
        # Never a reply about the host's own address with another MAC: the guest must
        # keep talking to the host afterwards.
        spa = bytes([10, 0, rng.choice([3, 7, 255]), rng.randint(3, 254)])
        kind = rng.randint(0, 4)
        if kind == 0:
            body = arp(rng.randint(0, 65535), rng.randbytes(6), spa, rng.randbytes(6), dst_ip)
        elif kind == 1:
            body = arp(1, rng.randbytes(6), spa, b"\0" * 6, dst_ip, htype=rng.randint(0, 65535),
                       ptype=rng.randint(0, 65535))
        elif kind == 2:
            body = arp(rng.choice([1, 2]), rng.randbytes(6), spa, bcast, dst_ip,
                       hlen=rng.randint(0, 255), plen=rng.randint(0, 255))
        elif kind == 3:
            body = arp(1, src_mac, src_ip, b"\0" * 6, dst_ip)[:rng.randint(0, 27)]
        else:
            body = rng.randbytes(rng.randint(0, 64))
        return eth(rng.choice([dst_mac, bcast]), rng.randbytes(6) if kind else src_mac,
                   ETH_ARP, body)

    def fragment():
        payload = rng.randbytes(rng.randint(1, 1400))
        # offset in 8-byte units, MF sometimes, overlapping or beyond 64 KiB
        off = rng.choice([0, 1, 8, 100, 8191, rng.randint(0, 8191)])
        mf = rng.choice([0, 0x2000])
        proto = rng.choice([1, 6, 17])
        return frame_ip(proto, payload, frag=mf | off, ident=rng.randint(0, 7))

    def icmp_garbage():
        body = bytes([rng.choice([0, 3, 5, 8, 11, 13, 255]), rng.randint(0, 255)]) + \
            rng.randbytes(rng.randint(0, 100))
        return frame_ip(1, body)

    def noise():
        etype = rng.choice([ETH_IP, ETH_ARP, 0x86DD, 0x8100, rng.randint(0, 65535)])
        return eth(dst_mac, src_mac, etype, rng.randbytes(rng.randint(0, 1500)))

    kinds = [truncated, oversized, bad_ip_len, bad_ihl, bad_options, bad_csum, bad_version,
             tcp_flags, tcp_offset, tcp_bad_csum, arp_garbage, fragment, icmp_garbage, noise]
    while True:
        for k in kinds:
            yield k.__name__, k()
