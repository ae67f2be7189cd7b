"""G3: every hostile family costs time linear in its size, within 100 ms/MB + 50 ms.

Each family runs at four doublings in a fresh interpreter under an address-space cap; the
log-log slope of time against size must be <= 1.2, each size must meet the budget, and peak
RSS must stay within 12x the input + 64 MB. A table is printed (pytest -s, or -rA):
family, exponent, worst seconds per MB, peak RSS / input.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bouncekit import Policy, parse_bounce
from tests.adversarial import generators as g

pytestmark = pytest.mark.timeout(240)

CHILD = Path(__file__).with_name("_child.py")
MEMORY_CAP_MB = 3072
MAX_EXPONENT = 1.2
# Below this, timings are at the clock's and the machine's noise floor: the slope means
# nothing, and the cost is bounded anyway.
NOISE_FLOOR = 0.010


def budget(n_bytes: int) -> float:
    """G3: 100 ms per MB plus 50 ms."""
    return 0.100 * n_bytes / 1e6 + 0.050


def slope(xs: list[float], ys: list[float]) -> float:
    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-6)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - mx) ** 2 for a in lx
    )


def run_family(family: g.Family) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(CHILD), family.id, str(family.base), str(MEMORY_CAP_MB)],
        capture_output=True, text=True, timeout=200, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def check_rows(label: str, rows: list[dict[str, float]], key: str) -> tuple[float, float]:
    sizes = [r["bytes"] for r in rows]
    times = [r[key] for r in rows]
    k = slope(sizes, times)
    for size, t in zip(sizes, times, strict=True):
        assert t <= budget(int(size)), f"{label}: {t:.3f}s for {size} bytes > G3 budget"
    if max(times) > NOISE_FLOOR:
        assert k <= MAX_EXPONENT, f"{label}: exponent {k:.2f} (times {times})"
    worst = max(t / (s / 1e6) for s, t in zip(sizes, times, strict=True))
    return k, worst


@pytest.mark.parametrize("family", list(g.FAMILIES.values()), ids=lambda f: f.id)
def test_family_scales_linearly(family: g.Family, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_family(family)
    rows = result["rows"]
    assert isinstance(rows, list)
    k, worst = check_rows(family.id, rows, "seconds")
    top = int(result["top_bytes"])  # type: ignore[call-overload]
    rss = int(result["rss_growth"])  # type: ignore[call-overload]
    assert rss <= 12 * top + (64 << 20), f"{family.id}: peak RSS grew {rss} for {top} bytes"
    if family.expect:
        assert family.expect in result["defects"]  # type: ignore[operator]
    lines = [_row(family.id, family.title, k, worst, rss / top, top, rows, "seconds")]
    if family.reply:
        rk, rworst = check_rows(family.id + "/reply", rows, "reply_seconds")
        lines.append(_row(family.id + "/cr", "classify_reply", rk, rworst, float("nan"), top,
                          rows, "reply_seconds"))  # fmt: skip
    with capsys.disabled():
        print("\n" + "\n".join(lines), end="")


def _row(fid: str, title: str, k: float, worst: float, rss: float, top: int,
         rows: list[dict[str, float]], key: str) -> str:  # fmt: skip
    top_t = rows[-1][key]
    return (f"SCALING {fid:<6} {title[:26]:<26} k={k:5.2f}  worst {worst:7.4f} s/MB  "
            f"RSS/input {rss:5.1f}  top {top / 1e6:6.2f} MB in {top_t * 1e3:7.1f} ms")  # fmt: skip


# --- the "done when" inputs ---------------------------------------------------------

DONE_WHEN = {
    "1 MB folded header": lambda: g.folded_header(1 << 20),
    "10,000 nested multiparts": lambda: g.deep_multipart(10_000),
    "100,000 headers": lambda: g.many_headers(100_000),
    "50 MB attachment": lambda: g.base64_attachment(37_500),  # 50 MB once base64-encoded
}


@pytest.mark.parametrize("name", list(DONE_WHEN))
def test_done_when_inputs_meet_the_budget(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = DONE_WHEN[name]()
    outcomes = []
    policies = [Policy()]
    if len(data) > Policy().max_bytes:
        policies.append(Policy(max_bytes=64 << 20))  # also read it, when a caller allows it
    for policy in policies:
        parse_bounce(g.BASIC_DSN, policy=policy)
        best = float("inf")
        for _ in range(2):
            t0 = time.process_time()
            report = parse_bounce(data, policy=policy)
            best = min(best, time.process_time() - t0)
        assert best <= budget(len(data)), f"{name}: {best:.3f}s > {budget(len(data)):.3f}s"
        outcomes.append(f"{report.kind.value} {list(report.defects)} {best * 1e3:.0f} ms")
        assert report.kind.value != "not_bounce" or report.defects  # a result or the limit
    with capsys.disabled():
        print(f"\nDONE-WHEN {name} ({len(data) / 1e6:.1f} MB): " + " | ".join(outcomes), end="")


# Amplification: many recipients multiply the per-recipient cost of classification.
AMPLIFIERS = {
    "100 recipients, 4 KB keyword-dense diagnostics each": lambda: g.dsn_long_diagnostics(100),
    "100 recipients quoting one 60 KB keyword-dense text": lambda: g.dsn_shared_context(100),
}


@pytest.mark.parametrize("name", list(AMPLIFIERS))
def test_many_recipients_meet_the_budget(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = AMPLIFIERS[name]()
    parse_bounce(data)
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        report = parse_bounce(data)
        best = min(best, time.process_time() - t0)
    assert len(report.bounces) >= 50
    assert best <= budget(len(data)), f"{name}: {best:.3f}s > {budget(len(data)):.3f}s"
    with capsys.disabled():
        print(f"\nAMPLIFIER {name} ({len(data) / 1e3:.0f} KB): {best * 1e3:.0f} ms "
              f"(budget {budget(len(data)) * 1e3:.0f} ms)", end="")  # fmt: skip
