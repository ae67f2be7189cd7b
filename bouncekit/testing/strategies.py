"""Hypothesis strategies for random, realistic bounces (hypothesis is imported on first call).

    >>> from hypothesis import given
    >>> from bouncekit.testing.strategies import bounce_cases
    >>> @given(bounce_cases())                                  # doctest: +SKIP
    ... def test_handler(case):
    ...     handle_bounce(case.raw)   # your code; case.rule says what it should conclude

Each case is drawn from a registry rule, one of its examples, a form, an MTA layout, a language
and a random local part, so the generated population follows the signature packs.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bouncekit._registry import Registry, default_registry
from bouncekit._schema import Rule
from bouncekit._text import domain_of
from bouncekit.testing import FORMS, LANGS, MTAS, Form, Lang, Mta, fixture_for, make_bounce

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["BounceCase", "bounce_cases", "bounces", "rules"]


@dataclass(frozen=True, slots=True)
class BounceCase:
    """A generated bounce and what it was built from."""

    raw: bytes
    rule: Rule
    example: int
    recipient: str
    form: Form
    mta: Mta
    lang: Lang


def rules(registry: Registry | None = None) -> SearchStrategy[Rule]:
    """Any rule of the registry (built-in packs and installed plugins)."""
    from hypothesis import strategies as st

    registry = registry or default_registry()
    return st.sampled_from(list(registry.rules()))


def bounce_cases(
    *,
    forms: Sequence[Form] = FORMS,
    mtas: Sequence[Mta] = MTAS,
    langs: Sequence[Lang] = LANGS,
    registry: Registry | None = None,
) -> SearchStrategy[BounceCase]:
    """Bounces with their provenance; the recipient keeps the domain the rule's fixture uses."""
    from hypothesis import strategies as st

    registry = registry or default_registry()
    local_parts = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=20).map(
        lambda s: f"u.{s}"
    )

    @st.composite
    def build(draw: st.DrawFn) -> BounceCase:
        rule = draw(rules(registry))
        index = draw(st.integers(0, len(rule.examples) - 1))
        form = draw(st.sampled_from(list(forms)))
        mta = draw(st.sampled_from(list(mtas)))
        lang = draw(st.sampled_from(list(langs)))
        base = fixture_for(rule=rule.qualified_id, example=index, registry=registry)
        recipient = f"{draw(local_parts)}@{domain_of(base.recipient)}"
        raw = make_bounce(
            rule=rule.qualified_id,
            example=index,
            recipient=recipient,
            form=form,
            mta=mta,
            lang=lang,
            registry=registry,
        )
        return BounceCase(raw, rule, index, recipient, form, mta, lang)

    return build()


def bounces(**kwargs: object) -> SearchStrategy[bytes]:
    """Just the raw messages of `bounce_cases(**kwargs)`."""
    return bounce_cases(**kwargs).map(lambda case: case.raw)  # type: ignore[arg-type]
