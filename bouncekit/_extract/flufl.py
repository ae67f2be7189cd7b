"""flufl.bounce as a last-resort recipient finder, treated as untrusted code.

It sees only a bounded copy (headers plus the first text, lines capped), its exceptions are
swallowed, its logger is silenced, and its unordered sets come back sorted.
"""

from __future__ import annotations

import email
import logging
from email import policy as email_policy

from bouncekit._text import normalise_address

# flufl.bounce's SimpleMatch rescans every body line once per pattern set (42 of them) and
# `Message.get` scans every header field per call, so its cost grows with the number of
# lines, not bytes: cap both, so a call costs a few ms at most (G3), whatever the input.
MAX_BYTES = 16 * 1024
MAX_LINE = 500
MAX_LINES = 200
MAX_HEADER_BYTES = 8 * 1024
MAX_HEADER_LINES = 100

logging.getLogger("flufl.bounce").addHandler(logging.NullHandler())
logging.getLogger("flufl.bounce").propagate = False


# MIME fields are dropped: flufl then sees one plain text part, never a multipart made of
# decoded text (where its Netscape detector's pattern is cubic, reliability.md §4 T2).
_MIME_FIELDS = (b"content-", b"mime-version")


def _bounded(headers: bytes, text: str) -> bytes:
    """Headers and text cut to a few KB and a few hundred lines, lines cut to MAX_LINE."""
    kept: list[bytes] = []
    skipping = False
    for line in headers[:MAX_HEADER_BYTES].split(b"\n", MAX_HEADER_LINES)[:MAX_HEADER_LINES]:
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.lower().startswith(_MIME_FIELDS)
        if not skipping:
            kept.append(line)
    head = b"\n".join(kept)
    lines = [line[:MAX_LINE] for line in text[:MAX_BYTES].split("\n", MAX_LINES)[:MAX_LINES]]
    return head.rstrip(b"\n") + b"\n\n" + "\n".join(lines).encode("utf-8", "replace")


def failed_recipients(headers: bytes, text: str) -> list[str]:
    """Addresses flufl.bounce finds in a bounded copy of the report, sorted; [] on any error."""
    try:
        from flufl.bounce import all_failures

        msg = email.message_from_bytes(_bounded(headers, text), policy=email_policy.compat32)
        temporary, permanent = all_failures(msg)
    except Exception:  # noqa: BLE001 - flufl.bounce lets detector errors escape (reliability.md T3)
        return []
    out: dict[str, None] = {}
    for raw in sorted(set(temporary) | set(permanent)):
        value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        addr = normalise_address(value)
        if addr:
            out.setdefault(addr, None)
    return list(out)
