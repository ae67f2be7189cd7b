"""Microsoft Exchange 2003 text NDRs and Exchange 2007+ / Microsoft 365 readable reports.

Exchange 2003:
    did not reach the following recipient(s):
    rcpt@example.com on 29/04/2007 16:51
        The recipient name is not recognized
        MSEXCH:IMS:... 0 (000C05A6) Unknown Recipient

Exchange 2007 / Microsoft 365 (a DSN part may be missing or empty):
    Delivery has failed to these recipients or groups:
    rcpt@example.com<mailto:rcpt@example.com>
    ...
    Diagnostic information for administrators:
    rcpt@example.com
    Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'
    (or: #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##)
"""

from __future__ import annotations

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence, set_diagnostic
from bouncekit._extract.text import recipient_context
from bouncekit._message import MailView
from bouncekit._text import find_addresses

_X2003 = regex.compile(r"did not reach the following recipient", regex.IGNORECASE)
_X2007 = regex.compile(
    r"delivery has failed to these recipients|diagnostic information for administrators|"
    r"remote server returned '|generating server:|"
    r"la remise a échoué|die zustellung an folgende empfänger",
    regex.IGNORECASE,
)
_ON_DATE = regex.compile(r"^\s*([^\s]{1,320}@[^\s]{1,255})\s+on\s+\S", regex.IGNORECASE)
_HASHED = regex.compile(r"#([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[^#]{0,1000})##?")
_RETURNED = regex.compile(r"returned '([^']{1,2000})'", regex.IGNORECASE)
_ADMIN = regex.compile(r"diagnostic information for administrators", regex.IGNORECASE)


def detect(view: MailView, text: str) -> bool:
    head = text[:4000]
    return bool(_X2003.search(head) or _X2007.search(head))


def parse(view: MailView, text: str, own: set[str]) -> list[Evidence]:
    lines = text.split("\n")
    if _X2003.search(text[:4000]):
        return _parse_2003(lines, own)
    return _parse_2007(text, lines, own)


def _parse_2003(lines: list[str], own: set[str]) -> list[Evidence]:
    start = next(i for i, ln in enumerate(lines) if _X2003.search(ln))
    blocks: list[tuple[str, list[str]]] = []
    inline = [a for a in find_addresses(lines[start]) if a.lower() not in own]
    if inline:  # "Did not reach the following recipient: rcpt@example.com"
        blocks.append((inline[0], []))
    for line in lines[start + 1 :]:
        m = _ON_DATE.match(line) if not line[:1].isspace() else None
        addr = find_addresses(m.group(1))[0] if m and find_addresses(m.group(1)) else None
        if addr is not None and addr.lower() not in own:
            blocks.append((addr, []))
        elif blocks and line.strip():
            blocks[-1][1].append(line)
    return [
        evidence(
            rcpt,
            block,
            "exchange2003",
            diagnostic=" ".join(ln.strip() for ln in block if "MTS-ID" not in ln),
        )
        for rcpt, block in blocks
    ]


def _parse_2007(text: str, lines: list[str], own: set[str]) -> list[Evidence]:
    admin = _ADMIN.search(text)
    tail = text[admin.end() :] if admin else ""
    head_lines = lines[: text[: admin.start()].count("\n")] if admin else lines
    recipients: dict[str, None] = {}
    for line in head_lines:
        stripped = line.strip()
        if "mailto:" in stripped.lower() or (" " not in stripped and "@" in stripped):
            for addr in find_addresses(stripped)[:1]:
                if addr.lower() not in own:
                    recipients.setdefault(addr, None)
    if not recipients:
        for line in tail.split("\n"):
            stripped = line.strip()
            if stripped and "@" in stripped and " " not in stripped:
                for addr in find_addresses(stripped):
                    if addr.lower() not in own:
                        recipients.setdefault(addr, None)
    out = []
    for rcpt in recipients:
        context = recipient_context(tail, rcpt) if tail else ""
        ev = evidence(rcpt, [context] if context else [], "office365")
        reply = _reply(context) or _reply(tail) or ""
        if reply:
            set_diagnostic(ev, reply)
        else:
            ev.diagnostic = recipient_context(text, rcpt) or ev.diagnostic
        out.append(ev)
    return out


def _reply(text: str) -> str | None:
    m = _RETURNED.search(text) or _HASHED.search(text)
    return m.group(1).strip() if m else None
