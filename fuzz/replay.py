"""Replay saved fuzz inputs without instrumentation: the slow-input log's files and any
crash artifacts, through the same oracle as the harnesses. Prints the slowest and every
finding; exit status 1 when an input breaks the contract or takes over 1 s.

    .venv/bin/python fuzz/replay.py fuzz/.work/campaign/slow fuzz/.work/campaign/artifacts
"""

from __future__ import annotations

import email
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bouncekit import classify_reply  # noqa: E402
from tests.adversarial.oracle import ContractBroken, call_parse, check_bounce  # noqa: E402

SLOW = 1.0


def replay(path: Path) -> tuple[float, str]:
    data = path.read_bytes()
    worst = 0.0
    calls = [lambda: call_parse(data), lambda: call_parse(data.decode("utf-8", "surrogateescape"))]
    if "classify_reply" in path.name:
        calls = [lambda: check_bounce(classify_reply(data.decode("utf-8", "surrogateescape")))]
    else:
        try:
            msg = email.message_from_bytes(data)
            calls.append(lambda: call_parse(msg))
        except Exception:  # noqa: BLE001 - the stdlib's parser itself: no Message to give
            pass
    for call in calls:
        t0 = time.process_time()
        try:
            call()
        except ContractBroken as exc:
            return float("inf"), str(exc)
        worst = max(worst, time.process_time() - t0)
    return worst, ""


def main() -> int:
    paths = sorted(p for arg in sys.argv[1:] for p in Path(arg).iterdir() if p.is_file())
    call_parse(b"From: a@example.com\nSubject: x\n\nx")  # first use builds the registry
    results = [(*replay(p), p) for p in paths]
    results.sort(key=lambda r: r[0], reverse=True)
    bad = [r for r in results if r[0] > SLOW]
    for t, msg, p in results[:5]:
        print(f"{t * 1e3:9.1f} ms  {p.stat().st_size:6d} B  {p.name}  {msg}")
    print(f"replayed {len(results)} inputs; over {SLOW:.0f} s or broken: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
