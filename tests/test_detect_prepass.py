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
from tests.conftest import CORPUS, corpus_paths

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
    for path in corpus_paths():
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
    for path in corpus_paths():
        view = read(normalise_newlines(path.read_bytes()), Policy())
        for part in view.text_parts():
            text = view.text(part)[: textmod.MAX_REPORT_TEXT]
            m = textmod._ORIGINAL_STARTS.search(text)
            assert textmod._original_start(text) == (m.start() if m else None), path.name
            found += m is not None
    assert found > 100


# The section readers' patterns (`reply_in`, `command_in`, `remote_in`) are searched only when
# `may_match` finds one of their literals; it must never say no where the search matches.
SECTION_PATTERNS = [
    (textmod._REPLY_MARKER, textmod._REPLY_NEEDS),
    (textmod._COMMAND, textmod._COMMAND_NEEDS),
    (textmod._REMOTE, textmod._REMOTE_NEEDS),
    (textmod._REMOTE_LINE, textmod._REMOTE_LINE_NEEDS),
]


@pytest.mark.parametrize(
    "text",
    [
        "host mx.example.com[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)",
        "HOST MX.EXAMPLE.COM [192.0.2.1]: 550 user unknown",
        "Remote Server returned '550 5.1.1'",
        "   ----- Transcript -----\n>>> DATA\n<<< 554 rejected",
        "whİle talkİng to mx.example.com.:\n>>> RCPT To:<a@example.com>",  # U+0130
        "connected to mx.example.com but sender was rejected",
        "the error that the other server returned was: 550",
        "Hello, see you tomorrow.",
    ],
)
def test_section_gates_pass_what_the_patterns_match(text: str) -> None:
    for pattern, needs in SECTION_PATTERNS:
        if pattern.search(text) is not None:
            assert textmod.may_match(needs, text), (pattern.pattern[:40], text)
    assert not textmod.may_match(textmod._REMOTE_NEEDS, "Hello, see you tomorrow.")


@pytest.mark.skipif(not (CORPUS / "eml").is_dir(), reason="corpus not available")
def test_section_gates_on_the_corpus_texts() -> None:
    """Every text part of the corpus, whole and line by line (how `reply_in` reads it)."""
    matched = skipped = 0
    for path in corpus_paths():
        view = read(path.read_bytes(), Policy())
        for part in view.text_parts():
            text = view.text(part)[: textmod.MAX_REPORT_TEXT]
            for chunk in [text, *text.split("\n")[:200]]:
                for pattern, needs in SECTION_PATTERNS:
                    if pattern.search(chunk) is not None:
                        matched += 1
                        assert textmod.may_match(needs, chunk), (path.name, chunk[:80])
                    elif not textmod.may_match(needs, chunk):
                        skipped += 1
    assert matched > 1000 and skipped > 1000  # both ways exercised
