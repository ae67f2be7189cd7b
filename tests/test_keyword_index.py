"""The lookups that stand in for scans give the same answers as the scans.

Keyword indexes (`Keywords`) must find exactly the keywords that occur as substrings, and
`required_literals` must never skip a pattern that matches: both are checked here on every
signature example and on the readable lines of the corpus when it is present.
"""

from __future__ import annotations

import random

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from bouncekit import default_registry
from bouncekit._blocklists import _ZONE, blocklist_literals, blocklists, find_blocklist
from bouncekit._keywords import (
    _OTHERS_KEPT,
    Keywords,
    Scan,
    fold_for_literals,
    required_literals,
)
from bouncekit._schema import PATTERN_FLAGS
from tests.conftest import CORPUS

REGISTRY = default_registry()


def _texts() -> list[str]:
    texts = [e.text for r in REGISTRY.rules() for e in (*r.examples, *r.counter_examples)]
    texts += [t for b in blocklists() for t in b.examples]
    folder = CORPUS / "eml"
    if folder.is_dir():
        for path in sorted(folder.iterdir())[::4]:
            lines = path.read_bytes().decode("utf-8", "replace").split("\n")
            texts += [line for line in lines[:200] if line.strip()]
    texts = list(dict.fromkeys(texts))
    return texts + [t.upper() for t in texts[:2000]]


TEXTS = _texts()


def test_keyword_index_finds_exactly_the_substrings() -> None:
    # each pack's keyword set as an index of its own: other shapes than the combined one
    pack_keywords = [(p.id, {k for r in p.rules for k in r.keywords}) for p in REGISTRY.packs]
    indexes = [(pid, Keywords(kws), kws) for pid, kws in pack_keywords]
    fingerprints = {f for p in REGISTRY.packs if p.kind != "generic" for f in p.fingerprints}
    indexes.append(("fingerprints", Keywords(fingerprints), fingerprints))
    combined = {k for r in REGISTRY.rules() for k in r.keywords} | fingerprints
    combined |= {n for p in REGISTRY.packs for f in p.fingerprint_patterns
                 for n in required_literals(f, expand=True) or ()}  # fmt: skip
    combined |= blocklist_literals()
    for text in TEXTS:
        lowered = text.lower()
        for name, index, keywords in indexes:
            assert index.found(lowered) == {k for k in keywords if k in lowered}, (name, text)
        assert REGISTRY.scan(lowered).present == {k for k in combined if k in lowered}, text


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("550 5.1.1 resolver.adr.exrecipnotfound", "recipnotfound"),  # inside a word
        ("421 throttled, try later", "throttl"),  # the start of a longer word
        ("554 5.7.1 (rtr:bb) blocked", "(rtr:"),  # punctuation first
        ("550 メールボックスが一杯です", "一杯"),  # no ASCII word at all
        ("550 5.7.1 rejected", "5.7.1"),  # only short words
    ],
)
def test_keyword_index_kinds_of_keyword(text: str, keyword: str) -> None:
    index = Keywords([keyword, "unrelated phrase"])
    assert index.found(text.lower()) == {keyword}
    assert index.found("250 ok") == set()


@pytest.mark.parametrize(
    ("keywords", "text", "expected"),
    [
        # one keyword a prefix of another: both, or the shorter alone
        (["user", "user unknown"], "550 user unknown", {"user", "user unknown"}),
        (["user", "user unknown"], "550 user unk", {"user"}),
        # one inside another (not a prefix): hidden by the longer match
        (["mailbox full", "box"], "552 mailbox full", {"mailbox full", "box"}),
        # overlapping: the second starts inside the first and runs past its end
        (["mailbox", "box full"], "552 mailbox full", {"mailbox", "box full"}),
        (["mailbox", "box full"], "552 mailbox fine", {"mailbox"}),
        (["abc", "bcd", "cde"], "abcde", {"abc", "bcd", "cde"}),
        (["aa"], "aaaa", {"aa"}),
        # characters that mean something to a pattern are plain
        (
            ["(rtr:", "a.b", "[cs", "x|y", "5.7.1"],
            "(rtr:bb) a.b [cs01] x|y",
            {"(rtr:", "a.b", "[cs", "x|y"},
        ),
        (["a.b"], "axb", set()),
        # İ lowercases to i + U+0307: the keywords occur in the lowered text as `in` says
        (["i\u0307", "disabled"], "İ disabled", {"i\u0307", "disabled"}),
        (["メールボックス", "一杯"], "550 メールボックスが一杯です", {"メールボックス", "一杯"}),
        ([], "anything", set()),
    ],
)
def test_keyword_index_overlaps_and_nesting(
    keywords: list[str], text: str, expected: set[str]
) -> None:
    lowered = text.lower()
    assert {k for k in keywords if k in lowered} == expected  # the definition itself
    assert Keywords(keywords).found(lowered) == expected


_SMALL = st.text(alphabet="ab .", min_size=1, max_size=6)


@given(st.lists(_SMALL, max_size=12), st.text(alphabet="ab .c", max_size=40))
def test_keyword_index_is_exact_on_a_small_alphabet(keywords: list[str], text: str) -> None:
    """Few letters: keywords that nest, overlap and repeat in every way."""
    assert Keywords(keywords).found(text) == {k for k in keywords if k in text}


def test_keyword_index_is_exact_on_random_texts() -> None:
    rng = random.Random(5)
    for _ in range(300):
        keywords = ["".join(rng.choices("abc", k=rng.randint(1, 5))) for _ in range(20)]
        index = Keywords(keywords)
        for _ in range(10):
            text = "".join(rng.choices("abcd", k=rng.randint(0, 30)))
            assert index.found(text) == {k for k in keywords if k in text}, (keywords, text)


def _patterns() -> list[regex.Pattern[str]]:
    out = [p for pack in REGISTRY.packs for p in pack.fingerprint_patterns]
    out += [r.pattern for r in REGISTRY.rules() if r.pattern is not None]
    for b in blocklists():
        out += [b.pattern] + ([b.context] if b.context is not None else [])
    return [*out, _ZONE]


@pytest.mark.parametrize("expand", [False, True])
def test_required_literals_never_skip_a_match(expand: bool) -> None:
    checked = 0
    for pattern in _patterns():
        needs = required_literals(pattern, expand=expand)
        if needs is None:
            continue
        for text in TEXTS:
            if pattern.search(text):
                checked += 1
                folded = fold_for_literals(text)
                assert any(n in folded for n in needs), (pattern.pattern, needs, text)
    assert checked > 500  # the check saw real matches


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\.(?:us|eu)\d", {".us", ".eu"}),  # a group of plain alternatives joins the run
        (r"(?:BL|RL)[01]{6}\b", {"bl0", "bl1", "rl0", "rl1"}),  # a small class, once at least
        (r"\b[45]\.[0-1]\.\d", {"4.0.", "4.1.", "5.0.", "5.1."}),
        (r"\(A?S\d", {"(as", "(s"}),  # an optional character: with and without it
        (r"ab??c", {"abc", "ac"}),  # a lazy `??` is not a second optional character
        (r"x[a-z]y", {"x"}),  # a large class still ends the run
        (r"x[0-1]?y", {"x"}),  # an optional class too
        (r"x(?:a|b)?y", {"x"}),  # and an optional group
        (r"x(?:a|b\d)y", {"x"}),  # a group that is not plain alternatives is read as before
        (r"x[^ab]y", {"x"}),  # a negated class
        (r"x[0-9]{2}y", {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"}),
        (r"^4\d\d[- ]4\.5\.0 x", {"-4.5.0 x", "4.5.0 x"}),  # no spelling starts with a space
    ],
)
def test_required_literals_expanded_reading(source: str, expected: set[str]) -> None:
    pattern = regex.compile(source, PATTERN_FLAGS)
    assert required_literals(pattern, expand=True) == frozenset(expected)


@given(st.text(alphabet="ab", min_size=1, max_size=3), st.lists(st.sampled_from(
    ["a", "b", "ab", "[ab]", "[a-b]", "(?:a|ba)", "b?", "a+", "[ab]{2}", "(?:ab|b)+", "."]
), min_size=1, max_size=6), st.text(alphabet="abAB.", max_size=16))  # fmt: skip
def test_required_literals_expanded_never_skip_a_match(
    head: str, parts: list[str], text: str
) -> None:
    """Patterns made of the pieces `expand` reads, on texts made of their characters."""
    pattern = regex.compile(head + "".join(parts), PATTERN_FLAGS)
    needs = required_literals(pattern, expand=True)
    if needs is not None and pattern.search(text):
        assert any(n in fold_for_literals(text) for n in needs), (pattern.pattern, needs)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"ab?c", {"a"}),  # "b" may be absent, so "abc" is not required
        (r"abc{1,2}d", {"ab"}),
        (r"fo+bar", {"bar"}),  # "o" is required but what follows it may not be next
        (r"\bUBE, id=\d", {"ube, id="}),
        (r"blocked|(?:listed) by", {"blocked", "listed"}),  # a group that must match counts
        (r"(?-i:\b(?:RESOLVER|QUEUE)\.)", {"resolver", "queue"}),
        (r"(?:foo){e<=1}bar", {"bar"}),  # fuzzy: "foo" may be misspelt
        (r"(?<=xyz)ab", {"ab"}),  # a lookbehind is not part of the match
        (r"a\.b\d", {"a.b"}),
        (r"[ab]]cd", {"]cd"}),
        (r"(?:x)?|y", None),  # a branch that needs no literal
        (r"\x41bc", None),  # escapes it does not read
        (r"(?x) a b c", None),  # verbose: spaces are not characters
        (r"STRASSE", {"strasse"}),
    ],
)
def test_required_literals_reading(source: str, expected: set[str] | None) -> None:
    needs = required_literals(regex.compile(source, PATTERN_FLAGS))
    assert needs == (frozenset(expected) if expected is not None else None)


def test_required_literals_follow_full_case_folding() -> None:
    pattern = regex.compile("strasse", PATTERN_FLAGS | regex.FULLCASE)
    text = "Unbekannte Straße"
    assert pattern.search(text)
    needs = required_literals(pattern)
    assert needs is not None and any(n in text.casefold() for n in needs)


def _provider_by_scanning(text: str) -> str | None:
    """The first pack, in priority order, with a fingerprint in the text or a pattern matching."""
    lowered = text.lower()
    for pack in REGISTRY.packs:
        if pack.kind == "generic":
            continue
        if any(f in lowered for f in pack.fingerprints):
            return pack.id
        if any(p.search(text) for p in pack.fingerprint_patterns):
            return pack.id
    return None


def test_provider_by_text_is_the_first_pack_a_scan_finds() -> None:
    found = 0
    for text in TEXTS:
        expected = _provider_by_scanning(text)
        assert REGISTRY.provider_by_text(text.lower(), text) == expected, text
        found += expected is not None
    assert found > 300  # providers were named in the texts checked


@pytest.mark.parametrize(
    "text",
    [
        "550 5.7.1 mx-smtp\u0130n12.me.com refused",  # İ: `regex` matches i, lower() adds a dot
        "550 5.7.1 MX-SMTPIN12.ME.COM refused",
        "550 5.7.1 Stra\u00dfe mx-smtpin12.me.com",  # ß: case folding is not lower()
    ],
)
def test_provider_by_text_beyond_lowercase(text: str) -> None:
    assert _provider_by_scanning(text) == "apple"
    assert REGISTRY.provider_by_text(text.lower(), text) == "apple"


def test_find_blocklist_reads_the_engines_scan_as_it_reads_the_text() -> None:
    named = 0
    for text in TEXTS:
        expected = find_blocklist(text)
        assert find_blocklist(text, None, REGISTRY.scan(text.lower())) == expected, text
        named += expected is not None
    assert named > 50  # lists were named in the texts checked


def test_pack_candidates_from_the_registry_scan_are_the_packs_own() -> None:
    """A pack reads the registry's combined pre-filter as it would read its own index."""
    texts = [e.text for r in REGISTRY.rules() for e in (*r.examples, *r.counter_examples)]
    packs = [cp for cp in map(REGISTRY.pack, (p.id for p in REGISTRY.packs)) if cp]
    for text in texts:
        lowered = text.lower()
        shared, own = REGISTRY.scan(lowered), Scan(lowered)  # found by the index, or by `in`
        for cp in packs:
            assert list(cp.candidates(shared)) == list(cp.candidates(own)), (cp.pack.id, text)


def test_keyword_index_keeps_at_most_one_entry_per_keyword() -> None:
    """What the index learns from texts is bounded by its keywords, whatever a text holds."""
    keywords = ["mailbox", "box full", "full", "5.1.1"]
    index = Keywords(keywords)
    rng = random.Random(7)
    for _ in range(500):
        text = "mailbox" + chr(rng.randrange(0x20, 0x3000)) + " 5.1.1" + chr(rng.randrange(0x3000))
        assert index.found(text) == {k for k in keywords if k in text}
    assert set(index._hidden) <= set(keywords)
    alphabet = set("".join(keywords))
    for _, _, going_on in index._hidden.values():
        assert len(set(going_on) - alphabet) <= _OTHERS_KEPT
