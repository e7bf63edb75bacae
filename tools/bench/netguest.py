"""What the network benchmarks (tools/bench/net, tools/bench/tcp) share: the guest's
address on the private namespace's TAP device, the network server's control port, its
"mark" (the counters of the benchmark build, servers/netroot/bench.c) and what two
marks say, and the guest's console read in the background."""
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import netclient  # noqa: E402

GUEST, HOST = "10.0.3.2", "10.0.3.1"
TARGET = netclient.Target(GUEST)


def control(cmd, timeout=30):
    """One line to the control port; its answer line (netclient.command)."""
    return netclient.command(TARGET, cmd, timeout)


def mark():
    words = control("mark").split()
    if not words or words[0] != "mark":
        sys.exit(f"no mark from the network server: {words}")
    return {k: int(v) for k, v in (w.split("=", 1) for w in words[1:])}


def instructions(m0, m1):
    """The server's and the kernel's instructions between two marks."""
    return (m1["cycles"] - m0["cycles"]) - (m1["loops"] - m0["loops"]) * m1["milli_per_loop"] / 1000


def entries(m0, m1):
    """The server's and the kernel's own entries between two marks: the spinner's
    seL4_Poll, one every look_every loops, taken out."""
    polls = m1["loops"] // m1["look_every"] - m0["loops"] // m0["look_every"]
    return m1["entries"] - m0["entries"] - polls


class Console:
    def __init__(self, proc):
        self.proc, self.text = proc, ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.text += line.decode(errors="replace").replace("\r", "")

    def wait(self, pattern, count, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            if len(re.findall(pattern, self.text, re.M)) >= count:
                return True
            time.sleep(0.2)
        return False
