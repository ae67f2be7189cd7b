"""Evidence extraction: one small module per kind of message, chosen by cheap fingerprints.

Order (each extractor returns None when the message is not its kind, so the next one runs):

1. `arf`           RFC 5965 feedback reports, Hotmail's older feedback loop, Apple Mail's
                   unsubscribe
2. `dsn`           RFC 3464 status parts (every one, in order); where Diagnostic-Code is
                   missing or says nothing, the readable part's reply for that recipient
                   (read by the same family parsers as step 4)
3. `esp_json`      Amazon SES notifications mailed as JSON (bounce, complaint, delivery)
4. `ndr.families`  MTA text reports of a known family (`mta/`, order and gates there)
5. `autoreply`     RFC 3834 auto-responses and vacation subjects (never a failure); after
                   the bounce formats because Exim, Postfix and Microsoft flag their bounces
                   `Auto-Submitted: auto-replied` too
6. `nested`        a bounce that carries the bounce it received (read once, not recursively)
7. `ndr.generic`   any other report that looks like an MTA's and says something failed;
                   each recipient's diagnostic from its own section of the text
8. else `not_bounce`.

Every extractor reads bounded text (`text.MAX_REPORT_TEXT`) with linear patterns.
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
    from bouncekit._extract import forwarded

    return forwarded.mark(view, extract_once(view, nested=True), inner=False)  # G10


def extract_once(view: MailView, *, nested: bool) -> Extracted:
    """The dispatcher; `nested=False` when reading a bounce found inside another one."""
    from bouncekit._extract import arf, autoreply, dsn, esp_json, ndr
    from bouncekit._extract import nested as inner

    chain = [arf.extract, dsn.extract, esp_json.extract, ndr.families, autoreply.extract]
    if nested:
        chain.append(inner.extract)
    chain.append(ndr.generic)
    for extractor in chain:
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
