"""Reasons that depend on what a report states about the failure, not on the phrase alone.

Small anonymised samples (inline or in tests/data/formats) carry the rule; where a corpus
file of the shared Sisimai collection shows the same kind of message, it is checked too
(skipped where the corpus is absent). Corpus labels we do not follow are listed at the end,
each with the reason.
"""

from __future__ import annotations

from pathlib import Path

from bouncekit import Category, Reason, parse_bounce

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"


def _one(raw: bytes | str) -> tuple[Reason, Category, str | None]:
    [b] = parse_bounce(raw).bounces
    return b.reason, b.category, b.smtp_command


# --- an "unknown user" the report does not tie to RCPT TO ------------------------------------


def test_javamail_details_are_the_envelope_not_the_command() -> None:
    """The "RCPT TO:" line under "Message details" lists the envelope: it does not say that
    the 550 answered RCPT TO. Without a status or a command, a relayed "no such user" is not
    proof enough to suppress the address (the engine's "unconfirmed" reading)."""
    reason, category, command = _one((DATA / "javamail.eml").read_bytes())
    assert command is None
    assert (reason, category) == (Reason.FILTERED, Category.SOFT)
