"""Lazy built-in patterns (`_schema.LazyPattern`) under concurrent first use: every pattern
of a registry nobody used yet, raced by threads calling different methods first, with
thread switches forced every few bytecodes, answers as the pattern compiled directly does.
(tests/test_verified.py races one pattern's `search`; this races all, by every method.)
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import regex

from bouncekit import build_registry
from bouncekit._schema import PATTERN_FLAGS, LazyPattern
from tests.racing import race

pytestmark = pytest.mark.timeout(120)

THREADS = 6


def _use(pattern: Any, method: str, text: str) -> object:
    """A comparable answer of one method (match objects as spans and groups)."""
    if method in ("search", "match", "fullmatch"):
        m = getattr(pattern, method)(text)
        return None if m is None else (m.span(), m.groups())
    if method == "finditer":
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]
    if method == "splititer":
        return list(pattern.splititer(text))
    if method in ("sub", "subn"):
        return getattr(pattern, method)("<>", text)
    if method == "groups":
        return pattern.groups
    return getattr(pattern, method)(text)  # findall, split


METHODS = ["search", "match", "fullmatch", "finditer", "splititer", "sub", "subn", "findall",
           "split", "groups"]  # fmt: skip


def test_all_builtin_patterns_under_concurrent_first_use() -> None:
    registry = build_registry(plugins=False)
    work: list[tuple[LazyPattern, str]] = []
    for rule in registry.rules():
        if isinstance(rule.pattern, LazyPattern):
            texts = [e.text for e in (*rule.examples, *rule.counter_examples)]
            work += [(rule.pattern, t) for t in texts[:2]]
    for pack in registry.packs:
        work += [(p, pack.name) for p in pack.fingerprint_patterns if isinstance(p, LazyPattern)]
    lazies = {id(p): p for p, _ in work}
    assert len(lazies) > 100, "the built-in packs load their patterns lazily"
    assert not any(p.is_compiled for p in lazies.values())
    compiled = {key: regex.compile(p.pattern, PATTERN_FLAGS) for key, p in lazies.items()}
    expected = {
        (i, m): _use(compiled[id(p)], m, t) for i, (p, t) in enumerate(work) for m in METHODS
    }

    def uses(n: int) -> dict[tuple[int, str], object]:
        rng = random.Random(n)
        order = rng.sample(range(len(work)), len(work))
        methods = METHODS[n % len(METHODS) :] + METHODS[: n % len(METHODS)]  # firsts differ
        got = {}
        for i in order:
            pattern, text = work[i]
            for m in methods:
                got[(i, m)] = _use(pattern, m, text)
        return got

    results = race(uses, THREADS, 1e-5)
    assert len(results) == THREADS
    for got in results.values():
        assert got == expected
    for lazy in lazies.values():
        assert lazy.is_compiled
        # after the race, its methods are a compiled pattern's (no more first-use detour)
        assert all(isinstance(getattr(lazy, m).__self__, regex.Pattern) for m in METHODS[:-1])
