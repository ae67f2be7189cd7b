"""Run in a fresh interpreter by test_prefilter_scaling.py: time one of this session's new
pieces at four doublings of its input, with no other work of bouncekit around it.

argv: case ("found" or "listed_like"), memory cap in MiB. Prints one JSON line:
{label: [{"n", "seconds"}, ...]}, best CPU time of a few repeats per size. A size that takes
over STOP seconds ends its label's rows (a broken, super-linear version would otherwise run
for minutes): the test reads the missing rows as a failure.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tests.scaling._child import best_time  # noqa: E402

STOP = 2.0
FOUND_SIZES = (32_768, 65_536, 131_072, 262_144)  # characters
LISTED_SIZES = (12_500, 25_000, 50_000, 100_000)  # addresses


def found_rows() -> dict[str, list[dict[str, float]]]:
    from bouncekit import default_registry
    from tests.adversarial import generators as g

    registry = default_registry()
    # Warm at the top size (other random draws): the index compiled, and what it learns
    # per keyword (bounded by the registry: test_prefilter.py) learnt, not spread over the
    # sizes (a keyword followed by thousands of distinct characters learns for a while).
    for text in g.prefilter_texts(FOUND_SIZES[-1], seed=1).values():
        registry.scan(text)
    rows: dict[str, list[dict[str, float]]] = {}
    stopped: set[str] = set()
    for size in FOUND_SIZES:
        for shape, text in g.prefilter_texts(size).items():
            if shape in stopped:
                continue
            gc.collect()  # as tests/scaling/_child.py: no earlier size's garbage in the time
            t = best_time(lambda text=text: registry.scan(text), budget=1.0, max_reps=5)
            rows.setdefault(shape, []).append({"n": len(text), "seconds": t})
            if t > STOP:
                stopped.add(shape)
    return rows


def listing(n: int) -> tuple[str, str]:
    """A report's text listing n addresses on lines alike but for the address."""
    line = "Unable to deliver message to <user{}@example.com> (and other recipients).\n"
    text = "Delivery has failed to these recipients or groups:\n\n"
    return text + "".join(map(line.format, range(n))), "user0@example.com"


def listed_like_rows() -> dict[str, list[dict[str, float]]]:
    from bouncekit._extract.ndr import _listed_like

    rows: dict[str, list[dict[str, float]]] = {}
    for label, limit in (("every address", 10**9), ("max_recipients", 100)):
        for n in LISTED_SIZES:
            text, first = listing(n)
            out = _listed_like(text, first, set(), limit)
            assert len(out) == min(n, limit), (label, n, len(out))
            gc.collect()
            t = best_time(lambda t=text, f=first, k=limit: _listed_like(t, f, set(), k), budget=0.5)
            rows.setdefault(label, []).append({"n": n, "seconds": t})
            if t > STOP:
                break
    return rows


def main() -> None:
    case, cap_mb = sys.argv[1], int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))
    rows = {"found": found_rows, "listed_like": listed_like_rows}[case]()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
