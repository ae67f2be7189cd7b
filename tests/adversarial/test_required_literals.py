"""`required_literals` must never make the engine skip a pattern that matches: on random
patterns built from the atoms where case folding and the reading of quantifiers, classes
and groups go wrong (İ, ſ, K, ß, optional and repeated groups, lookarounds), every text a
pattern matches holds one of its literals once folded (`fold_for_literals`). And end to
end: a user pack's fingerprint pattern written with a Turkish İ detects its provider.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex

from bouncekit import build_registry, classify_reply
from bouncekit._keywords import fold_for_literals, required_literals
from bouncekit._schema import PATTERN_FLAGS

ATOMS = ["a", "b", "ab", "[ab]", "[a-c]", "(?:a|b)", "(?:ab|ba)", "\\.", ".", "\\d", "\\b",
         "k", "K", "s", "ß", "i", "İ", "ſ", "(?i:A)", "(?-i:a)", "\\s", "x?", "(?:ab)?",
         "(?:a)+", "a{2}", "a{0,2}", "b*", "(?=a)", "(?!b)", "(?<=a)", "(a)", "(?P<n>b)",
         "(?>ab)", "a++", "[.:]", "(?:ab|)", "\\-", " ", "(?|a|b)", "İb", "(?:İ|k)"]  # fmt: skip
TEXT_CHARS = "abcks iİıſßKK.:-0\n"


@pytest.mark.parametrize("expand", [False, True])
def test_a_matching_text_always_holds_a_literal(expand: bool) -> None:
    rng = random.Random(17 + expand)
    checked = 0
    for _ in range(1500):
        source = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            source += "|" + "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 4)))
        try:
            pattern = regex.compile(source, PATTERN_FLAGS)
        except regex.error:
            continue
        literals = required_literals(pattern, expand=expand)
        if literals is None:
            continue
        for _ in range(20):
            text = "".join(rng.choice(TEXT_CHARS) for _ in range(rng.randint(0, 12)))
            if pattern.search(text):
                checked += 1
                folded = fold_for_literals(text)
                assert any(s in folded for s in literals), (source, sorted(literals), text)
    assert checked > 1000


def test_a_dotted_capital_i_pattern_reads_a_plain_i() -> None:
    pattern = regex.compile("İleti reddedildi", PATTERN_FLAGS)
    assert pattern.search("550 ileti reddedildi")  # regex folds İ to a plain i
    assert required_literals(pattern) == frozenset({"ileti reddedildi"})


@pytest.mark.parametrize("text", ["550 5.7.1 ileti reddedildi", "550 5.7.1 İLETİ REDDEDİLDİ"])
def test_a_fingerprint_pattern_with_a_dotted_capital_i(tmp_path: Path, text: str) -> None:
    pack = tmp_path / "tr.toml"
    pack.write_text(
        'id = "tr"\nname = "TR"\nkind = "provider"\nfingerprint_patterns = ["İleti reddedildi"]'
        '\n\n[[rules]]\nid = "refused"\nreason = "policy"\nkeywords = ["5.7.1"]\n'
        'examples = ["550 5.7.1 ileti reddedildi"]\n'
    )
    registry = build_registry([pack], plugins=False)
    bounce = classify_reply(text, registry=registry)
    assert bounce.provider is not None and bounce.provider.id == "tr"
