"""SuppressionPolicy: each category's rule, the soft window, the reset after a delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bouncekit import Category, classify_reply, parse_bounce
from bouncekit.policy import SuppressionPolicy, Verdict, decide

from .streams import ARF, AUTO_REPLY, HARD, HOTMAIL_REPLIES, SOFT

T0 = datetime(2026, 3, 1, tzinfo=UTC)
RCPT = "reader@example.org"
HARD_B = classify_reply(HARD, recipient=RCPT)
SOFT_B = classify_reply(SOFT, recipient=RCPT)
BLOCK_B = classify_reply(
    HOTMAIL_REPLIES[0].format(ip="192.0.2.1", tag="X"), recipient="reader@hotmail.com"
)
(COMPLAINT_B,) = parse_bounce(ARF.format(rcpt=RCPT)).bounces
(AUTO_B,) = parse_bounce(AUTO_REPLY.format(rcpt=RCPT)).bounces


def days(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_the_inputs_are_what_their_names_say() -> None:
    assert [b.category for b in (HARD_B, SOFT_B, BLOCK_B, COMPLAINT_B, AUTO_B)] == [
        Category.HARD,
        Category.SOFT,
        Category.BLOCK,
        Category.COMPLAINT,
        Category.AUTO_REPLY,
    ]


def test_hard_bounce_suppresses_at_once() -> None:
    d = decide(HARD_B)
    assert d.verdict is Verdict.SUPPRESS and d.removes and d.counts_against_recipient
    assert "hard bounce" in d.why


def test_complaint_unsubscribes_at_once() -> None:
    d = decide(COMPLAINT_B)
    assert d.verdict is Verdict.UNSUBSCRIBE and d.removes
    assert "spam" in d.why
    # A list that treats complaints as bad addresses instead:
    d = decide(COMPLAINT_B, policy=SuppressionPolicy(complaint_unsubscribes=False))
    assert d.verdict is Verdict.SUPPRESS


def test_block_never_counts_against_the_recipient() -> None:
    history = [(days(i / 10), Category.BLOCK) for i in range(50)]
    d = decide(BLOCK_B, history, when=days(5))
    assert d.verdict is Verdict.KEEP and not d.removes and not d.counts_against_recipient
    assert "sender" in d.why
    # Blocks in the history do not add up to a soft suppression either.
    d = decide(SOFT_B, history, when=days(5))
    assert d.verdict is Verdict.RETRY and d.soft_count == 1


def test_auto_reply_is_ignored() -> None:
    d = decide(AUTO_B, [(days(0), Category.SOFT)] * 10, when=days(0))
    assert d.verdict is Verdict.IGNORE and not d.counts_against_recipient


def test_soft_bounces_suppress_after_n_within_the_window() -> None:
    history = [(days(i), Category.SOFT) for i in range(4)]
    d = decide(SOFT_B, history, when=days(4))
    assert d.verdict is Verdict.SUPPRESS and d.soft_count == 5
    assert "5 soft bounces within 30 days" in d.why
    d = decide(SOFT_B, history[:3], when=days(4))
    assert d.verdict is Verdict.RETRY and d.soft_count == 4 and not d.removes


def test_soft_bounces_outside_the_window_do_not_count() -> None:
    history = [(days(i), Category.SOFT) for i in range(4)]
    d = decide(SOFT_B, history, when=days(31.5))  # days 0 and 1 have left the window
    assert d.verdict is Verdict.RETRY and d.soft_count == 3


def test_a_delivery_resets_the_soft_count() -> None:
    history = [(days(i), Category.SOFT) for i in range(4)] + [(days(3.5), Category.DELIVERED)]
    d = decide(SOFT_B, history, when=days(4))
    assert d.verdict is Verdict.RETRY and d.soft_count == 1


def test_without_when_the_newest_history_entry_is_now() -> None:
    history = [(days(i), "soft") for i in (0, 40, 41, 42, 43)]  # plain strings work too
    d = decide(SOFT_B, history)
    assert d.soft_count == 5 and d.verdict is Verdict.SUPPRESS  # day 0 fell out; this one in
    assert decide(SOFT_B, [(1e9, SOFT_B)] * 4).verdict is Verdict.SUPPRESS  # epoch, Bounce


def test_every_threshold_is_configurable() -> None:
    policy = SuppressionPolicy(
        hard_limit=2, soft_limit=2, soft_window=timedelta(hours=1), unknown_counts_as_soft=True
    )
    assert policy.decide(HARD_B).verdict is Verdict.RETRY
    assert policy.decide(HARD_B, [(days(0), Category.HARD)]).verdict is Verdict.SUPPRESS
    assert policy.decide(SOFT_B, [(days(0), Category.SOFT)], when=days(0.5)).soft_count == 1
    assert (
        policy.decide(SOFT_B, [(days(0), Category.UNKNOWN)], when=days(0.01)).verdict
        is Verdict.SUPPRESS
    )
    strict = SuppressionPolicy(block_counts_as_soft=True, soft_limit=2)
    assert strict.decide(BLOCK_B, [(days(0), Category.BLOCK)], when=days(0)).removes


def test_invalid_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        SuppressionPolicy(soft_limit=0)
    with pytest.raises(ValueError):
        SuppressionPolicy(soft_window=timedelta(0))
