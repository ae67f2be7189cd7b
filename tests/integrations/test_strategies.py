"""Hypothesis strategies: random bounces read back as the rule and recipient they came from."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from bouncekit import classify_reply, parse_bounce  # noqa: E402
from bouncekit.testing.strategies import BounceCase, bounce_cases, bounces  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bounce_cases(forms=("dsn", "reply"), mtas=("postfix", "exim")))
def test_generated_bounces_read_back(case: BounceCase) -> None:
    ex = case.rule.examples[case.example]
    bare = classify_reply(ex.text, code=ex.code, recipient=ex.recipient, remote_host=ex.remote_mta)
    # An example its own rule does not decide is test_signatures' failure, not this one's.
    assume(bare.match.rule_id == case.rule.qualified_id)
    (b,) = parse_bounce(case.raw).bounces
    assert b.recipient == case.recipient
    assert b.match.rule_id == case.rule.qualified_id


@settings(max_examples=10, deadline=None)
@given(bounces(forms=("ndr",), mtas=("exim",)))
def test_bounces_are_messages(raw: bytes) -> None:
    assert raw.startswith(b"Return-Path: <>\n")
    assert parse_bounce(raw).kind.value == "ndr"
