"""bouncekit.esp: five ESPs' webhooks -> Bounce, with the ESP's verdict kept but not trusted."""

from __future__ import annotations

import json

import pytest

from bouncekit import Bounce, Category, Reason, Stage
from bouncekit.esp import (
    EspEvent,
    UnknownPayload,
    crosswalk,
    detect_esp,
    parse_event,
    parse_events,
)
from tests.integrations import esp_payloads as P


def one(payload: object) -> EspEvent:
    events = parse_events(payload)  # type: ignore[arg-type]
    assert len(events) == 1, events
    return events[0]


# --- Amazon SES ----------------------------------------------------------------------------


def test_ses_permanent_bounce_via_sns() -> None:
    e = one(P.SES_PERMANENT)
    b = e.bounce
    assert (e.esp, e.event) == ("ses", "Bounce")
    assert (b.recipient, b.category, b.reason, b.permanent) == (
        "paul@example.com",
        Category.HARD,
        Reason.USER_UNKNOWN,
        True,
    )
    assert (b.smtp_code, str(b.enhanced_status)) == (550, "5.1.1")
    assert b.diagnostic.startswith("550 5.1.1")  # the `smtp; ` DSN type is gone
    assert e.event_id == "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a01"  # SNS MessageId: dedupe key
    assert e.message_id == P._MAIL["messageId"]
    assert dict(e.verdict) == {"bounceType": "Permanent", "bounceSubType": "General"}
    # Only bouncedRecipients count, never mail.destination (which lists rita too).
    assert [x.recipient for x in parse_event(P.SES_PERMANENT)] == ["paul@example.com"]


def test_ses_permanent_general_that_is_a_blocklisting_reads_as_block() -> None:
    b = one(P.SES_PERMANENT_BUT_BLOCK).bounce
    assert b.category is Category.BLOCK
    assert b.blocklist is not None and "spamhaus" in b.blocklist.lower()
    assert crosswalk(b).anymail_reject_reason in ("blocked", "spam")


def test_ses_transient_event_publishing_and_raw_delay() -> None:
    b = one(P.SES_TRANSIENT).bounce
    assert (b.category, b.reason, b.permanent) == (Category.SOFT, Reason.MAILBOX_FULL, False)
    e = one(P.SES_DELAY_RAW)  # raw message delivery: no SNS envelope
    assert e.event == "DeliveryDelay"
    assert e.bounce.action == "delayed" and e.bounce.permanent is False
    assert e.bounce.category is Category.SOFT
    assert dict(e.verdict) == {"delayType": "TransientCommunicationFailure"}


def test_ses_complaint_suppression_and_handshakes() -> None:
    b = one(P.SES_COMPLAINT).bounce
    assert (b.recipient, b.category, b.feedback_type) == (
        "rita@example.net",
        Category.COMPLAINT,
        "abuse",
    )
    e = one(P.SES_SUPPRESSED)
    assert e.suppressed and e.bounce.reason is Reason.SUPPRESSED
    assert e.bounce.match.stage is Stage.REPORT
    assert parse_event(P.SES_SUBSCRIPTION) == ()
    assert parse_event(P.SES_VALIDATION) == ()


def test_ses_not_spam_feedback_is_a_retraction() -> None:
    inner = json.loads(P.SES_COMPLAINT["Message"])
    inner["complaint"]["complaintFeedbackType"] = "not-spam"
    assert parse_event(P.sns(inner, "id-not-spam")) == ()


# --- SendGrid ------------------------------------------------------------------------------


def test_sendgrid_batch_each_shape() -> None:
    raw = json.dumps(P.SENDGRID_BATCH).encode()  # the body as received
    events = parse_events(raw)
    by_rcpt = {e.bounce.recipient: e for e in events}
    assert "paul@example.com" in by_rcpt and len(events) == 5  # `processed` gives nothing
    hard = by_rcpt["paul@example.com"]
    assert (hard.bounce.category, hard.bounce.reason) == (Category.HARD, Reason.USER_UNKNOWN)
    assert dict(hard.verdict)["bounce_classification"] == "Invalid Address"
    assert hard.event_id == "Ym91bmNlLTEtOTg3NjU0"
    blocked = by_rcpt["rita@example.net"].bounce
    assert blocked.category is Category.BLOCK
    assert blocked.provider is not None and blocked.provider.id == "microsoft"
    deferred = by_rcpt["omar@example.org"].bounce
    assert deferred.permanent is False and deferred.smtp_code == 421
    assert deferred.category is Category.BLOCK  # Gmail's rate limit on the sending IP
    assert by_rcpt["lena@example.com"].suppressed
    assert by_rcpt["ivan@example.net"].bounce.category is Category.COMPLAINT


def test_sendgrid_undecided_text_falls_back_to_classification() -> None:
    event = {**P.SENDGRID_BATCH[0], "reason": "", "status": "", "email": "x@example.com"}
    b = parse_event([event])[0]
    assert b.reason is Reason.USER_UNKNOWN and b.match.stage is Stage.REPORT


# --- Mailgun -------------------------------------------------------------------------------


def test_mailgun_permanent_temporary_complaint_suppressed() -> None:
    e = one(P.MAILGUN_PERMANENT)
    b = e.bounce
    assert (b.recipient, b.category, b.permanent, b.smtp_code) == (
        "paul@example.com",
        Category.HARD,
        True,
        550,
    )
    assert b.remote_mta == "gmail-smtp-in.l.google.com"
    assert e.message_id == "<20260414083009.1.AB12CD@mg.example.org>"
    assert e.event_id == P.MAILGUN_PERMANENT["signature"]["token"]
    t = one(P.MAILGUN_TEMPORARY).bounce
    assert (t.category, t.reason, t.permanent) == (Category.SOFT, Reason.MAILBOX_FULL, False)
    assert one(P.MAILGUN_COMPLAINT).bounce.category is Category.COMPLAINT
    s = one(P.MAILGUN_SUPPRESSED)
    assert s.suppressed and s.bounce.smtp_code is None  # 605 is Mailgun's, not SMTP's
    # A bare event-data object (Events API item) reads the same as the webhook body.
    assert parse_event(P.MAILGUN_PERMANENT["event-data"])[0].reason is b.reason


# --- Postmark ------------------------------------------------------------------------------


def test_postmark_hard_transient_complaint_autoresponder() -> None:
    hard = one(P.POSTMARK_HARD)
    assert (hard.bounce.category, hard.bounce.permanent) == (Category.HARD, True)
    assert hard.event_id == "5512093311" and hard.timestamp == "2026-04-14T08:30:11.4120000Z"
    transient = one(P.POSTMARK_TRANSIENT).bounce
    assert transient.permanent is False and transient.smtp_code == 421
    assert transient.category is Category.BLOCK  # Yahoo deferring the sending IP
    assert transient.provider is not None and transient.provider.id == "yahoo"
    complaint = one(P.POSTMARK_COMPLAINT)  # TypeCode 512, as Postmark's own sample has it
    assert complaint.bounce.category is Category.COMPLAINT
    assert one(P.POSTMARK_AUTORESPONDER).bounce.category is Category.AUTO_REPLY


def test_postmark_records_without_bounces() -> None:
    assert parse_event({**P.POSTMARK_HARD, "RecordType": "Delivery"}) == ()
    assert parse_event({"RecordType": "Bounce", "Type": "Unsubscribe", "ID": 1}) == ()


# --- SparkPost -----------------------------------------------------------------------------


def test_sparkpost_batch_each_shape() -> None:
    events = parse_events(P.SPARKPOST_BATCH)
    assert [e.event for e in events] == ["bounce", "delay", "spam_complaint", "bounce"]
    bounce, delay, complaint, suppressed = (e.bounce for e in events)
    assert bounce.recipient == "Paul@example.com"  # raw_rcpt_to keeps the local part's case
    assert (bounce.category, bounce.reason, bounce.smtp_code) == (
        Category.HARD,
        Reason.USER_UNKNOWN,
        550,
    )
    assert (delay.category, delay.permanent) == (Category.SOFT, False)
    assert complaint.category is Category.COMPLAINT and complaint.feedback_type == "abuse"
    assert suppressed.reason is Reason.SUPPRESSED
    assert events[0].event_id == "10384756192837465"
    assert parse_event(P.SPARKPOST_PING) == ()


# --- detection and errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "esp"),
    [
        (P.SES_PERMANENT, "ses"),
        (P.SES_DELAY_RAW, "ses"),
        (P.SENDGRID_BATCH, "sendgrid"),
        (P.MAILGUN_PERMANENT, "mailgun"),
        (P.POSTMARK_HARD, "postmark"),
        (P.SPARKPOST_BATCH, "sparkpost"),
        ({"hello": "world"}, None),
        ([1, 2], None),
    ],
)
def test_detect_esp(payload: object, esp: str | None) -> None:
    assert detect_esp(payload) == esp


def test_unknown_payloads_raise_value_errors() -> None:
    with pytest.raises(UnknownPayload):
        parse_event(b"<html>not json</html>")
    with pytest.raises(UnknownPayload):
        parse_event({"hello": "world"})
    with pytest.raises(ValueError):
        parse_event(P.POSTMARK_HARD, esp="mandrill")
    with pytest.raises(TypeError):
        parse_event(42)  # type: ignore[arg-type]


def test_hostile_field_types_do_not_crash() -> None:
    """ESPs add fields without notice; wrong types must be ignored, not raise."""
    weird = {"notificationType": "Bounce", "bounce": {"bouncedRecipients": [1, None, {}]}}
    assert all(isinstance(b, Bounce) for b in parse_event(weird))
    assert parse_event([{"event": "bounce", "email": 5, "reason": ["x"]}])[0].recipient is None
    assert parse_event({"event-data": {"event": "failed", "delivery-status": None}}) != ()


def test_mailgun_legacy_form_webhooks() -> None:
    """Pre-2018 form-encoded webhooks: bounced (the raw body), dropped, complained."""
    e = one(P.MAILGUN_LEGACY_BOUNCED)
    assert (e.esp, e.event) == ("mailgun", "bounced")
    b = e.bounce
    assert (b.recipient, b.category, b.reason, b.smtp_code) == (
        "paul@example.com",
        Category.HARD,
        Reason.USER_UNKNOWN,
        550,
    )
    assert e.message_id == "<20260414083009.1.AB12CD@mg.example.org>"
    assert one(P.MAILGUN_LEGACY_DROPPED).suppressed
    assert one(P.MAILGUN_LEGACY_COMPLAINED).bounce.category is Category.COMPLAINT
