"""The seed case: Hotmail's 2007 complaint block on the sending IP, as a Postfix line."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from bouncekit import (
    Action,
    BlockType,
    Category,
    EnhancedStatus,
    Fixer,
    ReportKind,
    Stage,
    classify_reply,
    parse_bounce,
)

from .conftest import EXAMPLES

SEED = (
    "<x@hotmail.com>: host mx1.hotmail.com[65.54.244.136] said: 550 Mail rejected by Windows "
    "Live Hotmail for policy reasons. A block has been placed against your IP address because "
    "we have received complaints concerning mail coming from that IP address. We recommend "
    "enrolling in our Junk E-Mail Reporting Program (JMRP), a free program intended to help "
    "senders remove unwanted recipients from their e-mail lists. For enrollment instructions, "
    "please refer to: http://postmaster.live.com/Services.aspx#JMRPP. For additional "
    "information about Microsoft's technical guidelines, please refer to: "
    "http://postmaster.live.com/Guidelines.aspx (in reply to MAIL FROM command)"
)


def test_seed_line_gives_one_explained_block() -> None:
    report = parse_bounce(SEED)
    assert report.kind is ReportKind.REPLY
    assert len(report.bounces) == 1
    b = report.bounces[0]
    assert b.recipient == "x@hotmail.com"
    assert b.provider is not None and b.provider.id == "microsoft"
    assert b.smtp_code == 550
    assert b.enhanced_status is None  # the reply carries none; none is invented
    assert b.smtp_command == "MAIL FROM"
    assert b.remote_mta == "mx1.hotmail.com"
    assert b.blocked_ip is None  # 65.54.244.136 is Hotmail's server, not the blocked IP
    assert b.category is Category.BLOCK
    assert b.block_type is BlockType.COMPLAINTS
    assert b.permanent is True
    assert b.match.stage is Stage.PROVIDER_RULE
    assert b.match.rule_id == "microsoft/ip-complaints"


def test_seed_advice_says_who_can_fix_it_in_english_and_french() -> None:
    advice = parse_bounce(SEED).bounces[0].advice
    assert advice.action is Action.CONTACT_IP_OWNER
    assert advice.fixer is Fixer.IP_OWNER
    en = advice.text("en").lower()
    for phrase in ("ip", "not on your address or domain", "every user of that server",
                   "only the ip's owner", "spf", "another relay", "jmrp", "snds",
                   "do not unsubscribe the recipient"):  # fmt: skip
        assert phrase in en, phrase
    fr = advice.text("fr").lower()
    for phrase in ("ip", "pas sur votre adresse ni votre domaine", "tous les utilisateurs",
                   "seul le propriétaire de l'ip", "spf", "autre relais", "jmrp", "snds",
                   "ne désabonnez pas le destinataire"):  # fmt: skip
        assert phrase in fr, phrase
    assert any("JMRP" in link for link in advice.links)


@pytest.mark.parametrize("form", ["str", "bytes", "crlf", "cr"])
def test_seed_same_in_every_input_form(form: str) -> None:
    text = SEED
    data: str | bytes = {
        "str": text,
        "bytes": text.encode(),
        "crlf": (text + "\r\n").encode(),
        "cr": (text + "\r").encode(),
    }[form]
    b = parse_bounce(data).bounces[0]
    assert (b.recipient, b.block_type, b.provider and b.provider.id) == (
        "x@hotmail.com",
        BlockType.COMPLAINTS,
        "microsoft",
    )


def test_seed_through_classify_reply() -> None:
    b = classify_reply(SEED)
    assert b.block_type is BlockType.COMPLAINTS and b.recipient == "x@hotmail.com"


def test_shipped_example_dsn_agrees_with_the_line() -> None:
    data = (EXAMPLES / "hotmail-ip-block.eml").read_bytes()
    for message in (data, data.decode(), message_from_bytes(data)):
        report = parse_bounce(message)
        assert report.kind is ReportKind.DSN
        (b,) = report.bounces
        assert b.recipient == "x@hotmail.com"
        assert b.action == "failed"
        assert b.enhanced_status == EnhancedStatus(5, 0, 0)
        assert str(b.enhanced_status) == "5.0.0"
        assert b.smtp_command == "MAIL FROM"
        assert b.block_type is BlockType.COMPLAINTS
        assert b.provider is not None and b.provider.id == "microsoft"
        assert report.original_subject == "Our March newsletter"
