"""DSN fields pasted into a plain-text report (Amazon WorkMail, PMDF/Sun Messaging Server,
mailers whose multipart/report lost its MIME boundaries).

    Final-Recipient: rfc822; rcpt@example.com
    Action: failed
    Status: 5.1.1
    Diagnostic-Code: smtp; 550 5.1.1 <rcpt@example.com>... User Unknown

The fields are read as an RFC 3464 status part would be.
"""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._message import MailView

_FIELD = regex.compile(
    r"^[ \t]*(?:final|original)-recipient:\s*\S", regex.IGNORECASE | regex.MULTILINE
)
_INDENTED_FIELD = regex.compile(r"^\s+[A-Za-z][A-Za-z-]{1,40}:\s")


def detect(view: MailView, text: str) -> bool:
    return _FIELD.search(text) is not None


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    from bouncekit._extract.dsn import evidences_from_fields

    m = _FIELD.search(text)
    assert m is not None  # detect() said so
    start = text.rfind("\n\n", 0, m.start())
    block = text[start + 1 if start >= 0 else 0 :]
    fields = "\n".join(
        line.strip() if _INDENTED_FIELD.match(line) else line for line in block.split("\n")
    )
    evs = evidences_from_fields(view, fields.encode("utf-8"), text[: m.start()])
    for ev in evs:
        ev.source = "ndr:embedded-dsn"
    return [ev for ev in evs if ev.recipient is None or ev.recipient.lower() not in own]
