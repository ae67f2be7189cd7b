"""Linear time for this session's new pieces, each measured alone in a fresh interpreter:
the keyword pre-filter (`Registry.scan`) on 32 KB-256 KB hostile texts of every shape of
`generators.prefilter_texts`, and the generic reader's `_listed_like` on reports listing
12,500-100,000 addresses (every one, and up to `max_recipients`).

The fitted log-log exponent must stay <= 1.2 (as tests/scaling/test_scaling.py), and a
listing cut at `max_recipients` must cost a fraction of reading every address. The generic
reader as a whole is family N1 of tests/scaling/test_scaling.py (G3's budget, default policy).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scaling.test_scaling import MAX_EXPONENT, MEMORY_CAP_MB, NOISE_FLOOR, slope

pytestmark = pytest.mark.timeout(240)

CHILD = Path(__file__).with_name("_unit_child.py")


def measure(case: str) -> dict[str, list[dict[str, float]]]:
    out = subprocess.run(
        [sys.executable, str(CHILD), case, str(MEMORY_CAP_MB)],
        capture_output=True, text=True, timeout=200, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    rows: dict[str, list[dict[str, float]]] = json.loads(out.stdout.strip().splitlines()[-1])
    return rows


def check(label: str, rows: list[dict[str, float]], capsys: pytest.CaptureFixture[str]) -> None:
    assert len(rows) == 4, f"{label}: stopped after {rows} (over 2 s at one size)"
    sizes = [r["n"] for r in rows]
    times = [r["seconds"] for r in rows]
    k = slope(sizes, times)
    with capsys.disabled():
        top = f"top {sizes[-1]:>8} in {times[-1] * 1e3:7.1f} ms"
        print(f"\nSCALING {label[:52]:<52} k={k:5.2f}  {top}", end="")
    if max(times) > NOISE_FLOOR:
        assert k <= MAX_EXPONENT, f"{label}: exponent {k:.2f} (times {times})"


def test_keyword_prefilter_is_linear_on_hostile_texts(capsys: pytest.CaptureFixture[str]) -> None:
    rows = measure("found")
    assert len(rows) >= 10
    for shape, shape_rows in rows.items():
        check("scan: " + shape, shape_rows, capsys)


def test_listed_like_is_linear_and_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    rows = measure("listed_like")
    check("_listed_like: every address", rows["every address"], capsys)
    capped = rows["max_recipients"]
    assert len(capped) == 4
    # it stops at the 100th address: only splitting the text into lines is left of the rest
    every = rows["every address"]
    assert capped[-1]["seconds"] * 5 < every[-1]["seconds"], (capped, every)
