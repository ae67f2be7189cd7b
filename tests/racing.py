"""Threads racing on shared state: the one way the tests start them."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def race(work: Callable[[int], T], threads: int, switch_interval: float) -> dict[int, T]:
    """`work(n)` for each thread n, all released at once by a barrier, with a thread switch
    forced every `switch_interval` seconds so that first uses interleave; each thread's
    result by n (a thread that raised has none, so the caller sees it missing)."""
    start = threading.Barrier(threads)
    results: dict[int, T] = {}

    def run(n: int) -> None:
        start.wait()
        results[n] = work(n)

    old = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval)
    try:
        pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        sys.setswitchinterval(old)
    return results
