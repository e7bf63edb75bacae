#!/usr/bin/env python3
"""Host-side client of aL4's network server (servers/net, docs/netserver.md).

As a library (tests/net/nettest.py): the control port's counters, TCP echo over many
connections at once, open/close cycles, a peer that resets mid-transfer. As a command:

    netclient.py --host 10.0.3.2 echo hello      # sends, prints what came back
    netclient.py --host 10.0.3.2 stats           # the server's counters
    netclient.py --host 127.0.0.1 --user-ports stats   # through make run-net's hostfwd
"""
import argparse
import selectors
import socket
import struct
import sys
import time

ECHO, DISCARD, CONTROL = 7, 9, 7070
# Echo served by the TCP application servers in processes of their own, over the
# network server's socket service (servers/tcpapp, docs/sockets.md): over async IPC and
# over sync IPC.
APP_ECHO, APP_SYNC_ECHO = 7007, 7008
# make run-net's forwards on QEMU's user network (tools/net/run-net).
USER_PORTS = {ECHO: 10007, DISCARD: 10009, CONTROL: 17070, APP_ECHO: 17007, APP_SYNC_ECHO: 17008}


class Target:
    def __init__(self, host, user_ports=False):
        self.host = host
        self.ports = USER_PORTS if user_ports else {
            p: p for p in (ECHO, DISCARD, CONTROL, APP_ECHO, APP_SYNC_ECHO)}

    def addr(self, service):
        return (self.host, self.ports[service])


def stats(t, timeout=5.0):
    """The control port's "stats" line as {key: int}. Our side closes first, so the
    server's PCB goes through LAST_ACK, not TIME_WAIT."""
    with socket.create_connection(t.addr(CONTROL), timeout=timeout) as s:
        s.sendall(b"stats\n")
        line = b""
        while not line.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError(f"control port closed after {line!r}")
            line += chunk
    words = line.decode().split()
    if not words or words[0] != "stats":
        raise ValueError(f"not a stats line: {line!r}")
    return {k: int(v) for k, v in (w.split("=", 1) for w in words[1:])}


def command(t, line, timeout=5.0):
    """One line to the control port (e.g. "busy 0"); returns its answer line."""
    with socket.create_connection(t.addr(CONTROL), timeout=timeout) as s:
        s.sendall(line.encode() + b"\n")
        got = b""
        while not got.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    return got.decode()


def round_trips(t, n, size=64, timeout=10.0):
    """n echo round trips of `size` bytes, one after the other on one connection
    (TCP_NODELAY); returns each one's time in microseconds."""
    out = []
    with socket.create_connection(t.addr(ECHO), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = bytes(i % 256 for i in range(size))
        for _ in range(n):
            start = time.perf_counter()
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(len(data) - len(got))
                if not chunk:
                    raise ConnectionError("echo closed mid round trip")
                got += chunk
            if got != data:
                raise ValueError("echo changed the data")
            out.append((time.perf_counter() - start) * 1e6)
    return out


def echo_many(t, payloads, timeout=60.0, service=ECHO):
    """Sends each payload on a connection of its own, all at once, each side closing
    its sending half when done; returns what came back on each (until the server's
    FIN). Raises TimeoutError when the transfers stall for `timeout` seconds. `service`:
    ECHO, APP_ECHO or APP_SYNC_ECHO."""
    sel = selectors.DefaultSelector()
    conns = []
    for i, data in enumerate(payloads):
        s = socket.create_connection(t.addr(service), timeout=timeout)
        s.setblocking(False)
        c = {"s": s, "data": memoryview(data), "sent": 0, "got": bytearray(), "eof": False,
             "i": i}
        if not data:
            s.shutdown(socket.SHUT_WR)
        conns.append(c)
        sel.register(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if data else 0), c)
    open_ = len(conns)
    last = time.monotonic()
    try:
        while open_:
            events = sel.select(1.0)
            if events:
                last = time.monotonic()
            elif time.monotonic() - last > timeout:
                stuck = [(c["i"], c["sent"], len(c["got"])) for c in conns if not c["eof"]]
                raise TimeoutError(f"echo stalled: (conn, sent, received) {stuck[:8]}")
            for key, mask in events:
                c = key.data
                s = c["s"]
                if mask & selectors.EVENT_WRITE and c["sent"] < len(c["data"]):
                    try:
                        c["sent"] += s.send(c["data"][c["sent"]:c["sent"] + 262144])
                    except BlockingIOError:
                        pass
                    if c["sent"] == len(c["data"]):
                        s.shutdown(socket.SHUT_WR)
                        sel.modify(s, selectors.EVENT_READ, c)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = s.recv(262144)
                    except BlockingIOError:
                        continue
                    if chunk:
                        c["got"] += chunk
                    else:
                        c["eof"] = True
                        sel.unregister(s)
                        open_ -= 1
    finally:
        for c in conns:
            c["s"].close()
        sel.close()
    return [bytes(c["got"]) for c in conns]


def open_close(t, n, rng, timeout=5.0, service=ECHO):
    """n connections one after the other, each echoing 1..64 random bytes and closed by
    us first; returns how many came back wrong."""
    bad = 0
    for _ in range(n):
        data = rng.randbytes(rng.randint(1, 64))
        with socket.create_connection(t.addr(service), timeout=timeout) as s:
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(len(data) - len(got))
                if not chunk:
                    break
                got += chunk
            bad += got != data
    return bad


def reset_midway(t, rng, seconds=1.0, service=ECHO):
    """Sends to the echo port without reading back until the server's window closes
    (or `seconds` pass), then vanishes: a close with SO_LINGER 0 sends RST, no FIN.
    Returns the bytes it got out."""
    s = socket.create_connection(t.addr(service), timeout=5)
    s.setblocking(False)
    data = rng.randbytes(1 << 20)
    sent, end = 0, time.monotonic() + seconds
    while sent < len(data) and time.monotonic() < end:
        try:
            sent += s.send(data[sent:sent + 65536])
        except BlockingIOError:
            time.sleep(0.01)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return sent


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="10.0.3.2")
    ap.add_argument("--user-ports", action="store_true", help="make run-net's hostfwd ports")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("echo")
    e.add_argument("text")
    sub.add_parser("stats")
    a = ap.parse_args()
    t = Target(a.host, a.user_ports)
    if a.cmd == "echo":
        print(echo_many(t, [a.text.encode()])[0].decode(errors="replace"))
    else:
        for k, v in stats(t).items():
            print(f"{k} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
