"""What a mailing list should do with an address after a bounce: suppress, unsubscribe, keep.

The engine says *why* a message bounced (`Bounce.category`); this module turns that, plus
the address's recent history, into a decision. It is pure: the caller stores the history
(its own database, a CSV, anything) and passes it in as plain data, a sequence of
`(timestamp, category)` pairs. Nothing here reads a clock, a file or a network.

The defaults follow the categories' meaning:

* `hard`: the address is bad; suppress it at once (`hard_limit = 1`).
* `complaint`: the recipient said "spam"; unsubscribe at once.
* `soft`: transient; suppress after `soft_limit` soft bounces within `soft_window`,
  counting only those since the last successful delivery.
* `block`: the *sender* was refused; it never counts against the recipient.
* `auto_reply`: an out-of-office; ignored.
* `delivered`: a delivery; it resets the soft count (record it in the history).
* `unknown`: not enough evidence; kept, and not counted unless `unknown_counts_as_soft`.

A hard bounce on weak evidence (`Bounce.confidence` below `min_hard_confidence`, by default
`low`: a heuristic recipient guess, a bounce forwarded inside ordinary mail) counts as a
soft one: one such message never removes a reader, repeats within the window still do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bouncekit._provenance import Confidence
from bouncekit._types import Bounce, Category

__all__ = [
    "DEFAULT_SUPPRESSION_POLICY",
    "Decision",
    "SuppressionPolicy",
    "Timestamp",
    "Verdict",
    "decide",
]

Timestamp = datetime | float | int
"""A point in time: a `datetime` (naive means UTC), or seconds since the epoch."""


class Verdict(StrEnum):
    """What to do with the recipient's address."""

    SUPPRESS = "suppress"  # stop sending to the address: it does not work
    UNSUBSCRIBE = "unsubscribe"  # remove it from the list: the recipient withdrew consent
    RETRY = "retry"  # keep it; this failure counts towards the soft limit
    KEEP = "keep"  # keep it; nothing against the recipient (a block, a delivery, unknown)
    IGNORE = "ignore"  # not a delivery outcome at all (an auto-reply)

    @property
    def removes(self) -> bool:
        """True when the address leaves the sending list."""
        return self in (Verdict.SUPPRESS, Verdict.UNSUBSCRIBE)


class _HasCategory(Protocol):
    @property
    def category(self) -> Category: ...


HistoryItem = tuple[Timestamp | None, Category | str | _HasCategory]
"""One past event for the address: when, and its category (or a `Bounce`)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict for one bounce, and why, in words a list owner can read."""

    verdict: Verdict
    why: str
    category: Category
    counts_against_recipient: bool  # did this bounce count towards a limit
    soft_count: int  # soft bounces in the window since the last delivery, this one included

    @property
    def removes(self) -> bool:
        """True when the address leaves the sending list (suppress or unsubscribe)."""
        return self.verdict.removes


def _seconds(when: Timestamp) -> float:
    """Seconds since the epoch; a naive datetime is taken as UTC (as in `incidents`)."""
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return float(when)


def _category(value: Category | str | _HasCategory) -> Category:
    if isinstance(value, Category):
        return value
    if isinstance(value, str):
        return Category(value)
    return value.category


@dataclass(frozen=True, slots=True)
class SuppressionPolicy:
    """The thresholds of the decision, all configurable; the defaults follow the categories.

    `hard_limit` hard bounces suppress the address (default 1: at once). `soft_limit` soft
    bounces within `soft_window`, counted since the last delivery, suppress it (default 5
    in 30 days). A complaint unsubscribes at once unless `complaint_unsubscribes` is False
    (then it counts as a hard bounce). Blocks and unclassified failures count as soft only
    if `block_counts_as_soft` / `unknown_counts_as_soft` say so (default: never). A hard
    bounce whose `confidence` is below `min_hard_confidence` (default `medium`: only `low`
    ones) counts as soft; `Confidence.LOW` makes every hard bounce count as hard. History
    items without a confidence (plain categories) are taken as they are.
    """

    hard_limit: int = 1  # hard bounces before the address is suppressed
    soft_limit: int = 5  # soft bounces (since the last delivery, within the window)
    soft_window: timedelta = timedelta(days=30)
    complaint_unsubscribes: bool = True  # False: treat a complaint like a hard bounce
    block_counts_as_soft: bool = False  # True only if you cannot trust the block category
    unknown_counts_as_soft: bool = False  # count unclassified failures towards the limit
    min_hard_confidence: Confidence = Confidence.MEDIUM  # weaker hard bounces count as soft

    def __post_init__(self) -> None:
        if self.hard_limit < 1 or self.soft_limit < 1:
            raise ValueError("SuppressionPolicy limits must be at least 1")
        if self.soft_window <= timedelta(0):
            raise ValueError("SuppressionPolicy.soft_window must be positive")

    def _counts_as_soft(self, category: Category) -> bool:
        return (
            category is Category.SOFT
            or (category is Category.BLOCK and self.block_counts_as_soft)
            or (category is Category.UNKNOWN and self.unknown_counts_as_soft)
        )

    def _weak(self, item: object) -> bool:
        """True for a hard bounce too weakly evidenced to count as hard (G10)."""
        confidence = getattr(item, "confidence", None)
        return confidence is not None and Confidence(confidence) < self.min_hard_confidence

    def _effective(self, item: Category | str | _HasCategory) -> Category:
        """The category an event counts as: a weak hard bounce counts as soft."""
        category = _category(item)
        return Category.SOFT if category is Category.HARD and self._weak(item) else category

    def decide(
        self,
        bounce: Bounce | _HasCategory,
        history: Iterable[HistoryItem] = (),
        *,
        when: Timestamp | None = None,
    ) -> Decision:
        """Decide what to do with the address after `bounce`.

        `history` holds the address's earlier events, `(timestamp, category)` pairs in any
        order (a `Bounce` works in place of the category; record deliveries as
        `Category.DELIVERED`). `when` is the time of this bounce; without it, the newest
        timestamp in the history stands in, so the window still slides with the data.
        """
        category = bounce.category
        if category is Category.COMPLAINT:
            if self.complaint_unsubscribes:
                return Decision(
                    Verdict.UNSUBSCRIBE,
                    "the recipient reported the mail as spam: unsubscribe now",
                    category,
                    True,
                    0,
                )
            category = Category.HARD
        if category is Category.AUTO_REPLY:
            return Decision(
                Verdict.IGNORE, "an automatic reply is not a delivery failure", category, False, 0
            )
        if category is Category.DELIVERED:
            return Decision(
                Verdict.KEEP, "delivered: this resets the soft-bounce count", category, False, 0
            )
        if category is Category.BLOCK and not self.block_counts_as_soft:
            return Decision(
                Verdict.KEEP,
                "the sender was refused, not the recipient: keep the address and fix "
                "the sending side",
                category,
                False,
                0,
            )

        weak = ""
        if category is Category.HARD and self._weak(bounce):
            category = Category.SOFT
            weak = (
                f"a hard bounce on weak evidence ({getattr(bounce, 'provenance', '') or '?'}, "
                f"confidence {getattr(bounce, 'confidence', '')}) counts as soft: "
            )
        events = [(t, self._effective(c)) for t, c in history]
        if category is Category.HARD:
            hard = 1 + sum(1 for _, c in events if c is Category.HARD)
            if hard >= self.hard_limit:
                why = "the address does not work (hard bounce): suppress it"
                if self.hard_limit > 1:
                    why += f" ({hard} hard bounces, limit {self.hard_limit})"
                return Decision(Verdict.SUPPRESS, why, category, True, 0)
            return Decision(
                Verdict.RETRY,
                f"hard bounce {hard} of {self.hard_limit} before suppression",
                category,
                True,
                0,
            )

        if not self._counts_as_soft(category):  # unknown, not counted
            return Decision(
                Verdict.KEEP,
                "not enough evidence to act on this bounce alone: keep the address",
                category,
                False,
                0,
            )

        count = 1 + self._soft_before(events, when)
        window = _describe(self.soft_window)
        if count >= self.soft_limit:
            return Decision(
                Verdict.SUPPRESS,
                f"{weak}{count} soft bounces within {window} without a delivery "
                f"(limit {self.soft_limit}): suppress the address",
                category,
                True,
                count,
            )
        return Decision(
            Verdict.RETRY,
            f"{weak}soft bounce {count} of {self.soft_limit} within {window}: retry later",
            category,
            True,
            count,
        )

    def _soft_before(
        self, events: list[tuple[Timestamp | None, Category]], when: Timestamp | None
    ) -> int:
        """Soft bounces in the history that still count: in the window, after the last delivery."""
        stamped = [(_seconds(t), c) for t, c in events if t is not None]
        now = _seconds(when) if when is not None else max((t for t, _ in stamped), default=None)
        last_delivery = max(
            (t for t, c in stamped if c is Category.DELIVERED), default=float("-inf")
        )
        start = now - self.soft_window.total_seconds() if now is not None else float("-inf")
        counted = sum(
            1
            for t, c in stamped
            if self._counts_as_soft(c)
            and t > last_delivery
            and t >= start
            and (now is None or t <= now)
        )
        if last_delivery == float("-inf"):  # undated soft bounces count only with no delivery
            counted += sum(1 for t, c in events if t is None and self._counts_as_soft(c))
        return counted


def _describe(window: timedelta) -> str:
    if window.days and not window.seconds:
        return f"{window.days} day" + ("s" if window.days != 1 else "")
    hours = window.total_seconds() / 3600
    return f"{hours:g} hour" + ("s" if hours != 1 else "")


DEFAULT_SUPPRESSION_POLICY = SuppressionPolicy()


def decide(
    bounce: Bounce | _HasCategory,
    history: Iterable[HistoryItem] = (),
    *,
    when: Timestamp | None = None,
    policy: SuppressionPolicy = DEFAULT_SUPPRESSION_POLICY,
) -> Decision:
    """`policy.decide(bounce, history, when=when)` with the default policy."""
    return policy.decide(bounce, history, when=when)
