"""The registry: built-in packs, plugins and paths, namespaced ids, explicit extends/overrides,
lazy loading, the off switch, and patterns that cannot load because they backtrack."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import regex

from bouncekit import SignatureError, build_registry, classify_reply, parse_bounce
from bouncekit import _registry as registry_module
from bouncekit._check import check_paths
from bouncekit._pattern_safety import UnsafePattern, check_pattern, nested_quantifier
from bouncekit._schema import load_pack_text

SEED_TEXT = (
    "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed "
    "against your IP address because we have received complaints concerning mail coming from "
    "that IP address."
)

NEW_PACK = """
id = "acme"
name = "Acme gateway"
kind = "filter"
fingerprints = ["acme-gw"]

[[rules]]
id = "held"
reason = "mailbox_full"
keywords = ["acme-gw-4"]
examples = ["452 4.2.2 ACME-GW-402 message held"]
"""

OVERRIDE = """
id = "acme-microsoft"
extends = "microsoft"
overrides = ["ip-complaints"]

[[rules]]
id = "ip-complaints"
reason = "bad_reputation"
block_type = "complaints"
keywords = ["sc-004"]
examples = ["550 SC-004 Mail rejected by Outlook.com for policy reasons."]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class FakeEntryPoint:
    """Stands for an installed plugin's entry point (name + load())."""

    def __init__(self, name: str, obj: Any) -> None:
        self.name = name
        self._obj = obj

    def load(self) -> Any:
        if isinstance(self._obj, Exception):
            raise self._obj
        return self._obj


def fake_plugins(monkeypatch: pytest.MonkeyPatch, *eps: FakeEntryPoint) -> list[str]:
    calls: list[str] = []

    def entry_points(group: str) -> tuple[FakeEntryPoint, ...]:
        calls.append(group)
        return eps

    monkeypatch.setattr(registry_module.metadata, "entry_points", entry_points)
    return calls


# --- building ------------------------------------------------------------------------------


def test_builtin_registry_has_namespaced_rules() -> None:
    reg = build_registry(plugins=False)
    ids = [r.qualified_id for r in reg.rules()]
    assert len(ids) == len(set(ids))
    assert all(i.count("/") == 1 for i in ids)
    rule = reg.rule("microsoft/ip-complaints")
    assert rule is not None and rule.pack == "microsoft"
    assert reg.rule("microsoft/no-such-rule") is None and reg.rule("nopack/x") is None
    assert reg.generic.pack.kind == "generic"


def test_plugins_false_never_asks_for_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_plugins(monkeypatch)
    build_registry(plugins=False)
    assert calls == []
    build_registry()
    assert calls == ["bouncekit.signatures"]


def test_env_switch_turns_plugins_off_for_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("0", "false", "off", "NO"):
        monkeypatch.setenv("BOUNCEKIT_PLUGINS", value)
        assert registry_module.plugins_enabled() is False
    monkeypatch.setenv("BOUNCEKIT_PLUGINS", "1")
    assert registry_module.plugins_enabled() is True
    monkeypatch.delenv("BOUNCEKIT_PLUGINS")
    assert registry_module.plugins_enabled() is True


def test_a_path_adds_a_pack_and_changes_a_classification(tmp_path: Path) -> None:
    text = "452 4.2.2 ACME-GW-402 message held"
    before = classify_reply(text, registry=build_registry(plugins=False))
    assert before.provider is None
    reg = build_registry([write(tmp_path, "acme.toml", NEW_PACK)], plugins=False)
    after = parse_bounce(text, registry=reg).bounces[0]
    assert after.provider is not None and after.provider.id == "acme"
    assert after.match.rule_id == "acme/held"


def test_a_lone_path_string_is_one_path(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", NEW_PACK)
    assert build_registry(str(path), plugins=False).pack("acme") is not None


def test_a_directory_path_loads_every_pack_in_it(tmp_path: Path) -> None:
    write(tmp_path, "acme.toml", NEW_PACK)
    write(tmp_path, "override.toml", OVERRIDE)
    reg = build_registry([tmp_path], plugins=False)
    assert reg.pack("acme") is not None
    assert reg.rule("microsoft/ip-complaints").reason.value == "bad_reputation"  # type: ignore[union-attr]


def test_override_replaces_the_builtin_rule_and_goes_first(tmp_path: Path) -> None:
    reg = build_registry([write(tmp_path, "o.toml", OVERRIDE)], plugins=False)
    rules = reg.pack("microsoft").rules  # type: ignore[union-attr]
    assert rules[0].id == "ip-complaints" and rules[0].origin.endswith("o.toml")
    assert [r.id for r in rules].count("ip-complaints") == 1
    b = classify_reply(SEED_TEXT, registry=reg)
    assert b.match.rule_id == "microsoft/ip-complaints" and b.reason.value == "bad_reputation"
    assert classify_reply(SEED_TEXT).reason.value == "ip_blocked"  # the default is untouched


def test_an_override_not_redefined_removes_the_rule(tmp_path: Path) -> None:
    pack = """
    id = "quiet"
    extends = "microsoft"
    overrides = ["ip-complaints"]
    """
    reg = build_registry([write(tmp_path, "q.toml", pack)], plugins=False)
    assert reg.rule("microsoft/ip-complaints") is None


def test_plugin_entry_point_callable_and_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path, "acme.toml", NEW_PACK)
    fake_plugins(monkeypatch, FakeEntryPoint("acme", lambda: [path]))
    reg = build_registry()
    assert reg.pack("acme") is not None
    assert reg.pack("acme").pack.origin.startswith("plugin acme: ")  # type: ignore[union-attr]


def test_plugin_pack_given_as_path_is_read_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Checking a plugin's source tree while an older version of it is installed."""
    installed = tmp_path / "installed"
    installed.mkdir()
    write(installed, "acme.toml", NEW_PACK)
    fake_plugins(monkeypatch, FakeEntryPoint("acme", lambda: [installed / "acme.toml"]))
    source = write(tmp_path, "acme.toml", NEW_PACK.replace("Acme gateway", "Acme v2"))
    reg = build_registry([source])
    assert reg.pack("acme").pack.name == "Acme v2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (ImportError("no module named acme"), "cannot load"),
        (42, "must name a package or a callable"),
        (textwrap, "is a module"),
    ],
)
def test_broken_plugins_are_named(monkeypatch: pytest.MonkeyPatch, obj: Any, message: str) -> None:
    fake_plugins(monkeypatch, FakeEntryPoint("broken", obj))
    with pytest.raises(SignatureError, match=f"plugin 'broken'.*{message}"):
        build_registry()


# --- collisions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        ('id = "microsoft"\n', "already exists; use extends"),
        (
            'id = "x"\nextends = "microsoft"\n[[rules]]\nid = "ip-complaints"\n'
            'reason = "policy"\nkeywords = ["zz"]\nexamples = ["zz"]\n',
            "collides with microsoft/ip-complaints; list it in 'overrides'",
        ),
        ('id = "x"\nextends = "microsoft"\noverrides = ["nope"]\n', "overrides unknown rule"),
        ('id = "x"\nextends = "nopack"\n', "extends unknown pack 'nopack'"),
        ('id = "x"\noverrides = ["ip-complaints"]\n', "needs 'extends'"),
        (
            'id = "x"\n[advice.ip-blocked]\naction = "investigate"\nfixer = "sender"\n'
            'en = "e"\nfr = "f"\n',
            "advice key 'ip-blocked' already exists",
        ),
        ('id = "x"\ndomains = ["Hotmail.com"]\n', "domain 'hotmail.com' is already claimed by"),
        (
            'id = "x"\nhosts = [".olc.protection.outlook.com"]\n',
            "host '.olc.protection.outlook.com' is already claimed by pack 'microsoft'",
        ),
    ],
)
def test_collisions_are_errors(tmp_path: Path, pack: str, message: str) -> None:
    with pytest.raises(SignatureError, match=regex.escape(message)):
        build_registry([write(tmp_path, "p.toml", pack)], plugins=False)


def test_two_paths_with_the_same_pack_id_collide(tmp_path: Path) -> None:
    a = write(tmp_path, "a.toml", NEW_PACK)
    b = write(tmp_path, "b.toml", NEW_PACK)
    with pytest.raises(SignatureError, match="'acme' already exists"):
        build_registry([a, b], plugins=False)


def test_missing_path_and_empty_directory_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="no such file"):
        build_registry([tmp_path / "nope.toml"], plugins=False)
    with pytest.raises(SignatureError, match=r"no \*\.toml pack"):
        build_registry([tmp_path], plugins=False)


# --- unsafe patterns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        (r"(a+)+$", True),
        (r"(?:\w+\s?)*x", True),
        (r"((?:a+b)c)+", True),
        (r"(?:x(?:y*)z)*", True),
        (r"(?:\w+ ){2,5}", True),
        (r"(?:\w++\W{1,3}){0,4}", False),  # the house style: possessive word, bounded gap
        (r"(?>a+)+", False),
        (r"(?:a+)++", False),
        (r"(?:\w{1,5}\W){0,4}", False),
        (r"[(a+)]+", False),
        (r"\(a+\)+", False),
        (r"(?i)foo+(?#comment (a+)+)", False),
        (r"(?:a+)?", False),
        (r"\p{L}+(?:-\p{L}+)?", False),
    ],
)
def test_static_scan_for_nested_quantifiers(pattern: str, nested: bool) -> None:
    assert (nested_quantifier(pattern) is not None) is nested


def test_pump_refuses_exponential_alternation() -> None:
    """`(a|aa)+$` has no nested quantifier, yet backtracks exponentially: the pump finds it."""
    assert nested_quantifier(r"(a|aa)+$") is None
    with pytest.raises(UnsafePattern, match="CPU"):
        check_pattern(regex.compile(r"(a|aa)+$", regex.IGNORECASE | regex.VERSION1))


@pytest.mark.parametrize(
    ("key", "pattern"),
    [("pattern", r"(?:\w+\s?)+failed"), ("pattern", r"(a|aa)+$"), ("fingerprint", r"(x+)+y")],
)
def test_a_pack_with_an_unsafe_pattern_cannot_load(tmp_path: Path, key: str, pattern: str) -> None:
    if key == "pattern":
        pack = (
            f"id = \"bad\"\n[[rules]]\nid = \"r\"\nreason = \"policy\"\npattern = '''{pattern}'''\n"
            'examples = ["x failed"]\n'
        )
    else:
        pack = f"id = \"bad\"\nfingerprint_patterns = ['''{pattern}''']\n"
    with pytest.raises(SignatureError, match="unsafe pattern"):
        build_registry([write(tmp_path, "bad.toml", pack)], plugins=False)


def test_every_builtin_pattern_passes_the_load_check() -> None:
    reg = build_registry(plugins=False)
    patterns = [r.pattern for r in reg.rules() if r.pattern is not None]
    patterns += [p for pack in reg.packs for p in pack.fingerprint_patterns]
    assert patterns
    for p in patterns:
        check_pattern(p)


def test_registry_build_time_is_small() -> None:
    """The figure is printed for the report; the bound only catches a gross regression."""
    started = time.perf_counter()
    reg = build_registry(plugins=False)
    elapsed = time.perf_counter() - started
    rules = sum(1 for _ in reg.rules())
    print(f"registry build: {elapsed * 1000:.0f} ms for {len(reg.packs)} packs, {rules} rules")
    assert elapsed < 10


# --- lazy loading --------------------------------------------------------------------------


def test_importing_bouncekit_reads_no_pack_and_no_plugin() -> None:
    code = textwrap.dedent(
        """
        import importlib.metadata, tomllib
        def refuse(*a, **k):
            raise AssertionError("read at import")
        real_loads, real_eps = tomllib.loads, importlib.metadata.entry_points
        tomllib.loads = refuse
        importlib.metadata.entry_points = refuse
        import bouncekit
        from bouncekit import _registry, _blocklists
        assert _registry._default is None and _blocklists._table is None
        tomllib.loads, importlib.metadata.entry_points = real_loads, real_eps
        bouncekit.classify_reply("550 5.1.1 user unknown")
        assert _registry._default is not None
        """
    )
    env = {**os.environ, "BOUNCEKIT_PLUGINS": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- check ---------------------------------------------------------------------------------


def test_check_passes_a_good_pack_and_runs_only_its_rules(tmp_path: Path) -> None:
    report = check_paths([write(tmp_path, "acme.toml", NEW_PACK)], plugins=False)
    assert report.error is None and report.ok
    assert report.rules == 1 and [r.rule for r in report.results] == ["acme/held"]


def test_check_fails_when_an_example_is_decided_by_another_rule(tmp_path: Path) -> None:
    shadowed = """
    id = "shadow"
    extends = "generic"
    [[rules]]
    id = "never"
    reason = "policy"
    keywords = ["zzz-never"]
    examples = ["550 5.1.1 <x@example.com>: Recipient address rejected: User unknown"]
    """
    report = check_paths([write(tmp_path, "s.toml", shadowed)], plugins=False)
    assert report.error is None and not report.ok
    (fail,) = report.failed
    assert fail.rule == "generic/never" and fail.decided_by != "generic/never"


def test_check_fails_when_a_counter_example_is_decided_by_its_rule(tmp_path: Path) -> None:
    pack = NEW_PACK + 'counter_examples = ["452 4.2.2 ACME-GW-499 held too"]\n'
    report = check_paths([write(tmp_path, "acme.toml", pack)], plugins=False)
    assert [r.counter for r in report.failed] == [True]


def test_check_reports_an_invalid_pack(tmp_path: Path) -> None:
    report = check_paths([write(tmp_path, "bad.toml", 'id = "bad"\n[[rules]]\nid = "x"\n')])
    assert report.error is not None and "'reason' is required" in report.error


def test_check_takes_a_builtin_pack_in_place() -> None:
    """A built-in file is not loaded twice (which would be an id collision)."""
    path = Path(registry_module.__file__).parent / "signatures" / "microsoft.toml"
    report = check_paths([path], plugins=False)
    assert report.error is None
    assert report.rules and all(r.rule.startswith("microsoft/") for r in report.results)


def test_schema_keeps_the_origin_of_each_rule() -> None:
    pack = load_pack_text(textwrap.dedent(NEW_PACK), "somewhere/acme.toml")
    assert pack.rules[0].origin == "somewhere/acme.toml"
