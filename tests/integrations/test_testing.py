"""bouncekit.testing: every rule's fixture, in every form, reads back as that rule.

The packs grow while this runs in CI, so the cases are whatever the registry holds now.
"""

from __future__ import annotations

import email
from email.header import decode_header, make_header

import pytest

from bouncekit import Category, ReportKind, classify_reply, default_registry, parse_bounce
from bouncekit.testing import (
    FORMS,
    LANGS,
    MTAS,
    find_rule,
    fixture_for,
    make_auto_reply,
    make_bounce,
    make_complaint,
)

REGISTRY = default_registry()
KIND = {"dsn": ReportKind.DSN, "ndr": ReportKind.NDR, "reply": ReportKind.REPLY}


# Every rule round-trips in every form with no exception list. (The engine's refinement of
# an unconfirmed "unknown user", bouncekit/_engine.py `_unknown_user`, and the Exchange NDR
# readers once needed strict xfails here; both are now read right.)


def _combos() -> list[tuple[str, str, str]]:
    out = [("reply", "postfix", "en")]  # a bare reply has no MTA layout or language
    out += [(f, m, lang) for f in FORMS if f != "reply" for m in MTAS for lang in LANGS]
    return out


CASES = [
    pytest.param(
        rule.qualified_id,
        form,
        mta,
        lang,
        id=f"{rule.qualified_id}-{form}-{mta}-{lang}",
    )
    for rule in REGISTRY.rules()
    for form, mta, lang in _combos()
]


@pytest.mark.parametrize(("rule_id", "form", "mta", "lang"), CASES)
def test_make_bounce_round_trips(rule_id: str, form: str, mta: str, lang: str) -> None:
    rule = REGISTRY.rule(rule_id)
    assert rule is not None
    fx = fixture_for(rule=rule_id, lang=lang)  # type: ignore[arg-type]
    bare = classify_reply(
        fx.example.text,
        code=fx.example.code,
        recipient=fx.example.recipient,
        remote_host=fx.example.remote_mta,
    )
    assert bare.match.rule_id == rule_id, (
        f"the rule's own example is decided by {bare.match.rule_id} even as a bare reply: "
        "a pack bug (tests/test_signatures.py fails too), not a fixture bug"
    )
    raw = make_bounce(rule=rule_id, form=form, mta=mta, lang=lang)  # type: ignore[arg-type]
    report = parse_bounce(raw)
    assert report.kind is KIND[form]
    assert len(report.bounces) == 1, [b.recipient for b in report.bounces]
    b = report.bounces[0]
    assert b.recipient == fx.recipient
    assert b.match.rule_id == rule_id, f"decided by {b.match.rule_id}: {b.diagnostic}"
    assert b.reason is rule.reason
    assert b.category is rule.category
    if rule.block_type is not None:
        assert b.block_type is rule.block_type
    pack = REGISTRY.pack(rule.pack)
    assert pack is not None
    if pack.pack.kind != "generic":
        assert b.provider is not None and b.provider.id == rule.pack
    if bare.smtp_code is not None or bare.enhanced_status is not None:
        assert b.permanent is bare.permanent  # without codes, the DSN's Action adds a fact
    if form == "dsn":
        assert report.original_message_id is not None
        assert report.original_subject == "Your receipt"


def test_reason_with_provider_falls_back_to_generic_and_keeps_the_provider() -> None:
    """A provider without its own rule for a reason still gets a bounce that names it."""
    pack = next(p for p in REGISTRY.packs if p.kind == "provider" and p.domains)
    own = {r.reason for r in pack.rules}
    generic = next(r for r in REGISTRY.generic.rules if r.reason not in own)
    rule = find_rule(provider=pack.id, reason=generic.reason)
    assert rule.qualified_id == generic.qualified_id
    report = parse_bounce(make_bounce(provider=pack.id, reason=generic.reason))
    b = report.bounces[0]
    assert b.recipient is not None and b.recipient.endswith("@" + pack.domains[0])
    assert b.provider is not None and b.provider.id == pack.id


def test_provider_rule_is_preferred_for_its_reason() -> None:
    rule = next(r for r in REGISTRY.rules() if r.pack != "generic")
    assert find_rule(provider=rule.pack, reason=rule.reason).pack == rule.pack


def test_rule_by_bare_id_and_explicit_recipient() -> None:
    raw = make_bounce(
        rule="user-unknown", recipient="Bob.Smith@example.net", form="ndr", mta="exim"
    )
    b = parse_bounce(raw).bounces[0]
    assert b.recipient == "Bob.Smith@example.net"
    assert b.match.rule_id == "generic/user-unknown"
    assert b.category is Category.HARD


def test_french_exchange_dsn_reads_as_french_and_parses() -> None:
    raw = make_bounce(reason="user_unknown", form="dsn", mta="exchange", lang="fr")
    msg = email.message_from_bytes(raw)
    assert str(make_header(decode_header(msg["Subject"]))).startswith("Non remis")
    text = msg.get_payload()[0].get_payload(decode=True).decode()
    assert "Échec de la remise" in text
    assert msg.get_payload()[2].get_content_type() == "text/rfc822-headers"
    assert parse_bounce(raw).bounces[0].reason.value == "user_unknown"


def test_dsn_fields_follow_the_reply() -> None:
    """Status and Action come from the reply's own codes: a 4xx reply makes a delay notice."""
    soft = next(r for r in REGISTRY.generic.rules if r.examples[0].text.lstrip()[:1] == "4")
    msg = email.message_from_bytes(make_bounce(rule=soft.qualified_id))
    blocks = msg.get_payload()[1].get_payload()
    per_rcpt = blocks[1]
    assert per_rcpt["Action"] == "delayed"
    assert per_rcpt["Status"].startswith("4.")


def test_complaint_and_auto_reply_fixtures() -> None:
    report = parse_bounce(make_complaint("ann@example.com", feedback_type="abuse"))
    assert report.kind is ReportKind.FEEDBACK
    (b,) = report.bounces
    assert (b.recipient, b.category, b.feedback_type) == (
        "ann@example.com",
        Category.COMPLAINT,
        "abuse",
    )
    for lang in LANGS:
        report = parse_bounce(make_auto_reply("ann@example.com", lang=lang))
        assert report.kind is ReportKind.AUTO_REPLY
        assert report.bounces[0].category is Category.AUTO_REPLY


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"rule": "generic/no-such-rule"}, LookupError),
        ({"reason": "user_unknown", "provider": "no-such-pack"}, LookupError),
        ({"reason": "not-a-reason"}, ValueError),
        ({}, TypeError),
        ({"reason": "user_unknown", "form": "pdf"}, ValueError),
        ({"reason": "user_unknown", "mta": "sendmail"}, ValueError),
        ({"reason": "user_unknown", "lang": "de"}, ValueError),
    ],
)
def test_bad_requests_raise(kwargs: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        make_bounce(**kwargs)  # type: ignore[arg-type]


def test_fixtures_are_deterministic() -> None:
    a = make_bounce(reason="mailbox_full", mta="exim", lang="fr")
    assert a == make_bounce(reason="mailbox_full", mta="exim", lang="fr")
    assert a != make_bounce(reason="mailbox_full", mta="exim", lang="en")
