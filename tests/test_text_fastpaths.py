"""`clean`, `fold` and `find_addresses` take str-method shortcuts; they must give exactly what
the regex definitions give (`\\s` runs to one space; every `_addresses` match normalised)."""

from __future__ import annotations

import random

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from bouncekit._text import (
    _CONTROL,
    _SPACE,
    MAX_DIAGNOSTIC,
    MAX_FIELD,
    _addresses,
    _normalised,
    clean,
    fold,
    normalise_address,
)
from tests.conftest import CORPUS

# Every character either side calls white space, the C0/C1 controls, and a few neighbours.
_WHITE = [
    chr(c) for c in range(0x3001) if chr(c).isspace() or regex.match(r"\s", chr(c)) is not None
]
_POOL = [*_WHITE, *map(chr, range(0x20)), "\x7f", "\ud800", "\u200b", "\ufeff", *"ab z.;:<>@'é"]


def _clean_by_regex(text: str, limit: int) -> str:
    text = _CONTROL.sub(" ", text[: limit * 4])
    return str(_SPACE.sub(" ", text)).strip()[:limit]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_POOL, k=rng.randint(0, 30))) for _ in range(count)]


def test_fold_is_the_regex_fold() -> None:
    for text in _texts(1, 20000):
        assert fold(text) == str(_SPACE.sub(" ", text)).strip(), repr(text)


def test_clean_is_the_regex_clean() -> None:
    for i, text in enumerate(_texts(2, 20000)):
        limit = (5, 12, 255)[i % 3]
        assert clean(text, limit) == _clean_by_regex(text, limit), repr(text)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "550 5.1.1 unknown",
        " 550 lead",
        "trail ",
        "two  spaces",
        "tab\there",
        "nbsp\xa0here",
        "ideographic\u3000space",
        "line\nbreak",
        "sep\u2028x",
        "lone \ud800 surrogate",
        "\x1cfile sep",
        "x" * 999,
        "x" * 1000,
        "x" * 1001,
        "y " * 600,
    ],
)
@pytest.mark.parametrize("limit", [MAX_FIELD, MAX_DIAGNOSTIC])
def test_clean_returns_a_clean_field_as_is_and_cleans_the_rest(value: str, limit: int) -> None:
    """`clean` returns a printable, folded field that fits as it is: the edges of that test."""
    assert clean(value, limit) == _clean_by_regex(value, limit)


@given(st.text(alphabet=st.characters(codec=None), max_size=300), st.sampled_from([5, 255]))
def test_clean_is_the_regex_clean_on_any_text(value: str, limit: int) -> None:
    assert clean(value, limit) == _clean_by_regex(value, limit)


def test_the_only_printable_white_space_is_the_space() -> None:
    """Why fold returns a printable text without double, leading or trailing spaces as is."""
    assert [c for c in _WHITE if c.isprintable()] == [" "]
    assert fold("550 5.1.1 unknown") == "550 5.1.1 unknown"
    assert fold(" 550  unknown ") == "550 unknown"


def test_the_ascii_separators_are_not_regex_space() -> None:
    """Why fold checks for U+001C..U+001F: str.split splits there, `\\s` does not."""
    assert fold("a\x1cb") == "a\x1cb"
    assert clean("a\x1cb") == "a b"  # a control character: replaced


def test_a_match_is_normalised_as_normalise_address_would() -> None:
    rng = random.Random(3)
    pool = [*"abXY09.-_!#$%&*+/=?^`{|}~", "'", '"', "<", ">", ";", ":", " ", "@", "\u017f"]
    seen = 0
    for _ in range(30000):
        local = "".join(rng.choices(pool, k=rng.randint(1, 12)))
        domain = "".join(rng.choices([*"ab-.\u017f", "[1.2]"], k=rng.randint(1, 12)))
        text = f"{local}@{domain}" + rng.choice(["", ".org", " <x@b.c>"])
        for raw in _addresses(text, 50):
            if raw[0] != "'" and len(raw) <= 600:  # find_addresses' shortcut condition
                seen += 1
                assert _normalised(raw) == normalise_address(raw), repr(raw)
    assert seen > 1000


def test_a_printable_string_holds_nothing_g7_forbids() -> None:
    """Why `clean` and the API's last G7 check skip the search when `str.isprintable()`."""
    from bouncekit._api import _UNCLEAN

    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    assert len(printable) > 100_000
    assert _CONTROL.search(printable) is None
    assert _UNCLEAN.search(printable) is None
    assert not any(c.isprintable() for c in "\t\n\r\x00\x1f\x7f\u2028\u2029\ud800")


def test_unwrap_gate_words_have_no_case_partner_but_ascii() -> None:
    """unwrap tests "reply to", "command", "error from remote" and " returned '" on the
    lowercased text: exact only if no other character matches their letters under
    IGNORECASE (as "İ", "K" and "ſ" match i, k and s)."""
    letters = set("reply to command error from remote returned") - {" "}
    assert not letters & set("iks")
    cls = regex.compile("[" + "".join(sorted(letters)) + "]", regex.IGNORECASE)
    partners = {c for c in map(chr, range(0x110000)) if cls.fullmatch(c)}
    assert partners == letters | {c.upper() for c in letters}


def test_unwrap_gates_hold_on_every_match() -> None:
    from bouncekit import default_registry
    from bouncekit._text import _EXCHANGE, _EXIM, _IN_REPLY_TO, _M365_ARROW, _QUOTED_LAST_REPLY

    texts = [e.text for r in default_registry().rules() for e in r.examples]
    folder = CORPUS / "eml"
    if folder.is_dir():  # wrapped replies: pairs of lines, as a folded header would join them
        for path in sorted(folder.iterdir()):
            lines = path.read_bytes().decode("utf-8", "replace").split("\n")
            texts += [" ".join(lines[i : i + 2]) for i in range(len(lines) - 1)]
    texts = list(dict.fromkeys(texts))
    texts += [t.upper() for t in texts] + [t.swapcase() for t in texts]
    gates = [
        (_IN_REPLY_TO, lambda low: "reply to" in low and "command" in low),
        (_EXIM, lambda low: "error from remote" in low),
        (_EXCHANGE, lambda low: " returned '" in low),
        (_QUOTED_LAST_REPLY, lambda low: ">" in low),
        (_M365_ARROW, lambda low: "->" in low),
    ]
    matched = 0
    for text in texts:
        for pattern, gate in gates:
            if pattern.search(fold(text)):
                matched += 1
                assert gate(fold(text).lower()), (pattern.pattern, text)
    assert matched > (500 if folder.is_dir() else 0)


def _strip_by_regex(text: str) -> str:
    from bouncekit._text import _CONTINUATION

    text = text.strip()
    code = text[:3]
    if not (code.isdigit() and text[3:4] in ("-", " ")):
        return text
    rest = _CONTINUATION.sub(lambda m: "" if m.group(1) == code else m.group(0), text[4:])
    return code + " " + str(rest).strip()


def test_strip_continuations_is_the_regex_definition() -> None:
    from bouncekit._text import strip_continuations

    rng = random.Random(3)
    tokens = ["550-5.7.1 ", "550 ", "550-", "421 ", "4.2.1 ", "mailbox", " ", "\t", "5505", "x"]
    for _ in range(20000):
        text = "".join(rng.choices(tokens, k=rng.randint(0, 8)))
        assert strip_continuations(text) == _strip_by_regex(text), repr(text)


def test_find_reply_code_reads_a_leading_code_as_the_regex_does() -> None:
    from bouncekit._smtp import _CODE, find_reply_code

    decimals = [c for c in map(chr, range(0x110000)) if c.isdecimal()]
    assert all(regex.fullmatch(r"\d", c) for c in decimals)  # what the fast path assumes
    rng = random.Random(4)
    pool = [*"0123456789 -.:#\n\tx", "٣", "５", "²"]
    for _ in range(30000):
        text = "".join(rng.choices(pool, k=rng.randint(1, 7)))
        m = _CODE.search(text[:2000])
        assert find_reply_code(text) == (int(m.group(1)) if m else None), repr(text)


def test_unwrap_gates_admit_every_first_character_the_patterns_match() -> None:
    """`unwrap` tries its anchored wrapper patterns only on texts starting as they can."""
    from bouncekit._text import _HOST_FIRST, _HOST_PREFIX, _SENDMAIL_RELAYED, _SES

    samples = [
        (_HOST_PREFIX, "host: mx.example.jp 550 5.2.2 full", 0, lambda t: t[:1] in _HOST_FIRST),
        (_HOST_PREFIX, "SIZE=1543: host mx.example.jp [192.0.2.20]: 550 x", 0,
         lambda t: t[:1] in _HOST_FIRST),
        (_SES, "5.1.0 - Unknown address error 550-'5.2.2 <x@example.com>... Full'", 0,
         lambda t: t[1:2] == "." and t[0] in "245"),
        (_SES, "5.1.0 - Unknown address error 550-'5.2.2 <x@example.com>... Full'", 1,
         lambda t: t[1:2] == "." and t[0] in "245"),
        *[(_SENDMAIL_RELAYED, "554 <x@example.com>... 550 Host unknown", at,
           lambda t: t[3:5] == " <" and t[0] in "45") for at in (0, 3, 4)],
    ]  # fmt: skip
    for pattern, text, at, gate in samples:
        assert pattern.match(text) and gate(text)
        for code in range(0x3000):  # every character in the gated place, and ſ, K, İ...
            variant = text[:at] + chr(code) + text[at + 1 :]
            if pattern.match(variant):
                assert gate(variant), (pattern.pattern, variant)
