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

from collections.abc import Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence, set_diagnostic
from bouncekit._extract.text import recipient_context
from bouncekit._keywords import required_literals
from bouncekit._message import MailView
from bouncekit._text import find_addresses

_X2003 = regex.compile(r"did not reach the following recipient", regex.IGNORECASE)
# Exchange localises its headings with the recipient's or the server's language.
# Grouped by leading letters (here and below) so a search tries few branches per character.
_FAILED_TO = (
    r"d(?:elivery has failed to these recipients|ie zustellung an folgende empfänger)|"
    r"f(?:ehler bei der zustellung an folgende empfänger|"
    r"alha na entrega para estes destinatários)|"
    r"error en la entrega a estos destinatarios|recapito non riuscito a questi destinatari|"
    r"bezorging is mislukt voor deze ontvangers|"
    r"échec de la remise (?:pour|à) ces destinataires|la remise a échoué"
)
_ADMIN_HEADINGS = (
    r"diagnos(?:tic information for administrators|tische gegevens voor beheerders|"
    r"einformationen für administratoren)|"
    r"informa(?:tions de diagnostic pour les administrateurs|"
    r"ción de diagnóstico para administradores|"
    r"zioni di diagnostica per gli amministratori|"
    r"ções de diagnóstico para administradores)|管理者向けの診断情報"
)
_X2007 = regex.compile(
    _FAILED_TO + "|" + _ADMIN_HEADINGS + r"|remote server returned '|generating server:",
    regex.IGNORECASE,
)
_HOSTNAME = regex.compile(r"^\s*([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})\s*$")
_ON_DATE = regex.compile(r"^\s*([^\s]{1,320}@[^\s]{1,255})\s+on\s+\S", regex.IGNORECASE)
_HASHED = regex.compile(r"#([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}[^#]{0,1000})##?")
# greedy to the last quote: replies contain apostrophes ("doesn't", "recipient's")
_RETURNED = regex.compile(r"returned '([^\n]{1,2000})'", regex.IGNORECASE)
_ADMIN = regex.compile(_ADMIN_HEADINGS, regex.IGNORECASE)


# One of these occurs in any _X2007 match: a few `in` tests spare most texts its search of
# ~20 alternatives at every position (~0.2 ms on 4 KB).
_X2007_NEEDS = required_literals(_X2007)
# For the shared pre-pass of `mta.parse_text`: what either heading needs.
DETECT_NEEDS = (_X2003, _X2007)


def detect(view: MailView, text: str) -> bool:
    head = text[:4000]
    if _X2003.search(head):
        return True
    folded = head.casefold()
    if _X2007_NEEDS is not None and not any(n in folded for n in _X2007_NEEDS):
        return False
    return bool(_X2007.search(head))


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    lines = text.split("\n")
    if _X2003.search(text[:4000]):
        return _parse_2003(lines, own)
    return _parse_2007(text, lines, own)


def _parse_2003(lines: list[str], own: Container[str]) -> list[Evidence]:
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


def _parse_2007(text: str, lines: list[str], own: Container[str]) -> list[Evidence]:
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
    tail_lines = tail.split("\n")
    for rcpt in recipients:
        context = recipient_context(tail, rcpt) if tail else ""
        ev = evidence(rcpt, [context] if context else [], "office365")
        ev.remote_mta = _host_after(tail_lines, rcpt) or ev.remote_mta
        # the whole admin section only when it can speak of no one else
        reply = _reply(context) or (_reply(tail) if len(recipients) == 1 else None) or ""
        if reply:
            set_diagnostic(ev, reply)
        else:
            ev.diagnostic = recipient_context(text, rcpt) or ev.diagnostic
        out.append(ev)
    return out


def _reply(text: str) -> str | None:
    m = _RETURNED.search(text) or _HASHED.search(text)
    return m.group(1).strip() if m else None


def _host_after(lines: list[str], rcpt: str) -> str | None:
    """The admin section lists `rcpt` then, on the next line, the server that refused it."""
    needle = rcpt.lower()
    for i, line in enumerate(lines[:-1]):
        if line.strip().lower() == needle:
            m = _HOSTNAME.match(lines[i + 1])
            return m.group(1).lower() if m and "@" not in lines[i + 1] else None
    return None
