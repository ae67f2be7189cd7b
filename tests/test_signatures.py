"""Every example of every rule is decided by that rule through the full engine."""

from __future__ import annotations

import pytest

from bouncekit import default_registry
from bouncekit._check import run_example

REGISTRY = default_registry()
CASES = [
    pytest.param(rule, ex, counter, id=f"{rule.qualified_id}{'!' if counter else ''}#{i}")
    for rule in REGISTRY.rules()
    for counter, examples in ((False, rule.examples), (True, rule.counter_examples))
    for i, ex in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "example", "counter"), CASES)
def test_example_is_decided_by_its_rule(rule, example, counter) -> None:
    result = run_example(REGISTRY, rule, example, counter)
    assert result.ok, f"{rule.qualified_id}: decided by {result.decided_by}: {example.text}"


@pytest.mark.parametrize("rule", list(REGISTRY.rules()), ids=lambda r: r.qualified_id)
def test_example_result_matches_rule_fields(rule) -> None:
    from bouncekit import classify_reply

    ex = rule.examples[0]
    bounce = classify_reply(
        ex.text, code=ex.code, recipient=ex.recipient, remote_host=ex.remote_mta
    )
    assert bounce.reason is rule.reason
    assert bounce.category is rule.category
    if rule.block_type is not None:
        assert bounce.block_type is rule.block_type
    pack = REGISTRY.pack(rule.pack)
    if pack is not None and pack.pack.kind != "generic":
        assert bounce.provider is not None and bounce.provider.id == rule.pack
