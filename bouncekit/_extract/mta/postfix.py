"""Postfix's plain-text bounce (no DSN part, or a DSN part that lost its fields).

    This is the mail system at host mx.example.org.        (older: "the Postfix program")
    ...
    <rcpt@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <rcpt@...>:
        Recipient address rejected: User unknown (in reply to RCPT TO command)

One paragraph per recipient, opened by the address and a colon. qmail, OpenSMTPD and the
DragonFly Mail Agent write the same shape and reuse `address_paragraphs`.
"""

from __future__ import annotations

from collections.abc import Container

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence, leading_address
from bouncekit._message import MailView

FINGERPRINTS = ("this is the postfix program", "this is the mail system at host")


def detect(view: MailView, text: str) -> bool:
    head = text[:2000].lower()
    return any(f in head for f in FINGERPRINTS)


def address_paragraphs(lines: list[str], own: Container[str]) -> list[tuple[str, list[str]]]:
    """(recipient, its lines) for each block opened by an unindented `<address>:`, in order.

    A block runs until a blank line that follows some text, a dashed rule, or the next block.
    """
    out: list[tuple[str, list[str]]] = []
    cur: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        first, addr = "", None
        if ":" in stripped and not line[:1].isspace():  # else its first word cannot end in ":"
            first = stripped.split(None, 1)[0]
            addr = leading_address(line) if first.endswith(":") else None
        if addr is not None and addr.lower() not in own:
            cur = [line]
            out.append((addr, cur))
        elif cur is None:
            continue
        elif stripped.startswith(("---", "===", "___")):
            cur = None
        elif not stripped:
            # it ends a block holding text, not one whose `<address>:` stands alone
            opening = cur[0].strip()
            if len(cur) > 1 or len(opening) > len(opening.split(None, 1)[0]) + 3:
                cur = None
        else:
            cur.append(line)
    return out


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    return [
        evidence(rcpt, block, "postfix")
        for rcpt, block in address_paragraphs(text.split("\n"), own)
    ]
