"""Run in a fresh interpreter by test_scaling.py: time one family at its four doublings.

argv: family id, base n, memory cap in MiB. Prints one JSON line: sizes in bytes, the best
CPU time of a few repeats per size, peak RSS growth over the baseline, defects at the top.
CPU time (not wall time) is measured so other work on a shared machine moves it little.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def best_time(call: object, budget: float = 0.3, max_reps: int = 5) -> float:
    best = float("inf")
    spent = 0.0
    for _ in range(max_reps):
        t0 = time.process_time()
        call()  # type: ignore[operator]
        dt = time.process_time() - t0
        best = min(best, dt)
        spent += dt
        if spent > budget:
            break
    return best


def main() -> None:
    fid, base, cap_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))
    from bouncekit import classify_reply, parse_bounce
    from tests.adversarial import generators as g

    family = g.FAMILIES[fid]
    for data in family.seeds():  # warm up: packs loaded, lazy imports done
        parse_bounce(data)
    gc.collect()
    baseline = peak_rss_bytes()
    rows = []
    defects: list[str] = []
    for n in (base, base * 2, base * 4, base * 8):
        data = family.make(n)
        gc.collect()
        t = best_time(lambda data=data: parse_bounce(data))
        report = parse_bounce(data)
        defects = sorted(set(report.defects))
        row = {"n": n, "bytes": len(data), "seconds": t}
        if family.reply:
            text = data.decode("utf-8", "replace")
            row["reply_seconds"] = best_time(lambda text=text: classify_reply(text))
        rows.append(row)
        del data, report
    top = rows[-1]["bytes"]
    print(json.dumps({"rows": rows, "rss_growth": peak_rss_bytes() - baseline,
                      "baseline_rss": baseline, "top_bytes": top, "defects": defects}))  # fmt: skip


if __name__ == "__main__":
    main()
