"""bouncekit's speed against Python's own parser and flufl.bounce, in one process run.

    .venv/bin/python benchmarks/bench.py            # the full run (about two minutes)
    .venv/bin/python benchmarks/bench.py --quick    # a few seconds: what CI prints

Contenders are interleaved round by round (a, b, c, then b, c, a...) so that a burst of load
on a shared machine hits them alike; each figure is the median of the rounds, with the
spread (min-max). Times are the CPU time of this process (`time.process_time`), which a
busy neighbour inflates much less than wall time; `--wall` uses wall time instead. Ratios
are taken between figures of the same run. Nothing here asserts a time: the "target"
column says whether this run met the figure issue 5 asks for.
"""

from __future__ import annotations

import argparse
import email
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from email import policy as email_policy
from pathlib import Path

import bouncekit
from bouncekit import Policy, classify_reply, default_registry, parse_bounce

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai" / "eml"
MB = 1024 * 1024
# Large enough for the 50 MB message: the default policy refuses input over 16 MiB unread.
BIG_POLICY = Policy(max_bytes=128 * MB)

clock: Callable[[], float] = time.process_time


# --- contenders ------------------------------------------------------------------------------


def run_bouncekit(messages: Sequence[bytes]) -> None:
    for data in messages:
        parse_bounce(data)


def run_compat32(messages: Sequence[bytes]) -> None:
    for data in messages:
        email.message_from_bytes(data, policy=email_policy.compat32)


def run_flufl(messages: Sequence[bytes]) -> None:
    from flufl.bounce import all_failures

    for data in messages:
        msg = email.message_from_bytes(data, policy=email_policy.compat32)
        try:
            all_failures(msg)
        except Exception:  # noqa: BLE001 - some detectors raise on odd input; count the time
            continue


def timed(fn: Callable[[], object]) -> float:
    start = clock()
    fn()
    return clock() - start


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Seconds per pass of each contender, the order rotated every round."""
    names = list(contenders)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            out[name].append(timed(contenders[name]))
    return out


# --- generated inputs ------------------------------------------------------------------------

_DSN_HEAD = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 02 Nov 2026 10:00:00 +0000
Message-ID: <dsn.1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-b"

--dsn-b
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.com.
I'm sorry to have to inform you that your message could not be delivered.

<user@example.net>: host mx.example.net[192.0.2.10] said: 552 5.2.2 Mailbox full
    (in reply to RCPT TO command)

--dsn-b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; user@example.net
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--dsn-b
Content-Type: message/rfc822

From: sender@example.org
To: user@example.net
Subject: The report you asked for
Message-ID: <orig.1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="orig-b"

--orig-b
Content-Type: text/plain; charset=utf-8

Please find the file attached.

--orig-b
"""


def big_bounce(size: int, kind: str) -> bytes:
    """A Postfix-style DSN returning a message with a `size`-byte attachment (base64/plain)."""
    rng = random.Random(size)
    if kind == "base64":
        import base64

        payload = base64.encodebytes(rng.randbytes(size * 3 // 4)).replace(b"\n", b"\r\n")
        head = (
            "Content-Type: application/octet-stream; name=data.bin\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=data.bin\r\n\r\n"
        )
    else:
        words = [b"lorem", b"ipsum", b"delivery", b"status", b"mailbox", b"report", b"example"]
        line = b" ".join(rng.choice(words) for _ in range(11)) + b"\r\n"
        payload = line * (size // len(line))
        head = (
            "Content-Type: text/plain; charset=utf-8; name=log.txt\r\n"
            "Content-Disposition: attachment; filename=log.txt\r\n\r\n"
        )
    top = (_DSN_HEAD.replace("\n", "\r\n") + head).encode()
    return top + payload + b"\r\n--orig-b--\r\n\r\n--dsn-b--\r\n"


def corpus_messages(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]


def signature_examples() -> list[tuple[str, int | None, str | None, str | None]]:
    return [
        (ex.text, ex.code, ex.recipient, ex.remote_mta)
        for rule in default_registry().rules()
        for ex in rule.examples
    ]


def write_copies(messages: Sequence[bytes], folder: Path, copies: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for c in range(copies):
        for i, data in enumerate(messages):
            p = folder / f"{c:03d}-{i:04d}.eml"
            p.write_bytes(data)
            paths.append(p)
    return paths


def write_mbox(messages: Sequence[bytes], path: Path, copies: int) -> None:
    sep = b"From MAILER-DAEMON Mon Nov  2 10:00:00 2026\n"
    with path.open("wb") as fh:
        for _ in range(copies):
            for data in messages:
                body = data.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
                fh.write(sep + body.rstrip(b"\n") + b"\n\n")


def cli_peak_rss(mbox: Path) -> tuple[float, float]:
    """(peak RSS in MiB, wall seconds) of `bouncekit parse --jsonl` streaming `mbox`."""
    cmd = [sys.executable, "-m", "bouncekit", "parse", "--jsonl", "--format", "mbox", str(mbox)]
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=null)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped by wait4
    return usage.ru_maxrss / 1024, time.perf_counter() - start


# --- report ----------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, figure: str, spread: str = "", target: str = "") -> None:
        self.rows.append((what, figure, spread, target))

    def print(self) -> None:
        heads = ("measure", "figure", "spread (min-max)", "target")
        widths = [max(len(r[i]) for r in [heads, *self.rows]) for i in range(4)]
        for row in [heads, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def rate(n: int, seconds: list[float]) -> tuple[float, str]:
    rates = [n / s for s in seconds if s > 0]
    return statistics.median(rates), f"{min(rates):,.0f}-{max(rates):,.0f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    global clock
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few seconds, smaller inputs (CI)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="folder of .eml bounces")
    ap.add_argument("--rounds", type=int, help="rounds per comparison (default 7, quick 1)")
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    args = ap.parse_args(argv)
    if args.wall:
        clock = time.perf_counter
    quick = args.quick
    rounds = args.rounds or (1 if quick else 7)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: nothing to measure", file=sys.stderr)
        return 0
    scales = (1, 2, 4) if quick else (1, 10, 50)
    sizes = (1 * MB, 2 * MB) if quick else (5 * MB, 50 * MB)

    messages = corpus_messages(args.corpus)
    replies = signature_examples()
    print(
        f"bouncekit {bouncekit.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.1f}; "
        f"{len(messages)} corpus messages, {len(replies)} signature examples; "
        f"{rounds} round(s), {'wall' if args.wall else 'CPU'} time",
        flush=True,
    )
    # One untimed pass of each contender first: every figure is a warm one (the registry
    # built, the extractors, flufl.bounce and the email package imported, the keywords'
    # first sight worked out), so that a single quick round compares like with like.
    run_bouncekit(messages)
    run_compat32(messages)
    run_flufl(messages[:50])
    for text, code, recipient, host in replies:
        classify_reply(text, code=code, recipient=recipient, remote_host=host)
    table = Table()

    # 1. The corpus, three contenders interleaved.
    times = interleaved(
        {
            "a": lambda: run_bouncekit(messages),
            "b": lambda: run_compat32(messages),
            "c": lambda: run_flufl(messages),
        },
        rounds,
    )
    (a, a_spread), (b, b_spread), (c, c_spread) = (rate(len(messages), times[k]) for k in "abc")
    table.add("(a) bouncekit.parse_bounce, msg/s", f"{a:,.0f}", a_spread)
    table.add("(b) message_from_bytes compat32, msg/s", f"{b:,.0f}", b_spread)
    table.add("(c) flufl.bounce scan, msg/s", f"{c:,.0f}", c_spread)
    table.add("(a)/(b)", f"{a / b:.2f}", "", f">= 1.0 {verdict(a / b >= 1.0)}")
    table.add("(a)/(c)", f"{a / c:.2f}", "", f">= 1.5 {verdict(a / c >= 1.5)}")

    # 2. Bare replies.
    def run_replies() -> None:
        for text, code, recipient, host in replies:
            classify_reply(text, code=code, recipient=recipient, remote_host=host)

    r, r_spread = rate(len(replies), [timed(run_replies) for _ in range(max(rounds, 3))])
    table.add("classify_reply, replies/s", f"{r:,.0f}", r_spread, f">= 100,000 {verdict(r >= 1e5)}")

    with tempfile.TemporaryDirectory(prefix="bouncekit-bench-") as tmp:
        # 3. Scaling: copies of the corpus on disk, read and parsed one file at a time.
        # quick: a fifth of the corpus, so that the copies and the CLI runs take seconds
        unit = messages[::5] if quick else messages
        folders = {n: write_copies(unit, Path(tmp) / f"x{n}", n) for n in scales}

        def run_folder(paths: list[Path]) -> None:
            for p in paths:
                parse_bounce(p.read_bytes())

        scale_rounds = max(1, rounds // 3)
        runs = {n: (lambda p=paths: run_folder(p)) for n, paths in folders.items()}
        scaled = interleaved(runs, scale_rounds)
        secs = {n: statistics.median(t) for n, t in scaled.items()}
        for n in scales:
            table.add(f"{n}x corpus ({len(folders[n])} files), s", f"{secs[n]:.2f}")
        lo, hi = scales[1], scales[2]
        lin = secs[hi] / secs[lo]
        want = hi / lo
        table.add(
            f"{hi}x/{lo}x time",
            f"{lin:.2f}",
            "",
            f"{want * 0.9:.1f}-{want * 1.1:.1f} {verdict(want * 0.9 <= lin <= want * 1.1)}",
        )
        for folder in folders.values():
            for p in folder:
                p.unlink()

        # 4. Peak memory of the CLI streaming an mbox.
        rss = {}
        for n in (lo, hi):
            mbox = Path(tmp) / f"x{n}.mbox"
            write_mbox(unit, mbox, n)
            rss[n], wall = cli_peak_rss(mbox)
            table.add(f"CLI --jsonl on {n}x mbox: peak RSS, MiB", f"{rss[n]:.1f}", f"{wall:.1f} s")
            mbox.unlink()
        growth = rss[hi] / rss[lo]
        table.add(f"peak RSS {hi}x/{lo}x", f"{growth:.2f}", "", f"<= 1.2 {verdict(growth <= 1.2)}")

    # 5. Large messages: one attachment, base64 or plain text.
    big_rounds = 1 if quick else 3
    first: dict[str, float] = {}
    for kind in ("base64", "plain"):
        for size in sizes:
            data = big_bounce(size, kind)
            report = parse_bounce(data, policy=BIG_POLICY)
            assert report.bounces, "the generated bounce must be read as one"
            t = interleaved(
                {
                    "bk": lambda d=data: parse_bounce(d, policy=BIG_POLICY),
                    "py": lambda d=data: email.message_from_bytes(d, policy=email_policy.compat32),
                },
                big_rounds,
            )
            bk, py = statistics.median(t["bk"]), statistics.median(t["py"])
            label = f"{len(data) / MB:.0f} MB {kind} bounce"
            target = ""
            if size == sizes[0]:
                first[kind] = bk
                if kind == "base64":
                    target = f"< 0.25 {verdict(bk / py < 0.25)}"
            elif kind == "base64":
                grow, times = bk / first[kind], size // sizes[0]  # linear: under `times`
                target = f"{grow:.1f}x the small one, < {times} {verdict(grow < times)}"
            table.add(f"{label}: bouncekit/compat32", f"{bk / py:.3f}",
                      f"{bk * 1000:.1f} ms vs {py * 1000:.1f} ms", target)  # fmt: skip

    table.print()
    print(
        f"SUMMARY parse_bounce {a:,.0f} msg/s = {a / b:.2f}x compat32, {a / c:.2f}x flufl.bounce; "
        f"classify_reply {r:,.0f}/s; {hi}x/{lo}x time {lin:.2f}; peak RSS {hi}x/{lo}x "
        f"{growth:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
