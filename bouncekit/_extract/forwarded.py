"""A bounce a person forwarded: ordinary mail that carries a report (G10, `_provenance.py`).

Anyone can mail a list's bounce address, and a reader who forwards a bounce ("Fwd:
Undelivered Mail Returned to Sender", the report attached or pasted below) sends a report
about somebody else's address. It is still read (relays wrap reports too), but its results
are marked `forwarded`, which makes them `heuristic:forwarded` with `low` confidence.

A message is taken as forwarded by a person when nothing marks it as an MTA's own report
(no daemon sender, no `X-Failed-Recipients`, no report content type) and either its subject
says it is a forward, or, for a report found inside it, nothing else makes it look like a
bounce either.
"""

from __future__ import annotations

import regex

from bouncekit._extract import Extracted
from bouncekit._message import MailView, decode_words

# "Fwd:", "Fw:", and the prefixes of the common mail clients' languages (TR, WG, RV, Enc,
# I, VS, Doorst), possibly after "Re:" or a list tag.
_FORWARD_SUBJECT = regex.compile(
    r"^(?:\s*+(?:re|aw|sv|antw)\s*+:|\s*+\[[^\]]{0,60}\])*+\s*+"
    r"(?:fwd?|tr|wg|rv|enc|i|vs|doorst)\s*+:",
    regex.IGNORECASE,
)


def forward_subject(view: MailView) -> bool:
    """True when the subject says the message is a forward."""
    subject = decode_words(view.headers.get("subject"))[:300]
    return _FORWARD_SUBJECT.match(subject) is not None


def by_person(view: MailView, *, inner: bool) -> bool:
    """True when a person, not an MTA, sent this message on; `inner`: the report read was
    found inside it (then a message that does not look like a bounce at all counts too)."""
    from bouncekit._extract.ndr import looks_like_bounce, strong_bounce_signs

    if strong_bounce_signs(view):
        return False
    return forward_subject(view) or (inner and not looks_like_bounce(view))


def mark(view: MailView, found: Extracted, *, inner: bool) -> Extracted:
    """Prefix each evidence's `via` with how the report came: `forwarded` or `relayed`."""
    if not found.evidences or (not inner and not forward_subject(view)):
        return found
    wrapper = "forwarded" if by_person(view, inner=inner) else "relayed" if inner else ""
    for ev in found.evidences:
        if wrapper and not ev.via.startswith(("forwarded", "relayed")):  # marked once
            ev.via = f"{wrapper}+{ev.via}" if ev.via else wrapper
    return found
