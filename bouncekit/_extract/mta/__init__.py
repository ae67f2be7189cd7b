"""MTA text reports: one small module per format family, chosen by cheap fingerprints.

Dispatch order (the first family whose `detect` matches *and* whose `parse` finds a
recipient wins; the generic reader in `ndr.py` runs when none does):

1. embedded  DSN fields pasted into the text (WorkMail, PMDF, lost MIME boundaries)
2. others    small formats keyed on one distinctive sentence each (zoho, au, javamail, fml:
             see `others.py`); before exim/sendmail, whose preambles some of them reuse
3. exchange  Exchange 2003 text NDRs; Exchange 2007+ / Microsoft 365 readable reports
4. google    Gmail's plain-text notices (failed permanently / delayed)
5. exim      "created automatically by mail delivery software", indented recipient lists
6. sendmail  "The following addresses had permanent fatal errors" + session transcripts
7. qmail     "This is the qmail-send program" and its kin, `<rcpt>:` paragraphs
8. postfix   "This is the mail system at host", `<rcpt>: host ... said:` paragraphs
9. colon     any report listing `<rcpt>:` paragraphs (qmail/Postfix-like unnamed MTAs)

Embedded fields come first because they are the most precise; the named formats before
the shapes that several MTAs share. A family's sentence fingerprint is enough on its own
(KDDI or Verizon send from ordinary-looking addresses); the two shapes (embedded fields, a
`<rcpt>:` list) count only when the headers also say an MTA sent the message. Each
`detect` reads only the first few KB of the readable text and the top headers; each
`parse` returns [] when the text is not its shape.

Most `detect`s search the text for a sentence. One pre-pass serves them all: the head of
the text (`DETECT_WINDOW` characters, more than any of them reads) is casefolded once, and a
family is tried only when one of the literals its detect needs (`Family.needs`, read from
its patterns by `required_literals`) occurs there; a text of no known family then costs a
few `in` tests per family instead of one regex search each.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta import (
    embedded,
    exchange,
    exim,
    google,
    others,
    postfix,
    qmail,
    sendmail,
)
from bouncekit._keywords import fold_for_literals, required_literals
from bouncekit._message import MailView

DETECT_WINDOW = 20000  # characters of the text the gated detects read, at most


@dataclass(frozen=True, slots=True)
class Family:
    """A report format: a cheap fingerprint test and a parser for its recipient blocks."""

    name: str
    detect: Callable[[MailView, str], bool]
    parse: Callable[[MailView, str, Container[str]], list[Evidence]]
    # A shape, not a sentence: trusted only when the headers say an MTA sent the message.
    needs_bounce_headers: bool = False
    # Casefolded literals one of which `detect` needs in the text's first DETECT_WINDOW
    # characters (None: no such test, detect always runs).
    needs: frozenset[str] | None = None


def _always(view: MailView, text: str) -> bool:
    return True


def _needs(sources: tuple[regex.Pattern[str] | str, ...]) -> frozenset[str] | None:
    """The literals one of which any text that a detect accepts contains, or None if unsure."""
    out: set[str] = set()
    for source in sources:
        found = (
            frozenset([source.casefold()]) if isinstance(source, str) else required_literals(source)
        )
        if found is None:
            return None
        out |= found
    return frozenset(out)


def fold_head(text: str) -> str:
    """The head of `text` (what the detects read), folded for the gates' literals."""
    return fold_for_literals(text[:DETECT_WINDOW])


FAMILIES: tuple[Family, ...] = (
    Family("embedded", embedded.detect, embedded.parse, needs_bounce_headers=True),
    *(
        Family(name, det, par, needs=_needs(others.DETECT_NEEDS[name]))
        if name in others.DETECT_NEEDS
        else Family(name, det, par)
        for name, det, par in others.FAMILIES
    ),
    Family("exchange", exchange.detect, exchange.parse, needs=_needs(exchange.DETECT_NEEDS)),
    Family("google", google.detect, google.parse, needs=_needs(google.DETECT_NEEDS)),
    Family("exim", exim.detect, exim.parse),
    Family("sendmail", sendmail.detect, sendmail.parse, needs=_needs(sendmail.DETECT_NEEDS)),
    Family("qmail", qmail.detect, qmail.parse),
    Family("postfix", postfix.detect, postfix.parse),
    Family("colon", _always, postfix.parse, needs_bounce_headers=True),
)
_ALL_NEEDS = frozenset(n for f in FAMILIES if f.needs is not None for n in f.needs)
# An ASCII text holds none of the localised headings' non-ASCII literals (str.isascii is O(1)).
_ASCII_NEEDS = frozenset(n for n in _ALL_NEEDS if n.isascii())


def parse_text(
    view: MailView, text: str, own: Container[str], *, skip: tuple[str, ...] = ()
) -> list[Evidence]:
    """The evidences of the first family that recognises the report text, in message order."""
    from bouncekit._extract.ndr import looks_like_bounce

    bounce_headers: bool | None = None
    present: frozenset[str] | None = None  # the gates' literals that occur in the text
    for family in FAMILIES:
        if family.name in skip:
            continue
        if family.needs is not None:
            if present is None:
                folded = fold_head(text)
                needs = _ASCII_NEEDS if folded.isascii() else _ALL_NEEDS
                present = frozenset(n for n in needs if n in folded)
            if family.needs.isdisjoint(present):
                continue  # detect would search for a sentence that is not there
        if not family.detect(view, text):
            continue
        if family.needs_bounce_headers:
            if bounce_headers is None:
                bounce_headers = looks_like_bounce(view)
            if not bounce_headers:
                continue
        found = family.parse(view, text, own)
        if found:
            return found[: view.policy.max_recipients]
    return []


def readable_evidences(view: MailView, text: str) -> dict[str, Evidence]:
    """What the human-readable part of a DSN says per recipient (lowercased address keys).

    Used when a DSN's Diagnostic-Code is missing or says nothing: the text then gives the
    remote reply, the command and the host for that recipient.
    """
    if not text.strip():
        return {}
    from bouncekit._extract.text import own_addresses

    found = parse_text(view, text, own_addresses(view), skip=("embedded",))
    return {ev.recipient.lower(): ev for ev in found if ev.recipient}
