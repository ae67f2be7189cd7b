"""bytes | str | Message -> a bounded view of the parts a bounce classifier needs.

We do not hand untrusted mail to `email.message_from_bytes`: its cost grows with nesting
and with every attachment, and it raises `RecursionError` on deep MIME. Instead one
iterative pass splits the bytes on MIME boundaries by offset, reads each header block with a
small unfolding parser, and decodes only text parts, each within a byte budget. Attachments
and the returned message's body are never decoded.

Line endings (CRLF, LF, lone CR, mixed) are read as they are: the boundaries and the blank
line ending each header block are found in the raw bytes, and only the bytes that are read
(header blocks, the text and status parts, the returned headers) are normalised to LF, by
`MailView.span`. Every result is the one a reading of the whole input normalised first would
give; the input is never copied whole (at 50 MB that copy was most of the cost).
"""

from __future__ import annotations

import binascii
import codecs
import quopri
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from typing import Any, TypeVar, cast

import regex

from bouncekit._policy import Policy

_T = TypeVar("_T")

_FIELD_NAME = regex.compile(rb"[!-9;-~]{1,80}:")
_PARAM = regex.compile(
    r';\s*([\w*.-]{1,80})\s*=\s*(?:"((?:[^"\\]|\\.){0,1000})"|([^\s;]{0,1000}))', regex.ASCII
)
_QUOTED_PAIR = regex.compile(r"\\(.)", regex.DOTALL)
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
# A blank line: two line breaks in a row, each CRLF, CR or LF (atomic: "\r\n" is one break).
_BLANK_LINE = regex.compile(rb"(?>\r\n?|\n)(?>\r\n?|\n)")
_LEADING_BREAKS = regex.compile(rb"[\r\n]*+")
# Headers that mark the start of an RFC 5322 message (as opposed to a bare reply text).
_KNOWN_HEADERS = frozenset(
    b"""from to subject date received return-path message-id mime-version content-type
    delivered-to x-original-to reply-to sender cc auto-submitted x-failed-recipients
    reporting-mta final-recipient original-recipient action status""".split()
)


class Headers:
    """One header block: unfolded fields in order, looked up case-insensitively.

    `fields` names are lowercase; `get` reads a dict of each name's first value, built once
    (extractors ask a block for a dozen names: a scan of the fields each time cost more).
    """

    __slots__ = ("_fields", "_first")

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields
        self._first = dict(reversed(fields))  # the first of repeated names wins

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._first.get(name.lower(), default)

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self._fields if key == name]

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __len__(self) -> int:
        return len(self._fields)


def _decode_bytes(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_ASCII_SPACE = " \t\n\r\x0b\x0c"  # what bytes.strip() removes (str.strip() removes more)


def parse_headers(block: bytes, max_headers: int, defects: list[str]) -> Headers:
    """Unfold and split a header block (LF line endings) into (lowercase name, value)."""
    fields: list[tuple[str, str]] = []
    name: str | None = None
    chunks: list[str] = []
    try:  # one decode for the block; a line is UTF-8, else Latin-1, the same either way
        lines = block.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = [_decode_bytes(line) for line in block.split(b"\n")]
    for line in lines:
        if not line:
            continue
        if line[0] in " \t":
            if name is not None:
                chunks.append(line.strip(_ASCII_SPACE))
            continue
        colon = line.find(":")
        key = line[:colon]  # _FIELD_NAME: 1-80 printable ASCII characters but space
        if not (0 < colon <= 80 and key.isascii() and key.isprintable() and " " not in key):
            continue  # not a field: a stray line, ignored like most MTAs do
        if name is not None:
            fields.append((name, " ".join(chunks)))
            if len(fields) >= max_headers:
                defects.append("limit:header_count")
                name = None
                break
        name = key.lower()
        chunks = [line[colon + 1 :].strip(_ASCII_SPACE)]
    if name is not None:
        fields.append((name, " ".join(chunks)))
    return Headers(fields)


def decode_words(value: str | None) -> str:
    """RFC 2047 encoded words -> text; anything undecodable is kept as it is."""
    if not value:
        return ""
    if "=?" not in value:
        return value
    try:
        out = []
        for chunk, charset in decode_header(value[:4096]):
            if isinstance(chunk, bytes):
                out.append(_decode_text(chunk, charset))
            else:
                out.append(chunk)
        return "".join(out)
    except Exception:  # noqa: BLE001 - email.header raises a zoo of errors on junk
        return value


# Content-Type values already read (a bounce's leaf parts say the same few things: plain
# text in a charset, a status part, a returned message); a multipart value, unique by its
# boundary, is not kept. Cleared when full.
_CONTENT_TYPES: dict[str, tuple[str, dict[str, str]]] = {}
_CONTENT_TYPES_MAX = 256


def content_type(headers: Headers) -> tuple[str, dict[str, str]]:
    """(`type/subtype` lowercased, params) of a header block; text/plain by default."""
    raw = headers.get("content-type") or ""
    raw = raw[:4096]
    known = _CONTENT_TYPES.get(raw)
    if known is None:
        known = _content_type(raw)
        if "boundary" not in known[1] and len(raw) <= 200:
            if len(_CONTENT_TYPES) >= _CONTENT_TYPES_MAX:
                _CONTENT_TYPES.clear()
            _CONTENT_TYPES[raw] = known
    return known[0], dict(known[1])  # a copy: the caller's Part owns its params


def _content_type(raw: str) -> tuple[str, dict[str, str]]:
    # first token: "text/plain\n charset=x" (folded, no semicolon) is text/plain
    main = (raw.split(";", 1)[0].split(None, 1) or ["text/plain"])[0].lower()
    if "/" not in main:
        main = "text/plain"
    params: dict[str, str] = {}
    if ";" not in raw:  # every parameter follows a semicolon
        return main, params
    for m in _PARAM.finditer(raw):
        key = m.group(1).lower()
        if m.group(2) is not None:
            value = _QUOTED_PAIR.sub(r"\1", m.group(2)) if "\\" in m.group(2) else m.group(2)
        else:
            value = m.group(3)
        if key.endswith("*") and key.count("*") == 1:  # RFC 2231: name*=charset'lang'%XX
            key, value = key[:-1], _rfc2231(value)
        params.setdefault(key, value)
    return main, params


def _rfc2231(value: str) -> str:
    """`us-ascii'en'a%20b` -> `a b` (undecodable octets replaced)."""
    parts = value.split("'", 2)
    if len(parts) != 3:
        return value
    charset, _, encoded = parts
    try:
        return urllib.parse.unquote(encoded, encoding=_charset(charset), errors="replace")
    except (LookupError, ValueError):  # a codec that is not a text encoding (rot13, zlib)
        return urllib.parse.unquote(encoded, errors="replace")


def _charset(name: str | None) -> str:
    if not name:
        return "utf-8"
    name = name.strip().strip("\"'").lower()[:40]
    if name in ("us-ascii", "ascii", "unknown-8bit", "x-unknown", "") or "\x00" in name:
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return "utf-8"
    # Only text encodings a mail could be written in: not rot13/base64/zlib (bytes-to-bytes
    # or str-to-str), not the escape codecs, which turn "\\udb0e" or "\\x00" into characters.
    if not getattr(info, "_is_text_encoding", True) or "escape" in info.name:
        return "utf-8"
    return name


def _decode_text(raw: bytes, charset: str | None) -> str:
    """`raw` as text in its charset, with replacement; never a lone surrogate (UTF-7 and
    UTF-16 can decode to one, found by fuzzing: it broke a later `.encode()`)."""
    out = _decode_charset(raw, charset)
    if not out.isascii() and _SURROGATE.search(out) is not None:
        out = out.encode("utf-8", "replace").decode("utf-8")
    return out


def _decode_charset(raw: bytes, charset: str | None) -> str:
    cs = _charset(charset)
    if cs.startswith("iso-2022") and not raw.isascii():
        # a 7-bit charset cannot carry 8-bit bytes: mislabelled UTF-8 (or, from Japanese
        # carriers, EUC-JP / Shift_JIS) is the usual cause
        for guess in ("utf-8", "euc-jp", "shift_jis"):
            try:
                return raw.decode(guess)
            except UnicodeDecodeError:
                continue
    try:
        return raw.decode(cs, errors="replace")
    except Exception:  # noqa: BLE001 - some codecs raise on broken escapes despite 'replace'
        return raw.decode("utf-8", errors="replace")


def _transfer_decode(raw: bytes, cte: str | None) -> bytes:
    cte = (cte or "").strip().lower()
    try:
        if cte == "base64":
            return binascii.a2b_base64(b"".join(raw.split()) + b"===")
        if cte == "quoted-printable":
            # RFC 2045 6.7: blanks ending a line were added in transport; drop them first, or
            # "=" + blanks is not read as the soft line break it is
            if b" \n" in raw or b"\t\n" in raw:
                raw = b"\n".join(line.rstrip(b" \t") for line in raw.split(b"\n"))
            return quopri.decodestring(raw)
    except (binascii.Error, ValueError):
        return raw
    return raw


@dataclass(slots=True)
class Part:
    """One MIME leaf or container, with offsets into the normalised buffer."""

    headers: Headers
    ctype: str
    params: dict[str, str]
    start: int  # body start offset
    end: int  # body end offset
    depth: int
    attachment: bool = False


@dataclass(slots=True)
class MailView:
    """What the extractors read: top headers, parts in document order, defects.

    `raw` keeps the input's line endings; read it through `span` (normalised bytes).
    """

    raw: bytes
    headers: Headers
    parts: list[Part]
    defects: list[str] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)
    # What several extractors read (the report text, the returned headers), computed once.
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def once(self, key: str, compute: Callable[[], _T]) -> _T:
        """`compute()` the first time `key` is asked of this view, its result afterwards."""
        if key not in self.derived:
            self.derived[key] = compute()
        return cast(_T, self.derived[key])

    def span(self, start: int, end: int, limit: int | None = None) -> bytes:
        """`raw[start:end]` with LF line endings, cut to `limit` normalised bytes.

        The same bytes as `normalise_newlines(raw)` holds between the positions that `start`
        and `end` (never inside a CRLF) stand for; only what is returned is normalised.
        """
        if limit is None:
            return normalise_newlines(self.raw[start:end])
        chunk = self.raw[start : min(end, start + limit)]
        if b"\r" not in chunk:
            return chunk  # no CR: these raw bytes are the normalised ones
        # a CRLF normalises to one byte: twice the raw bytes hold `limit` normalised ones
        return normalise_newlines(self.raw[start : min(end, start + 2 * limit + 2)])[:limit]

    def body(self, part: Part, decode: bool = True) -> bytes:
        """A part's body bytes within the text budget, transfer-decoded unless told not to."""
        raw = self.span(part.start, part.end, self.policy.text_budget * 2)
        if decode:
            raw = _transfer_decode(raw, part.headers.get("content-transfer-encoding"))
        return raw[: self.policy.text_budget]

    def text(self, part: Part) -> str:
        """A text part decoded to str (charset with replacement), LF line endings."""
        out = _decode_text(self.body(part), part.params.get("charset"))
        return out.replace("\r\n", "\n").replace("\r", "\n") if "\r" in out else out

    def first(self, *ctypes: str) -> Part | None:
        for part in self.parts:
            if part.ctype in ctypes:
                return part
        return None

    def text_parts(self) -> list[Part]:
        """Readable text parts, attachments and returned messages' bodies excluded."""
        return [
            p
            for p in self.parts
            if p.ctype in ("text/plain", "text/html") and not p.attachment and p.depth >= 0
        ]

    def embedded_headers(self) -> Headers | None:
        """The headers of the returned original message, when a part carries them."""
        return self.once("embedded_headers", self._embedded_headers)

    def _embedded_headers(self) -> Headers | None:
        for part in self.parts:
            if part.ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
                cte = (part.headers.get("content-transfer-encoding") or "").strip().lower()
                if part.ctype == "message/rfc822" and cte not in ("base64", "quoted-printable"):
                    block = self._returned_head(part)
                else:
                    block = self.body(part)
                    if part.ctype == "message/rfc822":
                        block = block.split(b"\n\n", 1)[0]
                return parse_headers(block.lstrip(b"\n"), self.policy.max_headers, self.defects)
        return None

    def _returned_head(self, part: Part) -> bytes:
        """`body(part)` up to its first blank line, without reading the body past it.

        The returned message's body (its attachments) can be megabytes: only its header
        block is sliced and normalised, where `body` would take the whole text budget.
        """
        raw, start, limit = self.raw, part.start, self.policy.text_budget
        window = min(part.end, start + limit)
        sep = _lf_blank_line(raw, start, window)
        if sep is not None:
            return raw[start:sep] if sep >= 0 else raw[start:window]  # LF only: raw = normalised
        m = _BLANK_LINE.search(raw, start, min(part.end, start + 2 * limit + 4))
        if m is not None and _normalised_len(raw, start, m.start()) + 2 <= limit:
            return self.span(start, m.start())
        return self.span(start, part.end, limit)  # no blank line within the budget


def normalise_newlines(data: bytes) -> bytes:
    """CRLF and lone CR -> LF, so that the three forms of one message read the same."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def looks_like_message(data: bytes) -> bool:
    """True when `data` starts with an RFC 5322 header block (or an mbox `From ` line)."""
    first = _LEADING_BREAKS.match(data).end()  # always matches (maybe empty)
    if data.find(b"\r", first, first + 8192) < 0:
        head = data[first : first + 8192]
    else:
        head = normalise_newlines(data[first : first + 2 * 8192 + 2])[:8192]
    if head.startswith(b"From ") and b"\n" in head[:1000]:
        return True
    # The first 40 lines: a known field name before the block ends (blank or non-field
    # line) says yes, and nothing after it can change that, so the first one decides.
    pos = 0
    for _ in range(40):
        nl = head.find(b"\n", pos)
        line = head[pos:nl] if nl >= 0 else head[pos:]
        if not line:
            return False
        if line[:1] not in (b" ", b"\t"):
            m = _FIELD_NAME.match(line)
            if m is None:
                return False
            if m.group(0)[:-1].lower() in _KNOWN_HEADERS:
                return True
        if nl < 0:
            return False
        pos = nl + 1
    return False


def _break_len(data: bytes, i: int) -> int:
    """Length of the line break at `data[i]`: 2 for CRLF, 1 for CR or LF, 0 for none."""
    c = data[i : i + 1]
    if c == b"\n":
        return 1
    if c == b"\r":
        return 2 if data[i + 1 : i + 2] == b"\n" else 1
    return 0


def _break_before(data: bytes, i: int) -> int:
    """Where the line break that ends just before position `i` starts."""
    return i - 2 if i >= 2 and data[i - 2 : i] == b"\r\n" else i - 1


def _normalised_len(data: bytes, start: int, end: int) -> int:
    """len(normalise_newlines(data[start:end])), for `start`, `end` not inside a CRLF."""
    return end - start - data.count(b"\r\n", start, end)


def _lf_blank_line(data: bytes, start: int, window: int) -> int | None:
    """Where the first blank line of data[start:window] starts (-1: none) when no CR comes
    before it; None when one does (CRLF or CR text: the caller's pattern finds it then).

    A CR on the first line answers None at once: CRLF text has no LF LF, and searching for
    one first read every CRLF part to the end of its window.
    """
    first_lf = data.find(b"\n", start, window)
    if data.find(b"\r", start, first_lf if first_lf >= 0 else window) >= 0:
        return None  # the first CR comes before any LF, so before any blank line
    sep = data.find(b"\n\n", start, window)
    return None if data.find(b"\r", start, sep if sep >= 0 else window) >= 0 else sep


def _split_header(data: bytes, start: int, end: int, limit: int) -> tuple[int, int]:
    """(end of header block, start of body) of the part in data[start:end].

    `limit` counts normalised bytes: the block must end (blank line included) within
    `limit + 2` of them, else it is cut at `limit`.
    """
    n = _break_len(data, start)
    if n:  # no headers at all
        return start, start + n
    window = min(end, start + limit + 2)
    sep = _lf_blank_line(data, start, window)
    if sep is not None:
        # no CR before it: raw and normalised offsets agree up to there
        if sep >= 0:
            return sep, sep + 2
        if end - start <= limit:
            return end, end
        return start + limit, start + limit
    # CRs: 2 * (limit + 2) raw bytes hold at least limit + 2 normalised ones
    m = _BLANK_LINE.search(data, start, min(end, start + 2 * limit + 5))
    if m is not None:
        stop = m.end()
        if data[stop - 1 : stop + 1] == b"\r\n":  # the window's end cut a CRLF in two
            stop += 1
        if _normalised_len(data, start, stop) <= limit + 2:
            return m.start(), stop
    if end - start <= limit or (
        end - start <= 2 * limit + 4 and _normalised_len(data, start, end) <= limit
    ):
        return end, end
    cut = _position_of(data, start, limit)
    return cut, cut


def _position_of(data: bytes, start: int, offset: int) -> int:
    """The raw position that normalised `offset` (from `start`) stands for.

    Each CRLF before it moves it one byte on: iterate to the fixed point (each step adds
    the CRLFs of the bytes the last one added, at most half of them, so few steps).
    """
    pos = start + offset
    while True:
        nxt = start + offset + data.count(b"\r\n", start, pos)
        if nxt == pos:
            break
        pos = nxt
    if data[pos - 1 : pos + 1] == b"\r\n":  # between CR and LF: the offset is after the LF
        pos += 1
    return pos


def read(data: bytes, policy: Policy) -> MailView:
    """Split normalised message bytes into parts, iteratively and within the policy's limits."""
    defects: list[str] = []
    if data.startswith(b"From "):  # mbox separator line
        nl, _ = _line_end(data, 0, len(data), -2)
        data = data[nl + 1 :] if nl >= 0 else b""
    data = data.lstrip(b"\r\n")
    hdr_end, body_start = _split_header(data, 0, len(data), policy.max_header_bytes)
    if body_start - hdr_end == 0 and hdr_end < len(data):
        defects.append("limit:header_size")
    top = parse_headers(normalise_newlines(data[:hdr_end]), policy.max_headers, defects)
    parts: list[Part] = []
    ctype, params = content_type(top)
    root = Part(top, ctype, params, body_start, len(data), 0)
    stack = [root]
    while stack:
        part = stack.pop()
        parts.append(part)
        if len(parts) >= policy.max_parts:
            defects.append("limit:parts")
            break
        if not part.ctype.startswith("multipart/"):
            continue
        boundary = part.params.get("boundary", "")
        if not boundary or len(boundary) > 200:
            defects.append("malformed:boundary")
            part.ctype = "text/plain"  # read the container as text, as mail clients do
            continue
        if part.depth + 1 > policy.max_depth:
            defects.append("limit:depth")
            continue
        stack.extend(
            reversed(_children(data, part, boundary.encode("latin-1", "replace"), policy, defects))
        )
    _mark_attachments(parts)
    return MailView(raw=data, headers=top, parts=parts, defects=defects, policy=policy)


class _Delimiters:
    """Where `delim` starts a line (after a CR or an LF) in data[:end], in increasing order.

    `delim` is searched alone and the byte before it checked: one scan of a part, however
    large (searching `"\n" + delim` and `"\r" + delim` would scan a CRLF part twice). A part
    where the string occurs inside lines more than a few times (hostile input) switches to
    those two searches, each remembering its next hit, so no byte is searched twice per
    needle and the cost stays in C.
    """

    __slots__ = ("_cr", "_data", "_delim", "_end", "_inside", "_lf", "_next_cr", "_next_lf")

    MAX_INSIDE = 64  # occurrences inside lines tolerated before switching

    def __init__(self, data: bytes, delim: bytes, end: int) -> None:
        self._data, self._delim, self._end = data, delim, end
        self._lf, self._cr = b"\n" + delim, b"\r" + delim
        self._inside = 0
        self._next_lf = self._next_cr = -2  # -2: not searched yet; -1: none left

    def after(self, pos: int) -> int:
        """The first delimiter starting at `pos + 1` or later (its line break at >= `pos`)."""
        if self._inside <= self.MAX_INSIDE:
            hit = self._data.find(self._delim, pos + 1, self._end)
            while hit >= 0 and self._data[hit - 1] not in b"\r\n":
                self._inside += 1
                if self._inside > self.MAX_INSIDE:
                    return self._after_break(hit)
                hit = self._data.find(self._delim, hit + 1, self._end)
            return hit
        return self._after_break(pos)

    def _after_break(self, pos: int) -> int:
        lf, cr = self._next_lf, self._next_cr
        if lf == -2 or 0 <= lf < pos:
            lf = self._next_lf = self._data.find(self._lf, pos, self._end)
        if cr == -2 or 0 <= cr < pos:
            cr = self._next_cr = self._data.find(self._cr, pos, self._end)
        if lf < 0:
            return cr + 1 if cr >= 0 else -1
        return lf + 1 if cr < 0 or lf < cr else cr + 1


def _line_end(data: bytes, pos: int, end: int, next_lf: int) -> tuple[int, int]:
    """(start of the first line break in data[pos:end] or -1, the next LF from `pos`).

    `next_lf` is the last call's next LF (-2 before the first call, -1 when none was left):
    reused while it is ahead, so that text of lone CRs is not rescanned for an LF per line.
    """
    if next_lf == -2 or 0 <= next_lf < pos:
        next_lf = data.find(b"\n", pos, end)
    cr = data.find(b"\r", pos, next_lf if next_lf >= 0 else end)
    return (cr if cr >= 0 else next_lf), next_lf


def _children(
    data: bytes, part: Part, boundary: bytes, policy: Policy, defects: list[str]
) -> list[Part]:
    delim = b"--" + boundary
    starts: list[int] = []  # body start of each part
    ends: list[int] = []  # where each part's delimiter line starts (its line break before it)
    close = -1
    # Delimiter lines: "--boundary" at the start of a line, then only transport padding
    # (RFC 2046), so that "--b10" is not a delimiter of boundary "b1".
    delimiters = _Delimiters(data, delim, part.end)
    hit = part.start if data.startswith(delim, part.start) else delimiters.after(part.start)
    next_lf = -2
    while hit >= 0:
        after = hit + len(delim)
        if data.startswith(b"--", after):
            close = hit
            break
        # the line's end: its first CR or LF (inline `_line_end`: this runs once per line
        # that starts like a delimiter, which a hostile part can have millions of)
        if next_lf == -2 or 0 <= next_lf < after:
            next_lf = data.find(b"\n", after, part.end)
        nl = data.find(b"\r", after, next_lf if next_lf >= 0 else part.end)
        if nl < 0:
            nl = next_lf
        if nl < 0:
            break
        if nl - after > 200 or data[after:nl].strip(b" \t"):
            hit = delimiters.after(nl)  # a longer boundary: not ours
            continue
        ends.append(_break_before(data, hit))
        starts.append(nl + _break_len(data, nl))
        if len(starts) > policy.max_parts:
            defects.append("limit:parts")
            break
        hit = delimiters.after(nl)
    if not starts:
        defects.append("malformed:no_boundary")
        part.ctype = "text/plain"
        return []
    children = []
    for i, start in enumerate(starts):
        if i + 1 < len(starts):
            stop = max(ends[i + 1], start)  # the body ends before the next delimiter line
        else:
            stop = _break_before(data, close) if close > start else part.end
        hdr_end, body_start = _split_header(data, start, stop, policy.max_header_bytes)
        headers = parse_headers(
            normalise_newlines(data[start:hdr_end]), policy.max_headers, defects
        )
        default = "message/rfc822" if part.ctype == "multipart/digest" else "text/plain"
        ctype, params = content_type(headers) if headers.get("content-type") else (default, {})
        children.append(
            Part(headers, ctype, params, body_start, max(stop, body_start), part.depth + 1)
        )
    return children


def _mark_attachments(parts: list[Part]) -> None:
    """Parts inside a returned message, or declared attachments, are not bounce text."""
    for part in parts:
        disp = (part.headers.get("content-disposition") or "").lower()
        if disp.startswith("attachment") and part.ctype not in (
            "message/delivery-status",
            "message/global-delivery-status",
            "message/feedback-report",
        ):
            part.attachment = True


def _enc(text: str) -> bytes:
    """A str of a compat32 Message back to bytes (8-bit input comes back as it was read)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def _head(msg: Message) -> tuple[bytes, str, str | None]:
    """(header block, content type, boundary), read with bouncekit's own bounded parsers:
    `get_content_type()` would run the structured header parser of `policy.default`,
    super-linear on a stuffed Content-Type (reliability.md §4)."""
    fields = [(str(name), str(value)) for name, value in msg.raw_items()]
    ctype, params = content_type(Headers([(k.strip().lower(), v) for k, v in fields]))
    block = b"\n".join([*(_enc(f"{k}: {v}") for k, v in fields), b""])
    return block, ctype, params.get("boundary") or None


def _message_chunk(item: Message, stack: list[object]) -> bytes:
    """One Message's head and leaf payload; its subparts are pushed on `stack`."""
    head, ctype, boundary = _head(item)
    chunk = head + b"\n"
    # The stored payload, not get_payload(): that decodes 8-bit text with the declared
    # charset and raises on a bad one (ValueError for a NUL in it, found by fuzzing).
    payload = getattr(item, "_payload", None)
    if isinstance(payload, list):
        if not ctype.startswith("multipart/"):
            boundary = None
        if boundary is None:
            stack.extend(reversed(payload))  # message/rfc822: the message itself
        else:
            delim = b"\n--" + _enc(boundary)
            stack.append(delim + b"--\n" + _enc(item.epilogue or ""))
            for sub in reversed(payload):
                stack.extend((sub, delim + b"\n"))
            chunk += _enc(item.preamble or "")
    elif isinstance(payload, bytes):
        chunk += payload
    elif payload is not None:
        chunk += _enc(str(payload))
    return chunk


def from_message(msg: Message, limit: int) -> bytes | None:
    """Serialise a caller's `Message` to bytes for the one reading path; None over `limit`.

    Not `msg.as_bytes()`: the stdlib generator refolds every header (measured: 1.7 s for one
    19 KB fuzzed message, and it has had infinite-loop bugs), recurses on nesting, and fails
    on 8-bit headers. This walk is iterative, writes fields as they are stored, writes each
    object once (a Message that contains itself ends), and stops once over `limit` bytes.
    """
    out: list[bytes] = []
    size = 0
    seen: set[int] = set()
    stack: list[object] = [msg]
    while stack:
        item = stack.pop()
        if isinstance(item, bytes):
            chunk = item
        elif isinstance(item, Message):
            if id(item) in seen:
                continue
            seen.add(id(item))
            try:
                chunk = _message_chunk(item, stack)
            except Exception:  # noqa: BLE001 - a broken caller object: its part is left out
                chunk = b""
        else:
            chunk = _enc(str(item))
        size += len(chunk)
        if size > limit:
            return None
        out.append(chunk)
    return b"".join(out)
