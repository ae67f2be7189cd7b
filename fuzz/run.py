"""Run every atheris harness for a while: the CI smoke (default 20 s each) or a long campaign.

    .venv/bin/python fuzz/run.py                 # smoke: 20 s per harness
    .venv/bin/python fuzz/run.py --seconds 3600  # a campaign
    .venv/bin/python fuzz/run.py --runs 500000 --harness classify_reply

Builds the seed corpora (fuzz/seeds.py) first. Prints executions per harness, findings
(saved as fuzz/.work/artifacts/crash-*) and inputs over 1 s (fuzz/.work/slow.log).
Exit status 1 when a harness found a crash. A crash stops that harness; with
`--keep-going` the harness restarts after saving it, so a campaign counts all of them.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fuzz import seeds  # noqa: E402

HARNESSES = {
    "parse_bounce": ROOT / "fuzz" / "fuzz_parse_bounce.py",
    "classify_reply": ROOT / "fuzz" / "fuzz_classify_reply.py",
}
_EXECS = re.compile(rb"^#(\d+)\s", re.M)
_FINAL = re.compile(rb"stat::number_of_executed_units:\s*(\d+)")


def _execs(log: bytes) -> int:
    final = _FINAL.findall(log)
    if final:
        return int(final[-1])
    found = _EXECS.findall(log)
    return int(found[-1]) if found else 0


def run_one(
    name: str, corpus: Path, work: Path, seconds: int, runs: int | None, max_len: int = 65536
) -> tuple[int, int]:
    """(executions, crashes) of one harness run (restarted after crashes until time is up)."""
    artifacts = work / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + seconds
    total = crashes = 0
    attempt = 0
    while True:
        left = int(deadline - time.monotonic())
        if left <= 0 or (runs is not None and total >= runs):
            break
        args = [
            sys.executable,
            str(HARNESSES[name]),
            str(corpus),
            f"-max_total_time={left}",
            f"-max_len={max_len}",
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-print_final_stats=1",
            f"-artifact_prefix={artifacts}/{name}-",
        ]
        if runs is not None:
            args.append(f"-runs={runs - total}")
        env = dict(os.environ, BOUNCEKIT_FUZZ_WORK=str(work), PYTHONHASHSEED="0")
        log_path = logs / f"{name}-{attempt}.log"
        with log_path.open("wb") as sink:  # written as it runs: progress can be watched
            proc = subprocess.run(args, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                  cwd=ROOT, check=False)  # fmt: skip
        log = log_path.read_bytes()
        total += _execs(log)
        attempt += 1
        if proc.returncode == 0:
            break
        crashes += 1
        tail = log.decode("utf-8", "replace").splitlines()[-30:]
        print(f"[{name}] finding (exit {proc.returncode}):\n  " + "\n  ".join(tail), flush=True)
        if not KEEP_GOING:
            break
    return total, crashes


KEEP_GOING = False


def main() -> int:
    global KEEP_GOING
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--harness", choices=sorted(HARNESSES), action="append")
    parser.add_argument("--work", type=Path, default=ROOT / "fuzz" / ".work")
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--max-len", type=int, default=65536, help="largest input, bytes")
    opts = parser.parse_args()
    KEEP_GOING = opts.keep_going
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed (pip install -e '.[fuzz]'): skipping")
        return 0
    dirs = seeds.build(opts.work)
    failed = False
    for name in opts.harness or sorted(HARNESSES):
        execs, crashes = run_one(name, dirs[name], opts.work, opts.seconds, opts.runs, opts.max_len)
        print(f"{name}: {execs} executions, {crashes} findings", flush=True)
        failed = failed or crashes > 0
    slow = opts.work / "slow.log"
    lines = slow.read_text().splitlines() if slow.exists() else []
    print(f"inputs over 1 s: {len(lines)}" + ("".join(f"\n  {x}" for x in lines[-10:])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
