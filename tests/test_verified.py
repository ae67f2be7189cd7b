"""The verified manifest of built-in patterns (`signatures/verified.txt`) and `LazyPattern`.

A built-in pattern recorded in the manifest loads without being compiled or pumped (the cold
start's largest cost) and compiles on first use; every other pattern is compiled and checked
at load as before, so a failing pattern still cannot load. The manifest must match the packs:
it is written by `python -m bouncekit._verified`, which refuses a pattern the check refuses.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
import regex

from bouncekit import SignatureError, _verified, build_registry
from bouncekit import _registry as registry_module
from bouncekit._keywords import required_literals
from bouncekit._schema import (
    PATTERN_FLAGS,
    REGENERATE,
    LazyPattern,
    Pack,
    load_pack_text,
    pattern_key,
    read_manifest,
    verified_patterns,
)
from tests.racing import race

UNSAFE = r"(?:\w+\s?)+failed"  # nested quantifiers: the static scan refuses it
BUILTIN_TEXTS = list(registry_module._builtin_texts())


def extra_rule(rule_id: str, pattern: str) -> str:
    """A rule to append to a built-in pack's text: an edit the manifest does not know yet."""
    return (
        f'\n[[rules]]\nid = "{rule_id}"\nreason = "policy"\n'
        f"pattern = '''{pattern}'''\nexamples = [\"x failed\"]\n"
    )


def patterns_of(pack: Pack) -> list[object]:
    return [r.pattern for r in pack.rules if r.pattern is not None] + list(
        pack.fingerprint_patterns
    )


def span(m: regex.Match[str] | None) -> tuple[int, int] | None:
    return m.span() if m is not None else None


@pytest.fixture(scope="module")
def lazy_patterns() -> list[LazyPattern]:
    found = [p for pack in build_registry(plugins=False).packs for p in patterns_of(pack)]
    assert all(isinstance(p, LazyPattern) for p in found)
    return [p for p in found if isinstance(p, LazyPattern)]


def test_the_manifest_matches_the_builtin_patterns() -> None:
    """Every built-in pattern is recorded, and nothing else: else the cold start pays again
    for the missing ones, and the extra lines vouch for patterns that no longer exist."""
    expected = _verified.manifest_text()
    recorded = _verified.manifest_path().read_text(encoding="utf-8")
    lines = {line for line in expected.splitlines() if not line.startswith("#")}
    have = {line for line in recorded.splitlines() if not line.startswith("#")}
    assert expected == recorded, (
        f"signatures/verified.txt is out of date ({len(lines - have)} pattern(s) missing, "
        f"{len(have - lines)} stale): run {REGENERATE}"
    )


def test_builtin_patterns_load_uncompiled_with_their_source_and_flags(
    lazy_patterns: list[LazyPattern],
) -> None:
    fresh = [p for pack in build_registry(plugins=False).packs for p in patterns_of(pack)]
    assert len(fresh) == len(verified_patterns()) == len(lazy_patterns)
    for p in fresh:
        assert isinstance(p, LazyPattern) and not p.is_compiled
        required_literals(p)  # reads the source and flags only
        assert not p.is_compiled
        assert p.flags == regex.compile(p.pattern, PATTERN_FLAGS).flags


def test_a_lazy_pattern_answers_as_the_compiled_one(lazy_patterns: list[LazyPattern]) -> None:
    registry = build_registry(plugins=False)
    texts = [e.text for r in registry.rules() for e in r.examples][:400]
    texts.append("Mailbox full; user unknown 550 5.1.1 blocked at spamhaus")
    for lazy in lazy_patterns:
        compiled = regex.compile(lazy.pattern, PATTERN_FLAGS)
        for text in texts[:: max(1, len(texts) // 40)]:
            assert span(lazy.search(text)) == span(compiled.search(text))
            assert lazy.findall(text) == compiled.findall(text)
            assert [m.span() for m in lazy.finditer(text)] == [
                m.span() for m in compiled.finditer(text)
            ]
            assert lazy.sub("#", text) == compiled.sub("#", text)
        assert lazy.groups == compiled.groups
        assert (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)


def plain(value: object) -> object:
    """A method's result in comparable form: matches as spans, iterators as lists."""
    if isinstance(value, regex.Match):
        return ("match", value.span(), value.groups())
    if isinstance(value, str | tuple | list) or value is None:
        return value
    return [plain(v) for v in value]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("search", ("no: Mailbox - full here",)),
        ("match", ("mailbox full",)),
        ("fullmatch", ("mailbox - full",)),
        ("finditer", ("mailbox full, mailbox: full",)),
        ("findall", ("mailbox full, mailbox: full",)),
        ("split", ("a mailbox full b",)),
        ("splititer", ("a mailbox full b",)),
        ("sub", ("#", "a mailbox full b")),
        ("subn", ("#", "a mailbox full b")),
    ],
)
def test_any_method_may_be_the_first_use(name: str, args: tuple[str, ...]) -> None:
    source = r"(mailbox)\W{1,3}(full)"
    lazy = LazyPattern(source, PATTERN_FLAGS, regex.compile(source, PATTERN_FLAGS).flags)
    expected = plain(getattr(regex.compile(source, PATTERN_FLAGS), name)(*args))
    assert plain(getattr(lazy, name)(*args)) == expected
    assert lazy.is_compiled and plain(getattr(lazy, name)(*args)) == expected


def test_after_the_first_use_the_methods_are_the_compiled_patterns() -> None:
    lazy = LazyPattern(r"mailbox\W{1,3}full", PATTERN_FLAGS, 0)
    assert lazy.match("MAILBOX FULL") is not None
    compiled = lazy.compiled()
    for name in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
        bound = getattr(lazy, name)
        assert bound.__self__ is compiled and bound.__name__ == name
    assert lazy.search("mailbox  full", timeout=1.0) is not None  # the same keywords
    clone = pickle.loads(pickle.dumps(lazy))
    assert clone == lazy and hash(clone) == hash(lazy) and not clone.is_compiled


def first_uses(lazy: LazyPattern, text: str, threads: int) -> list[tuple[int, int] | None]:
    """`threads` threads search `text` with `lazy` at the same moment: what each found."""
    return list(race(lambda n: span(lazy.search(text)), threads, 1e-5).values())


def test_threads_racing_the_first_use_get_the_same_answers() -> None:
    source = r"(?:quota|mailbox)\W{1,3}(?:\w++\W{1,3}){0,3}?full"
    text = "552 5.2.2 Mailbox of user is full"
    expected = span(regex.compile(source, PATTERN_FLAGS).search(text))
    assert expected is not None
    for _ in range(5):
        lazy = LazyPattern(source, PATTERN_FLAGS, 0)
        assert first_uses(lazy, text, 8) == [expected] * 8
        assert lazy.is_compiled and isinstance(lazy.search.__self__, regex.Pattern)


def builtin_texts_with(
    addition: str, pack_file: str = "_generic.toml"
) -> Iterator[tuple[str, str]]:
    for origin, text in BUILTIN_TEXTS:
        yield origin, text + (addition if origin.endswith("/" + pack_file) else "")


def test_an_edited_builtin_pattern_is_checked_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A built-in pack edited after the manifest was written: the new pattern is compiled and
    pumped at load (an unsafe one cannot load), the recorded ones stay lazy."""
    monkeypatch.setattr(
        registry_module, "_builtin_texts", lambda: builtin_texts_with(extra_rule("new", UNSAFE))
    )
    with pytest.raises(SignatureError, match=r"bouncekit/signatures/_generic\.toml: .*unsafe"):
        build_registry(plugins=False)
    safe = r"zz\W{1,3}top failed"
    monkeypatch.setattr(
        registry_module, "_builtin_texts", lambda: builtin_texts_with(extra_rule("new", safe))
    )
    registry = build_registry(plugins=False)
    rule = registry.rule("generic/new")
    assert rule is not None and isinstance(rule.pattern, regex.Pattern)
    others = [r.pattern for r in registry.rules() if r.pattern is not None and r is not rule]
    assert others and all(isinstance(p, LazyPattern) for p in others)


def test_a_user_pack_is_checked_even_with_a_builtin_pattern(tmp_path: Path) -> None:
    """The manifest vouches for the built-in packs only: the same source in a user pack is
    compiled and checked at load."""
    builtin = next(r.pattern for r in build_registry(plugins=False).rules() if r.pattern)
    assert pattern_key(builtin.pattern) in verified_patterns()
    path = tmp_path / "mine.toml"
    path.write_text('id = "mine"' + extra_rule("copy", builtin.pattern), encoding="utf-8")
    rule = build_registry([path], plugins=False).rule("mine/copy")
    assert rule is not None and isinstance(rule.pattern, regex.Pattern)
    pack = load_pack_text(path.read_text(encoding="utf-8"), str(path))
    assert isinstance(pack.rules[0].pattern, regex.Pattern)


def test_the_generator_refuses_a_pattern_the_load_check_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(SignatureError, match="unsafe pattern"):
        _verified.manifest_text([("bad.toml", 'id = "bad"' + extra_rule("r", UNSAFE))])
    target = tmp_path / "verified.txt"
    target.write_text("unchanged", encoding="utf-8")
    monkeypatch.setattr(_verified, "manifest_path", lambda: target)
    monkeypatch.setattr(
        _verified, "_builtin_texts", lambda: builtin_texts_with(extra_rule("n", UNSAFE))
    )
    assert _verified.main([]) == 1
    assert target.read_text(encoding="utf-8") == "unchanged"


def test_the_generator_records_each_checked_pattern(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = 'id = "ok"\nfingerprint_patterns = ["ok-gw\\\\d"]' + extra_rule("r", r"zz\W?top")
    manifest = _verified.manifest_text([("ok.toml", text)])
    flags = regex.compile("x", PATTERN_FLAGS).flags
    keys = {pattern_key(r"zz\W?top"), pattern_key(r"ok-gw\d")}
    assert manifest.startswith("#") and REGENERATE in manifest
    body = [line for line in manifest.splitlines() if not line.startswith("#")]
    assert body == sorted(f"{k} {flags}" for k in keys)
    target = tmp_path / "verified.txt"
    monkeypatch.setattr(_verified, "manifest_path", lambda: target)
    monkeypatch.setattr(_verified, "_builtin_texts", lambda: [("ok.toml", text)])
    assert _verified.main(["--check"]) == 1 and not target.exists()
    assert _verified.main([]) == 0 and target.read_text(encoding="utf-8") == manifest
    assert _verified.main(["--check"]) == 0


def test_a_damaged_manifest_line_vouches_for_nothing() -> None:
    """A merge can leave conflict markers in the manifest: they are skipped (the patterns
    they leave out are checked at load), never an error that stops every registry."""
    key = pattern_key(r"zz\W?top")
    text = f"# header\n<<<<<<< HEAD\n{key} 16674\n=======\n{key[:-1]} x\n>>>>>>> other\n"
    assert read_manifest(text) == {key: 16674}
