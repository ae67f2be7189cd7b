"""Every report format on small anonymised samples kept in tests/data/formats.

These assert what the *extractors* establish (recipients in message order, the codes present
in the message, remote MTA, command, report kind, the categories a report kind decides by
itself); reasons are the rule packs' business and are tested with them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bouncekit import BounceReport, Category, Reason, ReportKind, parse_bounce

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"


def parse(name: str) -> BounceReport:
    return parse_bounce((DATA / name).read_bytes())


# file -> (kind, [(recipient, smtp code, enhanced status, remote MTA, command, action)])
FAILURES: dict[str, tuple[ReportKind, list[tuple[object, ...]]]] = {
    "postfix-text.eml": (
        ReportKind.NDR,
        [
            ("alice@example.com", 550, "5.1.1", "mx1.example.com", "RCPT TO", "failed"),
            ("bob@example.com", 452, "4.2.2", "mx1.example.com", "RCPT TO", "failed"),
        ],
    ),
    "exim-multi.eml": (
        ReportKind.NDR,
        [
            ("carol@example.com", 550, "5.1.1", "mx.example.com", "RCPT TO", "failed"),
            ("dave@example.net", 554, "5.7.1", "mx.example.net", "DATA", "failed"),
        ],
    ),
    "exim-delay.eml": (
        ReportKind.NDR,
        [("erin@example.com", 451, "4.7.1", "mx.example.com", "MAIL FROM", "delayed")],
    ),
    "sendmail-transcript.eml": (
        ReportKind.NDR,
        [
            # pipelined: the RCPT TO reply came after ">>> DATA"; it answers RCPT TO
            ("frank@example.com", 550, "5.1.1", "mx.example.com", "RCPT TO", "failed"),
            ("grace@example.net", 552, "5.2.2", "mx.example.net", "RCPT TO", "failed"),
        ],
    ),
    "qmail.eml": (
        ReportKind.NDR,
        [
            ("heidi@example.com", 550, "5.1.1", "192.0.2.40", "RCPT TO", "failed"),
            ("ivan@example.net", None, "5.1.2", None, None, "failed"),
        ],
    ),
    "exchange2003.eml": (
        ReportKind.NDR,
        [("judy@example.com", None, "5.1.1", None, None, "failed")],
    ),
    "office365-text.eml": (
        ReportKind.NDR,
        [("kim@example.com", 550, "5.1.10", None, None, "failed")],
    ),
    "office365-multi.eml": (
        ReportKind.NDR,
        [
            ("pia@example.com", 550, "5.1.10", None, None, "failed"),
            # the reply has an apostrophe inside Exchange's quotes
            ("quentin@example.net", 552, "5.2.2", "mx.example.net", None, "failed"),
        ],
    ),
    "office365-hashed.eml": (
        ReportKind.NDR,
        [("leo@example.com", 550, "5.1.1", None, None, "failed")],
    ),
    "gmail-text.eml": (
        ReportKind.NDR,
        [("mallory@example.com", 550, "5.1.1", "mx.example.com", None, "failed")],
    ),
    "workmail-embedded.eml": (
        ReportKind.NDR,
        [("nina@example.com", 552, "5.2.2", None, None, "failed")],
    ),
    "zoho.eml": (ReportKind.NDR, [("oscar@example.com", 550, "5.1.1", None, None, "failed")]),
    "au.eml": (ReportKind.NDR, [("peggy@example.ne.jp", None, None, None, None, "failed")]),
    "javamail.eml": (
        ReportKind.NDR,
        # "RCPT TO:" under "Message details" is the envelope, not the command answered
        [("5550100@sms.example.com", 550, None, None, None, "failed")],
    ),
    "dragonfly.eml": (
        # the bounce's own X-Original-To names the recipient: the sentence still wins
        ReportKind.NDR,
        [("quinn@example.com", 552, "5.2.2", "mx.example.com", "RCPT TO", "failed")],
    ),
    "notes.eml": (ReportKind.NDR, [("rupert@example.com", None, None, None, None, "failed")]),
    "mfilter.eml": (
        ReportKind.NDR,
        [("iris@example.com", 550, "5.1.1", None, "RCPT TO", "failed")],
    ),
    "mailmarshal.eml": (
        ReportKind.NDR,
        [
            ("jack@example.com", 550, "5.1.1", "mx.example.com", None, "failed"),
            ("kate@example.com", 550, "5.1.1", "mx.example.com", None, "failed"),
        ],
    ),
    "interscan.eml": (
        ReportKind.NDR,
        [("liam@example.jp", 550, "5.1.1", None, "RCPT TO", "failed")],
    ),
    "mimecast.eml": (ReportKind.NDR, [("mia@example.com", None, "5.1.1", None, None, "failed")]),
    "responded.eml": (
        ReportKind.NDR,
        [("noah@example.com", 550, "5.1.1", "mx.example.com", "RCPT TO", "failed")],
    ),
    "dsn-multi.eml": (
        ReportKind.DSN,
        [
            # angle brackets and rfc822; dropped, domain lowercased, local part kept
            ("Sybil@example.com", 550, "5.1.1", "mx.example.com", "RCPT TO", "failed"),
            ("trent@example.net", 452, "4.2.2", "mx.example.net", "RCPT TO", "delayed"),
        ],
    ),
    "dsn-generic-diag.eml": (
        # no Diagnostic-Code: the transcript's reply for that recipient
        ReportKind.DSN,
        [("uma@example.com", 550, "5.7.1", "mx.example.com", "RCPT TO", "failed")],
    ),
    "dsn-utf8.eml": (
        ReportKind.DSN,
        [("δοκιμή@παράδειγμα.example", 550, "5.1.1", None, None, "failed")],
    ),
    "nested.eml": (
        ReportKind.DSN,
        [("frank@example.com", 550, "5.1.1", None, None, "failed")],
    ),
    "ses-bounce.eml": (
        ReportKind.DSN,
        [
            ("gina@example.com", 550, "5.1.1", "192.0.2.100", None, "failed"),
            ("hank@example.net", 552, "5.2.2", "192.0.2.100", None, "failed"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_failure_formats(name: str) -> None:
    kind, rows = FAILURES[name]
    report = parse(name)
    assert report.kind is kind
    got = [
        (
            b.recipient,
            b.smtp_code,
            str(b.enhanced_status) if b.enhanced_status else None,
            b.remote_mta,
            b.smtp_command,
            b.action,
        )
        for b in report.bounces
    ]
    assert got == rows
    for b in report.bounces:
        assert b.category not in (Category.DELIVERED, Category.AUTO_REPLY, Category.COMPLAINT)
        assert b.diagnostic


def test_diagnostic_is_the_remote_reply_not_the_wrapper() -> None:
    exim = parse("exim-multi.eml").bounces[0]
    assert exim.diagnostic.startswith("550 5.1.1 <carol@example.com>")
    o365 = parse("office365-text.eml").bounces[0]
    assert o365.diagnostic.startswith("550 5.1.10 RESOLVER.ADR.RecipientNotFound")
    qmail = parse("qmail.eml").bounces[0]
    # qmail's own words say which step failed; they stay in front of the reply
    assert "does not like recipient" in qmail.diagnostic
    assert "550 5.1.1" in qmail.diagnostic


@pytest.mark.parametrize(
    ("name", "recipient", "feedback_type", "extra"),
    [
        (
            "arf.eml",
            "xavier@example.net",
            "abuse",
            {"source-ip": "192.0.2.80", "arrival-date": "Mon, 02 Mar 2026 09:00:00 +0000"},
        ),
        # no Original-Rcpt-To: the original message's To; draft-ARF Received-Date
        (
            "arf-no-rcpt.eml",
            "Yvonne@isp.example.net",
            "opt-out",
            {"arrival-date": "Mon, 02 Mar 2026 08:00:00 +0000"},
        ),
        (
            "hotmail-fbl.eml",
            "zoe@example.com",
            "abuse",
            {"source-ip": "192.0.2.90", "arrival-date": "Mon, 02 Mar 2026 07:00:00 +0000"},
        ),
        ("apple-unsubscribe.eml", "amy@example.com", "opt-out", {}),
        (
            "ses-complaint.eml",
            "gina@example.com",
            "abuse",
            {"arrival-date": "2026-03-02T10:05:00.000Z"},
        ),
    ],
)
def test_complaints(name: str, recipient: str, feedback_type: str, extra: dict[str, str]) -> None:
    report = parse(name)
    assert report.kind is ReportKind.FEEDBACK
    [b] = report.bounces
    assert (b.recipient, b.category, b.feedback_type) == (
        recipient,
        Category.COMPLAINT,
        feedback_type,
    )
    assert not b.permanent
    assert extra.items() <= dict(report.extra).items()


@pytest.mark.parametrize("name", ["vacation-fr.eml", "vacation-subject-only.eml"])
def test_auto_replies_are_never_failures(name: str) -> None:
    report = parse(name)
    assert report.kind is ReportKind.AUTO_REPLY
    assert [b.category for b in report.bounces] == [Category.AUTO_REPLY]
    assert not report.bounces[0].permanent


def test_exim_bounce_flagged_auto_replied_is_still_a_bounce() -> None:
    """Exim sets `Auto-Submitted: auto-replied` on its bounces."""
    report = parse("exim-multi.eml")
    assert report.kind is ReportKind.NDR
    assert all(b.category is not Category.AUTO_REPLY for b in report.bounces)


def test_delivery_reports_are_delivered() -> None:
    """A success decides by itself: "spam filter passed" in a 250 is no spam block."""
    report = parse("dsn-delivered.eml")
    assert [(b.recipient, b.action, b.category) for b in report.bounces] == [
        ("victor@example.com", "relayed", Category.DELIVERED),
        ("wendy@example.com", "delivered", Category.DELIVERED),
        ("list@example.com", "expanded", Category.DELIVERED),
    ]
    ses = parse("ses-delivery.eml")
    [b] = ses.bounces
    assert (b.recipient, b.smtp_code, str(b.enhanced_status), b.category) == (
        "hank@example.net",
        250,
        "2.6.0",
        Category.DELIVERED,
    )


@pytest.mark.parametrize("name", ["not-bounce.eml", "postmaster-question.eml"])
def test_ordinary_mail_is_not_a_bounce(name: str) -> None:
    """Addresses in the text, even from postmaster@, do not make a report."""
    report = parse(name)
    assert report.kind is ReportKind.NOT_BOUNCE
    assert report.bounces == ()


def test_report_without_details_names_the_returned_message_recipient() -> None:
    report = parse("report-unavailable.eml")
    assert [(b.recipient, b.smtp_code, b.enhanced_status) for b in report.bounces] == [
        ("olga@example.net", None, None)
    ]


def test_broken_message_parses_without_a_failure_or_error() -> None:
    report = parse("broken.eml")
    assert not any(d.startswith("error:") for d in report.defects)
    assert all(b.category is not Category.HARD for b in report.bounces)


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.eml")))
@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_line_endings_do_not_change_results(name: str, newline: bytes) -> None:
    data = (DATA / name).read_bytes()
    assert parse_bounce(data.replace(b"\n", newline)) == parse_bounce(data)


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: hello",
        "Automatic reply: hello",
        "Réponse automatique : hello",
        "Respuesta automática: hola",
        "Automatische Antwort: Hallo",
        "Abwesenheitsnotiz: Hallo",
        "自動応答: こんにちは",
        "自动回复: 你好",
    ],
)
def test_auto_reply_subjects(subject: str) -> None:
    message = (
        f"From: someone@example.com\nTo: sender@example.org\nSubject: {subject}\n"
        "Content-Type: text/plain; charset=utf-8\n\nAway until Monday.\n"
    ).encode()
    report = parse_bounce(message)
    assert report.kind is ReportKind.AUTO_REPLY
    assert [b.category for b in report.bounces] == [Category.AUTO_REPLY]


_POSTFIX_ADDRESS_ALONE = """\
From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
Content-Type: text/plain

This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<alice@example.com>:

    host mx.example.com[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to RCPT TO
    command)

<bob@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown (in
    reply to RCPT TO command)
"""


def test_postfix_block_whose_address_stands_alone_reads_on_past_the_blank_line() -> None:
    """`<address>:` alone on its line, the reply one blank line below: the block goes on."""
    report = parse_bounce(_POSTFIX_ADDRESS_ALONE)
    got = [(b.recipient, b.smtp_code, str(b.enhanced_status), b.reason) for b in report.bounces]
    assert got == [
        ("alice@example.com", 552, "5.2.2", Reason.MAILBOX_FULL),
        ("bob@example.com", 550, "5.1.1", Reason.USER_UNKNOWN),
    ]
