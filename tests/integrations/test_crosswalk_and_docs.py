"""The crosswalks: Sisimai reasons and fields, ESP vocabularies; and the docs tables that
are generated from them stay in step with the code."""

from __future__ import annotations

import re

import pytest

from bouncekit import Category, Reason, classify_reply, parse_bounce
from bouncekit.compat.sisimai import REASONS, reason_table, to_sisimai
from bouncekit.esp import crosswalk, crosswalk_for, parse_events
from bouncekit.esp.crosswalk import markdown_table
from bouncekit.testing import make_bounce, make_complaint
from tests.conftest import ROOT, corpus_labels
from tests.integrations import esp_payloads as P


def _generated(page: str, name: str) -> str:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert m is not None, f"docs/{page} lost its {name} markers"
    return m.group(1).strip()


def test_docs_tables_are_the_generated_ones() -> None:
    """Regenerate with bouncekit.esp.crosswalk.markdown_table() / compat.sisimai.reason_table()."""
    assert _generated("integrations.md", "crosswalk") == markdown_table()
    assert _generated("migrating-from-sisimai.md", "sisimai-reasons") == reason_table()


def test_sisimai_reasons_are_one_to_one_and_cover_the_corpus_labels() -> None:
    assert len(REASONS) == len(Reason)
    assert all(REASONS[r.sisimai] is r for r in Reason)
    labelled = {str(x["reason"]) for rows in corpus_labels().values() for x in rows}
    assert labelled <= set(REASONS), labelled - set(REASONS)


def test_to_sisimai_fields() -> None:
    report = parse_bounce(make_bounce(rule="generic/user-unknown", recipient="ann@example.com"))
    (row,) = to_sisimai(report)
    assert row["recipient"] == "ann@example.com" and row["destination"] == "example.com"
    assert row["reason"] == "userunknown" and row["hardbounce"] is True
    assert row["replycode"].startswith("5") and row["deliverystatus"].startswith("5.")
    assert row["addresser"] == "shop@example.org" and row["senderdomain"] == "example.org"
    assert row["subject"] == "Your receipt" and "<" not in row["messageid"]
    assert row["lhost"] == "mail.example.org"
    block = to_sisimai(parse_bounce(make_bounce(provider="microsoft", reason="ip_blocked")))[0]
    assert block["reason"] == "blocked" and block["hardbounce"] is False
    (complaint,) = to_sisimai(parse_bounce(make_complaint("ann@example.com")))
    assert (complaint["reason"], complaint["feedbacktype"]) == ("feedback", "abuse")
    assert to_sisimai(classify_reply("452 4.2.2 Mailbox full"))[0]["hardbounce"] is False


def test_crosswalk_agrees_with_each_esp_where_the_esp_is_specific() -> None:
    """Read each ESP's own fixture, map bouncekit's result back: the ESP's words come out."""
    (ses,) = parse_events(P.SES_PERMANENT)
    assert crosswalk(ses.bounce).ses_bounce_type == "Permanent"
    (ses_t,) = parse_events(P.SES_TRANSIENT)
    v = crosswalk(ses_t.bounce)
    assert v.ses_event == "DeliveryDelay" and v.sparkpost_bounce_class == 22
    sg = {e.bounce.recipient: e for e in parse_events(P.SENDGRID_BATCH)}
    assert crosswalk(sg["paul@example.com"].bounce).sendgrid_classification == "Invalid Address"
    assert crosswalk(sg["rita@example.net"].bounce).sendgrid_type == "blocked"
    assert crosswalk(sg["omar@example.org"].bounce).sendgrid_event == "deferred"
    assert crosswalk(sg["lena@example.com"].bounce).sendgrid_event == "dropped"
    assert crosswalk(sg["ivan@example.net"].bounce).sendgrid_event == "spamreport"
    (mg,) = parse_events(P.MAILGUN_PERMANENT)
    v = crosswalk(mg.bounce)
    assert (v.mailgun_severity, v.mailgun_reason) == ("permanent", "bounce")
    (mg_t,) = parse_events(P.MAILGUN_TEMPORARY)
    assert crosswalk(mg_t.bounce).mailgun_severity == "temporary"
    (mg_s,) = parse_events(P.MAILGUN_SUPPRESSED)
    assert crosswalk(mg_s.bounce).mailgun_reason == "suppress-bounce"
    for payload, ptype in (
        (P.POSTMARK_HARD, "HardBounce"),
        (P.POSTMARK_COMPLAINT, "SpamComplaint"),
        (P.POSTMARK_AUTORESPONDER, "AutoResponder"),
    ):
        (pm,) = parse_events(payload)
        assert crosswalk(pm.bounce).postmark_type == ptype
    classes = [crosswalk(e.bounce).sparkpost_bounce_class for e in parse_events(P.SPARKPOST_BATCH)]
    assert classes == [10, 22, None, 25]


@pytest.mark.parametrize("reason", list(Reason), ids=lambda r: r.value)
def test_crosswalk_is_total_and_consistent(reason: Reason) -> None:
    category = reason.default_category
    for permanent in (True, False):
        v = crosswalk_for(reason, category, permanent)
        if category is Category.COMPLAINT:
            assert v.anymail_reject_reason == "spam" and v.ses_event == "Complaint"
        elif category is Category.BLOCK:
            assert v.ses_bounce_type != "Permanent"  # the address is fine: never "remove it"
        elif category is Category.HARD and permanent:
            assert (
                v.ses_bounce_type == "Permanent" and v.sendgrid_classification == "Invalid Address"
            )
        if category in (Category.HARD, Category.SOFT, Category.BLOCK, Category.UNKNOWN):
            assert v.mailgun_severity == (
                "permanent" if permanent or reason is Reason.SUPPRESSED else "temporary"
            )
            assert v.sparkpost_bounce_class is not None
