"""The example plugin (examples/bouncekit-example-plugin), installed in a fresh virtual
environment next to bouncekit, changes classifications through the `bouncekit.signatures`
entry point; `bouncekit check` passes its packs and fails a pack whose example its own rule
does not decide.

The install needs a package index (or the local wheel cache) for the build backend and the
dependencies: set BOUNCEKIT_OFFLINE=1 to skip it, and it skips by itself when pip reports
that it cannot reach one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bouncekit._check import check_paths

from .conftest import ROOT

pytestmark = pytest.mark.timeout(900)  # a venv and two builds, on a busy machine

PLUGIN = ROOT / "examples" / "bouncekit-example-plugin"
PACKS = PLUGIN / "src" / "bouncekit_example_plugin"
SEED_SC004 = (
    "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed "
    "against your IP address because we have received complaints concerning mail coming from "
    "that IP address."
)
ACME = "452 4.2.2 ACME-GW-402 message held: mailbox quota reached"
OFFLINE_SIGNS = (
    "Could not find a version",
    "No matching distribution",
    "Failed to establish a new connection",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Max retries exceeded",
    "ProxyError",
)
PROBE = textwrap.dedent(
    f"""
    import json
    from bouncekit import classify_reply
    out = {{}}
    for name, text in (("seed", {SEED_SC004!r}), ("acme", {ACME!r})):
        b = classify_reply(text)
        out[name] = {{
            "provider": b.provider.id if b.provider else None,
            "reason": str(b.reason),
            "rule": b.match.rule_id,
            "advice": b.advice.key,
        }}
    print(json.dumps(out))
    """
)


def test_the_example_packs_pass_check_here() -> None:
    """The fast half: the plugin's packs load on top of the built-in ones and pass."""
    report = check_paths([PACKS], plugins=False)
    assert report.error is None, report.error
    assert report.ok, [(r.rule, r.decided_by) for r in report.failed]
    assert {r.rule for r in report.results} >= {"acme/quota-hold", "microsoft/ip-complaints"}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BOUNCEKIT_OFFLINE"):
        pytest.skip("BOUNCEKIT_OFFLINE is set")
    home = tmp_path_factory.mktemp("plugin-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
    pip = subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT), str(PLUGIN)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    if pip.returncode != 0:
        if any(sign in pip.stderr for sign in OFFLINE_SIGNS):
            pytest.skip("no package index reachable for the fresh environment")
        pytest.fail(f"pip install failed:\n{pip.stderr[-3000:]}")
    return home


def run(home: Path, *args: str, plugins: bool = True, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["BOUNCEKIT_PLUGINS"] = "1" if plugins else "0"
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=cwd or home, timeout=300, check=True
    )
    return done.stdout


def test_installed_plugin_changes_classifications(venv: Path) -> None:
    python = str(venv / "bin" / "python")
    where = run(venv, python, "-c", "import bouncekit; print(bouncekit.__file__)")
    assert where.startswith(str(venv))  # the fresh environment's copy, not the work tree
    without = json.loads(run(venv, python, "-c", PROBE, plugins=False))
    with_plugin = json.loads(run(venv, python, "-c", PROBE))
    # The override replaced the built-in microsoft/ip-complaints rule.
    assert without["seed"]["reason"] == "ip_blocked"
    assert with_plugin["seed"] == {
        "provider": "microsoft",
        "reason": "bad_reputation",
        "rule": "microsoft/ip-complaints",
        "advice": "acme-complaints-desk",
    }
    # The new pack names a provider the built-in packs do not know.
    assert without["acme"]["provider"] is None
    assert with_plugin["acme"]["provider"] == "acme"
    assert with_plugin["acme"]["rule"] == "acme/quota-hold"


def test_installed_plugin_is_listed_and_checked(venv: Path) -> None:
    cli = str(venv / "bin" / "bouncekit")
    listing = run(venv, cli, "signatures", "list")
    assert any(line.startswith("acme ") and "plugin acme" in line for line in listing.splitlines())
    shown = run(venv, cli, "signatures", "show", "acme")
    assert "acme/quota-hold" in shown and "example: 452 4.2.2 ACME-GW-402" in shown
    # The plugin's own CI: its source tree passes while the same plugin is installed.
    assert "0 failed" in run(venv, cli, "check", str(PACKS))


def test_check_fails_on_a_pack_whose_example_its_rule_does_not_decide(
    venv: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'id = "bad"\n[[rules]]\nid = "never"\nreason = "policy"\nkeywords = ["zzz-never"]\n'
        'examples = ["550 5.1.1 <x@example.com>: Recipient address rejected: User unknown"]\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(venv / "bin" / "bouncekit"), "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "FAIL bad/never: decided by " in done.stdout and "1 failed" in done.stdout
