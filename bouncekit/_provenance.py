"""Provenance and confidence: where a recipient's result came from, and how far to trust it.

A mailing list must not unsubscribe a good reader on weak evidence (a heuristic address
guess, a bounce someone forwarded in ordinary mail), so every `Bounce` says which reader
produced it (`provenance`) and grades that evidence (`confidence`, reliability.md G10).

Provenance is a short stable string:

* `dsn`, `arf`: the fields of an RFC 3464 / RFC 5965 report; `ndr:embedded-dsn`: DSN fields
  pasted into a plain-text report;
* `esp:<name>`: an ESP's JSON event (`esp:ses` for Amazon SES notifications sent as mail);
* `ndr:<family>`: the text report of a known MTA family (`ndr:postfix`, `ndr:exchange`...);
* `smtp-reply`: an SMTP reply as the client received it (`classify_reply`, or a bare reply
  text given to `parse_bounce`);
* `auto-reply`: an RFC 3834 auto-response or vacation message;
* `ndr:x-failed-recipients`: a report of no known family whose `X-Failed-Recipients`
  header names the recipients (the reason read from its text by the generic reader);
* `heuristic:<name>`: the recipient was guessed: `heuristic:generic` (the generic reader,
  from the report's lines), `heuristic:flufl` (flufl.bounce's detectors),
  `heuristic:original-recipient` (the only address the returned message was sent to);
* `heuristic:nested`: a report a relay wrapped in its own bounce (read from inside it);
* `heuristic:forwarded`: a report a person forwarded (attached or pasted into ordinary mail,
  `_extract/forwarded.py`);
* `error`: an internal error (the exception boundary's fallback).

Confidence (`high` > `medium` > `low`):

* `high`: a machine-readable report states this recipient and its outcome (DSN, ARF with
  the recipient in its fields, ESP JSON), or a known MTA format or an SMTP reply states an
  SMTP code or enhanced status for it;
* `medium`: a known MTA format or an SMTP reply that gives no code; `X-Failed-Recipients`
  naming the recipient of a report of no known family; an auto-reply; an ARF
  report whose recipient is read from the returned message's `To`; a report nested in a
  bounce that itself looks like an MTA's (a relay wrapping the report it received; never
  above the inner report's own grade);
* `low`: a heuristic recipient guess; a report a person forwarded; a report-based result
  with no recipient; an internal error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bouncekit._evidence import Evidence
    from bouncekit._smtp import EnhancedStatus

__all__ = ["Confidence", "judge"]


class Confidence(StrEnum):
    """How far the evidence for one recipient's result can be trusted; ordered low < high.

    Compare with `<`/`>=` (`bounce.confidence >= Confidence.MEDIUM`): the order is the
    grade's, not the strings' alphabetical one.
    """

    HIGH = "high"  # machine-readable report, or a known format / SMTP reply with a code
    MEDIUM = "medium"  # a known format without a code, an auto-reply, a relayed report
    LOW = "low"  # a heuristic guess, a forwarded report, no recipient, an error

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high."""
        return _RANK[self]

    def __lt__(self, other: str) -> bool:
        return self.rank < Confidence(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= Confidence(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > Confidence(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= Confidence(other).rank


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}

# Evidence.via: how an extractor found the recipient when not from the report's own fields.
# A report read from inside another message gets `relayed` or `forwarded` first
# (`relayed+flufl`): `_extract/forwarded.py` decides which.
RELAYED = "relayed"  # inside a bounce an MTA sent
FORWARDED = "forwarded"  # forwarded by a person (attached, or pasted under a "Fwd:" subject)
_GUESSES = frozenset({"generic", "flufl", "original-recipient"})
_MEDIUM_VIA = frozenset({"original-to"})  # the recipient from the returned message's To

# Evidence.source -> provenance, for the sources that are not their own provenance.
_PROVENANCE = {"ses": "esp:ses", "reply": "smtp-reply", "auto_reply": "auto-reply"}
_MACHINE = ("dsn", "arf", "ndr:embedded-dsn", "esp:")  # provenances high when naming a recipient


def judge(ev: Evidence, code: int | None, status: EnhancedStatus | None) -> tuple[str, Confidence]:
    """(provenance, confidence) of one recipient's result; `code`/`status` are the result's."""
    source = ev.source
    if source == "reply":  # the caller knows the recipient it sent RCPT TO for
        coded = (code is not None and 200 <= code < 600) or status is not None
        return "smtp-reply", Confidence.HIGH if coded else Confidence.MEDIUM
    if source.startswith("error:") or not source:
        return "error", Confidence.LOW
    wrapper, how = "", ev.via
    if how.startswith((RELAYED, FORWARDED)):
        wrapper, _, how = how.partition("+")
    coded = (code is not None and 200 <= code < 600) or status is not None
    provenance, confidence = _PROVENANCE.get(source, source), Confidence.MEDIUM
    if how == "x-failed-recipients":
        provenance = "ndr:x-failed-recipients"
    elif source == "ndr" or how in _GUESSES:
        provenance, confidence = f"heuristic:{how or 'generic'}", Confidence.LOW
    elif (provenance.startswith(_MACHINE) or coded) and (
        how not in _MEDIUM_VIA and source != "auto_reply"
    ):
        confidence = Confidence.HIGH
    if ev.recipient is None:
        confidence = Confidence.LOW  # nobody to act on
    if wrapper == FORWARDED:
        return "heuristic:forwarded", Confidence.LOW
    if wrapper == RELAYED:
        return "heuristic:nested", min(confidence, Confidence.MEDIUM)
    return provenance, confidence
