"""The keyword pre-filter (`Keywords`, `Registry.scan`) on hostile texts: it must find exactly
what a plain `kw in text` scan finds, whichever thread sees a keyword first, and what it
learns from texts must stay bounded by the registry's keywords.

The texts are built from the registry's own keywords, where the trie search and the
"hidden keyword" bookkeeping are most stressed: runs of one keyword, runs of keyword
prefixes (a search that stops one character short everywhere), keywords whose last
character is swapped for one no keyword has, every keyword back to back, characters that
case folding expands (İ), and the Japanese keywords. Time linearity is measured in
tests/scaling/test_prefilter_scaling.py.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bouncekit import Bounce, build_registry, classify_reply, default_registry
from bouncekit._keywords import _OTHERS_KEPT, Keywords
from tests.adversarial import generators as g
from tests.racing import race

pytestmark = pytest.mark.timeout(60)

REGISTRY = default_registry()
KEYWORDS = g.prefilter_keywords()  # every string the engine's pre-filter seeks


def plain(keywords: list[str], lowered: str) -> set[str]:
    """The answer the pre-filter stands for."""
    return {k for k in keywords if k in lowered}


TEXTS = g.prefilter_texts(6000)


@pytest.mark.parametrize("shape", list(TEXTS))
def test_registry_scan_is_exact_on_hostile_texts(shape: str) -> None:
    text = TEXTS[shape]
    found = REGISTRY.scan(text).present
    assert found == plain(KEYWORDS, text)
    # a fresh index (first sight of every keyword) answers the same
    assert Keywords(KEYWORDS).found(text) == found


def test_registry_scan_is_exact_on_a_megabyte() -> None:
    """1 MB mixing every shape: the long-text path (repeated matches worked on once)."""
    texts = g.prefilter_texts(100_000, seed=3)
    text = "".join(texts.values())
    text = (text * (1_048_576 // len(text) + 1))[:1_048_576]
    assert REGISTRY.scan(text).present == plain(KEYWORDS, text)


# Keyword sets where every keyword overlaps, nests in or runs past another: what the
# search skips is then all that matters.
NESTED = [
    ["a" * n for n in range(1, 41)],  # each a prefix, a suffix and an infix of the next
    ["ab", "abab", "ababab", "bab", "ba", "b", "abba", "bb"],
    ["abcd", "bcde", "cdef", "defg", "c", "bc", "abcdefg"],  # a chain of overlaps
    ["mailbox", "box full", "full", "mailbox full", "ox f", "l", "5.1.1", "1.1 ", ".1"],
    ["i\u0307", "i", "\u0307n", "li\u0307", "i\u0307i\u0307"],  # what İ lowers to
    ["宛先", "先の", "のメール", "メールアドレス", "アドレスが", "ス"],
]


@pytest.mark.parametrize("keywords", NESTED, ids=lambda k: k[0][:8])
def test_nested_keywords_are_found_exactly(keywords: list[str]) -> None:
    rng = random.Random(11)
    alphabet = [*sorted(set("".join(keywords))), "z"]
    index = Keywords(keywords)
    for n in (1, 2, 3, 5, 8, 13, 40, 200, 3000):  # under and over the 32-match path
        for _ in range(30):
            text = "".join(rng.choice(alphabet) for _ in range(n))
            assert index.found(text) == plain(keywords, text), text
        for k in keywords:  # long runs of one keyword, cut anywhere
            run = (k * (n // len(k) + 1))[: n + rng.randrange(len(k))]
            assert index.found(run) == plain(keywords, run), run


def test_first_sight_under_threads_matches_a_single_thread() -> None:
    """Threads seeing keywords for the first time at once, with thread switches forced
    every few bytecodes, find what one thread finds, and the index keeps no more."""
    texts = list(g.prefilter_texts(3000, seed=5).values())
    expected = [plain(KEYWORDS, t) for t in texts]
    index = Keywords(KEYWORDS)

    def work(n: int) -> list[set[str]]:
        order = random.Random(n).sample(range(len(texts)), len(texts))
        got = {i: index.found(texts[i]) for i in order}
        return [got[i] for i in range(len(texts))]

    results = race(work, 8, 1e-6)
    assert len(results) == 8
    for got in results.values():
        assert got == expected
    _assert_bounded(index)


def _foreign_entries(index: Keywords) -> int:
    """Entries kept for next characters that no keyword has (the ones texts choose)."""
    return sum(len(set(v[2]) - index._alphabet) for v in index._hidden.values())


def _assert_bounded(index: Keywords) -> None:
    """One entry per keyword; each keeps its keywords' next characters and at most
    `_OTHERS_KEPT` others (a few more only if threads raced the same entry's last slot)."""
    assert set(index._hidden) <= index._keywords
    alphabet = index._alphabet
    for _, _, going_on in index._hidden.values():
        assert len(set(going_on) - alphabet) <= _OTHERS_KEPT + 8


def test_what_the_index_learns_grows_per_keyword_never_per_text() -> None:
    """Every keyword followed by a fresh random character, round after round: the entries
    stop growing once each keyword has kept its few, whatever the texts go on to hold."""
    index = Keywords(KEYWORDS)
    rng = random.Random(2)
    words = [k for k in KEYWORDS if k]
    sizes = []
    for _ in range(3 * _OTHERS_KEPT):
        text = "".join(k + chr(rng.randrange(0x3400, 0x9FFF)) for k in words)
        assert index.found(text) == plain(KEYWORDS, text)
        sizes.append(_foreign_entries(index))
    assert sizes[0] > 0  # the shape does reach the entries texts can grow
    assert sizes[-1] == sizes[2 * _OTHERS_KEPT], sizes  # no growth in the last rounds
    assert sizes[-1] <= len(KEYWORDS) * _OTHERS_KEPT
    total = len(index._hidden) + sum(len(v[2]) for v in index._hidden.values())
    assert total <= len(KEYWORDS) * (1 + len(index._alphabet) + _OTHERS_KEPT)
    _assert_bounded(index)


def test_the_engine_under_threads_on_a_fresh_registry() -> None:
    """A registry nobody used yet (uncompiled lazy patterns, an empty first-sight cache)
    classifying from 6 threads at once answers as a single thread does."""
    texts = [e.text for r in REGISTRY.rules() for e in r.examples][::3]
    texts += [t[:2000] for t in g.prefilter_texts(2000, seed=9).values()]
    reference = build_registry(plugins=False)
    expected = [classify_reply(t, registry=reference) for t in texts]
    fresh = build_registry(plugins=False)

    def work(n: int) -> list[Bounce]:
        order = random.Random(n).sample(range(len(texts)), len(texts))
        got = {i: classify_reply(texts[i], registry=fresh) for i in order}
        return [got[i] for i in range(len(texts))]

    results = race(work, 6, 1e-5)
    assert len(results) == 6
    for got in results.values():
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert a == b, texts[i][:200]


def test_keywords_nested_deeper_than_re_recurses(tmp_path: Path) -> None:
    """Hundreds of keywords each the prefix of the next nest the trie deeper than `re`
    compiles (RecursionError at ~500): the index falls back to plain `in` tests and stays
    exact, and a user pack holding such keywords classifies instead of failing every call
    with error:RecursionError."""
    words = ["a" * i for i in range(1, 1500)] + ["b", "ab", "ba", "aab"]
    index = Keywords(words)
    for text in ("a" * 40 + "b", "x", "b" * 9, "a" * 3000, "ba" * 700):
        assert index.found(text) == plain(words, text)
    chain = ", ".join(f'"acme{"-" * i}x"' for i in range(1, 700))
    pack = tmp_path / "deep.toml"
    pack.write_text(
        'id = "deep"\nname = "Deep"\nkind = "filter"\nfingerprints = ["acme-"]\n\n'
        '[[rules]]\nid = "held"\n'
        f'reason = "mailbox_full"\nkeywords = [{chain}]\n'
        'examples = ["452 4.2.2 ACME-----x message held"]\n'
    )
    registry = build_registry([pack], plugins=False)
    bounce = classify_reply("452 4.2.2 ACME-----x message held", registry=registry)
    assert bounce.source == "reply" and bounce.match.rule_id == "deep/held"


def test_a_character_no_keyword_has_costs_no_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a keyword's entry holds its few characters no keyword has, a match followed by
    another such character is answered without a search: before, each one searched the
    sorted keywords again (2 us a match; 1.5x the time of a 256 KB text of such matches)."""
    import bisect

    index = Keywords(KEYWORDS)
    words = [k for k in KEYWORDS if k]
    hangul = 0xAC00  # no keyword has a Hangul syllable
    for n in range(_OTHERS_KEPT + 1):  # fill every entry
        text = "".join(k + chr(hangul + n) for k in words)
        assert index.found(text) == plain(KEYWORDS, text)
    searches = 0

    def counted(*args: Any) -> int:
        nonlocal searches
        searches += 1
        return bisect.bisect_left(*args)

    monkeypatch.setattr("bouncekit._keywords.bisect_left", counted)
    text = "".join(k + chr(hangul + _OTHERS_KEPT + 1 + i % 5000) for i, k in enumerate(words))
    assert index.found(text) == plain(KEYWORDS, text)
    assert searches == 0
