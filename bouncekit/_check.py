"""Run every example of a registry's rules through the full engine (for CI and plugin authors).

An example passes when *its own* rule decides it (so a rule shadowed by an earlier one is
caught); a counter-example passes when its rule does not decide it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouncekit._api import classify_reply
from bouncekit._registry import Registry
from bouncekit._schema import Example, Rule


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: str  # qualified id
    example: str
    counter: bool
    decided_by: str | None
    ok: bool


def run_example(
    registry: Registry, rule: Rule, example: Example, counter: bool = False
) -> ExampleResult:
    bounce = classify_reply(
        example.text,
        code=example.code,
        recipient=example.recipient,
        remote_host=example.remote_mta,
        registry=registry,
    )
    decided = bounce.match.rule_id
    ok = (decided != rule.qualified_id) if counter else (decided == rule.qualified_id)
    return ExampleResult(rule.qualified_id, example.text, counter, decided, ok)


def check_examples(registry: Registry, pack_ids: set[str] | None = None) -> list[ExampleResult]:
    """Results for every example and counter-example of the rules (of `pack_ids`, if given)."""
    results: list[ExampleResult] = []
    for rule in registry.rules():
        if pack_ids is not None and rule.pack not in pack_ids:
            continue
        results.extend(run_example(registry, rule, ex) for ex in rule.examples)
        results.extend(
            run_example(registry, rule, ex, counter=True) for ex in rule.counter_examples
        )
    return results
