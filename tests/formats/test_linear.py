"""The format extractors stay linear on long runs of the characters their patterns key on.

A sendmail heading pattern (`-{3,}\\s*...` unanchored) once took 38 s on 200 KB of dashes.
The bound here is loose (a shared CI machine); the regression it guards is 100x slower.
"""

from __future__ import annotations

import time

import pytest

from bouncekit import parse_bounce

HEADERS = (
    b"From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\n"
    b"Subject: Undelivered Mail Returned to Sender\nX-Failed-Recipients: a@example.com\n\n"
)
SHAPES = {
    "dashes": b"-" * 200_000,
    "blank-lines": b" \n" * 100_000,
    "address-colon-lines": b"a@example.com:\n" * 20_000,
    "transcript": b">>> RCPT TO:<a@example.com>\n<<< 550 x\n" * 10_000,
    "double-dash-lines": b"-- a@example.com\n" * 20_000 + b"The problem appears to be :\n",
    "sent-received": b"Sent <<< RCPT TO:<a@example.com>\nReceived >>> 550 x\n" * 10_000,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_long_runs_parse_quickly(shape: str) -> None:
    parse_bounce(HEADERS)  # the registry loads once, outside the timing
    start = time.process_time()
    report = parse_bounce(HEADERS + SHAPES[shape])
    assert time.process_time() - start < 5.0
    assert len(report.bounces) <= 200
