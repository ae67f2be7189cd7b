"""tools/check_reference.py on a tiny synthetic table (exact figures), and on the real
reference when ../shared is present (it runs and prints figures; no threshold here)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT

SCRIPT = ROOT / "tools" / "check_reference.py"
REAL = ROOT.parent / "shared" / "reference" / "providers.md"

SEED = (
    "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed "
    "against your IP address because we have received complaints concerning mail coming from "
    "that IP address."
)
HEAD = "| code/pattern | literal example text | meaning | block type | hard/soft | remediation (+URL) | source |\n|---|---|---|---|---|---|---|\n"  # noqa: E501
TABLE = f"""# Synthetic reference

## 1. Microsoft consumer mail

Some prose with a | pipe that is not a table row.

{HEAD}| `SC-004` | `{SEED}` | complaints | complaints | hard | fix | ✔ official |
| `5.1.1` | `550 5.1.1 <x@example.com>: Recipient address rejected: User unknown` | gone | unknown-recipient | hard | suppress | ● sample |
| `SC-004` soft | `{SEED}` | as above | complaints | soft | wait | ● sample |
| `SC-004` mixed | `{SEED}` (older: `550 other text`) | as above | complaints, ip-reputation | soft / hard | - | ✔ doc |
| `SC-004` 2nd | `{SEED}` | as above | complaints | hard | - | ◐ secondary, not counted |
| `OU-009` | (? literal) | no text | policy | hard | - | ✔ doc |

## 26. DNS blocklists

{HEAD}| zen | `554 5.7.1 blocked using zen.spamhaus.org` | listed | named-blocklist | hard | - | ✔ not a provider section |
"""  # noqa: E501


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_reference"] = module
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    path = tmp_path / "providers.md"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_synthetic_table_figures(table: Path) -> None:
    done = run(str(table))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    microsoft = next(line for line in lines if line.startswith("microsoft "))
    # 4 trusted rows with text; the ◐ row and the §26 row are not counted.
    assert microsoft.split()[1] == "4"
    assert "provider  75.0% (3/4)" in microsoft  # the user-unknown text names no provider
    assert "hard/soft  66.7% (2/3)" in microsoft  # the "soft / hard" row says neither
    assert "block type 100.0% (4/4)" in microsoft  # first type: complaints; none for 5.1.1
    assert any(line.startswith("OVERALL") for line in lines)
    assert "1 trusted row(s) without a literal text" in done.stdout
    assert "2 row(s) with a miss:" in done.stdout
    assert "provider None != microsoft" in done.stdout
    assert "permanent True but row says soft" in done.stdout


def test_json_output_lists_the_misses(table: Path) -> None:
    done = run(str(table), "--json")
    data = json.loads(done.stdout)
    assert data["total"]["rows"] == 4 and data["total"]["provider"] == 3
    got = {(m["code"], m["got"]["provider"]) for m in data["misses"]}
    assert ("`5.1.1`", None) in got


def test_provider_filter_and_missing_file(table: Path, tmp_path: Path) -> None:
    done = run(str(table), "--provider", "yahoo")
    assert "microsoft " not in done.stdout and "OVERALL           0" in done.stdout
    assert run(str(tmp_path / "nope.md")).returncode == 2


@pytest.mark.parametrize(
    ("cell", "hard"),
    [
        ("hard", True),
        ("soft", False),
        ("hard (temporary block)", True),
        ("soft in effect (5xx code!)", False),
        ("hard in effect (4xx code)", True),
        ("soft (permanent until fixed)", False),
        ("soft / hard", None),
        ("soft→hard", None),
        ("hard code, often transient", None),
        ("mixed", None),
        ("—", None),
    ],
)
def test_hard_soft_cells(cell: str, hard: bool | None) -> None:
    assert load_script().parse_hard(cell) is hard


@pytest.mark.parametrize(
    ("cell", "ours"),
    [
        ("rate-limit, ip-reputation", "rate_limit"),
        ("rdns / named-blocklist (PBL)", "rdns"),
        ("auth (SPF/Sender ID)", "auth"),
        ("policy (address harvesting)", "policy"),
        ("ip-reputation?", "ip_reputation"),
        ("named-blocklist (Spamhaus)", "named_blocklist"),
        ("relay-denied", "policy"),
        ("greylisting, rate-limit", None),
        ("unknown-recipient", None),
        ("mailbox-full", None),
    ],
)
def test_block_type_cells(cell: str, ours: str | None) -> None:
    script = load_script()
    raw = script.parse_block(cell)
    assert raw in script.BLOCK_TYPE and script.BLOCK_TYPE[raw] == ours


def test_literal_takes_the_first_backtick_span() -> None:
    script = load_script()
    assert script.literal("`550 a …` (older: `550 b`)") == "550 a …"
    assert script.literal("(? literal)") is None


@pytest.mark.skipif(not REAL.is_file(), reason="../shared/reference not available")
def test_real_reference_runs_and_prints_figures() -> None:
    done = run(str(REAL), "--misses", "5")
    assert done.returncode == 0, done.stderr
    overall = next(line for line in done.stdout.splitlines() if line.startswith("OVERALL"))
    assert "provider" in overall and "hard/soft" in overall and "block type" in overall
    print(overall)
