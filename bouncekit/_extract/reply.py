"""A bare SMTP reply or MTA diagnostic line (not a message): one evidence."""

from __future__ import annotations

import regex

from bouncekit._evidence import Evidence
from bouncekit._text import MAX_SCAN, fold, normalise_address

# "<rcpt>: host ..." or "rcpt: ..." at the very start (Postfix's log/DSN form).
_LEADING_RECIPIENT = regex.compile(r"^\s*<?([^\s<>:]{1,64}@[^\s<>:]{1,255})>?:\s")


def reply_evidence(
    text: str,
    *,
    code: int | None = None,
    recipient: str | None = None,
    remote_host: str | None = None,
) -> Evidence:
    """Evidence from a reply text, with what the caller already knows."""
    text = fold(text[: MAX_SCAN * 2])
    m = _LEADING_RECIPIENT.match(text) if "@" in text else None
    if m:
        recipient = recipient or m.group(1)
        text = text[m.end() :]
    if code is not None and not text[:3].isdigit():
        text = f"{code} {text}"
    return Evidence(
        recipient=normalise_address(recipient),
        code=code if code is not None and 200 <= code < 600 else None,
        remote_mta=remote_host,
        diagnostic=text,
        source="reply",
    )
