"""Issue #3's points 3-7 checked on messages written for the purpose (no corpus needed).

Feedback reports of every type, auto-replies in several languages and encodings, delivery
reports that are not failures, ordinary mail that speaks of failures, and recipients as
the fields write them (SMTPUTF8 included).
"""

from __future__ import annotations

import pytest

from bouncekit import Category, ReportKind, parse_bounce

ARF = """\
From: feedback@fbl.example.net
To: abuse@example.org
Subject: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an email abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: {ftype}
User-Agent: ExampleFBL/1.0
Version: 1
Arrival-Date: Thu, 5 Mar 2026 14:00:00 +0000
Source-IP: 192.0.2.55

--F
Content-Type: message/rfc822

From: news@example.org
To: Lena.K@example.com
Subject: Offer

Hello
--F--
"""


@pytest.mark.parametrize(
    "ftype", ["abuse", "fraud", "opt-out", "not-spam", "virus", "auth-failure", "other"]
)
def test_every_feedback_type(ftype: str) -> None:
    report = parse_bounce(ARF.format(ftype=ftype).encode())
    assert report.kind is ReportKind.FEEDBACK
    [b] = report.bounces
    assert (b.recipient, b.category, b.feedback_type) == (
        "Lena.K@example.com",
        Category.COMPLAINT,
        ftype,
    )
    extra = dict(report.extra)
    assert extra["source-ip"] == "192.0.2.55"
    assert extra["arrival-date"] == "Thu, 5 Mar 2026 14:00:00 +0000"


AUTO = """\
From: Lena <lena@example.com>
To: news@example.org
Subject: {subject}
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}
"""


@pytest.mark.parametrize(
    ("subject", "extra", "body"),
    [
        ("Out of Office: Offer", "", "I am out of the office until Monday."),
        ("Abwesenheitsnotiz: Angebot", "", "Ich bin bis Montag nicht im Büro."),
        ("Automatische Antwort: Angebot", "", "Ich bin im Urlaub."),
        ("Réponse automatique : Offre", "", "Je suis absent jusqu'à lundi."),
        ("=?UTF-8?Q?R=C3=A9ponse_automatique?=", "", "Je suis absente."),
        ("=?UTF-8?B?6Ieq5YuV5b+c562U?=", "", "不在にしております。"),  # 自動応答
        ("=?ISO-2022-JP?B?GyRCSVQ6XxsoQg==?=", "", "out"),  # 不在
        ("=?UTF-8?B?44CQ6Ieq5YuV6L+U5L+h44CR?=", "", "auto"),  # 【自動返信】
        ("Re: Offer", "Auto-Submitted: auto-replied\n", "Back on Monday; my mailbox is full."),
    ],
)
def test_auto_replies_are_never_failures(subject: str, extra: str, body: str) -> None:
    raw = AUTO.format(subject=subject, extra=extra, body=body).encode("utf-8")
    report = parse_bounce(raw)
    assert report.kind is ReportKind.AUTO_REPLY
    assert [b.category for b in report.bounces] == [Category.AUTO_REPLY]


DSN = """\
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: news@example.org
Subject: Delivery report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="D"

--D
Content-Type: text/plain

Report.

--D
Content-Type: {ctype}

Reporting-MTA: dns; mx.example.org

{fields}
--D--
"""


@pytest.mark.parametrize(
    "fields",
    [
        "Final-Recipient: rfc822; a@example.com\nAction: delivered\nStatus: 2.0.0\n"
        "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued; spam check passed\n",
        "Final-Recipient: rfc822; a@example.com\nAction: relayed\nStatus: 2.0.0\n",
        "Final-Recipient: rfc822; a@example.com\nAction: expanded\nStatus: 2.0.0\n",
        "Final-Recipient: rfc822; a@example.com\nStatus: 2.1.5\n",
    ],
)
def test_success_reports_are_delivered(fields: str) -> None:
    report = parse_bounce(DSN.format(ctype="message/delivery-status", fields=fields).encode())
    assert [b.category for b in report.bounces] == [Category.DELIVERED]


@pytest.mark.parametrize(
    ("ctype", "field", "want"),
    [
        ("message/delivery-status", "RFC822; <Lena.K@Example.COM>", "Lena.K@example.com"),
        ("message/delivery-status", "rfc822;jörg@example.de", "jörg@example.de"),
        ("message/global-delivery-status", "utf-8; jörg@bücher.example", "jörg@bücher.example"),
        # RFC 6533 utf-8-addr-xtext: a utf-8 address in a plain delivery-status part
        ("message/delivery-status", "utf-8; j\\x{F6}rg@example.de", "jörg@example.de"),
        ("message/delivery-status", "utf-8; \\x{5C0F}\\x{6797}@example.jp", "小林@example.jp"),
    ],
)
def test_recipient_fields(ctype: str, field: str, want: str) -> None:
    fields = f"Final-Recipient: {field}\nAction: failed\nStatus: 5.1.1\n"
    report = parse_bounce(DSN.format(ctype=ctype, fields=fields).encode("utf-8"))
    assert [b.recipient for b in report.bounces] == [want]
    assert report.bounces[0].category is Category.HARD


def test_escape_outside_utf8_type_is_left() -> None:
    # only the utf-8 address type uses the \x{...} form
    fields = "Final-Recipient: rfc822; a\\x{F6}b@example.de\nAction: failed\nStatus: 5.1.1\n"
    report = parse_bounce(DSN.format(ctype="message/delivery-status", fields=fields).encode())
    assert [b.recipient for b in report.bounces] != ["aöb@example.de"]


PERSON = """\
From: Lena <lena@example.com>
To: support@example.org
Subject: {subject}
{extra}
{body}
"""


@pytest.mark.parametrize(
    ("subject", "extra", "body"),
    [
        # a person answering about a failure, quoting the reply she got
        (
            "Re: my mail could not be delivered?",
            "",
            'I wrote to bob@example.net and got "550 5.1.1 user unknown". Any idea?',
        ),
        ("AW: Unzustellbar", "", "Die Adresse bob@example.net gibt es nicht mehr, 550."),
        # a shop's notice: only its subject reads like a bounce, and it names no recipient
        (
            "Your order 1234: delivery failed, please reschedule",
            "Auto-Submitted: auto-generated\n",
            "The courier could not deliver your parcel. Reply to reschedule.",
        ),
    ],
)
def test_ordinary_mail_that_speaks_of_failure(subject: str, extra: str, body: str) -> None:
    report = parse_bounce(PERSON.format(subject=subject, extra=extra, body=body).encode())
    assert report.kind is ReportKind.NOT_BOUNCE
    assert report.bounces == ()
