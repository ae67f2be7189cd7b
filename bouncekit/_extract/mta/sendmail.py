"""Sendmail (and V5/V8 sendmail clones: Active!Hunter, SurfControl, mFILTER...) text reports.

       ----- The following addresses had permanent fatal errors -----
    <rcpt@example.com>
       ----- Transcript of session follows -----
    ... while talking to mx.example.com.:
    >>> RCPT To:<rcpt@example.com>
    <<< 550 5.1.1 <rcpt@example.com>... User unknown
    550 5.1.1 <rcpt@example.com>... User unknown

Recipients come from the "addresses had ... errors" list and from the transcript's
`NNN <rcpt>... text` lines. A recipient's diagnostic is the remote reply (`<<<`) of the
session that named it, else its own `NNN <rcpt>...` line.
"""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence, leading_code, set_diagnostic
from bouncekit._extract.text import command_in
from bouncekit._message import MailView
from bouncekit._text import find_addresses, fold, normalise_address

_LIST = regex.compile(
    r"(?<!-)-{3,}+[ \t]*the following addresses? (?:had|have) (?:permanent fatal errors|transient "
    r"non-fatal errors|(?:permanent )?delivery (?:problems?|errors)|fatal errors)|"
    r"(?<!-)-{3,}+[ \t]*transcript of session follows",
    regex.IGNORECASE,
)
_HEADING = regex.compile(r"^\s*-{3,}")
# Biglobe and other sendmail-based MTAs call their transcript "Non-delivered information".
_TRANSCRIPT = regex.compile(
    r"transcript of session follows|non-delivered information", regex.IGNORECASE
)
_TALKING = regex.compile(r"while talking to ([\w.-]{1,255}?)\.?:\s*$", regex.IGNORECASE)
# `550 5.1.1 <rcpt>... User unknown` (the local summary of one recipient)
_SUMMARY = regex.compile(
    r"^\s*([245]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?\s+<?([^\s<>]{1,320}?)>?\.\.\.\s?(.*)$"
)


# `mail.local: unknown user: x`, `maildrop: maildir over quota.`: a local delivery agent's
# own words, the reason behind the summary sendmail maps its exit code to ("Service
# unavailable", "Insufficient permission").
_LOCAL_AGENT = regex.compile(r"^[a-z][a-z0-9._-]{1,30}: \S")

_LABELS = regex.compile(r"\(?(?:expanded from|reason):[^()]{0,40}?\)?", regex.IGNORECASE)

# For the shared pre-pass of `mta.parse_text`: detect needs one of _LIST's literals.
DETECT_NEEDS = (_LIST,)


def detect(view: MailView, text: str) -> bool:
    return _LIST.search(text[:20000]) is not None


def _listed(lines: list[str], own: Container[str]) -> dict[str, list[str]]:
    """Addresses under the `The following addresses had ... errors` headings, with the
    lines that follow each one (`(reason: 550 ...)`, `[User unknown]`)."""
    out: dict[str, list[str]] = {}
    inside = False
    current: list[str] | None = None
    for line in lines:
        if _HEADING.match(line):
            inside = "following address" in line.lower()
            current = None
            continue
        if not inside or not line.strip():
            continue
        addrs = find_addresses(line)[:1] if not line[:1].isspace() or current is None else []
        if addrs and addrs[0].lower() not in own:
            current = out.setdefault(addrs[0], [])
            current.append(line)
        elif current is not None:
            current.append(line)
    return out


def parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    lines = text.split("\n")
    # the line of the first heading (one search of the text; a heading never spans lines)
    heading = _TRANSCRIPT.search(text)
    start = text.count("\n", 0, heading.start()) if heading else len(lines)
    transcript = lines[start + 1 :]
    session_host: str | None = None
    session: list[str] = []
    replies: dict[str, tuple[str, list[str], str | None]] = {}  # rcpt -> (diag, session, host)
    order: dict[str, None] = {}
    pending_reply: str | None = None
    local_said: str | None = None
    for line in transcript:
        if _HEADING.match(line):
            break
        m = _TALKING.search(line)
        if m:
            session_host, session, pending_reply = m.group(1).lower(), [line], None
            continue
        session.append(line)
        stripped = line.strip()
        if session_host is None and _LOCAL_AGENT.match(stripped):
            local_said = stripped
            continue
        if stripped.startswith("<<<"):
            body = stripped[3:].strip()
            if pending_reply is not None and body[:3] == pending_reply[:3]:
                pending_reply += " " + body[4:].strip() if len(body) > 4 else ""
            else:
                pending_reply = body
            continue
        s = _SUMMARY.match(line)
        if s is None:
            continue
        rcpt = normalise_address(s.group(3))
        if rcpt is None or rcpt.lower() in own:
            continue
        order.setdefault(rcpt, None)
        rest = s.group(4).strip()
        if leading_code(rest) is not None:
            diag = rest
        elif pending_reply:
            diag = pending_reply
        else:
            diag = fold(stripped) + (f" ({local_said})" if local_said else "")
        pending_reply = local_said = None
        if rcpt not in replies:
            replies[rcpt] = (diag, list(session), session_host)
    listed = _listed(lines[:start] if start < len(lines) else lines, own)
    recipients = list(listed)
    for rcpt in order:
        if rcpt not in listed:
            recipients.append(rcpt)
    out = []
    for rcpt in recipients:
        if rcpt in replies:
            diag, sess, host = replies[rcpt]
            ev = evidence(rcpt, [], "sendmail")
            set_diagnostic(ev, diag)
            ev.command = command_in("\n".join(sess))
            if ev.command == "DATA" and rcpt.lower() in diag.lower():
                # PIPELINING: the RCPT TO replies arrive after `>>> DATA`; one that echoes
                # the recipient answers RCPT TO (DATA itself then gets "503 Need RCPT").
                ev.command = "RCPT TO"
            ev.remote_mta = host
        else:
            words = _own_words(listed.get(rcpt, []), rcpt)
            ev = evidence(rcpt, transcript[:12], "sendmail")
            if words and (not ev.code or leading_code(words)):
                set_diagnostic(ev, words)
        out.append(ev)
    return out


def _own_words(lines: list[str], rcpt: str) -> str:
    """`rcpt [User unknown]` / `(reason: 550 ...)`: what the list says beside an address."""
    text = fold(" ".join(lines))
    low, needle = text.lower(), rcpt.lower()
    at = low.find(needle)
    while at >= 0:
        text, low = text[:at] + text[at + len(needle) :], low[:at] + low[at + len(needle) :]
        at = low.find(needle)
    text = _LABELS.sub(" ", text)
    text = fold(text).strip(" []():<>")
    return text if sum(c.isalpha() for c in text) >= 3 else ""
