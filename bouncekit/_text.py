"""Text helpers: clean output strings, fold whitespace, strip relay wrappers, find addresses.

Every pattern here is linear (no nested or adjacent overlapping quantifiers) and runs on
strings already capped in length.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from bouncekit._types import _fast_init

MAX_DIAGNOSTIC = 1000  # characters kept of a diagnostic (G7)
MAX_ADDRESS = 254  # octets of an address (RFC 5321)
MAX_FIELD = 255  # any other returned string
MAX_SCAN = 4096  # characters of one diagnostic that matching looks at

_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\u2028\u2029]")
_SPACE = regex.compile(r"\s+")


def clean(text: str | None, limit: int = MAX_FIELD) -> str:
    """A one-line string safe to log or store: no CR/LF/NUL/controls/surrogates, capped."""
    if not text:
        return ""
    if len(text) <= limit and _is_folded(text):
        return text  # the usual case, a field clean already: no copy
    text = text[: limit * 4]
    # A printable text has no control character (nor separator, nor surrogate): not searched.
    if not text.isprintable() and _CONTROL.search(text) is not None:
        text = _CONTROL.sub(" ", text)
    # No control character left: str.split's white space is then exactly regex's \s.
    return " ".join(text.split())[:limit]


def _is_folded(text: str) -> bool:
    """Printable (so its only white space is " ": no control, separator or other space is)
    with no double, leading or trailing space: what `fold` and `clean` would return as is."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def fold(text: str) -> str:
    """Collapse all runs of white space (including newlines) to one space."""
    if _is_folded(text):
        return text  # a reply folded once, unwrapped later
    if text.isprintable():  # its only white space is " ", and no separator
        return " ".join(text.split())
    if any(c in text for c in _SPLIT_ONLY):
        return str(_SPACE.sub(" ", text)).strip()
    return " ".join(text.split())  # the same, ~6x faster


# White space to str.split and str.strip but not to regex's \s (the ASCII separators).
_SPLIT_ONLY = "\x1c\x1d\x1e\x1f"


# --- relay wrappers ------------------------------------------------------------------------

# Postfix: "<rcpt>: host mx.example[192.0.2.1] said: 550 ... (in reply to RCPT TO command)"
# "... connect to mx.example[192.0.2.1]:25: server refused to talk to me: 421 ..." is the
# greeting: the session was refused before any envelope command.
_POSTFIX_HOST = regex.compile(
    r"\b(?:host|connect to)\s+([\w.-]{1,255})\[([0-9a-fA-F.:]{1,45}|IPv6:[0-9a-fA-F:.]{1,45})\]"
    r"(?::\d{1,5})?:?\s+(?:server\s+)?(said|refused to talk to me):\s?",
    regex.IGNORECASE,
)
# Starts at a "(" or where a white-space run starts (the same matches as `\(?\s*`, but a long
# run is not rescanned from each of its characters: linear).
_IN_REPLY_TO = regex.compile(
    r"(?:\(\s*+|(?<![\s(])\s*+)in reply to (end of DATA|DATA|MAIL FROM|RCPT TO|RCPT|HELO|EHLO|"
    r"AUTH|STARTTLS|RSET|QUIT|BDAT|XFORWARD|XCLIENT|CONNECT|the initial greeting|[A-Z]{3,8})"
    r"(?:\s*<[^>\s]{0,300}>)?\s*command\s*\)?",
    regex.IGNORECASE,
)
# Exim: "SMTP error from remote mail server after RCPT TO:<x@y>: host mx.y [192.0.2.1]: 550 ..."
_EXIM = regex.compile(
    r"SMTP error from remote (?:mail server|mailer|server)\s+(?:after|for)\s+"
    r"(end of data|initial connection|pipelined [A-Z ]{4,12}|[A-Z][A-Z ]{2,12})"
    r"(?::?\s*<[^>\s]{0,300}>)?(?:\s+SIZE=\d{1,12})?\s*(?:command)?[,:]?\s*"
    r"(?:host(?::|\s)\s*([\w.-]{1,255})(?:\s*[\[(]([0-9a-fA-F.:]{1,45})[\])])?)?"
    r"\s*(?:reason:)?:?\s*",
    regex.IGNORECASE,
)
# Amazon SES: "5.1.0 - Unknown address error 550-'5.2.2 <x@y>... Mailbox Full'
# (delivery attempts: 0)": the remote reply is the quoted part.
_SES = regex.compile(
    r"^[245]\.\d{1,3}\.\d{1,3} - [^'\n]{0,80}?\b([245]\d\d)[- ]'([^']{1,2000})'"
    r"\s*(?:\(delivery attempts: \d{1,6}\))?",
    regex.IGNORECASE,
)
# What is left of an Exim/GMX line when a report quotes only its tail:
# "SIZE=1543: host mx.example.jp [192.0.2.20]: 550 ..." or "host: mx.example.jp 5.2.2 ...".
_HOST_PREFIX = regex.compile(
    r"^(?:SIZE=\d{1,12}:\s*)?host:?\s+([\w.-]{1,255})(?:\s*[\[(]([0-9a-fA-F.:]{1,45})[\])])?"
    r":?\s+(?=[245]\d\d\b|[245]\.\d{1,3}\.\d)",
    regex.IGNORECASE,
)
# What `_HOST_PREFIX` can start with: "host" or "SIZE=" under IGNORECASE (ſ matches s).
_HOST_FIRST = frozenset("hHsS\u017f")
# A local verdict quoting the last remote reply at its end: "554 4.4.7 Message expired:
# unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>" (Amazon WorkMail/SES).
_QUOTED_LAST_REPLY = regex.compile(
    r"^[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3} [^<>]{1,200}<([245]\d\d[ -][^<>]{1,500})>\s*$"
)
# Sendmail V5: "554 <x@y>... 550 Host unknown": the local code, then the remote reply.
_SENDMAIL_RELAYED = regex.compile(r"^[45]\d\d <[^>\s]{1,300}>\.\.\.\s*(?=[45]\d\d[ -])")
# Exchange / Microsoft 365: "Remote Server returned '550 5.1.1 ...'" and the 5.1.351 wrapper.
_EXCHANGE = regex.compile(
    r"(?:Remote Server|Server at [^\s]{1,255}(?: \([0-9a-fA-F.:]{1,45}\))?)"
    r" returned '([^']{1,2000})'",
    regex.IGNORECASE,
)
_M365_ARROW = regex.compile(r"^\s*5\.\d\.\d{3}\s[^>]{0,200}->\s*", regex.IGNORECASE)
# Continuation tokens inside a joined multi-line reply: "550-5.7.1 ", "550-", "550 5.7.1 " again.
_CONTINUATION = regex.compile(r"(?<=\s)([245]\d\d)[- ](?:([245]\.\d{1,3}\.\d{1,3})\s)?")
# Sendmail-style "<<< 550 ..." transcript markers and "... while talking to x:" lines.
_TRANSCRIPT = regex.compile(r"<<<\s?|>>>\s?")


@_fast_init
@dataclass(frozen=True, slots=True)
class Unwrapped:
    """A diagnostic with its relay wrapper removed, and what the wrapper told."""

    text: str
    remote_host: str | None = None
    remote_ip: str | None = None
    command: str | None = None
    quoted: bool = False  # the text is a remote reply quoted inside a local verdict


def _command(raw: str) -> str:
    """One spelling per SMTP command: `RCPT TO`, `MAIL FROM`, `DATA`, `CONNECT`, ..."""
    cmd = " ".join(raw.upper().split()).removesuffix(" COMMAND").removeprefix("PIPELINED ")
    if cmd.startswith("END OF DATA") or cmd in ("TEXT", "BODY", "MESSAGE", "BDAT"):
        return "DATA"  # GMX/1&1 says "for TEXT command" for the message content
    if cmd == "RCPT":
        return "RCPT TO"
    if cmd == "MAIL":
        return "MAIL FROM"
    if cmd in ("THE INITIAL GREETING", "INITIAL CONNECTION", "CONNECTION", "GREETING"):
        return "CONNECT"
    return cmd


def unwrap(diagnostic: str) -> Unwrapped:
    """Strip the wrapper a relaying MTA put around the remote server's reply.

    Each wrapper pattern is searched only when the text holds a literal every match of it
    holds: a bracket, an arrow, or words whose letters have no case partner but their ASCII
    one under IGNORECASE (unlike i, k and s: "İ", "K" and "ſ" match them), so that a test
    on the lowercased text is exact.
    """
    text = fold(diagnostic[:MAX_SCAN])
    host = ip = command = None
    low = text.lower()
    m = _IN_REPLY_TO.search(text) if "reply to" in low and "command" in low else None
    if m:
        command = _command(m.group(1))
        text = (text[: m.start()] + text[m.end() :]).strip()
        low = text.lower()  # the two parts joined may hold what neither did
    m = _POSTFIX_HOST.search(text) if "[" in text else None
    if m:
        host, ip = m.group(1).rstrip("."), m.group(2)
        if m.group(3).lower().startswith("refused"):
            command = command or "CONNECT"
        text = text[m.end() :].strip()
    else:
        m = _EXIM.search(text) if "error from remote" in low else None
        if m:
            command = command or _command(m.group(1))
            if m.group(2):
                host, ip = m.group(2).rstrip("."), m.group(3)
            text = text[m.end() :].strip()
    m = _EXCHANGE.search(text) if " returned '" in low else None
    if m:
        text = m.group(1).strip()
    m = _HOST_PREFIX.match(text) if text[:1] in _HOST_FIRST else None
    if m:
        host = host or m.group(1).rstrip(".")
        ip = ip or m.group(2)
        text = text[m.end() :]
    quoted = False
    m = _SES.match(text) if text[1:2] == "." and text[0] in "245" else None
    if m:
        text, quoted = f"{m.group(1)} {m.group(2).strip()}", True
    m = _QUOTED_LAST_REPLY.match(text) if ">" in text else None
    if m:
        text, quoted = m.group(1).strip(), True
    m = _SENDMAIL_RELAYED.match(text) if text[3:5] == " <" and text[0] in "45" else None
    if m:
        text, quoted = text[m.end() :], True
    m = _M365_ARROW.search(text) if "->" in text else None
    if m:
        text = text[m.end() :].strip()
    if "<<<" in text or ">>>" in text:
        text = _TRANSCRIPT.sub("", text)
    return Unwrapped(text, host, ip, command, quoted)  # positional: as declared, and cheaper


def strip_continuations(text: str) -> str:
    """Remove the repeated `550-5.7.1` tokens of a joined multi-line reply (keep the first)."""
    text = text.strip()
    code = text[:3]
    if not (code.isdigit() and text[3:4] in ("-", " ")):
        return text
    head = code + " "
    rest = text[4:]
    if code not in rest:  # nothing to drop: only a repeat of the first code is
        return head + rest.strip()

    def drop(m: regex.Match[str]) -> str:
        return "" if m.group(1) == code else m.group(0)

    return head + str(_CONTINUATION.sub(drop, rest)).strip()


# --- addresses -----------------------------------------------------------------------------

# An address is `local{1,64}@(label.){1,8}tld` or `local{1,64}@[ip]`, read outward from its
# "@": the local part backwards (REVERSE: the longest run of at most 64 ending at the "@"),
# the domain forwards. Scanning for "@" with str.find and matching only there costs
# O(64 + 520) per "@", where a search for the whole address costs up to 64 steps at *every*
# position of a long word run. The domain must follow an "@" (lookbehind), so even a search
# with it over any text only ever starts at an "@".
_LOCAL_BEFORE = regex.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}", regex.REVERSE)
_DOMAIN_AFTER = regex.compile(
    r"(?<=@)(?:(?:[\w-]{1,63}\.){1,8}[\w-]{2,63}|\[[0-9a-fA-F.:]{3,45}\])"
)
MAX_SCAN_ADDRESSES = 65536  # characters of a text searched for addresses
MAX_AT_SIGNS = 2000  # "@" examined per text: an "@" storm costs a bounded amount


def _addresses(text: str, limit: int) -> list[str]:
    """Raw address matches in `text`, in order, non-overlapping (as a finditer would give)."""
    out: list[str] = []
    pos = floor = 0
    for _ in range(MAX_AT_SIGNS):
        at = text.find("@", pos)
        if at < 0:
            break
        pos = at + 1
        local = _LOCAL_BEFORE.match(text, max(floor, at - 64), at)
        if local is None:
            continue
        domain = _DOMAIN_AFTER.match(text, at + 1, at + 1 + 600)
        if domain is None:
            continue
        out.append(text[local.start() : domain.end()])
        pos = floor = domain.end()
        if len(out) >= limit:
            break
    return out


def find_addresses(text: str) -> list[str]:
    """Addresses in `text`, in order of appearance, normalised, without repeats."""
    seen: dict[str, None] = {}
    for raw in _addresses(text[:MAX_SCAN_ADDRESSES], MAX_AT_SIGNS):
        # A match is already `local@domain`: read again only when normalise_address would
        # strip something (a leading quote) or cut it (its 600-character window).
        addr = _normalised(raw) if raw[0] != "'" and len(raw) <= 600 else normalise_address(raw)
        if addr:
            seen.setdefault(addr, None)
    return list(seen)


def normalise_address(value: str | None) -> str | None:
    """`rfc822; <X@Example.COM>` -> `X@example.com`; None when it is not an address."""
    if not value:
        return None
    value = value.strip()
    if ";" in value[:12]:
        value = value.split(";", 1)[1]
    value = value.strip().strip("<>\"' ").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    found = _addresses(value[:600], 1)
    return _normalised(found[0]) if found else None


def _normalised(match: str) -> str | None:
    """One match of `_addresses` as normalise_address returns it (domain lowercased)."""
    local, _, domain = match.rpartition("@")
    local = local.lstrip(".")  # a trailing dot is part of the mailbox (docomo-style "a.@")
    addr = f"{local}@{domain.lower().rstrip('.')}"
    if not local or len(addr.encode("utf-8", "surrogatepass")) > MAX_ADDRESS:
        return None
    return clean(addr, MAX_ADDRESS)


def domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2].lower()
