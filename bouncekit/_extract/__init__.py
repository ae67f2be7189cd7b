"""Evidence extraction: one small module per kind of message, chosen by cheap fingerprints.

Order: ARF complaint, RFC 3464 DSN, auto-reply, MTA text report (NDR), else not a bounce.
Each extractor returns None when the message is not its kind, so the next one runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bouncekit._evidence import Evidence
from bouncekit._message import MailView, decode_words
from bouncekit._text import clean, normalise_address
from bouncekit._types import ReportKind


@dataclass(slots=True)
class Extracted:
    """The evidences of one message, with what is known of the report around them."""

    kind: ReportKind
    evidences: list[Evidence]
    reporting_mta: str | None = None
    extra: list[tuple[str, str]] = field(default_factory=list)


def extract(view: MailView) -> Extracted:
    """Run the extractors in order; the first that recognises the message decides its kind."""
    from bouncekit._extract import arf, autoreply, dsn, ndr

    for extractor in (arf.extract, dsn.extract, autoreply.extract, ndr.extract):
        found = extractor(view)
        if found is not None:
            return found
    return Extracted(ReportKind.NOT_BOUNCE, [])


def original_fields(view: MailView) -> tuple[str | None, str | None, str | None]:
    """(message-id, from, subject) of the returned original message, when it is attached."""
    headers = view.embedded_headers()
    if headers is None:
        return None, None, None
    mid = clean(headers.get("message-id")) or None
    sender = normalise_address(decode_words(headers.get("from")))
    subject = clean(decode_words(headers.get("subject"))) or None
    return mid, sender, subject
