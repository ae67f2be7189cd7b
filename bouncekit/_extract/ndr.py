"""Plain-text non-delivery reports of MTAs that do not send RFC 3464 DSNs.

A message is read as an NDR only when it looks like one (a mailer-daemon sender, a bounce
subject, an `X-Failed-Recipients` field or a report content type), so ordinary mail that
merely mentions an address is never taken for a bounce.
"""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._extract import Extracted, flufl, mta
from bouncekit._extract.mta._common import evidence
from bouncekit._extract.text import (
    is_system_address,
    line_recipients,
    own_addresses,
    paragraph_from,
    recipient_context,
    report_text,
    sections,
)
from bouncekit._keywords import Keywords
from bouncekit._message import MailView, decode_words
from bouncekit._text import find_addresses
from bouncekit._types import ReportKind

# Alternatives grouped by their leading letters, so few branches are tried per character,
# in two patterns searched one after the other (only whether one matches counts): ~6.3 ms
# on a 64 KB pump as one alternation, ~1.7 and ~3.7 as two (issue #6).
_BOUNCE_SUBJECT = regex.compile(
    r"un(?:deliver|zustellbar)|"
    r"delivery (?:status notification|failure|failed|has failed|problem|notification)|"
    r"re(?:turned (?:mail|to sender)|jected:)|"
    r"m(?:ail (?:delivery (?:failed|failure|system|subsystem)|system error)|"
    r"essage (?:not delivered|delivery failure|could not be delivered))|"
    r"failure notice",
    regex.IGNORECASE,
)
_BOUNCE_SUBJECT_MORE = regex.compile(
    r"n(?:on(?:[- ]?delivery|deliverable| remis)|"
    r"otification d'(?:é|e)tat de la distribution|icht zustellbar)|"
    r"could not (?:be )?deliver|warning: could not send|bounce|error sending message|"
    r"échec de (?:la )?remise",
    regex.IGNORECASE,
)


def bounce_subject(subject: str) -> bool:
    """The subject reads like a bounce's ("Undeliverable:", "Delivery Status Notification")."""
    return (
        _BOUNCE_SUBJECT.search(subject) is not None
        or _BOUNCE_SUBJECT_MORE.search(subject) is not None
    )


_BOUNCE_FROM = regex.compile(
    r"mailer[- ]?daemon|postmaster|mail[- ]delivery|mail administrator|"
    r"delivery[- ]subsystem|mail[- ]?system|mmdf|smtp gateway",
    regex.IGNORECASE,
)


_DAEMON_FROM = regex.compile(
    r"mailer[- ]?daemon|mail[- ]delivery|delivery[- ]subsystem|mail administrator",
    regex.IGNORECASE,
)


def strong_bounce_signs(view: MailView) -> bool:
    """Fingerprints no auto-responder carries: a report type, X-Failed-Recipients, a daemon."""
    h = view.headers
    if h.get("x-failed-recipients") or view.parts[0].ctype == "multipart/report":
        return True
    if any(p.ctype in ("message/delivery-status", "message/feedback-report") for p in view.parts):
        return True
    return bool(_DAEMON_FROM.search(decode_words(h.get("from"))[:300]))


# "Re:" and its translations (German AW, Nordic SV, Dutch Antw, Polish Odp, Italian R/Rif):
# a subject that answers a message; an MTA's report never does, a person's answer may quote
# the failure it asks about.
_REPLY_SUBJECT = regex.compile(r"^\s*+(?:re|aw|sv|antw|odp|rif|r)\s*+:", regex.IGNORECASE)


def _sent_by_mta(view: MailView) -> bool:
    """A report's fingerprints beyond its subject: a report type, X-Failed-Recipients, or a
    daemon's or postmaster's sender."""
    if strong_bounce_signs(view):
        return True
    return bool(_BOUNCE_FROM.search(decode_words(view.headers.get("from"))[:300]))


def looks_like_bounce(view: MailView) -> bool:
    """Cheap header fingerprints that an MTA sent this report."""
    h = view.headers
    if h.get("x-failed-recipients") or view.parts[0].ctype == "multipart/report":
        return True
    sender = decode_words(h.get("from"))
    if _BOUNCE_FROM.search(sender[:300]):
        return True
    subject = decode_words(h.get("subject"))[:300]
    if _REPLY_SUBJECT.match(subject):
        return False  # a person answering about a failure ("Re: my mail could not be delivered")
    return bounce_subject(subject)


def families(view: MailView) -> Extracted | None:
    """A report of a known MTA family (see `mta/__init__.py` for the order and the gates)."""
    found = mta.parse_text(view, report_text(view), own_addresses(view))
    return Extracted(ReportKind.NDR, found) if found else None


def extract(view: MailView) -> Extracted | None:
    """Families first, then the generic reader (the two halves of the NDR stage)."""
    return families(view) or generic(view)


def generic(view: MailView) -> Extracted | None:
    """Any report that looks like an MTA's: recipients from headers, lines, or flufl.bounce."""
    if not looks_like_bounce(view):
        return None
    text = report_text(view)
    if not _reports_failure(view, text):
        return None
    own = own_addresses(view)
    recipients: list[str] = []
    for value in view.headers.get_all("x-failed-recipients"):
        for addr in find_addresses(value):
            recipients.append(addr)
    via = "x-failed-recipients" if recipients else "generic"  # how they were found (G10)
    if not recipients:
        recipients = [a for a in line_recipients(text, own) if not is_system_address(a)]
    if not recipients:
        first = [
            a for a in find_addresses(text) if a.lower() not in own and not is_system_address(a)
        ][:1]
        recipients = first and _listed_like(text, first[0], own, view.policy.max_recipients)
    if not recipients:
        header_block = view.span(0, view.parts[0].start)
        recipients = flufl.failed_recipients(header_block, text)
        via = "flufl" if recipients else via
    if not recipients:
        recipients = _sole_original_recipient(view, own)
        via = "original-recipient" if recipients else via
    if not recipients and (not text.strip() or not _sent_by_mta(view)):
        return None  # only the subject says "failed", and no one is named: ordinary mail
    recipients = recipients[: view.policy.max_recipients]
    named = _Named(recipients, text)
    parts = named.sections()
    evidences = []
    summary: str | None = None  # worked out once for all recipients
    for recipient in recipients or [None]:  # type: ignore[list-item]
        section = parts.get(recipient, []) if recipient else []
        ev = evidence(recipient, section, "generic")
        ev.source = "ndr"
        ev.via = via
        evidences.append(ev)
        if ev.code:
            continue
        # no remote reply quoted: the recipient's own lines when several share a paragraph,
        # else its paragraph, else the report's words
        if len(recipients) > 1:
            own_lines = " ".join(_until_blank(section))
            if named.says_more(own_lines):
                ev.diagnostic = own_lines
                continue
        context = named.paragraph(recipient) if recipient and text else ""
        if named.says_more(context):
            ev.diagnostic = context
        else:
            if summary is None:
                summary = _summary(text)
            ev.diagnostic = summary
    return Extracted(ReportKind.NDR, evidences)


class _Named:
    """A report's recipients and the lines naming them, worked out once for all of them.

    Each recipient's section, paragraph and "says more" test once looked for every recipient
    in every line or paragraph: cost R x text, so a caller's `max_recipients` of thousands
    made a 22 KB report listing 2,000 addresses take 0.55 s. Over `_MANY` recipients, a
    keyword index of them reads each text once (what it finds is exactly what `in` finds).
    """

    def __init__(self, recipients: list[str], text: str) -> None:
        self.recipients = recipients
        self.text = text
        self.lines = text.split("\n")
        self.needles = [r.lower() for r in recipients]
        self.index = Keywords(self.needles) if len(recipients) > _MANY else None
        self._order: dict[str, int] = {}
        for i, needle in enumerate(self.needles):
            self._order.setdefault(needle, i)
        self._low: str | None = None
        self._first: dict[str, int] | None = None

    def first_lines(self) -> dict[str, int]:
        """Each named recipient (lowercased) -> the first line naming it (many recipients)."""
        if self._first is None:
            assert self.index is not None
            first: dict[str, int] = {}
            found = self.index.found
            for i, line in enumerate(self.lines):
                for needle in found(line.lower()):
                    first.setdefault(needle, i)
            self._first = first
        return self._first

    def sections(self) -> dict[str, list[str]]:
        """`text.sections(lines, recipients)`."""
        if self.index is None:
            return sections(self.lines, self.recipients)
        first = self.first_lines()
        at_rcpt = sorted(
            (first[n], r) for r, n in zip(self.recipients, self.needles, strict=True) if n in first
        )
        out: dict[str, list[str]] = {}
        for k, (at, rcpt) in enumerate(at_rcpt):
            nxt = at_rcpt[k + 1][0] if k + 1 < len(at_rcpt) else len(self.lines)
            out[rcpt] = self.lines[at : nxt if nxt > at else len(self.lines)]
        return out

    def paragraph(self, recipient: str) -> str:
        """`text.recipient_context(text, recipient)`: the paragraph of its first line."""
        if self.index is None:
            if self._low is None:
                self._low = self.text.lower()
            return recipient_context(self.text, recipient, self.lines, self._low)
        at = self.first_lines().get(recipient.lower())
        return "" if at is None else paragraph_from(self.lines, at)

    def says_more(self, context: str) -> bool:
        """The paragraph says something beyond the addresses it lists (a list of recipients
        under the reason they share says nothing by itself)."""
        low = context.lower()
        if self.index is None:
            for needle in self.needles:
                low = low.replace(needle, "")
        else:  # the recipients it names, in the recipients' order
            for needle in sorted(self.index.found(low), key=self._order.__getitem__):
                low = low.replace(needle, "")
        return len(low.strip(" \t\n<>()[],;:.*-")) > 4


# Recipients from which `_Named` indexes them: more than the default `max_recipients`, so
# a default policy reads as it always did (up to 100, one at a time costs less than reading
# every line of a 64 KB listing through the index: 19 vs 26 ms).
_MANY = 100


# Words and reply codes that say a delivery failed, in two patterns searched one after the
# other (only whether one matches counts): ~4 and ~2 ms on a 64 KB pump, ~6.5 as one (#6).
_FAILURE_WORDS = regex.compile(
    r"(?:could not|couldn't|cannot|can't|unable to|failed to) (?:be )?deliver|undeliver|"
    r"delivery (?:has )?(?:failed|failure|problem|error)|non[- ]?delivery|permanent (?:error|"
    r"failure)|user unknown|unknown user|no such user|mailbox (?:is )?full|returned mail",
    regex.IGNORECASE,
)
_FAILURE_CODES = regex.compile(
    r"\b[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b|\b[45]\d\d\s",
    regex.IGNORECASE,
)


# `Unknown user: <address>`: a label of two to nine words, a colon, the address alone.
_LABELLED = regex.compile(
    r"^[ \t]*+[A-Za-z][^:@<>\s]*+(?:[ \t]++[^:@<>\s]++){1,8}[ \t]*+:[ \t]*+<?[^\s<>]++>?[ \t]*+$"
)


def _listed_like(text: str, first: str, own: Container[str], limit: int) -> list[str]:
    """`first`, and the addresses the report lists the same way: on lines that read like
    its line but for the address ("Unable to deliver message to <a> (and other ...)", a
    bulleted list), or, where its line is `Some reason: <address>` (IMail), on every line of
    that shape. A report naming one recipient this way names the next one so too.

    At most `limit` (the policy's `max_recipients`: the caller keeps no more), each seen
    once by a set: a list of thousands cost its square in `not in out` tests (130 ms for
    5,800 addresses in 64 KB)."""
    lines = text.split("\n")
    needle = first.lower()
    at = next((i for i, line in enumerate(lines) if needle in line.lower()), None)
    if at is None:
        return [first]
    labelled = _LABELLED.match(lines[at]) is not None
    template = _template(lines[at], first)
    out = [first]
    seen = {first}
    for line in lines[at + 1 :]:
        if len(out) >= limit:
            break
        if "@" not in line:
            continue
        found = find_addresses(line)
        if len(found) != 1 or found[0].lower() in own or is_system_address(found[0]):
            continue
        if labelled:
            alike = _LABELLED.match(line) is not None
        else:
            alike = _template(line, found[0]) == template
        if alike and found[0] not in seen:
            seen.add(found[0])
            out.append(found[0])
    return out


def _template(line: str, address: str) -> str:
    """The line with its address blanked, case-blind (a list's lines differ by it only)."""
    low, needle = line.lower(), address.lower()
    i = low.find(needle)
    if i >= 0:
        low = low[:i] + "\0" + low[i + len(needle) :]
    return " ".join(low.split())


def _reports_failure(view: MailView, text: str) -> bool:
    """A mail from `postmaster@` is not a report by itself: it must say something failed."""
    if strong_bounce_signs(view):
        return True
    subject = decode_words(view.headers.get("subject"))[:300]
    head = text[:8000]
    return bool(
        bounce_subject(subject) or _FAILURE_WORDS.search(head) or _FAILURE_CODES.search(head)
    )


def _sole_original_recipient(view: MailView, own: Container[str]) -> list[str]:
    """A report that names nobody ("Delivery report unavailable") but returns a message
    sent to exactly one address: that address is the one that failed."""
    original = view.embedded_headers()
    if original is None:
        return []
    named = {
        a
        for name in ("to", "cc")
        for value in original.get_all(name)
        for a in find_addresses(decode_words(value))
        if a.lower() not in own
    }
    return list(named) if len(named) == 1 else []


def _until_blank(lines: list[str]) -> list[str]:
    """The lines up to the first blank one."""
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    return lines[:end]


def _summary(text: str) -> str:
    """The report's wording when no line speaks of the recipient: its first paragraphs."""
    return " ".join(text.split())[:2000]
