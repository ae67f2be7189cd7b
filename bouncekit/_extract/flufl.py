"""flufl.bounce as a last-resort recipient finder, treated as untrusted code.

It sees only a bounded copy (headers plus the first text, lines capped), its exceptions are
swallowed, its logger is silenced, and its unordered sets come back sorted.
"""

from __future__ import annotations

import email
import logging
from email import policy as email_policy

from bouncekit._text import normalise_address

MAX_BYTES = 32 * 1024
MAX_LINE = 500

logging.getLogger("flufl.bounce").addHandler(logging.NullHandler())
logging.getLogger("flufl.bounce").propagate = False


def _bounded(headers: bytes, text: str) -> bytes:
    lines = [line[:MAX_LINE] for line in text[:MAX_BYTES].split("\n")]
    return headers[:MAX_BYTES] + b"\n\n" + "\n".join(lines).encode("utf-8", "replace")


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
