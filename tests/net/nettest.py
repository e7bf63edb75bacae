#!/usr/bin/env python3
"""The NET group driven from the host (tests/net/run starts it, inside a private network
namespace with a TAP device when it can): boots the network server's image
(servers/netroot, servers/net) in QEMU, drives it over the network with
tools/net/netclient.py and prints TAP lines ("1..N", "ok N - NETxxxx ...") that
tests/harness counts in make test's closing line.

--mode tap: QEMU on -netdev tap (al4tap0, host 10.0.3.1, guest 10.0.3.2); ping, ARP and
raw frames work. --mode user: QEMU's user network with the services forwarded to free
ports on 127.0.0.1; the ping and malformed-frame tests are skipped, saying why.
"""
import argparse
import ctypes
import os
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "net"))
import garbage  # noqa: E402
import netclient  # noqa: E402

GUEST_IP, HOST_IP, TAP = "10.0.3.2", "10.0.3.1", "al4tap0"
GUEST_MAC = "52:54:00:12:34:56"
# What must come back to its starting value after every load (lwIP's pools and heap,
# the echo service's connection state).
MEMORY = ["pool", "pbuf", "pcb", "listen", "seg", "reass", "frag", "arpq", "heap", "echo_open",
          "sock_open"]
GARBAGE_FRAMES = 100_000
# NET0107's flood: it must be done within this (per GARBAGE_FRAMES asked for, well
# inside the group's 240 s; 100,000 frames take about 2 s), and link_recv must rise at
# least every GARBAGE_STALL seconds.
GARBAGE_SECONDS = 120
GARBAGE_STALL = 5
MiB = 1 << 20


class Skip(Exception):
    pass


class Guest:
    """QEMU running the server; the console is collected by a thread."""

    def __init__(self, args, extra):
        libc = ctypes.CDLL(None, use_errno=True)

        def die_with_parent():
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no QEMU outlives us

        cmd = [args.qemu] + shlex.split(args.qemu_args) + ["-kernel", args.image] + extra
        self.text = ""
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.text += line.decode(errors="replace").replace("\r", "")

    def wait_for(self, pattern, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if re.search(pattern, self.text, re.M):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ctx:
    def __init__(self, args, guest, target):
        self.args, self.guest, self.t = args, guest, target
        self.tap = args.mode == "tap"
        self.seed = args.seed
        self.rng = random.Random(args.seed)
        self.base = None
        self.stopped = 0  # applications NET0116 made fault on purpose

    def stats(self):
        return netclient.stats(self.t)

    def settle(self, timeout=25.0):
        """Waits until the memory figures are back at the baseline (lwIP frees some
        things on timers: LAST_ACK, ARP queue, reassembly after 15 s). Raises with the
        differences if they are not."""
        end = time.monotonic() + timeout
        while True:
            s = self.stats()
            diff = {k: (self.base[k], s[k]) for k in MEMORY if s[k] != self.base[k]}
            if not diff:
                return s
            if time.monotonic() > end:
                raise AssertionError(f"not back to the start after {timeout:.0f} s "
                                     f"(start, now): {diff}")
            time.sleep(0.5)


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def sizes(rng, n):
    """n payload sizes from 1 byte to 1 MiB, log-uniform, always including both ends."""
    out = [1, MiB] + [max(1, int(2 ** rng.uniform(0, 20))) for _ in range(max(0, n - 2))]
    rng.shuffle(out)
    return out[:n] if n >= 2 else [MiB]


def t_ping(c):
    if not c.tap:
        raise Skip("no TAP device (not root, or no network namespaces): ping cannot "
                   "reach a guest on QEMU's user network")
    subprocess.run(["ip", "neigh", "flush", "dev", TAP], check=False)
    p = subprocess.run(["ping", "-c", "100", "-i", "0.01", "-W", "2", "-q", GUEST_IP],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    check(m, f"ping said: {p.stdout} {p.stderr}")
    rtt = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)", p.stdout)
    print(f"# ping: {m.group(1)} sent, {m.group(2)} received, rtt min/avg/max "
          f"{rtt.groups() if rtt else '?'} ms")
    check(m.group(1) == "100" and m.group(2) == "100", "lost pings")
    neigh = subprocess.run(["ip", "neigh", "show", GUEST_IP, "dev", TAP],
                           capture_output=True, text=True).stdout
    check(GUEST_MAC in neigh, f"ARP did not resolve {GUEST_IP} to {GUEST_MAC}: {neigh!r}")
    c.settle()


def t_big_ping(c):
    if not c.tap:
        raise Skip("no TAP device: ping cannot reach a guest on QEMU's user network")
    for size in (8000, 30000, 65000):
        p = subprocess.run(["ping", "-c", "10", "-i", "0.02", "-W", "2", "-q", "-s", str(size),
                            GUEST_IP], capture_output=True, text=True, timeout=60)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
        check(m, f"ping said: {p.stdout} {p.stderr}")
        print(f"# ping -s {size}: {m.group(1)} sent, {m.group(2)} received")
        check(m.group(1) == m.group(2) == "10", f"lost pings of {size} bytes")
    c.settle()


def echo_test(conns):
    def run(c):
        if conns == 1:
            payloads = [[c.rng.randbytes(n)] for n in [1, MiB] + sizes(c.rng, 3)]
        else:
            payloads = [[c.rng.randbytes(n) for n in sizes(c.rng, conns)]]
        total = 0
        start = time.monotonic()
        for batch in payloads:
            got = netclient.echo_many(c.t, batch, timeout=30)
            for i, (want, have) in enumerate(zip(batch, got)):
                check(want == have, f"connection {i}: sent {len(want)} bytes, got "
                      f"{len(have)} back, first difference at "
                      f"{next((j for j, (a, b) in enumerate(zip(want, have)) if a != b), min(len(want), len(have)))}")
            total += sum(map(len, batch))
        dt = time.monotonic() - start
        print(f"# echo over {conns} connection(s): {total} bytes each way in {dt:.2f} s "
              f"({total * 16 / dt / 1e6:.1f} Mbit/s both ways)")
        c.settle()
    return run


APP_TESTS = ("NET0112", "NET0113", "NET0114", "NET0115", "NET0116")


def app_hart(c):
    """Where the applications run: the hart net_app_hart= names, else beside the
    server's hart 0 when the machine has several (netroot's default)."""
    said = re.search(r"\bnet_app_hart=(\d+)", c.args.append)
    if said:
        return int(said.group(1))
    m = re.search(r"-smp\s+(\d+)", c.args.qemu_args)
    return 1 if m and int(m.group(1)) > 1 else 0


def app_up(c):
    """The application servers print their lines once they listen (they start beside
    the network server and need a round of IPC first)."""
    if "net_poll=classic" in c.args.append or "net_timer=0" in c.args.append:
        raise Skip("no application servers without the split poll and the RTC (docs/sockets.md)")
    check(c.guest.wait_for(r"^tcpapp: tcp echo 7007", 20) and
          c.guest.wait_for(r"^tcpapp: tcp echo 7008", 20),
          "the application servers did not come up")
    # Every line that names its hart names the expected one, and at least one does (the
    # NET group's build has the kernel's counters; two applications printing at once on
    # one hart may garble one line, not both).
    hart = app_hart(c)
    named = 0
    for port in (7007, 7008):
        said = re.search(rf"^tcpapp: tcp echo {port} over[^\n]*?on hart (\d+)", c.guest.text, re.M)
        if said:
            named += 1
            check(int(said.group(1)) == hart,
                  f"the application on port {port} runs on hart {said.group(1)}, not {hart}")
    check(named > 0, "neither application said which hart it runs on")


def app_echo_test(port, how):
    def run(c):
        app_up(c)
        s0 = c.stats()
        total = 0
        start = time.monotonic()
        for batch in [[c.rng.randbytes(n)] for n in [1, MiB] + sizes(c.rng, 2)] + \
                [[c.rng.randbytes(n) for n in sizes(c.rng, 64)]]:
            got = netclient.echo_many(c.t, batch, timeout=30, service=port)
            for i, (want, have) in enumerate(zip(batch, got)):
                check(want == have, f"connection {i}: sent {len(want)} bytes, got {len(have)} back")
            total += sum(map(len, batch))
        dt = time.monotonic() - start
        print(f"# through the application server over {how}: {total} bytes each way in "
              f"{dt:.2f} s ({total * 16 / dt / 1e6:.1f} Mbit/s both ways)")
        s1 = c.settle()
        check(s1["sock_accepted"] - s0["sock_accepted"] == 68,
              f"the socket service accepted {s1['sock_accepted'] - s0['sock_accepted']} connections")
        check(s1["sock_in"] - s0["sock_in"] == total and s1["sock_out"] - s0["sock_out"] == total,
              f"the socket service moved {s1['sock_in'] - s0['sock_in']} bytes in and "
              f"{s1['sock_out'] - s0['sock_out']} out, not {total}")
        check(s1["sock_bad"] == s0["sock_bad"], "the application's requests were refused")
        calls = s1["sync_calls"] - s0["sync_calls"]
        check((calls > 0) == (port == netclient.APP_SYNC_ECHO),
              f"{calls} calls came over sync IPC")
        check(s1["sync_busy"] == s0["sync_busy"], "sync calls were refused for want of a slot")
        polled = s1["sync_polled"] - s0["sync_polled"]
        if calls:
            print(f"# {calls} sync calls, {polled} of them taken in busy polling's windows")
        # Only from another hart can a call come while the server is awake; from there,
        # with busy polling on, thousands of calls bring many while a window is open.
        check(polled == 0 or app_hart(c) != 0, f"{polled} calls taken in windows on one hart")
        if app_hart(c) != 0 and s1["busy_us"] and calls >= 1000:
            check(polled > 0, f"none of {calls} calls was taken in busy polling's windows")
    return run


def app_open_close(port, how):
    def run(c):
        app_up(c)
        s0 = c.stats()
        bad = netclient.open_close(c.t, 300, c.rng, service=port)
        check(bad == 0, f"{bad} cycles echoed wrong")
        sent = netclient.reset_midway(c.t, c.rng, service=port)
        s1 = c.settle()
        print(f"# 300 open/echo/close cycles and a reset peer ({sent} bytes unread) through the "
              f"application server over {how}; {s1['sock_reset'] - s0['sock_reset']} reset(s)")
        check(s1["sock_accepted"] - s0["sock_accepted"] == 301,
              f"the socket service accepted {s1['sock_accepted'] - s0['sock_accepted']} connections")
        check(s1["sock_reset"] - s0["sock_reset"] == 1, "the socket did not see the reset")
        # The application closes the reset socket itself (it stays its own until then):
        # no request of its was refused, a CLOSE on a freed socket would be.
        check(s1["sock_bad"] == s0["sock_bad"], "the application's requests were refused")
    return run


STOPPED = re.compile(r"^netroot: the application server \((a?sync) IPC\) faulted .*; stopped it$", re.M)


def t_app_fault(c):
    """Each application in turn gets the fault word (net_app_fault=1, tcpapp.h): it
    faults, the root task stops it and tells the server, which resets its connections
    and closes its port; the other application and the server's own echo go on."""
    app_up(c)
    for port, how in ((netclient.APP_SYNC_ECHO, "sync"), (netclient.APP_ECHO, "async")):
        s0 = c.stats()
        idle = socket.create_connection(c.t.addr(port), timeout=10)
        echo_one(c, port, b"still here\n")
        with socket.create_connection(c.t.addr(port), timeout=10) as s:
            s.sendall(b"al4-fault-injection\n")
            check(c.guest.wait_for(rf"^netroot: the application server \({how} IPC\) faulted .*; stopped it$", 20),
                  f"the root task did not stop the {how} application")
        c.stopped += 1
        # Its connection that was idle is reset by the server, its port is closed.
        idle.settimeout(10)
        try:
            got = idle.recv(16)
        except ConnectionResetError:
            got = b""
        idle.close()
        check(got == b"", f"the idle connection to the stopped {how} application got {got!r}")
        c.base["listen"] -= 1  # its listening PCB is gone for good
        s1 = c.settle()
        check(s1["sock_gone"] - s0["sock_gone"] == 1, f"the server counted {s1['sock_gone'] - s0['sock_gone']} gone")
        check(port_closed(c, port), f"port {port} still accepts after its application stopped")
        print(f"# the {how} application faulted and was stopped; its port refuses, the rest goes on")
    # The server's own echo still answers.
    echo_one(c, netclient.ECHO, b"the server goes on\n")


def port_closed(c, port):
    """Whether the guest refuses connections to `port`. On QEMU's user network the
    host side accepts before the guest sees the SYN: the refusal then comes as the
    connection closed or reset at once."""
    try:
        s = socket.create_connection(c.t.addr(port), timeout=5)
    except (ConnectionRefusedError, ConnectionResetError):
        return True
    with s:
        if c.tap:
            return False
        s.settimeout(5)
        try:
            return s.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


def echo_one(c, port, data):
    got = netclient.echo_many(c.t, [data], timeout=10, service=port)[0]
    check(got == data, f"echo on {port} returned {got!r}")


def t_open_close(c):
    s0 = c.stats()
    start = time.monotonic()
    bad = netclient.open_close(c.t, 1000, c.rng)
    print(f"# 1000 open/echo/close cycles in {time.monotonic() - start:.1f} s")
    check(bad == 0, f"{bad} cycles echoed wrong")
    s1 = c.settle()
    check(s1["echo_accepted"] - s0["echo_accepted"] == 1000,
          f"the server accepted {s1['echo_accepted'] - s0['echo_accepted']} connections")


def t_reset(c):
    s0 = c.stats()
    sent = netclient.reset_midway(c.t, c.rng)
    s1 = c.settle()
    print(f"# sent {sent} bytes unread, then RST; server saw {s1['echo_reset'] - s0['echo_reset']} reset(s)")
    check(s1["echo_reset"] - s0["echo_reset"] == 1, "the server's connection did not see the reset")
    check(sent > 0, "nothing sent")


def t_garbage(c):
    if not c.tap:
        raise Skip("no TAP device (not root, or no network namespaces): frames cannot be "
                   "injected into QEMU's user network")
    mac = bytes.fromhex(GUEST_MAC.replace(":", ""))
    with open(f"/sys/class/net/{TAP}/address") as f:
        host_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    drops_file = f"/sys/class/net/{TAP}/statistics/tx_dropped"

    def drops():
        with open(drops_file) as f:
            return int(f.read())

    # Oversized frames need a larger MTU on our side (the guest's buffers are 2 KiB:
    # QEMU drops them before the driver, which is what a real NIC does too).
    subprocess.run(["ip", "link", "set", TAP, "mtu", "3100"], check=True)
    s0 = c.stats()
    gen = garbage.gen(c.rng, mac, host_mac, socket.inet_aton(HOST_IP), socket.inet_aton(GUEST_IP))
    kinds = {}
    sent = 0
    start = time.monotonic()
    try:
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
            s.bind((TAP, 0))
            want = c.args.garbage
            target, delay = want, 0.0
            # The loop counts on the guest taking frames; should it stop (wedged, or
            # every frame dropped before lwIP), each frame sent is a frame dropped and
            # the loop would spin until the group's timeout with nothing said. So: a
            # deadline for the whole flood, and lwIP's link_recv must rise every few
            # seconds (by more than the stats connection's own frames).
            deadline = start + GARBAGE_SECONDS * max(1, want / GARBAGE_FRAMES)
            probe_at, probe_recv, probe_drops = start + GARBAGE_STALL, s0["link_recv"], drops()
            for _round in range(4):
                d0 = last = drops()
                small = 0
                while small - (last - d0) < target:
                    now = time.monotonic()
                    check(now < deadline,
                          f"flood not done after {GARBAGE_SECONDS} s: {sent} frames sent, "
                          f"{probe_recv - s0['link_recv']} reached lwIP, the TAP dropped "
                          f"{drops() - d0} this round")
                    if now >= probe_at:
                        recv = c.stats()["link_recv"]
                        check(recv - probe_recv > 64,
                              f"the guest stopped taking frames: link_recv rose by "
                              f"{recv - probe_recv} in {GARBAGE_STALL} s while the TAP "
                              f"dropped {drops() - probe_drops} ({sent} sent in all)")
                        probe_at, probe_recv, probe_drops = now + GARBAGE_STALL, recv, drops()
                    for _ in range(64):
                        kind, frame = next(gen)
                        while True:
                            try:
                                s.send(frame)
                                break
                            except BlockingIOError:
                                time.sleep(0.001)
                        sent += 1
                        small += len(frame) <= garbage.MAX_FRAME
                        kinds[kind] = kinds.get(kind, 0) + 1
                    # The TAP's queue drops what the guest has not taken: go slower.
                    d = drops()
                    delay = min(0.02, delay * 1.5 + 0.0005) if d > last else delay * 0.9
                    last = d
                    if delay:
                        time.sleep(delay)
                got = c.stats()["link_recv"] - s0["link_recv"]
                if got >= want:
                    break
                target = want - got + 1000
    finally:
        subprocess.run(["ip", "link", "set", TAP, "mtu", "1500"], check=False)
    dt = time.monotonic() - start
    s1 = c.stats()
    print(f"# {sent} malformed frames sent in {dt:.1f} s, {s1['link_recv'] - s0['link_recv']} "
          f"reached lwIP; by kind: {kinds}")
    print("# lwIP counted: " + ", ".join(f"{k} +{s1[k] - s0[k]}" for k in
          ["link_drop", "ip_drop", "ip_chkerr", "ip_lenerr", "ip_opterr", "ip_proterr",
           "tcp_drop", "tcp_chkerr", "tcp_proterr", "tcp_lenerr", "memp_err", "heap_err"]))
    check(s1["link_recv"] - s0["link_recv"] >= c.args.garbage,
          f"only {s1['link_recv'] - s0['link_recv']} frames reached the server")
    for n in (1, 1000, 65536):
        data = c.rng.randbytes(n)
        check(netclient.echo_many(c.t, [data], timeout=20)[0] == data, f"echo of {n} bytes failed")
    c.settle()


def t_idle(c):
    if "net_poll=classic" in c.args.append:
        raise Skip("the classic loop polls by design (NETSTACK_POLL=classic)")
    # The control connections that read the counters bring a few frames each (SYN, the
    # request, FIN, ACKs): ingress runs for those, and egress for their timers.
    s0 = c.stats()
    time.sleep(3)
    s1 = c.stats()
    d = {k: s1[k] - s0[k] for k in ["ingress", "egress", "egress_timer", "sleeps", "yields",
                                    "alarms", "rounds", "busy_windows", "busy_rounds",
                                    "busy_ticks"]}
    print(f"# idle 3 s (busy polling {s1['busy_us']} us): {d}")
    check(d["yields"] == 0 and d["rounds"] == 0, "the executor polled instead of sleeping")
    check(d["ingress"] <= 20, "ingress ran without traffic")
    check(d["egress_timer"] <= 12 and d["egress"] <= 30, "egress ran more than lwIP's timers ask")
    check(d["sleeps"] >= d["egress_timer"], "egress's deadlines did not come from sleeps")
    # Busy polling opens a window only after a frame (here the control connections')
    # and closes it one budget after the last: a few windows, and the poller's time a
    # sliver of the 3 s, never the hart.
    check(d["busy_windows"] <= 20, "busy polling opened windows without traffic")
    check(d["busy_ticks"] <= 0.01 * 3 * s1["hz"],
          f"busy polling spun for {d['busy_ticks'] / s1['hz'] * 1e3:.1f} ms of 3 s idle")


def t_busy(c):
    if "net_poll=classic" in c.args.append:
        raise Skip("the classic loop has no busy polling (NETSTACK_POLL=classic)")
    budget = c.stats()["busy_us"]
    if budget == 0:
        raise Skip("busy polling is off (net_busy_us=0)")
    # On: echo round trips open windows, each closed again (the poller's time bounded
    # by the windows and the budget, plus the time frames kept coming).
    s0 = c.stats()
    on = netclient.round_trips(c.t, 200)
    s1 = c.stats()
    windows = s1["busy_windows"] - s0["busy_windows"]
    print(f"# busy polling {budget} us: 200 round trips, median {statistics.median(on):.0f} us; "
          f"{windows} windows, {s1['busy_rounds'] - s0['busy_rounds']} rounds, "
          f"{s1['busy_hits'] - s0['busy_hits']} found frames, "
          f"{s1['ingress'] - s0['ingress']} interrupts' ingress runs")
    check(windows > 0, "no busy polling window opened under traffic")
    # Off ("busy 0" on the control port): no window opens, every frame comes through
    # the interrupt.
    check(netclient.command(c.t, "busy 0") == "ok\n", "the server refused busy 0")
    try:
        s2 = c.stats()
        off = netclient.round_trips(c.t, 200)
        s3 = c.stats()
    finally:
        check(netclient.command(c.t, f"busy {budget}") == "ok\n", "the server refused the budget")
    print(f"# busy polling off: median {statistics.median(off):.0f} us, "
          f"{s3['ingress'] - s2['ingress']} ingress runs")
    keys = ["busy_us", "busy_windows", "busy_rounds", "busy_hits", "busy_drains", "busy_ticks"]
    check(s3["busy_windows"] == s2["busy_windows"] and s3["busy_rounds"] == s2["busy_rounds"],
          f"busy polling ran with its budget 0: before {[s2[k] for k in keys]}, "
          f"after {[s3[k] for k in keys]} ({keys})")
    check(s3["ingress"] > s2["ingress"], "no interrupt brought the frames")
    check(netclient.command(c.t, "busy x") == "error unknown command\n", "busy x accepted")


def t_alive(c):
    check(c.guest.proc.poll() is None, "QEMU stopped")
    # NET0116's own faults, each answered "stopped it", are the only ones expected.
    stopped = [l for l in c.guest.text.splitlines() if STOPPED.search(l)]
    check(len(stopped) == c.stopped, f"applications stopped: {stopped}, expected {c.stopped}")
    bad = [l for l in c.guest.text.splitlines() if not STOPPED.search(l) and
           re.search(r"fault|panic|net: stopped|halting|assert|tcpapp: (not|the connection|ACCEPT failed)", l, re.I)]
    check(not bad, f"console: {bad[:3]}")
    c.stats()


TESTS = [
    ("NET0101", "ARP resolves the server and 100 pings come back without loss", t_ping),
    ("NET0110", "ICMP echo of 8,000, 30,000 and 65,000 bytes: reassembled and fragmented, none lost", t_big_ping),
    ("NET0102", "TCP echo over 1 connection, payloads 1 byte to 1 MiB, byte-exact", echo_test(1)),
    ("NET0103", "TCP echo over 8 simultaneous connections, 1 byte to 1 MiB, byte-exact", echo_test(8)),
    ("NET0104", "TCP echo over 64 simultaneous connections, 1 byte to 1 MiB, byte-exact", echo_test(64)),
    ("NET0105", "1,000 open/close cycles leave lwIP's pbufs, PCBs, segments and heap as they were", t_open_close),
    ("NET0106", "a peer that resets mid-transfer (RST, no FIN) is cleaned up", t_reset),
    ("NET0107", "100,000 malformed frames: the server still echoes and leaks nothing", t_garbage),
    ("NET0109", "idle, the server sleeps in the kernel between lwIP's timer deadlines (no polling)", t_idle),
    ("NET0111", "busy polling opens windows under traffic and none with its budget 0", t_busy),
    ("NET0112", "TCP echo through the application server over async IPC (another process): 1 and 64 connections, 1 byte to 1 MiB, byte-exact", app_echo_test(netclient.APP_ECHO, "async IPC")),
    ("NET0113", "300 open/close cycles and a reset peer through the application server over async IPC leave its sockets and lwIP's memory as they were", app_open_close(netclient.APP_ECHO, "async IPC")),
    ("NET0114", "TCP echo through the application server over sync IPC (a thread per connection): 1 and 64 connections, 1 byte to 1 MiB, byte-exact", app_echo_test(netclient.APP_SYNC_ECHO, "sync IPC")),
    ("NET0115", "300 open/close cycles and a reset peer through the application server over sync IPC leave its sockets and lwIP's memory as they were", app_open_close(netclient.APP_SYNC_ECHO, "sync IPC")),
    ("NET0116", "an application that faults is stopped by the root task and its sockets and port dropped by the server; the other application and the server go on", t_app_fault),
    ("NET0108", "the server ran the group without a fault, an assertion or a restart", t_alive),
]


def selected(test_id, filt):
    return not filt or any(test_id.startswith(tok) for tok in filt.split(",") if tok)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--qemu-args", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--mode", choices=["tap", "user"], required=True)
    ap.add_argument("--filter", default="")
    ap.add_argument("--log", default="build/test-logs/net.log")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--append", action="append", default=[],
                    help="more kernel command line (net_timer=0, ...); repeatable")
    ap.add_argument("--apps-only", action="store_true",
                    help="only the application servers' tests (NET0112-0116) and NET0108")
    ap.add_argument("--garbage", type=int, default=GARBAGE_FRAMES,
                    help="malformed frames NET0107 gets to lwIP (a longer soak by hand)")
    args = ap.parse_args()
    args.append = " ".join(args.append)
    # Stopped from outside (tests/net/run's time limit, the harness): still stop QEMU
    # and keep the console log (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tests = [t for t in TESTS if selected(t[0], args.filter) and
             (not args.apps_only or t[0] in APP_TESTS + ("NET0108",))]
    print(f"1..{len(tests)}", flush=True)
    if not tests:
        return 0
    dev = "virtio-net-device,netdev=net0,bus=virtio-mmio-bus.1,mac=" + GUEST_MAC
    if args.mode == "tap":
        netdev = f"tap,id=net0,ifname={TAP},script=no,downscript=no"
        append = f"net_ip={GUEST_IP} net_mask=255.255.255.0 net_gw={HOST_IP} net_app_fault=1"
        target = netclient.Target(GUEST_IP)
    else:
        target = netclient.Target("127.0.0.1")
        target.ports = {p: free_port() for p in (netclient.ECHO, netclient.DISCARD, netclient.CONTROL,
                                                 netclient.APP_ECHO, netclient.APP_SYNC_ECHO)}
        netdev = "user,id=net0,ipv6=off," + ",".join(
            f"hostfwd=tcp:127.0.0.1:{h}-:{g}" for g, h in target.ports.items())
        append = "net_app_fault=1"
    print(f"# mode {args.mode}, seed {args.seed} (--seed to repeat)", flush=True)
    guest = Guest(args, ["-netdev", netdev, "-device", dev, "-append", f"{append} {args.append}"])
    failed = 0
    try:
        up = guest.wait_for(r"^net: up at", 60)
        ctx = Ctx(args, guest, target)
        if up and "net_poll=classic" not in args.append and "net_timer=0" not in args.append:
            # The application's LISTEN comes after the server's line: the baseline counts
            # its listening PCB (NET0112 fails should it not come).
            guest.wait_for(r"^tcpapp: tcp echo 7007", 20) and guest.wait_for(r"^tcpapp: tcp echo 7008", 20)
        if up:
            try:
                ctx.base = ctx.stats()
            except OSError as e:
                up = False
                print(f"# the control port does not answer: {e}")
        for n, (test_id, desc, fn) in enumerate(tests, 1):
            name = f"{test_id} {desc}"
            if not up:
                print(f"not ok {n} - {name} (the server did not come up; log: {args.log})", flush=True)
                failed += 1
                continue
            try:
                fn(ctx)
                print(f"ok {n} - {name}", flush=True)
            except Skip as e:
                print(f"ok {n} - {name} # SKIP {e}", flush=True)
            except Exception as e:  # a failed check, a timeout, a refused connection
                failed += 1
                print(f"not ok {n} - {name}: {type(e).__name__}: {e}", flush=True)
    finally:
        guest.stop()
        os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
        with open(args.log, "w") as f:
            f.write(guest.text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
