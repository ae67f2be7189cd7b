"""Small report formats, each recognised by one sentence and parsed in a few lines.

- zoho:     `rcpt Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <rcpt>... User Unknown`
            and the delay form `[Status: Error, Address: <rcpt>, ResponseCode 421, , text.]`
- au:       KDDI / au one net: `Could not be delivered to: <rcpt>` then the reason line
- javamail: Verizon vtext, Apache James: `Error message below:` + `RCPT TO: rcpt` in details
            (the envelope, not the command the reply answered)
- fml:      the fml mailing-list manager's notices to the list owner (X-MLServer: fml)
- dma:      the DragonFly Mail Agent: `There was an error delivering your mail to <rcpt>.`
            then `host [ip] did not like our RCPT TO:` and the reply
- notes:    Lotus Domino / Notes: `------- Failure Reasons --------`, the reason, the address
- mfilter:  m-FILTER: addresses, `-------server message` + reply, `-------SMTP command` + command
- mailmarshal: `Could not be delivered because of` + reply, `The following recipients were
            affected:` + addresses, `Remote-MTA: <host>`
- interscan: Trend Micro InterScan: `Sent <<< RCPT TO:<rcpt>` then `Received >>> 550 ...`
- mimecast: `-- rcpt`, `The problem appears to be : -- ...`, `Additional information
            follows : -- 5.4.1 ...`
- responded: `SMTP Server <host> rejected recipient <rcpt> (Error following RCPT command).
            It responded as follows: [550 5.1.1 User unknown]`
"""

from __future__ import annotations

from collections.abc import Callable, Container

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract.mta._common import evidence, set_diagnostic
from bouncekit._message import MailView
from bouncekit._text import find_addresses, fold, normalise_address

_ZOHO = regex.compile(
    r"^[ \t]*(?:\[Status:\s*\w{1,20},\s*Address:\s*<?([^\s<>,]{1,320})>?,\s*ResponseCode\s*"
    r"([245]\d\d)?\s*,([^\n]{0,1000})\]|([^\s<>]{1,320}@[^\s<>]{1,255})\s+([^\n]{0,80}?),?\s*"
    r"ERROR_CODE\s*:\s*([245]\d\d)?,\s*ERROR_CODE\s*:\s*([^\n]{0,1000}))",
    regex.IGNORECASE | regex.MULTILINE,
)


def _zoho_detect(view: MailView, text: str) -> bool:
    head = text[:4000]
    return "ERROR_CODE" in head or "ResponseCode" in head


def _zoho_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    out = []
    delayed = "warning message only" in text[:2000].lower()
    for m in _ZOHO.finditer(text[:20000]):
        if m.group(1):
            rcpt, code, words = m.group(1), m.group(2), m.group(3)
        else:
            rcpt, code, words = m.group(4), m.group(6), f"{m.group(7)} {m.group(5)}"
        rcpt = normalise_address(rcpt)
        if rcpt is None or rcpt.lower() in own:
            continue
        words = fold(words.strip(" ,."))
        ev = evidence(rcpt, [], "zoho", action="delayed" if delayed else "failed")
        set_diagnostic(ev, f"{code} {words}" if code else words)
        out.append(ev)
    return out


_AU = regex.compile(r"could not be delivered to:\s*<?([^\s<>]{1,320}@[^\s<>]{1,255})>?", regex.I)


def _au_detect(view: MailView, text: str) -> bool:
    return _AU.search(text[:4000]) is not None


def _au_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    out = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _AU.search(line)
        if m is None:
            continue
        rcpt = normalise_address(m.group(1))
        if rcpt is None or rcpt.lower() in own:
            continue
        reason = [ln.strip() for ln in lines[i + 1 : i + 4] if ln.strip()][:1]
        out.append(evidence(rcpt, [line, *reason], "au", diagnostic=" ".join(reason) or line))
    return out


_JAVAMAIL = regex.compile(r"^[ \t]*error message below:", regex.IGNORECASE | regex.MULTILINE)
_RCPT_TO = regex.compile(
    r"^[ \t]*RCPT TO:\s*<?([^\s<>]{1,320}@[^\s<>]{1,255})>?", regex.I | regex.M
)


def _javamail_detect(view: MailView, text: str) -> bool:
    return _JAVAMAIL.search(text[:4000]) is not None


def _javamail_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    m = _JAVAMAIL.search(text)
    assert m is not None  # detect() said so
    lines = text[m.end() :].split("\n")
    reply: list[str] = []
    for line in lines:
        if not line.strip() and reply:
            break
        if line.strip().lower().startswith("message details"):
            break
        if line.strip():
            reply.append(line.strip())
    head = text[: m.start()].strip().split("\n")[-1:]  # "Error: Invalid user address"
    out = []
    for r in _RCPT_TO.finditer(text):
        rcpt = normalise_address(r.group(1))
        if rcpt is None or rcpt.lower() in own:
            continue
        ev = evidence(rcpt, [], "javamail")
        set_diagnostic(ev, " ".join(reply) if reply else " ".join(head))
        if head and reply:
            ev.diagnostic = f"{ev.diagnostic} ({head[0].strip()})"
        # No command: "RCPT TO:" under "Message details" lists the envelope, it does not say
        # which command the reply answered.
        out.append(ev)
    return out


def _fml_detect(view: MailView, text: str) -> bool:
    server = (view.headers.get("x-mlserver") or "").lower()
    return server.startswith("fml")


def _fml_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    first = next((p for p in text.split("\n\n") if p.strip()), "")
    addrs = [a for a in find_addresses(first) if a.lower() not in own] or find_addresses(first)
    if not addrs:
        return []
    return [evidence(addrs[0], first.split("\n"), "fml", diagnostic=fold(first))]


_DMA = regex.compile(
    r"there was an error delivering your mail to <?([^\s<>]{1,320}@[^\s<>]{1,255}?)>?\.?$",
    regex.IGNORECASE | regex.MULTILINE,
)


def _dma_detect(view: MailView, text: str) -> bool:
    return "dragonfly mail agent" in text[:500].lower() or _DMA.search(text[:2000]) is not None


def _dma_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    """The sentence names the recipient, so the bounce's own headers do not veto it."""
    matches = list(_DMA.finditer(text[:20000]))
    out = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        lines = text[m.end() : end].strip("\n").split("\n")
        out.append(evidence(m.group(1), lines, "dma"))
    return out


_NOTES = regex.compile(r"^-{3,}\s*failure reasons\s*-{3,}", regex.IGNORECASE | regex.MULTILINE)


def _notes_detect(view: MailView, text: str) -> bool:
    return _NOTES.search(text[:4000]) is not None


def _notes_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    m = _NOTES.search(text)
    assert m is not None  # detect() said so
    out = []
    reason: list[str] = []
    shared = False
    for line in text[m.end() :].split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("---"):
            break
        addrs = find_addresses(stripped)
        if addrs and len(stripped) <= len(addrs[0]) + 4:
            if addrs[0].lower() not in own:
                out.append(evidence(addrs[0], reason, "notes", diagnostic=" ".join(reason)))
            shared = True  # the next address, when no reason comes between, shares this one
        else:
            if shared:
                reason, shared = [], False
            reason.append(stripped)
    return out


def _dashed_sections(text: str) -> dict[str, list[str]]:
    """`-------name` headed sections (m-FILTER), lowercased names -> their lines."""
    out: dict[str, list[str]] = {}
    current = out.setdefault("", [])
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("-------") and stripped.strip("-").strip():
            current = out.setdefault(stripped.strip("-").strip().lower(), [])
        elif stripped:
            current.append(stripped)
    return out


def _mfilter_detect(view: MailView, text: str) -> bool:
    head = text[:4000]
    return "-------server message" in head or "-------SMTP command" in head


def _mfilter_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    parts = _dashed_sections(text)
    reply = " ".join(parts.get("server message", []))
    command = " ".join(parts.get("smtp command", [])).upper()[:20] or None
    out = []
    for line in parts.get("", []):
        addrs = find_addresses(line)
        if addrs and len(line) <= len(addrs[0]) + 4 and addrs[0].lower() not in own:
            ev = evidence(addrs[0], [], "mfilter")
            set_diagnostic(ev, reply or line)
            ev.command = {"RCPT": "RCPT TO", "MAIL": "MAIL FROM"}.get(command or "", command)
            out.append(ev)
    return out


_MARSHAL = regex.compile(r"^[ \t]*could not be delivered because of[ \t]*$", regex.I | regex.M)
_AFFECTED = regex.compile(r"^[ \t]*the following recipients were affected:", regex.I | regex.M)
_MARSHAL_REMOTE = regex.compile(r"^[ \t]*remote-mta:\s*<?([\w.:-]{1,255})>?", regex.I | regex.M)


def _marshal_detect(view: MailView, text: str) -> bool:
    return _MARSHAL.search(text[:4000]) is not None and _AFFECTED.search(text) is not None


def _marshal_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    m, a = _MARSHAL.search(text), _AFFECTED.search(text)
    assert m is not None and a is not None  # detect() said so
    reply = fold(text[m.end() : a.start()])
    remote = _MARSHAL_REMOTE.search(text)
    out: list[Evidence] = []
    for line in text[a.end() :].split("\n"):
        stripped = line.strip()
        if not stripped:
            if out:
                break
            continue
        addrs = find_addresses(stripped)
        if not addrs:
            break
        if addrs[0].lower() not in own:
            ev = evidence(addrs[0], [], "mailmarshal")
            set_diagnostic(ev, reply)
            ev.remote_mta = remote.group(1).lower() if remote else None
            out.append(ev)
    return out


_INTERSCAN_SENT = regex.compile(
    r"^\s*sent <<<\s*(RCPT TO|MAIL FROM|DATA|EHLO|HELO)\s*:?\s*<?([^\s<>]{0,320})>?",
    regex.I | regex.M,
)


def _interscan_detect(view: MailView, text: str) -> bool:
    return _INTERSCAN_SENT.search(text[:8000]) is not None and "received >>>" in text.lower()


def _interscan_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        m = _INTERSCAN_SENT.match(line)
        if m is None:
            continue
        reply = next(
            (
                ln.strip()[len("received >>>") :].strip()
                for ln in lines[i + 1 : i + 4]
                if ln.strip().lower().startswith("received >>>")
            ),
            "",
        )
        rcpt = normalise_address(m.group(2)) if "@" in m.group(2) else None
        if rcpt is None:
            named = [a for a in find_addresses(reply) if a.lower() not in own]
            rcpt = named[0] if named else None
        if rcpt is None or rcpt.lower() in own or not reply:
            continue
        ev = evidence(rcpt, [], "interscan")
        set_diagnostic(ev, reply)
        ev.command = " ".join(m.group(1).upper().split())
        out.append(ev)
    return out


_MIMECAST = regex.compile(
    r"^[ \t]*--[ \t]*<?([^\s<>]{1,320}@[^\s<>]{1,255}?)>?[ \t]*$",
    regex.IGNORECASE | regex.MULTILINE,
)
_DOUBLE_DASH_AFTER = regex.compile(
    r"(the problem appears to be|additional information follows)[ \t]*:[ \t]*\n"
    r"(?:[ \t]*\n){0,5}[ \t]*--[ \t]*([^\n]{1,1000})",
    regex.IGNORECASE,
)


def _mimecast_detect(view: MailView, text: str) -> bool:
    head = text[:4000]
    return "the problem appears to be" in head.lower() and _MIMECAST.search(head) is not None


def _mimecast_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    out = []
    said = {m.group(1).lower(): m.group(2).strip() for m in _DOUBLE_DASH_AFTER.finditer(text)}
    words = said.get("the problem appears to be", "")
    info = said.get("additional information follows", "")
    for m in _MIMECAST.finditer(text[:20000]):
        rcpt = normalise_address(m.group(1))
        if rcpt is None or rcpt.lower() in own:
            continue
        ev = evidence(rcpt, [], "mimecast")
        set_diagnostic(ev, f"{info} ({words})" if info and words else info or words)
        out.append(ev)
    return out


_RESPONDED = regex.compile(
    r"SMTP Server <([^\s<>]{1,255})> rejected recipient <([^\s<>]{1,320})>\s*"
    r"\(Error following ([A-Z ]{4,9}) command\)\.?\s*It responded as follows:\s*"
    r"\[([^\]\n]{1,1000})\]",
    regex.IGNORECASE,
)


def _responded_detect(view: MailView, text: str) -> bool:
    return _RESPONDED.search(text[:8000]) is not None


def _responded_parse(view: MailView, text: str, own: Container[str]) -> list[Evidence]:
    out = []
    for m in _RESPONDED.finditer(text[:20000]):
        rcpt = normalise_address(m.group(2))
        if rcpt is None or rcpt.lower() in own:
            continue
        ev = evidence(rcpt, [], "responded")
        set_diagnostic(ev, m.group(4).strip())
        ev.remote_mta = m.group(1).lower()
        cmd = " ".join(m.group(3).upper().split())
        ev.command = {"RCPT": "RCPT TO", "MAIL": "MAIL FROM"}.get(cmd, cmd)
        out.append(ev)
    return out


FAMILIES: list[
    tuple[
        str,
        Callable[[MailView, str], bool],
        Callable[[MailView, str, Container[str]], list[Evidence]],
    ]
] = [
    ("zoho", _zoho_detect, _zoho_parse),
    ("au", _au_detect, _au_parse),
    ("javamail", _javamail_detect, _javamail_parse),
    ("fml", _fml_detect, _fml_parse),
    ("dma", _dma_detect, _dma_parse),
    ("notes", _notes_detect, _notes_parse),
    ("mfilter", _mfilter_detect, _mfilter_parse),
    ("mailmarshal", _marshal_detect, _marshal_parse),
    ("interscan", _interscan_detect, _interscan_parse),
    ("mimecast", _mimecast_detect, _mimecast_parse),
    ("responded", _responded_detect, _responded_parse),
]

# What each detect above needs in the text, for the shared pre-pass of `mta.parse_text`: a
# literal or a pattern whose required literals (one must occur) are read once at import.
DETECT_NEEDS: dict[str, tuple[regex.Pattern[str] | str, ...]] = {
    "au": (_AU,),
    "javamail": (_JAVAMAIL,),
    "dma": ("dragonfly mail agent", _DMA),
    "notes": (_NOTES,),
    "mailmarshal": (_MARSHAL,),
    "interscan": (_INTERSCAN_SENT,),
    "mimecast": ("the problem appears to be",),
    "responded": (_RESPONDED,),
}
