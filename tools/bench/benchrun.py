"""What the benchmark scripts share: running one benchmark image under QEMU until it
says it is done, and drawing a bar chart next to the CSV (Debian's matplotlib)."""
import os
import shlex
import subprocess
import sys
import threading


def run(name, qemu, qemu_args, smp, image, timeout=None, partial=False, tag="BENCH"):
    """The BENCH rows (fields after "BENCH,") of one run, or None when a multi-hart run
    does not finish (with partial=True: the rows it printed before the timeout). A
    benchmark build has no DebugHalt: the run ends when the guest prints "NAME: done".
    A tuple of tags instead of "BENCH": {tag: its rows} for each."""
    cmd = [qemu] + shlex.split(qemu_args) + ["-smp", str(smp), "-kernel", image]
    # Under -icount QEMU runs harts in turn: a guest that spins waiting for another
    # hart can stall for good, so the multi-hart run gets a shorter leash.
    timeout = timeout or (300 if smp == 1 else 120)
    done = f"{name}: done"
    text = ""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL) as p:
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        for line in p.stdout:
            text += line.decode(errors="replace").replace("\r", "")
            if done in text:
                break
        timed_out = not timer.is_alive()
        timer.cancel()
        p.kill()
    if timed_out and done not in text:
        print(f"{name}: the {smp}-hart run did not finish in {timeout} s under -icount: "
              f"{'only the rows printed before are kept' if partial else 'its rows are not measured'}")
        if not partial:
            return None
    elif done not in text:
        sys.exit(f"{name}: the {smp}-hart run stopped early:\n{text[-2000:]}")
    rows = {t: [l.split(",")[1:] for l in text.splitlines() if l.startswith(t + ",")]
            for t in (tag if isinstance(tag, tuple) else (tag,))}
    return rows if isinstance(tag, tuple) else rows[tag]


def bar_chart(png, title, labels, series, ylabel):
    """series: {name: [value per label]}. Written next to the CSV."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(labels))]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, fmt="%g", fontsize=8)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(png), exist_ok=True)
    fig.savefig(png, dpi=120)
    print(f"written {png}")
