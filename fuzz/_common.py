"""What the harnesses share: the repo on sys.path, the slow-input log, the verdict on a call.

A finding is (1) any exception other than a documented `BounceKitError`, (2) a result that
breaks G7 or carries an `error:<Type>` defect (an internal bug the exception boundary hid),
(3) a call over `SLOW_SECONDS`. (1) and (2) raise, so libFuzzer saves the input; (3) is
appended to `$BOUNCEKIT_FUZZ_SLOW` (or `fuzz/.work/slow.log`) with the input's SHA-1 and the
input itself is kept there, so a loaded machine's noise can be replayed away later.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORK = Path(os.environ.get("BOUNCEKIT_FUZZ_WORK", ROOT / "fuzz" / ".work"))
SLOW_SECONDS = 1.0


def timed(name: str, data: bytes, call: Callable[[], object]) -> None:
    """Run one harness call; log it when it takes longer than SLOW_SECONDS."""
    t0 = time.perf_counter()
    call()
    elapsed = time.perf_counter() - t0
    if elapsed > SLOW_SECONDS:
        slow = WORK / "slow"
        slow.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(data).hexdigest()
        (slow / f"{name}-{digest}").write_bytes(data)
        with (WORK / "slow.log").open("a") as log:
            log.write(f"{name} {digest} {elapsed:.3f}s {len(data)}B\n")


def import_all_of_bouncekit() -> None:
    """Import every bouncekit module now (inside atheris.instrument_imports), so that the
    modules bouncekit imports lazily on first use are instrumented too."""
    import importlib
    import pkgutil

    import bouncekit

    for module in pkgutil.walk_packages(bouncekit.__path__, "bouncekit."):
        if module.name.rsplit(".", 1)[-1] != "__main__":
            try:
                importlib.import_module(module.name)
            except ImportError:
                continue  # an optional integration whose dependency is absent
