"""Reading the human-readable part of a report: where it ends, what it says about a recipient."""

from __future__ import annotations

from collections.abc import Container

import regex

from bouncekit._keywords import fold_for_literals, required_literals
from bouncekit._message import MailView, decode_words
from bouncekit._text import MAX_SCAN, find_addresses, normalise_address

MAX_REPORT_TEXT = 64 * 1024  # characters of the readable report that heuristics see
_CONTEXT_LINES = 16

# Lines that start the returned copy of the original message in MTA text reports.
# Sentences grouped by their leading letters, in their former order within a group (two that
# start alike keep their priority); the lead-in runs are possessive (a sentence starts with a
# letter, never a blank or a dash): ~1 ms on a 64 KB pump instead of ~9 (issue #6).
_ORIGINAL_STARTS = regex.compile(
    r"^[ \t]*+(?:-{2,}+[ \t]*+)?+(?:"
    r"th(?:is is a copy of the message|"
    r"e (?:original|header of the original) message(?! was received| was sent))|"
    r"below this line is a copy of the message|"
    r"original message(?: follows| headers?)?|returned message|"
    r"un(?:sent message (?:below|follows)|delivered message headers?)|"
    r"message headers follow|"
    r"headers of the original message|copy of the original message|"
    r"included is a copy of the message header"
    r")",
    regex.IGNORECASE | regex.MULTILINE,
)
_HEADER_LINE = regex.compile(
    r"^(?:Return-Path|Received|Message-I[dD]|DKIM-Signature|X-Mailer|MIME-Version):[ \t]",
    regex.MULTILINE,
)


def report_text(view: MailView) -> str:
    """The readable report: the first text part (the body if not MIME), before the original."""
    return view.once("report_text", lambda: _report_text(view))


def _report_text(view: MailView) -> str:
    parts = view.text_parts()
    plain = next((p for p in parts if p.ctype == "text/plain"), None)
    part = plain or (parts[0] if parts else None)
    if part is None:
        return ""
    text = view.text(part)[:MAX_REPORT_TEXT]
    if part.ctype == "text/html":
        text = strip_html(text)
    return cut_original(_strip_line_ends(text))


def _strip_line_ends(text: str) -> str:
    """Trailing blanks dropped from every line: an MTA (or a relay re-wrapping its text) may
    pad lines, and the family readers anchor sentences at line ends. Linear, unlike a
    `[ \t]+$` substitution on a long run of blanks."""
    if " \n" not in text and "\t\n" not in text and not text.endswith((" ", "\t")):
        return text
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


# A quoted local part that needs no quoting beyond its dots (`"a..b."@example.jp`, as
# Postfix writes a docomo-style address): the same mailbox unquoted, which is how the result
# names it. One with blanks, quotes or backslashes inside stays as it is.
_QUOTED_LOCAL = regex.compile(r'(?<![^\s<:;,(])"([^"\s\\@<>(),;:\[\]]{1,64}+)"(?=@)')


def unquote_local(value: str) -> str:
    """`"a..b."@example.jp` -> `a..b.@example.jp` (see `_QUOTED_LOCAL`)."""
    return _QUOTED_LOCAL.sub(r"\1", value) if '"@' in value else value


def _covering(needs: frozenset[str] | None, words: tuple[str, ...]) -> frozenset[str] | None:
    """`words` when each of `needs` contains one (fewer, shorter strings to look for)."""
    if needs is not None and all(any(w in n for w in words) for n in needs):
        return frozenset(words)
    return needs


# One of these occurs in the line of any match (a match never spans lines): every sentence
# of _ORIGINAL_STARTS says "original" or "message", two finds instead of twelve.
_ORIGINAL_NEEDS = _covering(required_literals(_ORIGINAL_STARTS), ("original", "message"))
# A header line is searched for only in a text that names one (case-blind: a superset).
_HEADER_NEEDS = required_literals(_HEADER_LINE)


def _first_line_match(
    pattern: regex.Pattern[str],
    needs: frozenset[str] | None,
    text: str,
    folded: str,
    pos: int = 0,
    endpos: int | None = None,
) -> int | None:
    """Where the first match of `pattern` in text[pos:endpos] starts, or None.

    For patterns that match only from a line start and never across a line: only the lines
    that hold one of `needs` in `folded` (the casefolded text, one character for one) are
    tried, each once, from their start. Each literal's next position is kept until passed,
    so the text is scanned once per literal however many lines hold one.
    """
    end = len(text) if endpos is None else endpos
    if needs is None or len(folded) != len(text):
        m = pattern.search(text, pos, end)
        return m.start() if m else None
    nexts = {n: folded.find(n, pos, end) for n in needs}
    while True:
        found = [i for i in nexts.values() if i >= 0]
        if not found:
            return None
        first = min(found)
        line = text.rfind("\n", 0, first) + 1
        if line >= pos:  # `^` does not match at `pos` itself unless a line starts there
            m = pattern.match(text, line, end)
            if m is not None:
                start: int = m.start()
                return start
        nxt = text.find("\n", first, end)
        if nxt < 0:
            return None
        for n, i in nexts.items():
            if 0 <= i <= nxt:
                nexts[n] = folded.find(n, nxt + 1, end)


def _original_start(text: str, folded: str | None = None) -> int | None:
    """Where the returned original begins: the first _ORIGINAL_STARTS match, or None.

    The search of ~12 sentences at every position cost ~25 us on an average report; only
    the lines that hold one of its literals are tried instead.
    """
    if folded is None:
        folded = text.casefold()
    return _first_line_match(_ORIGINAL_STARTS, _ORIGINAL_NEEDS, text, folded)


def cut_original(text: str) -> str:
    """Drop the returned original message from a plain-text report."""
    folded = text.casefold()
    start = _original_start(text, folded)
    end = start if start is not None else len(text)
    h = (
        _HEADER_LINE.search(text, 200 if len(text) > 200 else 0, end)
        if _any_in(_HEADER_NEEDS, folded)
        else None
    )
    if h is not None:
        end = h.start()
    return text[:end]


_TAG = regex.compile(r"<(?:[^<>]{0,2000})>")
_BREAK = regex.compile(r"<(?:br|/p|/div|/tr|/li|p|div|tr)\b[^<>]{0,500}>", regex.IGNORECASE)


def strip_html(text: str) -> str:
    """HTML -> rough text; enough for bounce phrases, not for rendering."""
    import html

    text = _BREAK.sub("\n", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text)


def recipient_context(
    text: str, recipient: str | None, lines: list[str] | None = None, low: str | None = None
) -> str:
    """The lines of the report that speak of `recipient`: its paragraph, joined.

    `lines` and `low` (`text` split at LF, `text.lower()`) when the caller has them: a
    report asked about each of its recipients is split and lowercased once. The first line
    that holds the address is the one of its first occurrence in the lowercased text (a
    line lowercases alike alone or in the text: `lower` keeps each LF, and its one
    context-dependent case, a final sigma, looks no further than a line break).
    """
    if not text or not recipient:
        return ""
    needle = recipient.lower()
    if "\n" in needle:  # never an address; would span lines
        return ""
    if low is None:
        low = text.lower()
    at = low.find(needle)
    if at < 0:
        return ""
    return paragraph_from(text.split("\n") if lines is None else lines, low.count("\n", 0, at))


def paragraph_from(lines: list[str], start: int) -> str:
    """From line `start`, the lines until a blank line that follows some content."""
    out: list[str] = []
    size = 0
    for line in lines[start : start + _CONTEXT_LINES]:
        stripped = line.strip()
        if not stripped:
            if len(out) > 1 or (out and _has_text_beyond_address(out[0])):
                break
            continue
        out.append(stripped[:MAX_SCAN])
        size += len(out[-1])
        if size >= MAX_SCAN:
            break  # matching reads MAX_SCAN characters; longer contexts only cost (G3)
    return " ".join(out)


_ADDRESS_WORD = regex.compile(r"<?[^\s<>]{1,200}@[^\s<>]{1,255}>?:?")


def _has_text_beyond_address(line: str) -> bool:
    rest = _ADDRESS_WORD.sub("", line).strip(" :") if "@" in line else line.strip(" :")
    return len(rest) > 3


def line_recipients(text: str, exclude: Container[str]) -> list[str]:
    """Addresses that open a line of the report (how MTAs list failed recipients), in order."""
    out: dict[str, None] = {}
    for line in text.split("\n"):
        stripped = line.strip().lstrip("<\"'(")
        if "@" not in stripped[:300]:
            continue
        head = stripped[:20].lower()  # the prefix is matched case-blind, the address kept
        for prefix in ("rcpt to:", "to:", "recipient:", "original-recipient:", "final-recipient:"):
            if head.startswith(prefix):
                stripped = stripped[len(prefix) :].strip().lstrip("<")
                break
        token = stripped.split(None, 1)[0] if stripped else ""
        if "@" in token:
            addr = normalise_address(token.rstrip(":,;.>"))
            if addr and addr.lower() not in exclude:
                out.setdefault(addr, None)
    return list(out)


def own_addresses(view: MailView) -> Container[str]:
    """The bounce's own envelope/header addresses (lowercased): never a failed recipient."""
    return view.once("own_addresses", lambda: _OwnAddresses(view))


class _OwnAddresses:
    """`_own_addresses(view)`, read on the first look-up: the readers ask only about a
    candidate recipient they found, and in about a third of the corpus none finds one."""

    __slots__ = ("_found", "_view")

    def __init__(self, view: MailView) -> None:
        self._view = view
        self._found: set[str] | None = None

    def __contains__(self, address: object) -> bool:
        if self._found is None:
            self._found = _own_addresses(self._view)
        return address in self._found


_OWN_FIELDS = frozenset(
    ("from", "to", "return-path", "sender", "reply-to", "delivered-to", "x-original-to")
)


def _own_addresses(view: MailView) -> set[str]:
    """One pass over the header fields (a set: the fields' order does not matter)."""
    own: set[str] = set()
    read: set[str] = set()  # To, Delivered-To and X-Original-To often say the same
    for name, value in view.headers.items():
        if name in _OWN_FIELDS and ("@" in value or "=?" in value) and value not in read:
            read.add(value)
            own.update(a.lower() for a in find_addresses(decode_words(value)))
    return own


_SYSTEM_LOCALS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "root", "abuse")


def is_system_address(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return local in _SYSTEM_LOCALS or local.startswith("mailer-daemon")


# --- what one recipient's section of a report says --------------------------------------------

_MAX_REPLY_LINES = 6
# Phrases after which MTAs quote the remote server's reply.
_REPLY_MARKER = regex.compile(
    r"(?:\b(?:remote host |host [^\s]{1,255} |server )?said|the error that the other server "
    r"returned was|the response (?:from the remote server )?was|failed with|server message|"
    r"error message below|remote server replied|diagnostic[- ]code|delay reason|"
    r"\bhost\s[\w.-]{1,255}(?:\s?\[[0-9a-fA-F.:]{3,45}\])?)"
    r"\s*:[\s:-]*",
    regex.IGNORECASE,
)
_CODE_LINE = regex.compile(r"^\s*(?:<<<\s?)?[\"']?[245]\d\d(?:[ -]|$)")
# Branches grouped by leading letters: the two that start with `in ` share it (the second,
# `\b` before it, checks that in a lookbehind); `>>>` follows blanks possessively. No two
# branches can match at one position, so the grouping finds the same matches (~6 ms on a
# 64 KB pump before, ~5 after: issue #6).
_COMMAND = regex.compile(
    r"in (?:reply to (end of DATA|DATA|MAIL FROM|RCPT TO|RCPT|HELO|EHLO|STARTTLS)|"
    r"(?<=\bin )(RCPT TO|MAIL FROM|end of DATA|DATA) (?:command|stage))|"
    r"(?:error|fail(?:ure|ed)) (?:from remote (?:mail )?server )?after "
    r"(end of data|MAIL FROM|RCPT TO|DATA|EHLO|HELO|initial connection|pipelined [A-Z ]{4,12})|"
    r"did not like our (RCPT TO|MAIL FROM|DATA|final DATA)|"
    r"^[ \t]*+>>>\s?(RCPT TO|MAIL FROM|DATA|EHLO|HELO|QUIT)|"
    r"\bafter (RCPT TO|MAIL FROM|end of DATA|DATA) (?:command|stage)",
    regex.IGNORECASE | regex.MULTILINE,
)
# The remote host a report names, in two patterns searched one after the other (one
# alternation of all seven costs ~8 ms on a 64 KB pump, each half under 5: issue #6). A
# match of the first starts at a trigger word, one of the second at a line start before a
# host name: no text matches both at one position (a host's first label is followed by a
# dot, each trigger word by a blank or `[- ]`), so the leftmost of the two matches is the
# one the single alternation found. Each group holds the host; labels are possessive (a
# label is followed by a dot, a blank, `[` or `:`, never by a label character).
_HOST = r"[\w-]{1,63}+(?:\.[\w-]{1,63}+){1,8}"
_IP = r"\[[0-9a-fA-F.:]{3,45}\]"
_REMOTE = regex.compile(
    rf"\bhost\s++({_HOST})\.?\s?{_IP}|"
    rf"while talking to ({_HOST})\.?:|"
    rf"\bserver\s++({_HOST}){_IP} failed|"
    rf"remote[- ](?:system|mta):\s*+(?:dns;\s*)?({_HOST})",
    regex.IGNORECASE | regex.MULTILINE,
)
_REMOTE_LINE = regex.compile(
    rf"^[ \t]*+(?:({_HOST})(?:\s{_IP} did not like| does not like recipient)|"
    rf"connected to ({_HOST}) but)",
    regex.IGNORECASE | regex.MULTILINE,
)


# One of these occurs in any match of the pattern: a text holding none is not searched.
_REPLY_NEEDS = required_literals(_REPLY_MARKER)
_COMMAND_NEEDS = required_literals(_COMMAND)
# Each half of the remote host's patterns has its own: most sections that name a host ("host"
# is among the first half's) hold none of the second half's, which is then not searched.
_REMOTE_NEEDS = required_literals(_REMOTE)
_REMOTE_LINE_NEEDS = required_literals(_REMOTE_LINE)


def may_match(needs: frozenset[str] | None, text: str) -> bool:
    """False only when no match can occur: none of `needs` (a pattern's casefolded literals,
    `required_literals`) is in the casefolded text."""
    return needs is None or _any_in(needs, fold_for_literals(text))


def _any_in(needs: frozenset[str] | None, folded: str) -> bool:
    """A loop, not `any()` over a generator: a third cheaper on the short sections it gates,
    where it runs a few times per recipient."""
    if needs is None:
        return True
    for n in needs:  # noqa: SIM110 - measured: the loop is cheaper here
        if n in folded:
            return True
    return False


class Section:
    """One recipient's section, joined and casefolded once.

    `reply_in`, `command_in` and `remote_in` read the same section for each recipient; each
    joined and casefolded (or lowercased) it again. Each gate tests the whole section's
    folded text: a literal in the first `MAX_REPORT_TEXT` characters is in the whole, so
    the gates of the two readers that search only that far pass at least as often.
    """

    __slots__ = ("_lines", "_low", "folded", "text")

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        self._lines = lines
        self.text = text
        self.folded = fold_for_literals(text)
        self._low: str | None = None

    @classmethod
    def of_lines(cls, lines: list[str]) -> Section:
        return cls("\n".join(lines), lines)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    @property
    def low(self) -> str:
        """The first `MAX_REPORT_TEXT` characters lowercased (`command_in`'s phrases)."""
        if self._low is None:
            if self.text.isascii():  # then lower() and casefold() agree, one for one
                self._low = self.folded[:MAX_REPORT_TEXT]
            else:
                self._low = self.text[:MAX_REPORT_TEXT].lower()
        return self._low


def reply_in(section: Section | list[str]) -> str:
    """The remote server's reply quoted in one recipient's lines, or "" when none is."""
    if not isinstance(section, Section):
        section = Section.of_lines(section)
    lines = section.lines
    marked = _any_in(_REPLY_NEEDS, section.folded)
    for i, line in enumerate(lines if marked else ()):
        m = _REPLY_MARKER.search(line)
        if m is None:
            continue
        out = [line[m.end() :].strip()]
        for nxt in lines[i + 1 : i + _MAX_REPLY_LINES]:
            if not nxt.strip() or (
                _CODE_LINE.match(nxt) and out[0] and out[0][:3] != nxt.strip()[:3]
            ):
                break
            out.append(nxt.strip())
        text = " ".join(x for x in out if x)
        if len(text) > 3:
            return text
    for i, line in enumerate(lines):
        if _CODE_LINE.match(line) is None:
            continue
        first = line.strip().removeprefix("<<<").strip()
        out = [first]
        for nxt in lines[i + 1 : i + _MAX_REPLY_LINES]:
            stripped = nxt.strip().removeprefix("<<<").strip()
            if not stripped or (stripped[:3] != first[:3] and not nxt[:1].isspace()):
                break
            out.append(stripped)
        return " ".join(out)
    return ""


# qmail and its kin say which step failed in words rather than naming the command.
_STEP_PHRASES = (
    ("does not like recipient", "RCPT TO"),
    ("sender was rejected", "MAIL FROM"),
    ("my name was rejected", "EHLO"),
    ("failed after i sent the message", "DATA"),
)


def command_in(text: str | Section) -> str | None:
    """The SMTP command a report says the failure answered (`RCPT TO`, `DATA`...)."""
    section = text if isinstance(text, Section) else Section(text[:MAX_REPORT_TEXT])
    low = section.low
    for phrase, command in _STEP_PHRASES:
        if phrase in low:
            return command
    found = None
    if not _any_in(_COMMAND_NEEDS, section.folded):
        return None
    for m in _COMMAND.finditer(section.text[:MAX_REPORT_TEXT]):
        raw = next(g for g in m.groups() if g)
        found = _normal_command(raw)
        if not m.group(0).lstrip().startswith(">>>"):
            return found
    return found  # a transcript's last command before the reply


def _normal_command(raw: str) -> str:
    cmd = " ".join(raw.upper().split())
    if cmd in ("END OF DATA", "FINAL DATA"):
        return "DATA"
    if cmd.startswith("PIPELINED "):
        cmd = cmd[10:]
    if cmd == "RCPT":
        return "RCPT TO"
    if cmd == "INITIAL CONNECTION":
        return "CONNECT"
    return cmd


def remote_in(text: str | Section) -> str | None:
    """The remote server a report names for one recipient, when it names one."""
    section = text if isinstance(text, Section) else Section(text[:MAX_REPORT_TEXT])
    text = section.text[:MAX_REPORT_TEXT]
    found = [
        m
        for pattern, needs in ((_REMOTE, _REMOTE_NEEDS), (_REMOTE_LINE, _REMOTE_LINE_NEEDS))
        if _any_in(needs, section.folded) and (m := pattern.search(text)) is not None
    ]
    if not found:
        return None
    m = min(found, key=lambda x: x.start())  # the leftmost, as one alternation would find
    host: str = next(g for g in m.groups() if g)
    return host.rstrip(".").lower()


def sections(lines: list[str], recipients: list[str], start: int = 0) -> dict[str, list[str]]:
    """Each recipient's lines: from its first mention (after `start`) to the next one's."""
    found: list[tuple[int, str]] = []
    lowered = [line.lower() for line in lines]
    for rcpt in recipients:
        needle = rcpt.lower()
        at = next((i for i in range(start, len(lines)) if needle in lowered[i]), None)
        if at is not None:
            found.append((at, rcpt))
    found.sort()
    out: dict[str, list[str]] = {}
    for k, (at, rcpt) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) and found[k + 1][0] > at else len(lines)
        out[rcpt] = lines[at:end]
    return out
