"""Pre-passes that skip regex searches by literal tests must never skip a match.

An MTA family is tried only when one of its detect's literals occurs in the casefolded head
of the text (`mta.parse_text`), and the search for where the returned original begins starts
at the line of its first literal (`text.cut_original`). These tests run the real searches on
real report texts and on case-folding edge cases and check that the shortcut gives the same
answer.
"""

from __future__ import annotations

import pytest

from bouncekit._extract import mta
from bouncekit._extract import text as textmod
from bouncekit._extract.text import report_text
from bouncekit._message import normalise_newlines, read
from bouncekit._policy import Policy
from tests.conftest import CORPUS

GATED = [f for f in mta.FAMILIES if f.needs is not None]


def _gate(family: mta.Family, text: str) -> bool:
    assert family.needs is not None
    folded = mta.fold_head(text)
    return any(n in folded for n in family.needs)


def test_the_sentence_families_are_gated() -> None:
    names = {f.name for f in GATED}
    assert {"exchange", "google", "sendmail", "au", "notes"} <= names


@pytest.mark.skipif(not (CORPUS / "eml").is_dir(), reason="corpus not available")
def test_no_detect_accepts_a_text_its_gate_skips() -> None:
    accepted = 0
    for path in sorted((CORPUS / "eml").rglob("*")):
        if not path.is_file():
            continue
        view = read(normalise_newlines(path.read_bytes()), Policy())
        text = report_text(view)
        for family in GATED:
            if family.detect(view, text):
                accepted += 1
                assert _gate(family, text), (path.name, family.name)
    assert accepted > 100  # the corpus exercises the gated families


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("google", "Delivery to the following recİpient failed permanently:\n  a@example.com"),
        ("google", "DELIVERY TO THE FOLLOWING RECIPIENT FAILED PERMANENTLY:"),
        ("sendmail", "   ----- Transcrİpt of session follows -----\n"),
        ("exchange", "Delivery has failed to these recipients or groups:\n"),
        ("au", "Your mail could not be delivered to: <a@example.com>"),
    ],
)
def test_case_variants_pass_the_gate(name: str, text: str) -> None:
    """`regex` IGNORECASE matches `i` with U+0130, which casefolds to two characters."""
    family = next(f for f in GATED if f.name == name)
    view = read(b"From: MAILER-DAEMON@example.com\n\n" + text.encode(), Policy())
    assert family.detect(view, text)
    assert _gate(family, text)


def test_a_plain_text_passes_no_gate() -> None:
    text = "Hello, see you tomorrow at the usual place.\n" * 20
    assert not any(_gate(f, text) for f in GATED)


ORIGINAL_STARTS = [
    "Hello\n\n------ This is a copy of the message, including all the headers. ------\nX",
    "report\n   --- Original message follows.\nReceived: x",
    "report\nthe original message was received at Mon\n\n--- Returned message ---\nFrom: a",
    "report\nUndelivered Message Headers:\nReceived: x",
    "the orİginal message\nlater: Original Message\n",  # U+0130 changes the casefolded length
    "Straße\nBelow this line is a copy of the message.\n",  # so does ß
    "nothing here but original words\nand more\n",
    "",
]


@pytest.mark.parametrize("text", ORIGINAL_STARTS)
def test_original_start_is_the_first_match(text: str) -> None:
    m = textmod._ORIGINAL_STARTS.search(text)
    assert textmod._original_start(text) == (m.start() if m else None)


@pytest.mark.skipif(not (CORPUS / "eml").is_dir(), reason="corpus not available")
def test_original_start_on_the_corpus_texts() -> None:
    found = 0
    for path in sorted((CORPUS / "eml").rglob("*")):
        if not path.is_file():
            continue
        view = read(normalise_newlines(path.read_bytes()), Policy())
        for part in view.text_parts():
            text = view.text(part)[: textmod.MAX_REPORT_TEXT]
            m = textmod._ORIGINAL_STARTS.search(text)
            assert textmod._original_start(text) == (m.start() if m else None), path.name
            found += m is not None
    assert found > 100
