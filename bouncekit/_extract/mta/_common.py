"""Helpers the MTA families share: turning one recipient's lines into an Evidence."""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.text import Section, command_in, remote_in, reply_in, unquote_local
from bouncekit._smtp import find_status
from bouncekit._text import find_addresses, fold, normalise_address, unwrap

# `<rcpt>:` or `rcpt:` opening a line (Postfix, qmail, OpenSMTPD, DragonFly...); the local
# part may be quoted (`<"a..b."@example.jp>:`, as Postfix writes one that is not a dot-atom).
LEADING_ADDRESS = regex.compile(
    r"^\s*<?((?:\"[^\"\n]{1,64}\"|[^\s<>():;,\"]{1,64})@[^\s<>():;,\"]{1,255})>?:?(?:\s|$)"
)
_ADDRESS_TOKEN = regex.compile(r"<?[^\s<>]{1,64}@[^\s<>]{1,255}>?:?")


def leading_address(line: str) -> str | None:
    """The address a line opens with, normalised, or None."""
    m = LEADING_ADDRESS.match(line)
    return normalise_address(unquote_local(m.group(1)).rstrip(".")) if m else None


def paragraphs(lines: list[str]) -> list[list[str]]:
    """Lines grouped by blank lines."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in lines:
        if line.strip():
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def prose(lines: list[str], recipient: str | None) -> str:
    """The lines folded to one string, without the recipient's own address at the start."""
    text = fold(" ".join(lines))
    if recipient:
        m = LEADING_ADDRESS.match(text)
        if m and normalise_address(m.group(1).rstrip(".")) == recipient:
            text = text[m.end() :].strip()
    return text


_LEADING_CODE = regex.compile(r"([245][0-5]\d)(?=[\s:-]|$)")


def leading_code(text: str) -> int | None:
    """An SMTP code when the text opens with one (`550 ...`, `550-5.1.1 ...`, `550: ...`)."""
    text = text.strip().lstrip("<'\"#").strip()
    m = _LEADING_CODE.match(text[:4])
    return int(m.group(1)) if m else None


def evidence(
    recipient: str | None,
    lines: list[str],
    family: str,
    *,
    action: str = "failed",
    diagnostic: str | None = None,
    keep_prose: bool = False,
) -> Evidence:
    """Evidence for one recipient from its section of the report.

    The remote server's reply, when the section quotes one, is the diagnostic; otherwise
    the MTA's own words. Codes are read only from the text of this recipient's section.
    """
    rcpt = normalise_address(recipient)
    section = Section.of_lines(lines)  # joined and casefolded once for the three readers
    reply = fold(reply_in(section))
    if diagnostic is None:  # the MTA's own words, folded only when they are the diagnostic
        diagnostic = prose(lines, rcpt) if keep_prose or not reply else reply
    code = leading_code(reply) if reply else leading_code(diagnostic)
    status = find_status(reply) if reply else None
    if status is None:
        status = find_status(diagnostic)
    if status is not None and code is not None and status.klass != code // 100:
        status = None  # a status of another class belongs to some other text
    return Evidence(
        recipient=rcpt,
        action=action,
        status=status,
        code=code,
        remote_mta=remote_in(section),
        # "(in reply to\n    RCPT TO command)": a wrapped line splits the phrase the line
        # reader looks for; the folded reply still says it
        command=command_in(section) or (unwrap(reply).command if reply else None),
        diagnostic=diagnostic,
        source=f"ndr:{family}",
    )


def addresses_in(lines: list[str], exclude: Container[str]) -> list[str]:
    """Addresses in lines, in order, without repeats or excluded ones."""
    out: dict[str, None] = {}
    for line in lines:
        for addr in find_addresses(line):
            if addr.lower() not in exclude:
                out.setdefault(addr, None)
    return list(out)


def set_diagnostic(ev: Evidence, text: str) -> Evidence:
    """Replace an evidence's diagnostic and read its codes again from the new text."""
    ev.diagnostic = text
    ev.code = leading_code(text)
    status = find_status(text)
    if status is not None and ev.code is not None and status.klass != ev.code // 100:
        status = None
    ev.status = status
    return ev
