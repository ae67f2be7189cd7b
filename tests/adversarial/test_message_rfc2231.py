"""A caller's `Message` whose boundary is an RFC 2231 value with a NUL in its charset: the
stdlib's own `get_boundary()` raises ValueError on it (the parse_bounce fuzz campaign found
it when its harness built such a Message from bytes). bouncekit must not ask the Message for
its boundary that way: the Message built field by field, or headers only, reads like the
bytes do, with no `error:` defect.
"""

from __future__ import annotations

import email.message
import email.parser

import pytest

from tests.adversarial.oracle import call_parse

HEADER = "multipart/mixed; boundary*=u\x04\x00\x00s-ascii'en'R2231"
RAW = (
    b"From: MAILER-DAEMON@example.com\nMIME-Version: 1.0\nContent-Type: "
    + HEADER.encode("latin-1")
    + b"\n\n--R2231\nContent-Type: text/plain\n\nThis is the mail system at host "
    b"mx.example.com.\n<bob@example.com>: 550 5.1.1 user unknown\n--R2231--\n"
)


def test_the_stdlib_cannot_build_it_from_bytes() -> None:
    with pytest.raises(ValueError, match="null"):
        email.message_from_bytes(RAW)


def test_a_message_built_field_by_field() -> None:
    msg = email.message.Message()
    msg["From"] = "MAILER-DAEMON@example.com"
    msg["Content-Type"] = HEADER
    part = email.message.Message()
    part["Content-Type"] = "text/plain"
    part.set_payload("This is the mail system.\n<bob@example.com>: 550 5.1.1 user unknown\n")
    msg.set_payload([part])
    report = call_parse(msg)
    assert report is not None
    assert not [d for d in report.defects if d.startswith("error:")]


def test_headers_only_reads_as_the_bytes() -> None:
    msg = email.parser.BytesParser().parsebytes(RAW, headersonly=True)
    report = call_parse(msg)
    assert report is not None and report == call_parse(RAW)
