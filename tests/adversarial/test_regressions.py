"""Inputs that once broke the contract (found by fuzzing or by the pump/scaling suites),
replayed as bytes, as str and as a caller's `email.message.Message`.

Each file is `issue<N>-<what>.eml`; what it caught is written next to its name below.
"""

from __future__ import annotations

import email
import time
from pathlib import Path

import pytest

from tests.adversarial.oracle import call_parse

pytestmark = pytest.mark.timeout(60)

HERE = Path(__file__).with_name("regressions")
FILES = sorted(HERE.glob("*.eml"))
WHAT = {
    # Message input: email's generator refolded a long 8-bit header quadratically (3 s).
    "issue6-message-refold-quadratic.eml": "Message path cost",
    # Message input: get_payload() raised ValueError on a NUL in the charset label.
    "issue6-message-nul-charset.eml": "Message path exception",
    # flufl.bounce saw decoded text with MIME delimiters under the top multipart header
    # and ran its cubic Netscape pattern (1.1 s for 8 KB).
    "issue6-flufl-netscape-cubic.eml": "flufl cost",
    # A UTF-7 text part decoded to a lone surrogate, and an extractor's .encode() raised
    # (UnicodeEncodeError, caught by the boundary as error:UnicodeEncodeError).
    "issue6-utf7-lone-surrogate.eml": "decoded text exception",
}
# Generous: these took 1-3 s before the fix and take a few ms after; only a return of the
# super-linear path can cross it, not a busy machine.
CPU_SECONDS = 0.5


def test_every_regression_file_is_described() -> None:
    assert FILES and {p.name for p in FILES} == set(WHAT)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("form", ["bytes", "str", "message"])
def test_regression(path: Path, form: str) -> None:
    data = path.read_bytes()
    value: object = {
        "bytes": lambda: data,
        "str": lambda: data.decode("utf-8", "surrogateescape"),
        "message": lambda: email.message_from_bytes(data),
    }[form]()
    call_parse(value)  # warm: first use builds the registry
    t0 = time.process_time()
    call_parse(value)
    assert time.process_time() - t0 < CPU_SECONDS
