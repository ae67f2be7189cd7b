"""Sender-side blocks, grouped into incidents: "Hotmail refuses our IP since 09:12".

When a provider blocks the sending IP, *every* message to it bounces, each with a
`block` category. Seen one by one that looks like thousands of bad addresses; seen together
it is one problem with one fixer. `detect_incidents` reads `(timestamp, Bounce)` pairs as a
stream and groups the blocks by provider, block type, blocked IP and deciding rule. An
incident closes when its group has been quiet for `quiet` (default 6 hours); it carries the
first and last time seen, the recipients affected, the advice (who can fix it, links), and
the recipients that must **not** be suppressed because of it.

Memory is bounded: at most `max_open` incidents are open at once (the least recently seen
one is closed to make room) and each keeps at most `max_recipients` addresses (`truncated`
says when more came). Non-block bounces are only looked at to notice a recipient
of an open incident that also hard-bounced or complained elsewhere: such an address leaves
the keep list.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bouncekit._types import Advice, BlockType, Bounce, Category, Provider, Reason

__all__ = ["Incident", "IncidentDetector", "IncidentKey", "detect_incidents"]

Timestamp = datetime | float | int


@dataclass(frozen=True, slots=True)
class IncidentKey:
    """What makes two blocks the same incident."""

    provider: str | None  # provider pack id
    block_type: BlockType | None
    blocked_ip: str | None
    rule: str  # the rule id that decided, or the fallback stage and its detail


@dataclass(frozen=True, slots=True)
class Incident:
    """One sender-side block, seen across many bounces."""

    key: IncidentKey
    provider: Provider | None
    block_type: BlockType | None
    blocked_ip: str | None
    blocklist: str | None
    rule: str
    reason: Reason
    first_seen: datetime | None
    last_seen: datetime | None
    bounces: int  # block bounces counted in this incident
    recipient_count: int  # distinct recipients kept (see `truncated`)
    recipients: tuple[str, ...]  # first seen first, at most `max_recipients`
    keep: tuple[str, ...]  # recipients that must not be suppressed because of this block
    advice: Advice
    example: str  # one diagnostic text, to show or quote to the fixer
    truncated: bool = False  # more recipients than were kept

    @property
    def duration(self) -> timedelta | None:
        if self.first_seen is None or self.last_seen is None:
            return None
        return self.last_seen - self.first_seen

    @property
    def links(self) -> tuple[str, ...]:
        """Where the fixer acts: the advice's links (provider forms, blocklist lookups)."""
        return self.advice.links

    def to_dict(self) -> dict[str, object]:
        """JSON-ready plain data."""
        return {
            "provider": self.provider.to_dict() if self.provider else None,
            "block_type": self.block_type.value if self.block_type else None,
            "blocked_ip": self.blocked_ip,
            "blocklist": self.blocklist,
            "rule": self.rule,
            "reason": self.reason.value,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "bounces": self.bounces,
            "recipient_count": self.recipient_count,
            "recipients": list(self.recipients),
            "keep": list(self.keep),
            "truncated": self.truncated,
            "advice": self.advice.to_dict(),
            "example": self.example,
        }


def _seconds(when: Timestamp | None) -> float | None:
    if when is None:
        return None
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp()
    return float(when)


def _datetime(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _rule(b: Bounce) -> str:
    return b.match.rule_id or f"{b.match.stage}:{b.match.detail}".rstrip(":")


@dataclass(slots=True)
class _Open:
    """An incident still accumulating."""

    key: IncidentKey
    first: Bounce
    serial: int
    first_seen: float | None = None
    last_seen: float | None = None
    bounces: int = 0
    count: int = 0
    recipients: dict[str, None] = field(default_factory=dict)
    condemned: set[str] = field(default_factory=set)
    truncated: bool = False

    def add(self, when: float | None, b: Bounce, max_recipients: int) -> None:
        self.bounces += 1
        if when is not None:
            self.first_seen = when if self.first_seen is None else min(self.first_seen, when)
            self.last_seen = when if self.last_seen is None else max(self.last_seen, when)
        rcpt = (b.recipient or "").lower()
        if rcpt and rcpt not in self.recipients:
            if len(self.recipients) < max_recipients:
                self.recipients[rcpt] = None
                self.count += 1
            else:
                # Past the cap we cannot tell a new address from a repeat: count bounces only.
                self.truncated = True

    def close(self) -> Incident:
        b = self.first
        recipients = tuple(self.recipients)
        return Incident(
            key=self.key,
            provider=b.provider,
            block_type=b.block_type,
            blocked_ip=self.key.blocked_ip,
            blocklist=b.blocklist,
            rule=self.key.rule,
            reason=b.reason,
            first_seen=_datetime(self.first_seen),
            last_seen=_datetime(self.last_seen),
            bounces=self.bounces,
            recipient_count=self.count,
            recipients=recipients,
            keep=tuple(r for r in recipients if r not in self.condemned),
            advice=b.advice,
            example=b.diagnostic,
            truncated=self.truncated,
        )


class IncidentDetector:
    """Push-style incident detection: `add()` bounces as they come, collect what closes.

    `add()` returns the incidents that closed (with `ordered`, groups quiet for longer than
    `quiet` by the latest time seen so far); `flush()` closes and returns the rest. A bounce
    joins the open incident of its group whose span it is within `quiet` of, else it opens
    a new one, so the same block months apart is two incidents. Set `ordered=False` for
    input that is not in time order (a folder read by file name): incidents then close only
    for room (`max_open`) or at `flush()`, never because a later date was seen first.
    """

    def __init__(
        self,
        *,
        quiet: timedelta = timedelta(hours=6),
        max_open: int = 1000,
        max_recipients: int = 100_000,
        min_recipients: int = 1,
        ordered: bool = True,
    ) -> None:
        if max_open < 1 or max_recipients < 1 or min_recipients < 1:
            raise ValueError("IncidentDetector limits must be at least 1")
        self.quiet = quiet.total_seconds()
        self.max_open = max_open
        self.max_recipients = max_recipients
        self.min_recipients = min_recipients
        self.ordered = ordered
        self._open: OrderedDict[int, _Open] = OrderedDict()  # least recently touched first
        self._by_key: dict[IncidentKey, list[_Open]] = {}
        self._serial = 0
        self._clock: float | None = None

    def add(self, when: Timestamp | None, bounce: Bounce) -> list[Incident]:
        t = _seconds(when)
        if t is not None:
            self._clock = t if self._clock is None else max(self._clock, t)
        closed = self._expire() if self.ordered else []
        if bounce.category is Category.BLOCK:
            self._add_block(t, bounce, closed)
        elif bounce.category in (Category.HARD, Category.COMPLAINT) and bounce.recipient:
            rcpt = bounce.recipient.lower()
            for inc in self._open.values():
                if rcpt in inc.recipients:
                    inc.condemned.add(rcpt)
        return closed

    def _add_block(self, t: float | None, b: Bounce, closed: list[Incident]) -> None:
        provider = b.provider.id if b.provider else None
        key = IncidentKey(provider, b.block_type, b.blocked_ip, _rule(b))
        spans = [inc for inc in self._by_key.get(key, ()) if not self._apart(inc, t)]
        inc = max(spans, key=lambda i: i.serial) if spans else self._adopt(key, t)
        if inc is None:
            if len(self._open) >= self.max_open:
                self._emit(self._remove(next(iter(self._open.values()))), closed)
            self._serial += 1
            inc = _Open(key, b, self._serial)
            self._open[inc.serial] = inc
            self._by_key.setdefault(key, []).append(inc)
        self._open.move_to_end(inc.serial)
        inc.add(t, b, self.max_recipients)

    def _apart(self, inc: _Open, t: float | None) -> bool:
        """True when `t` lies more than `quiet` outside the incident's span."""
        if t is None or inc.first_seen is None or inc.last_seen is None:
            return False
        return t - inc.last_seen > self.quiet or inc.first_seen - t > self.quiet

    def _adopt(self, key: IncidentKey, t: float | None) -> _Open | None:
        """An open incident of the same block that differs only by a missing IP.

        Providers do not always quote the blocked IP (Outlook's SC-001 sometimes does,
        sometimes not). A reply without one joins the most recent open incident of the same
        provider, block type and rule; an incident opened without an IP takes the first IP
        that comes, if no incident for that IP is open.
        """
        same = [
            inc
            for inc in reversed(self._open.values())
            if (inc.key.provider, inc.key.block_type, inc.key.rule)
            == (key.provider, key.block_type, key.rule)
            and not self._apart(inc, t)
        ]
        if key.blocked_ip is None:
            return same[0] if same else None
        for inc in same:
            if inc.key.blocked_ip is None:
                self._by_key[inc.key].remove(inc)
                if not self._by_key[inc.key]:
                    del self._by_key[inc.key]
                inc.key = key
                self._by_key.setdefault(key, []).append(inc)
                return inc
        return None

    def _remove(self, inc: _Open) -> _Open:
        del self._open[inc.serial]
        spans = self._by_key[inc.key]
        spans.remove(inc)
        if not spans:
            del self._by_key[inc.key]
        return inc

    def _expire(self) -> list[Incident]:
        closed: list[Incident] = []
        if self._clock is None:
            return closed
        while self._open:
            inc = next(iter(self._open.values()))
            if inc.last_seen is None or self._clock - inc.last_seen <= self.quiet:
                break
            self._emit(self._remove(inc), closed)
        return closed

    def _emit(self, inc: _Open, closed: list[Incident]) -> None:
        if inc.count >= self.min_recipients or inc.truncated:
            closed.append(inc.close())

    def flush(self) -> list[Incident]:
        """Close every open incident (end of the stream), oldest first."""
        closed: list[Incident] = []
        for inc in sorted(
            self._open.values(), key=lambda i: (i.first_seen is None, i.first_seen or 0.0)
        ):
            self._emit(inc, closed)
        self._open.clear()
        self._by_key.clear()
        return closed

    @property
    def open_count(self) -> int:
        return len(self._open)


def detect_incidents(
    bounces: Iterable[tuple[Timestamp | None, Bounce]],
    *,
    quiet: timedelta = timedelta(hours=6),
    max_open: int = 1000,
    max_recipients: int = 100_000,
    min_recipients: int = 1,
    ordered: bool = True,
) -> Iterator[Incident]:
    """Group sender-side blocks of a `(timestamp, Bounce)` stream into incidents.

    A generator: each incident is yielded when it closes (its group quiet for `quiet`), the
    rest at the end of the stream. Incidents with fewer than `min_recipients` distinct
    recipients are dropped (raise it to see only the large ones). `ordered=False` is for
    input out of time order: see `IncidentDetector`.
    """
    detector = IncidentDetector(
        quiet=quiet,
        max_open=max_open,
        max_recipients=max_recipients,
        min_recipients=min_recipients,
        ordered=ordered,
    )
    for when, bounce in bounces:
        yield from detector.add(when, bounce)
    yield from detector.flush()
