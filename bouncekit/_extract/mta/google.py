"""Gmail's plain-text notices (the format before Gmail sent RFC 3464 DSNs).

Delivery to the following recipient failed permanently:      (or: has been delayed)
     rcpt@example.com
Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the server for the
recipient domain example.com by mx.example.com. [192.0.2.1].
The error that the other server returned was:
550 5.1.1 <rcpt@example.com>... User Unknown
"""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence
from bouncekit._message import MailView
from bouncekit._text import find_addresses

_START = regex.compile(
    r"de(?:li|le)very to the following recipients? (failed permanently|has been delayed|"
    r"failed temporarily)|technical details of (?:permanent|temporary) failure",
    regex.IGNORECASE,
)
_BY_HOST = regex.compile(
    r"by (?:the server for the recipient domain [\w.-]{1,255} by )?"
    r"([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})\.?\s\[[0-9a-fA-F.:]{3,45}\]",
    regex.IGNORECASE,
)

# For the shared pre-pass of `mta.parse_text`: detect needs one of _START's literals.
DETECT_NEEDS = (_START,)


def detect(view: MailView, text: str) -> bool:
    return _START.search(text[:4000]) is not None


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    lines = text.split("\n")
    m = _START.search(text[:4000])
    assert m is not None  # detect() said so
    delayed = "delayed" in m.group(0).lower() or "temporary failure" in text[:4000].lower()
    start = text[: m.start()].count("\n")
    recipients: list[str] = []
    details: list[str] = []
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if recipients and not line[:1].isspace() and stripped:
            details.append(line)
        elif (
            line[:1].isspace()
            and "@" in stripped
            and " " not in stripped.lstrip("*- ")
            and not details
        ):
            recipients += [a for a in find_addresses(stripped) if a.lower() not in own]
        elif recipients or details:
            details.append(line)
    out = []
    for rcpt in recipients:
        ev = evidence(rcpt, details, "gmail", action="delayed" if delayed else "failed")
        host = _BY_HOST.search(" ".join(details))
        if host is not None:
            ev.remote_mta = host.group(1).lower()
        out.append(ev)
    return out
