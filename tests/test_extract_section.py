"""A `Section` (one recipient's lines joined and casefolded once) gives the section readers
the same answers as reading the lines or the text afresh each time.

`reply_in`, `command_in` and `remote_in` share one casefolded copy of the whole section; the
two that read only its first `MAX_REPORT_TEXT` characters then gate on more text than before,
and `command_in`'s phrase test reuses the casefolded copy only where it equals `lower()`.
"""

from __future__ import annotations

import pytest

from bouncekit._extract import text as textmod
from bouncekit._extract.text import Section, command_in, remote_in, reply_in
from bouncekit._message import read
from bouncekit._policy import Policy
from tests.conftest import CORPUS, corpus_paths

MAX = textmod.MAX_REPORT_TEXT


def _same(lines: list[str]) -> None:
    section = Section.of_lines(lines)
    joined = "\n".join(lines)
    assert reply_in(section) == reply_in(lines), lines[:3]
    assert command_in(section) == command_in(joined), lines[:3]
    assert remote_in(section) == remote_in(joined), lines[:3]


@pytest.mark.parametrize(
    ("lines", "command", "remote"),
    [
        (
            [
                "<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 unknown",
                "    (in reply to RCPT TO command)",
            ],
            "RCPT TO",
            "mx.example.com",
        ),
        (["Sorry, your message was rejected: sender was rejected"], "MAIL FROM", None),
        # `ſ` lowercases to itself but casefolds to `s`: the phrase must not be found.
        (["ſender was rejected"], None, None),
        (
            ["WHİLE TALKİNG TO mx.example.com.:", ">>> RCPT To:<a@example.com>"],
            "RCPT TO",
            "mx.example.com",
        ),
        (
            ["Straße", "connected to mx.example.com but my name was rejected \u212a"],
            "EHLO",
            "mx.example.com",
        ),
        # Beyond MAX_REPORT_TEXT the command and the host are not read, though the gate sees them.
        (
            ["x" * (MAX - 3), "in reply to RCPT TO command", "host mx.example.com [192.0.2.1]"],
            None,
            None,
        ),
        (
            ["x" * (MAX - 40), "in reply to DATA command host mx.example.com [192.0.2.1]:"],
            "DATA",
            None,
        ),
        (["x" * (MAX - 10) + " sender was rejected"], None, None),
        (["x" * (MAX - 25) + " sender was rejected"], "MAIL FROM", None),
    ],
)
def test_section_edge_cases(lines: list[str], command: str | None, remote: str | None) -> None:
    _same(lines)
    section = Section.of_lines(lines)
    assert command_in(section) == command
    assert remote_in(section) == remote


@pytest.mark.skipif(not (CORPUS / "eml").is_dir(), reason="corpus not available")
def test_section_on_the_corpus_texts() -> None:
    """Every text part, whole and paragraph by paragraph (how the families cut sections)."""
    found = 0
    for path in corpus_paths():
        view = read(path.read_bytes(), Policy())
        for part in view.text_parts():
            lines = view.text(part).split("\n")
            _same(lines)
            para: list[str] = []
            for line in [*lines[:400], ""]:
                if line.strip():
                    para.append(line)
                    continue
                if para:
                    _same(para)
                    found += command_in(Section.of_lines(para)) is not None
                para = []
    assert found > 100
