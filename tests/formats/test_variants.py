"""What an unseen report of a known kind may differ by, on small anonymised samples.

Each test pins one divergence the perturbation audit (`tests/test_perturbation_audit.py`)
found on the corpus and that was fixed for the kind of message: the sample here is the
repo's own (`tests/data/formats`) or written inline, changed the way a real one would be.
"""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

from bouncekit import BounceReport, Category, parse_bounce
from bouncekit._extract.text import line_recipients, unquote_local

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def fields(report: BounceReport) -> list[tuple[object, ...]]:
    return [
        (b.recipient, b.smtp_code, str(b.enhanced_status), b.reason, b.remote_mta, b.smtp_command)
        for b in report.bounces
    ]


def blanks_at_line_ends(raw: bytes) -> bytes:
    """Spaces and a tab after the text of every line that has some (blank lines stay blank)."""
    return b"\n".join(line + b" \t" if line.strip() else line for line in raw.split(b"\n"))


def test_dma_lines_padded_with_blanks() -> None:
    # The DragonFly sentence "There was an error delivering your mail to <rcpt>." was read
    # only when it ended its line: padded, the recipient was lost to the generic reader.
    plain = parse_bounce(sample("dragonfly.eml"))
    padded = parse_bounce(blanks_at_line_ends(sample("dragonfly.eml")))
    assert fields(plain) == [
        ("quinn@example.com", 552, "5.2.2", plain.bounces[0].reason, "mx.example.com", "RCPT TO")
    ]
    assert fields(padded) == fields(plain)
    assert padded.bounces[0].provenance == plain.bounces[0].provenance == "ndr:dma"


def test_quoted_printable_soft_break_followed_by_blanks() -> None:
    # RFC 2045 6.7: blanks a relay added after a soft line break ("=") are dropped before
    # decoding; read as text they split "Final-Recipient" and the fields went unread.
    head, _, body = sample("workmail-embedded.eml").partition(b"\n\n")
    # break the field name and the reply the way WorkMail's encoder does, then pad the lines
    encoded = quopri.encodestring(body).replace(b"Final-Recipient", b"Final-Reci=\npient")
    encoded = encoded.replace(b"552 5.2.2", b"552 5.2=\n.2")
    message = (
        head + b"\nContent-Transfer-Encoding: quoted-printable\n\n" + blanks_at_line_ends(encoded)
    )
    assert b"Reci= \t\n" in message
    want = fields(parse_bounce(sample("workmail-embedded.eml")))
    assert want[0][:3] == ("nina@example.com", 552, "5.2.2")
    assert fields(parse_bounce(message)) == want


def test_pasted_mbox_bounce_in_base64_text() -> None:
    # A relay pastes the bounce it got after its own text ("From MAILER-DAEMON ..." mbox
    # copy); when that text part is base64 the copy is found in the decoded text.
    inner = (
        b"From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\n"
        b"To: sender@example.org\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nThis is the mail system at host relay.example.net.\n\n"
        b"--B\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; relay.example.net\n\n"
        b"Final-Recipient: rfc822; olga@example.com\nAction: failed\nStatus: 5.1.1\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 <olga@example.com>: User unknown\n\n--B--\n"
    )
    text = b"Your message could not be delivered; the report we received follows.\n\n"
    text += b"-" * 33 + b"\nFrom MAILER-DAEMON  Mon Mar  2 10:00:00 2026\n" + inner
    outer = (
        b"From: MAILER-DAEMON@gw.example.org\nTo: sender@example.org\n"
        b"Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=us-ascii\n"
    )
    seven_bit = parse_bounce(outer + b"\n" + text)
    b64 = parse_bounce(outer + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(text))
    assert [b.recipient for b in seven_bit.bounces] == ["olga@example.com"]
    assert seven_bit.bounces[0].provenance == "heuristic:nested"
    assert (b64.kind, fields(b64)) == (seven_bit.kind, fields(seven_bit))


POSTFIX_QUOTED = b"""\
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="Q"

--Q
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

<"ren..tanaka."@example.jp>: host mx.example.jp[192.0.2.7] said: 550 5.1.1
    <"ren..tanaka."@example.jp>... User Unknown (in reply to
    RCPT TO command)

--Q
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; "ren..tanaka."@example.jp
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.jp
Diagnostic-Code: smtp; 550 5.1.1 <"ren..tanaka."@example.jp>... User Unknown

--Q--
"""


def test_quoted_local_part_keeps_its_dots_and_its_text() -> None:
    # Japanese carriers allowed "a..b." local parts; Postfix quotes them. The mailbox is
    # the one with every dot (the trailing one was dropped), and the readable part's block
    # for it is found, so the command its wrapped "(in reply to\n RCPT TO command)" names.
    report = parse_bounce(POSTFIX_QUOTED)
    assert fields(report) == [
        (
            "ren..tanaka.@example.jp",
            550,
            "5.1.1",
            report.bounces[0].reason,
            "mx.example.jp",
            "RCPT TO",
        )
    ]
    assert report.bounces[0].category is Category.HARD


def test_unquote_local_only_where_the_quotes_add_nothing() -> None:
    assert unquote_local('"a..b."@example.jp') == "a..b.@example.jp"
    assert unquote_local('rfc822; "x."@example.jp') == "rfc822; x.@example.jp"
    # blanks, quotes, specials: the quotes are part of the address, left alone
    assert unquote_local('"a b"@example.jp') == '"a b"@example.jp'
    assert unquote_local('"a\\"b"@example.jp') == '"a\\"b"@example.jp'
    assert unquote_local('say "hi" to x@example.jp') == 'say "hi" to x@example.jp'


def test_listed_recipient_keeps_the_case_of_its_local_part() -> None:
    # The prefixes ("Recipient:", "RCPT TO:") are matched case-blind; the address was taken
    # from the lowercased line. Only the domain is case-insensitive (RFC 5321 2.4).
    text = (
        "The user(s) account is disabled.\n\n<Kenji.ONO@EZweb.example.jp>\n"
        "Recipient: <AB.cd@example.net>\n"
    )
    assert line_recipients(text, set()) == ["Kenji.ONO@ezweb.example.jp", "AB.cd@example.net"]


def test_generic_report_recipient_keeps_its_case() -> None:
    raw = (
        b"From: Postmaster@mail.example.jp\nTo: sender@example.org\n"
        b"Subject: Mail System Error - Returned Mail\n\n"
        b"The user(s) account is disabled.\n\n<Kenji.ONO@Mail.Example.JP>\n\n"
    )
    assert [b.recipient for b in parse_bounce(raw).bounces] == ["Kenji.ONO@mail.example.jp"]


# --- one recipient more: formats seen here with one recipient only -------------------------


def _report(body: str, subject: str = "Undeliverable Mail") -> bytes:
    head = f"From: postmaster@mail.example.org\nTo: sender@example.org\nSubject: {subject}\n\n"
    return (head + body).encode()


def test_labelled_lines_each_name_a_recipient() -> None:
    # IMail writes "<reason>: <address>", one line per recipient; the generic reader took
    # only the first address of the text
    raw = _report(
        "Unknown user: ada@example.com\n"
        "User mailbox exceeds allowed size: bo@example.com\n\n\n"
        "Original message follows.\n\nFrom: sender@example.org\nTo: ada@example.com\n"
    )
    bounces = parse_bounce(raw).bounces
    assert [(b.recipient, b.reason.value) for b in bounces] == [
        ("ada@example.com", "user_unknown"),
        ("bo@example.com", "mailbox_full"),
    ]


def test_lines_alike_but_for_the_address_each_name_a_recipient() -> None:
    # InterScan-style sentences, one per recipient domain, and a bulleted list
    sentence = "Unable to deliver message to <{}> (and other recipients in the same domain)."
    raw = _report(
        sentence.format("cy@example.jp") + "\n" + sentence.format("di@example.net") + "\n"
    )
    assert [b.recipient for b in parse_bounce(raw).bounces] == ["cy@example.jp", "di@example.net"]
    bullets = _report(
        "Delivery has failed to these recipients:\n\n  * ed@example.com\n  * fa@example.com\n"
    )
    assert [b.recipient for b in parse_bounce(bullets).bounces] == [
        "ed@example.com",
        "fa@example.com",
    ]


def test_other_addresses_in_the_text_are_not_recipients() -> None:
    # the alike-lines rule needs the same line shape: a contact address in a sentence is not
    raw = _report(
        "Unknown user: ada@example.com\n\n"
        "Please contact help@example.org, our help desk, for assistance.\n"
    )
    assert [b.recipient for b in parse_bounce(raw).bounces] == ["ada@example.com"]


def test_a_list_of_addresses_shares_the_reason_above_it() -> None:
    # au/EZweb style: the reason paragraph, then the addresses; each one's paragraph is the
    # list itself, which says nothing: the report's words are its diagnostic
    one = _report("The user(s) account is disabled.\n\n<gi@example.jp>\n")
    two = _report("The user(s) account is disabled.\n\n<gi@example.jp>\n<ha@example.jp>\n")
    [single] = parse_bounce(one).bounces
    assert [(b.recipient, b.reason) for b in parse_bounce(two).bounces] == [
        ("gi@example.jp", single.reason),
        ("ha@example.jp", single.reason),
    ]
    assert single.reason.value == "account_disabled"


def test_notes_addresses_under_one_reason_share_it() -> None:
    raw = sample("notes.eml").replace(
        b"\n\n------- Returned", b"\nio@example.com\n\n------- Returned"
    )
    bounces = parse_bounce(raw).bounces
    assert len(bounces) == 2
    assert bounces[1].recipient == "io@example.com"
    assert (bounces[1].reason, bounces[1].diagnostic) == (bounces[0].reason, bounces[0].diagnostic)
