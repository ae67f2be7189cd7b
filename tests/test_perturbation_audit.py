"""Perturbation audit: do the extractors and rules read the *kind* of message, not one file?

Part of the corpus is held back, and an unseen file of a family differs from the files we
have by what varies between two bounces of one MTA: addresses and host names, dates,
message ids and queue ids, the original subject, line endings, where headers are folded,
trailing spaces, the order and number of recipients, the transfer encoding of the readable
part. For each corpus file this audit makes such variants and checks that every result field
is the original's, with the replaced values mapped (a recipient whose address was replaced
is expected under its new address).

The test runs every variant of every file (one test per kind of variant, ~10 s in all);
the module also runs as a script, printing each divergence (optionally for some files):
    PYTHONPATH=. python tests/test_perturbation_audit.py [name-substring ...]
A divergence is a reader or rule keyed on one file's accident (fix it for the kind of
message, with an example in tests/formats/test_variants.py) or a variant that changes
what the report says (then the variant is wrong: narrow it, or list it in UNFAIR).
"""

from __future__ import annotations

import base64
import codecs
import email
import email.policy
import functools
import hashlib
import io
import quopri
import re
import sys
from collections.abc import Callable, Iterator
from email.generator import BytesGenerator
from email.message import Message
from pathlib import Path
from typing import cast

import pytest

import bouncekit
from bouncekit import BounceReport, Category

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.conftest import CORPUS
else:
    from tests.conftest import CORPUS

FIELDS = (
    "recipient",
    "action",
    "smtp_code",
    "enhanced_status",
    "reason",
    "category",
    "block_type",
    "provider",
    "remote_mta",
    "smtp_command",
    "provenance",
    "confidence",
)

Row = tuple[str, ...]
Subst = Callable[[str], str]


# --- reading and writing a message without changing it -------------------------------------


def load(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def dump(msg: Message) -> bytes:
    """compat32 round trip; checked neutral on the whole corpus (variant `control`)."""
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, maxheaderlen=0).flatten(msg)
    return out.getvalue()


def rows(report: BounceReport) -> list[Row]:
    return [tuple(str(getattr(b, f)) for f in FIELDS) for b in report.bounces]


def _leaves(msg: Message) -> Iterator[Message]:
    for part in msg.walk():
        if not part.is_multipart():
            yield part


def _cte(part: Message) -> str:
    return str(part.get("content-transfer-encoding", "")).strip().lower()


def _on_bytes(fn: Subst, value: str) -> str:
    """`fn` applied to a parsed value (8-bit bytes held as surrogates) seen as latin-1 text,
    so that `fn` sees (and writes) the same one-char-per-byte text as in decoded bodies."""
    data = value.encode("ascii", "surrogateescape").decode("latin-1")
    return fn(data).encode("latin-1").decode("ascii", "surrogateescape")


def map_text(msg: Message, fn: Subst, *, headers: bool = True) -> None:
    """Apply `fn` to every header value and every leaf body, decoded where it is encoded.

    `fn` sees bytes as latin-1 text (one char per byte), whatever the charset."""
    for part in msg.walk():
        if headers:
            part._headers = [  # type: ignore[attr-defined]
                (k, _on_bytes(fn, v))
                for k, v in part._headers  # type: ignore[attr-defined]
            ]
        if part.is_multipart():
            continue
        payload = part._payload  # type: ignore[attr-defined]  # raw: get_payload() decodes 8-bit
        if part.get_content_maintype() == "multipart":
            new_payload = _on_bytes(fn, payload)
            if new_payload.isascii():  # the generator would garble 8-bit in one read as text
                part.set_payload(new_payload)
            continue
        if not isinstance(payload, str):
            continue
        cte = _cte(part)
        if cte == "base64":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            new = fn(data.decode("latin-1")).encode("latin-1")
            if new != data:
                part.set_payload(base64.encodebytes(new).decode("ascii"))
        elif cte == "quoted-printable":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            new = fn(data.decode("latin-1")).encode("latin-1")
            if new != data:
                part.set_payload(quopri.encodestring(new).decode("latin-1"))
        elif (new_payload := _on_bytes(fn, payload)) != payload:
            part.set_payload(new_payload)


def replace_all(raw: bytes, msg: Message, fn: Subst) -> bytes:
    """`fn` on the raw bytes where no part is encoded (a malformed multipart is then
    changed too), else on each header and decoded body."""
    if not any(_cte(p) in ("base64", "quoted-printable") for p in _leaves(msg)):
        return fn(raw.decode("latin-1")).encode("latin-1")
    map_text(msg, fn)
    return dump(msg)


# --- replacements ----------------------------------------------------------------------------

LOCAL_STYLES = ("x", "j.doe+tag7", "first.middle.last2024", "a1b2c3d4e5f6g7h8i9j0", "u_9")
_BOUNDS = r"(?<![\w.+%=-])", r"(?![\w-]|\.\w)"


def word_subst(mapping: dict[str, str]) -> Subst:
    """Replace each key (an address or host name, any case) as a whole token."""
    if not mapping:
        return lambda s: s
    keys = sorted(mapping, key=len, reverse=True)
    pat = re.compile(
        _BOUNDS[0] + "(" + "|".join(re.escape(k) for k in keys) + ")" + _BOUNDS[1], re.I
    )
    low = {k.lower(): v for k, v in mapping.items()}
    return lambda s: pat.sub(lambda m: low[m.group(1).lower()], s)


def local_parts(report: BounceReport, salt: int) -> dict[str, str]:
    """Each recipient's local part replaced by another shape (length, digits, dots, +tag)."""
    mapping: dict[str, str] = {}
    for i, b in enumerate(report.bounces):
        if not b.recipient or "@" not in b.recipient or b.recipient in mapping:
            continue
        local, _, domain = b.recipient.rpartition("@")
        new = LOCAL_STYLES[(i + salt) % len(LOCAL_STYLES)] + str(i)
        mapping[b.recipient] = f"{new}@{domain}"
        mapping[f'"{local}"@{domain}'] = f"{new}@{domain}"  # a quoted local part
    return mapping


_EXAMPLE_HOST = re.compile(
    r"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?\.){0,5}example\.(?:[a-z]{2,6}\.)?[a-z]{2,6})"
    r"(?![\w-]|\.\w)",
    re.I,
)
_IPV4 = re.compile(
    r"(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\d.]\d)"
)


def host_map(raw: str) -> dict[str, str]:
    """Every anonymised host/domain name (`*.example.*`) and IPv4 address, mapped to others.

    Only the anonymised names are replaced: a real provider's name (gmail.com, docomo.ne.jp)
    is evidence an unseen file of that provider would carry too.
    """
    mapping: dict[str, str] = {}
    for m in _EXAMPLE_HOST.finditer(raw):
        name = m.group(1).lower()
        if name not in mapping:
            n = len(mapping)
            labels = name.split(".")
            extra = len(labels) - 2 - (1 if len(labels[-2]) <= 3 and len(labels) > 2 else 0)
            prefix = "".join(f"h{n}x{j}." for j in range(max(extra, 0)))
            mapping[name] = f"{prefix}d{n}.example.net"
    for m in _IPV4.finditer(raw):
        ip = m.group(1)
        if ip.startswith(("127.", "0.")) or ip in mapping:
            continue
        mapping[ip] = f"192.0.2.{(len(mapping) * 7) % 250 + 1}"
    return mapping


# --- variants --------------------------------------------------------------------------------

Variant = tuple[bytes, Subst, list[int] | None]  # new bytes, value map, expected row order


def v_control(raw: bytes, report: BounceReport) -> Variant | None:
    return dump(load(raw)), lambda s: s, None


def v_local(raw: bytes, report: BounceReport) -> Variant | None:
    mapping = local_parts(report, len(raw))
    if not mapping:
        return None
    fn = word_subst(mapping)
    return replace_all(raw, load(raw), fn), fn, None


def v_local2(raw: bytes, report: BounceReport) -> Variant | None:
    """`v_local` with the next shapes of local part (each file gets two of the five)."""
    mapping = local_parts(report, len(raw) + 2)
    if not mapping:
        return None
    fn = word_subst(mapping)
    return replace_all(raw, load(raw), fn), fn, None


def v_case(raw: bytes, report: BounceReport) -> Variant | None:
    """Recipients written in capitals: the domain is read case-blind, the local part kept."""
    mapping: dict[str, str] = {}
    for b in report.bounces:
        if b.recipient and "@" in b.recipient and b.recipient.isascii():
            local, _, domain = b.recipient.rpartition("@")
            mapping[b.recipient] = f"{local.upper()}@{domain.upper()}"
            mapping[f'"{local}"@{domain}'] = f'"{local.upper()}"@{domain.upper()}'
    if not mapping:
        return None
    written = word_subst(mapping)
    read = word_subst(
        {k: f"{v.rpartition('@')[0]}@{k.rpartition('@')[2]}" for k, v in mapping.items()}
    )
    return replace_all(raw, load(raw), written), read, None


_UTF8_LOCAL = "jörg.müller"
_ASCII_CHARSETS = ("", "us-ascii", "utf-8", "utf8")


def v_utf8(raw: bytes, report: BounceReport) -> Variant | None:
    """Each recipient's local part made non-ASCII (SMTPUTF8), written as raw UTF-8.

    Only where every text part is ASCII or UTF-8: raw UTF-8 in an ISO-2022-JP part would be
    another text, not the same report about another address.
    """
    msg = load(raw)
    for part in _leaves(msg):
        charset = str(part.get_param("charset") or "").lower()
        if part.get_content_maintype() == "text" and charset not in _ASCII_CHARSETS:
            return None
    mapping: dict[str, str] = {}
    for i, b in enumerate(report.bounces):
        if b.recipient and "@" in b.recipient and b.recipient not in mapping:
            local, _, domain = b.recipient.rpartition("@")
            mapping[b.recipient] = f"{_UTF8_LOCAL}{i}@{domain}"
            mapping[f'"{local}"@{domain}'] = f"{_UTF8_LOCAL}{i}@{domain}"
    if not mapping:
        return None
    as_bytes = {k: v.encode("utf-8").decode("latin-1") for k, v in mapping.items()}
    return replace_all(raw, msg, word_subst(as_bytes)), word_subst(mapping), None


def v_idn(raw: bytes, report: BounceReport) -> Variant | None:
    """Each anonymised recipient domain made an IDN written in UTF-8 (`bücher-N.example`)."""
    msg = load(raw)
    for part in _leaves(msg):
        charset = str(part.get_param("charset") or "").lower()
        if part.get_content_maintype() == "text" and charset not in _ASCII_CHARSETS:
            return None
    mapping: dict[str, str] = {}
    for i, b in enumerate(report.bounces):
        local, _, domain = (b.recipient or "").rpartition("@")
        if "example" in domain and b.recipient not in mapping:
            new = f"{local}@bücher-{i}.example"
            mapping[b.recipient] = mapping[f'"{local}"@{domain}'] = new  # type: ignore[index]
    if not mapping:
        return None
    as_bytes = {k: v.encode("utf-8").decode("latin-1") for k, v in mapping.items()}
    return replace_all(raw, msg, word_subst(as_bytes)), word_subst(mapping), None


def v_hosts(raw: bytes, report: BounceReport) -> Variant | None:
    msg = load(raw)
    text = raw.decode("latin-1")
    for part in _leaves(msg):
        if _cte(part) in ("base64", "quoted-printable"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                text += "\n" + data.decode("latin-1")
    mapping = host_map(text)
    if not mapping:
        return None
    fn = word_subst(mapping)
    map_text(msg, fn)
    return dump(msg), fn, None


_SUBJECT_FILLER = "Quarterly figures - draft 7 (rev. 12)"


def v_ids(raw: bytes, report: BounceReport) -> Variant | None:
    """Date, Message-ID, queue ids and the returned message's subject changed."""
    msg = load(raw)
    original_subject = ""
    for part in msg.walk():
        if part is not msg and part.get("subject") and part.get("from"):
            original_subject = " ".join(str(part["subject"]).split())
            break
    digest = hashlib.sha1(raw).hexdigest()
    for part in msg.walk():
        new: list[tuple[str, str]] = []
        for k, v in part._headers:  # type: ignore[attr-defined]
            low = k.lower()
            if low == "date":
                v = "Wed, 4 Mar 2026 17:08:09 +0100"
            elif low in ("message-id", "in-reply-to", "references"):
                # the id part varies; the host part names who made it (a fingerprint)
                v = re.sub(r"<[^<>@\s]+@", f"<{digest[:12]}.{digest[12:20]}@", v)
            elif low in ("x-postfix-queue-id",):
                v = digest[:11].upper()
            elif low == "received":
                v = re.sub(r"(\bid\s+)([A-Za-z0-9.-]{6,})", lambda m: m.group(1) + digest[:14], v)
            elif low == "subject" and len(original_subject) > 3:
                flat = " ".join(v.split())
                if original_subject in flat:
                    v = flat.replace(original_subject, _SUBJECT_FILLER)
            new.append((k, v))
        part._headers = new  # type: ignore[attr-defined]
    return replace_all(raw, msg, _body_ids), lambda s: s, None


_DATE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), {1,2}\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
)
_EXIM_ID = re.compile(r"(?<![\w.+=\"-])[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}(?![\w@.-])")
_POSTFIX_ID = re.compile(r"(?<![\w.+=\"-])[0-9A-F]{10,12}(?![\w@.-])")


def _body_ids(text: str) -> str:
    """Dates (in DSN fields and report sentences) and Exim/Postfix queue ids, anywhere."""
    text = _DATE.sub("Wed, 4 Mar 2026 17:08:09 +0100", text)
    text = _EXIM_ID.sub("1aBcDe-0FgHiJ-9z", text)
    return _POSTFIX_ID.sub(lambda m: "4C7D9" + "E" * (len(m.group(0)) - 3), text)


def v_crlf(raw: bytes, report: BounceReport) -> Variant | None:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), lambda s: s, None


def v_cr(raw: bytes, report: BounceReport) -> Variant | None:
    """Old Mac line endings (lone CR), as the corpus's `.cr.eml` twins of a few files."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r"), lambda s: s, None


def v_trailing(raw: bytes, report: BounceReport) -> Variant | None:
    """Spaces at the end of every line that has text (a blank line stays blank: it ends a
    header block, and one with spaces in it does not)."""
    return re.sub(rb"(?<=[^\n])\n", b" \t\n", raw.replace(b"\r\n", b"\n")), lambda s: s, None


def v_refold(raw: bytes, report: BounceReport) -> Variant | None:
    """Every header (and status field) unfolded, then folded again at another space."""
    msg = load(raw)
    changed = False
    for part in msg.walk():
        new: list[tuple[str, str]] = []
        for k, v in part._headers:  # type: ignore[attr-defined]
            flat = re.sub(r"\r?\n[ \t]+", " ", v)
            spaces = [m.start() for m in re.finditer(r"(?<=\S) (?=\S)", flat)]
            if spaces:
                cut = spaces[len(spaces) // 2]
                flat = flat[:cut] + "\n\t" + flat[cut + 1 :]
            changed |= flat != v
            new.append((k, flat))
        part._headers = new  # type: ignore[attr-defined]
    return (dump(msg), lambda s: s, None) if changed else None


def _status_groups(msg: Message) -> list[Message] | None:
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list) and len(payload) >= 3:
                return cast(list[Message], payload)  # the list itself: edited in place
    return None


def _recipient_blocks(
    msg: Message, recipients: list[str]
) -> tuple[Message, list[str], list[int]] | None:
    """The readable text cut into lines, and where each recipient's section starts.

    A recipient's section runs from the first line naming it to the line before the next
    recipient's first line; the last one ends at the next blank line. Usable only where no
    section names another recipient (the returned message's headers, further down, are
    left alone). Returns (part, lines, starts + [end]).
    """
    for part in _leaves(msg):
        if part.get_content_type() != "text/plain" or _cte(part) in ("base64", "quoted-printable"):
            continue
        payload = part._payload  # type: ignore[attr-defined]
        if not isinstance(payload, str):
            continue
        lines = payload.splitlines(keepends=True)
        pats = [re.compile(_BOUNDS[0] + re.escape(r) + _BOUNDS[1], re.I) for r in recipients]
        starts = []
        for pat in pats:
            first = next((i for i, line in enumerate(lines) if pat.search(line)), None)
            if first is None:
                break
            starts.append(first)
        else:
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                continue
            end = next((i for i in range(starts[-1] + 1, len(lines)) if not lines[i].strip()), None)
            if end is None:
                continue
            bounds = [*starts, end]
            clean = all(
                not pats[j].search(line)
                for k in range(len(starts))
                for line in lines[bounds[k] : bounds[k + 1]]
                for j in range(len(pats))
                if j != k
            )
            if clean:
                return part, lines, bounds
    return None


def _multi(report: BounceReport) -> list[str] | None:
    recipients = [b.recipient for b in report.bounces if b.recipient]
    if len(recipients) < 2 or len(set(recipients)) != len(recipients):
        return None
    return recipients


def v_reorder(raw: bytes, report: BounceReport) -> Variant | None:
    """The recipients' order reversed (status groups, or the readable part's blocks)."""
    recipients = _multi(report)
    if recipients is None:
        return None
    order = list(range(len(recipients)))[::-1]
    msg = load(raw)
    groups = _status_groups(msg)
    if groups is not None and len(groups) - 1 == len(recipients):
        groups[1:] = [groups[1 + i] for i in order]
        return dump(msg), lambda s: s, order
    if groups is None:
        found = _recipient_blocks(msg, recipients)
        if found is not None:
            part, lines, bounds = found
            sections = [lines[bounds[k] : bounds[k + 1]] for k in range(len(bounds) - 1)]
            moved = [line for i in order for line in sections[i]]
            part.set_payload("".join(lines[: bounds[0]] + moved + lines[bounds[-1] :]))
            return dump(msg), lambda s: s, order
    return None


def v_drop(raw: bytes, report: BounceReport) -> Variant | None:
    """The last recipient removed (its status group or block, and from X-Failed-Recipients)."""
    recipients = _multi(report)
    if recipients is None:
        return None
    gone = recipients[-1]
    keep = list(range(len(recipients) - 1))
    msg = load(raw)
    groups = _status_groups(msg)
    if groups is not None and len(groups) - 1 == len(recipients):
        del groups[-1]
    elif groups is None and (found := _recipient_blocks(msg, recipients)) is not None:
        part, lines, bounds = found
        part.set_payload("".join(lines[: bounds[-2]] + lines[bounds[-1] :]))
    else:
        return None
    pat = re.compile(r",?\s*<?" + re.escape(gone) + r">?", re.I)
    msg._headers = [  # type: ignore[attr-defined]
        (k, pat.sub("", v).strip(" ,") if k.lower() == "x-failed-recipients" else v)
        for k, v in msg._headers  # type: ignore[attr-defined]
    ]
    return dump(msg), lambda s: s, keep


def v_fields(raw: bytes, report: BounceReport) -> Variant | None:
    """Each DSN field block in reverse order, names in lower case (RFC 3464 fixes neither)."""
    msg = load(raw)
    groups = _status_groups(msg)
    if groups is None:
        for part in msg.walk():
            if part.get_content_type() == "message/delivery-status":
                payload = part.get_payload()
                if isinstance(payload, list):
                    groups = cast(list[Message], payload)
    if not groups:
        return None
    for group in groups:
        group._headers = [(k.lower(), v) for k, v in reversed(group._headers)]  # type: ignore[attr-defined]
    return dump(msg), lambda s: s, None


_INDENTED = re.compile(r"^([ \t]+)\S")
_OPENS_WITH_ADDRESS = re.compile(r"^<?[^\s<>@]+@[^\s<>]+>?:? \S")


def v_rewrap(raw: bytes, report: BounceReport) -> Variant | None:
    """Wrapped recipient paragraphs of the readable part wrapped again, narrower.

    Where the MTA wraps a recipient's paragraph as prose (`<rcpt>: host ... said: 550 ...`
    then indented continuation lines: Postfix, qmail, OpenSMTPD), the wrap points move
    with the length of the address or host it quotes: the paragraph is cut again at 50
    columns with the same indent, its first line keeping the address and three words.
    (Exim's indented lines are items, one per line, not wrapped prose: left alone.)
    """
    msg = load(raw)
    for part in _leaves(msg):
        if part.get_content_type() != "text/plain" or _cte(part) in ("base64", "quoted-printable"):
            continue
        payload = part._payload  # type: ignore[attr-defined]
        if not isinstance(payload, str) or not payload.isascii():
            continue
        lines = payload.split("\n")
        out: list[str] = []
        i = 0
        changed = False
        while i < len(lines):
            j = i + 1
            m = _INDENTED.match(lines[j]) if j < len(lines) else None
            if m and _OPENS_WITH_ADDRESS.match(lines[i]):
                indent = m.group(1)
                while j < len(lines) and lines[j].startswith(indent) and lines[j].strip():
                    j += 1
                if j - i >= 2:
                    first, *rest = lines[i:j]
                    words = " ".join(x.strip() for x in rest).split()
                    head_words = first.split()
                    lead = first[: len(first) - len(first.lstrip())]
                    cut = min(len(head_words), 4)
                    new_lines = [lead + " ".join(head_words[:cut])]
                    for w in head_words[cut:] + words:
                        if len(new_lines[-1]) + 1 + len(w) > 50 and len(new_lines) >= 1:
                            new_lines.append(indent + w)
                        else:
                            new_lines[-1] += " " + w
                    changed |= new_lines != lines[i:j]
                    out.extend(new_lines)
                    i = j
                    continue
            out.append(lines[i])
            i += 1
        if changed:
            part.set_payload("\n".join(out))
            return dump(msg), lambda s: s, None
    return None


_PREAMBLE = (
    "Notice from the mail system of Example Networks. This notification is generated "
    "automatically; replies to it are not read. Our service desk can be reached through "
    "the web portal listed on the intranet home page.\n\n"
)


def v_preamble(raw: bytes, report: BounceReport) -> Variant | None:
    """A site's own paragraphs (~600 characters) before the report's text, as sites put in
    Postfix's bounce template or Exchange's NDR text: a detector must not depend on its
    fingerprint sitting in the first few hundred characters. Not for JSON (SES)."""
    msg = load(raw)
    for part in _leaves(msg):
        if part.get_content_type() != "text/plain" or _cte(part) in ("base64", "quoted-printable"):
            continue
        payload = part._payload  # type: ignore[attr-defined]
        if not isinstance(payload, str) or payload.lstrip().startswith("{"):
            return None
        lead = len(payload) - len(payload.lstrip("\n"))
        part.set_payload(payload[:lead] + _PREAMBLE * 3 + payload[lead:])
        return dump(msg), lambda s: s, None
    return None


_ADDED = "added.rcpt9"
# Where a readable part goes on with the returned message (its headers name recipients too).
_RETURNED = re.compile(
    r"^\s*(?:-{2,}.*(?:original|returned|unsent|message)|(?:return-path|received|from|to|"
    r"subject|date|message-id):)",
    re.I,
)


def _text_mentions(msg: Message, address: str) -> bool:
    """Whether the readable text, before the returned message, names `address` (any
    address, for "@")."""
    mention = re.compile(
        re.escape(address) if address == "@" else _BOUNDS[0] + re.escape(address) + _BOUNDS[1],
        re.I,
    )
    for part in _leaves(msg):
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                lines = payload.decode("latin-1").split("\n")
                cut = next((i for i, ln in enumerate(lines) if _RETURNED.match(ln)), len(lines))
                return any(mention.search(line) for line in lines[:cut])
    return False


def v_add(raw: bytes, report: BounceReport) -> Variant | None:
    """One recipient more: the last one's status group and/or its section of the readable
    text repeated for another address at the same domain. A family seen here with one
    recipient only must still read each of several (issue #3 point 2)."""
    recipients = [b.recipient for b in report.bounces]
    if not recipients or not all(recipients) or len(set(recipients)) != len(recipients):
        return None
    last = str(recipients[-1])
    local, _, domain = last.rpartition("@")
    new = f"{_ADDED}@{domain}"
    if b"\n{\n" in raw or b'"notificationType"' in raw:
        return None  # an SES notification: JSON, not lines
    rename = word_subst({last: new, f'"{local}"@{domain}': new})
    msg = load(raw)
    done = False
    groups = _status_groups(msg)
    if groups is None:  # one recipient: the per-message block and one group
        for part in msg.walk():
            if part.get_content_type() == "message/delivery-status":
                payload = part.get_payload()
                if isinstance(payload, list) and len(payload) == 2:
                    groups = cast(list[Message], payload)
    has_status = any(p.get_content_type() == "message/delivery-status" for p in msg.walk())
    if has_status and (
        groups is None
        or len(groups) - 1 != len(recipients)
        or last.lower() not in str(groups[-1].get("final-recipient", "")).lower()
    ):
        return None  # a DSN's recipients are its groups: the last one is copied, or nothing
    if has_status and not _text_mentions(msg, last) and _text_mentions(msg, "@"):
        # the text names the recipient otherwise (an alias, an anonymiser's slip): only the
        # one-recipient fallback joins the two, and a copied group would have no text
        return None
    if groups is not None:
        copy = load(dump(groups[-1]))
        copy._headers = [(k, rename(v)) for k, v in copy._headers]  # type: ignore[attr-defined]
        groups.append(copy)
        done = True
    found = _recipient_blocks(msg, [str(r) for r in recipients])
    if found is not None:
        part, lines, bounds = found
        mention = re.compile(_BOUNDS[0] + re.escape(last) + _BOUNDS[1], re.I)
        # every mention in the text must be in the section copied: where a format names a
        # recipient in two places (a list, then a transcript), one copied section would
        # give the added recipient half a report
        outside = lines[: bounds[-2]] + lines[bounds[-1] :]
        cut = next((i for i, line in enumerate(outside) if _RETURNED.match(line)), len(outside))
        if any(mention.search(line) for line in outside[:cut]):
            return None
        section = [rename(line) for line in lines[bounds[-2] : bounds[-1]]]
        if section and section[-1].strip():
            section[-1] = section[-1] if section[-1].endswith("\n") else section[-1] + "\n"
        part.set_payload("".join(lines[: bounds[-1]] + section + lines[bounds[-1] :]))
        done = True
    elif groups is None or _text_mentions(msg, last):
        return None  # the status group alone: the text, which speaks of the others, is silent
    if not done:
        return None
    msg._headers = [  # type: ignore[attr-defined]
        (k, f"{v}, {new}" if k.lower() == "x-failed-recipients" else v)
        for k, v in msg._headers  # type: ignore[attr-defined]
    ]
    return dump(msg), lambda s: s, [*range(len(recipients)), len(recipients) - 1]


def v_charset(raw: bytes, report: BounceReport) -> Variant | None:
    """Each non-ASCII text part in another charset: ISO-2022-JP, Shift_JIS, Latin-1 ... as
    UTF-8, UTF-8 as ISO-2022-JP where it can be (a Japanese carrier's report comes in
    either). Rules and readers see decoded text, never the bytes."""
    msg = load(raw)
    done = False
    for part in _leaves(msg):
        if part.get_content_maintype() != "text" or part.get_content_type() == "text/html":
            continue
        charset = str(part.get_param("charset") or "").lower()
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or data.isascii():
            continue
        try:
            if charset in ("utf-8", "utf8"):
                new, new_charset = data.decode("utf-8").encode("iso-2022-jp"), "iso-2022-jp"
            else:
                text = data.decode(codecs.lookup(charset).name if charset else "latin-1")
                new, new_charset = text.encode("utf-8"), "utf-8"
        except (UnicodeError, LookupError):
            continue
        part.set_param("charset", new_charset)
        del part["Content-Transfer-Encoding"]
        part["Content-Transfer-Encoding"] = "8bit" if new_charset == "utf-8" else "7bit"
        part.set_payload(new.decode("ascii", "surrogateescape"))
        done = True
    return (dump(msg), lambda s: s, None) if done else None


def v_boundary(raw: bytes, report: BounceReport) -> Variant | None:
    """Every MIME boundary another string (each MTA makes its own, per message)."""
    msg = load(raw)
    count = 0
    for part in msg.walk():
        boundary = part.get_boundary()
        if boundary:
            count += 1
            part.set_boundary(f"=_b{count}_{len(boundary)}_0A1B2C3D4E")
    return (dump(msg), lambda s: s, None) if count else None


def v_part_headers(raw: bytes, report: BounceReport) -> Variant | None:
    """Parts without Content-Description (Postfix's "Notification", "Delivery report"),
    text parts with a Content-Disposition: what names a part is its content type."""
    msg = load(raw)
    changed = False
    for part in msg.walk():
        if part is msg:
            continue
        if part.get("content-description") is not None:
            del part["content-description"]
            changed = True
        if part.get_content_maintype() == "text" and part.get("content-disposition") is None:
            part["Content-Disposition"] = "inline"
            changed = True
    return (dump(msg), lambda s: s, None) if changed else None


def _reencode(raw: bytes, target: str) -> Variant | None:
    msg = load(raw)
    done = False
    for part in _leaves(msg):
        if part.get_content_type() != "text/plain":
            continue  # the readable part (not the returned headers, not HTML)
        cte = _cte(part)
        if cte == target:
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data.strip():
            continue
        if target == "base64":
            body = base64.encodebytes(data).decode("ascii")
        else:
            body = quopri.encodestring(data).decode("latin-1")
        del part["Content-Transfer-Encoding"]
        part["Content-Transfer-Encoding"] = target
        part.set_payload(body)
        done = True
        break
    return (dump(msg), lambda s: s, None) if done else None


def v_qp(raw: bytes, report: BounceReport) -> Variant | None:
    return _reencode(raw, "quoted-printable")


def v_b64(raw: bytes, report: BounceReport) -> Variant | None:
    return _reencode(raw, "base64")


def v_combined(raw: bytes, report: BounceReport) -> Variant | None:
    """Several at once, as an unseen file differs by all of them: other recipients and
    hosts, other ids and dates, folding moved, padded lines, CRLF."""
    steps = (v_local, v_hosts, v_ids, v_refold, v_trailing, v_crlf)
    maps: list[Subst] = []
    data, current = raw, report
    for step in steps:
        made = step(data, current)
        if made is None:
            continue
        data, fn, _ = made
        maps.append(fn)
        current = bouncekit.parse_bounce(data)  # the next step maps what this one reads

    def mapped(value: str) -> str:
        for fn in maps:
            value = fn(value)
        return value

    return data, mapped, None


VARIANTS: dict[str, Callable[[bytes, BounceReport], Variant | None]] = {
    "control": v_control,
    "local": v_local,
    "local2": v_local2,
    "case": v_case,
    "utf8": v_utf8,
    "idn": v_idn,
    "hosts": v_hosts,
    "ids": v_ids,
    "crlf": v_crlf,
    "cr": v_cr,
    "trailing": v_trailing,
    "refold": v_refold,
    "reorder": v_reorder,
    "drop": v_drop,
    "add": v_add,
    "fields": v_fields,
    "preamble": v_preamble,
    "rewrap": v_rewrap,
    "charset": v_charset,
    "boundary": v_boundary,
    "part-headers": v_part_headers,
    "qp": v_qp,
    "b64": v_b64,
    "combined": v_combined,
}

# (file, variant) pairs whose divergence is the perturbation's fault, not the reader's.
UNFAIR: dict[tuple[str, str], str] = {
    # A sendmail transcript: each recipient's lines follow a "While talking to <host>:"
    # line that belongs to it; moving lines from each recipient's first mention moves the
    # host lines to the wrong recipients (the report itself is then another one).
    ("lhost-v5sendmail-05.eml", "reorder"): "sections do not start at the recipient",
    # fml's notices are the list manager's fixed text, the address in its first paragraph;
    # no site adds its own paragraphs before them.
    ("lhost-fml-03.eml", "preamble"): "fml writes no site text",
    # `add` copies the last recipient's section (from its first mention to the next blank
    # line) under another address; in these the section is not where the format puts a
    # recipient's report, so the copy is not a report of two recipients:
    # DMA writes one report per recipient, its reply after a blank line;
    ("lhost-dragonfly-01.eml", "add"): "one report per recipient",
    ("lhost-dragonfly-29.eml", "add"): "one report per recipient",
    # the first mention is the returned message's "To:" (Exchange 2003) or fml's notice;
    ("rfc3464-39.eml", "add"): "the recipient's line is the original's To:",
    ("lhost-fml-03.eml", "add"): "fml's notice names the list member",
    # the report is in the bounce carried inside (nested), untouched by the copy;
    ("lhost-postfix-49.eml", "add"): "nested report",
    ("lhost-postfix-50.eml", "add"): "nested report",
    # sendmail: the first mention is an "(expanded from: <rcpt>)" line, or a transcript;
    ("lhost-sendmail-03.eml", "add"): "expanded-from line",
    ("lhost-sendmail-18.eml", "add"): "expanded-from line",
    ("lhost-v5sendmail-06.eml", "add"): "transcript lines",
    # the transcript names no recipient: with two groups, whose reply it is is unknown;
    ("lhost-sendmail-55.eml", "add"): "transcript without recipient",
    # MXLogic's bare "<rcpt>" line after the list is not part of a recipient's entry.
    ("lhost-mxlogic-03.eml", "add"): "bare address line after the list",
}


# --- comparison ------------------------------------------------------------------------------


def expected(report: BounceReport, fn: Subst, order: list[int] | None) -> list[Row]:
    out = []
    for row in rows(report):
        out.append(
            tuple(
                fn(v) if f in ("recipient", "remote_mta") else v
                for f, v in zip(FIELDS, row, strict=True)
            )
        )
    if order is None:
        return out
    picked = [out[i] for i in order]
    if len(order) > len(set(order)):  # `v_add`: the last row again, for the added recipient
        last = picked[-1]
        domain = last[0].rpartition("@")[2]
        picked[-1] = (f"{_ADDED}@{domain}", *last[1:])
    return picked


def audit(path: Path, names: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """(variant, description of the divergence) for each variant that diverges."""
    raw = path.read_bytes()
    base = bouncekit.parse_bounce(raw)
    for name in VARIANTS:
        if names is None or name in names:
            for what in _divergences(path.name, raw, base, name):
                yield name, what


def _divergences(name: str, raw: bytes, base: BounceReport, variant: str) -> Iterator[str]:
    yield from _check(name, raw, base, variant)[1]


def _check(name: str, raw: bytes, base: BounceReport, variant: str) -> tuple[bool, list[str]]:
    """(whether the variant applies to this file, how its results diverge)."""
    if (name, variant) in UNFAIR:
        return False, []
    made = VARIANTS[variant](raw, base)
    if made is None:
        return False, []
    data, fn, order = made
    got = bouncekit.parse_bounce(data)
    if name.startswith("not-"):
        failed = [b for b in got.bounces if b.category not in _NOT_FAILURES]
        return True, [f"a not-bounce now fails: {rows(got)}"] if failed else []
    if got.kind != base.kind:
        return True, [f"kind {base.kind} -> {got.kind}"]
    want = expected(base, fn, order)
    have = rows(got)
    return True, [] if want == have else [_diff(want, have)]


_NOT_FAILURES = {Category.AUTO_REPLY, Category.DELIVERED}


def _diff(want: list[Row], have: list[Row]) -> str:
    if len(want) != len(have):
        return f"{len(want)} rows -> {len(have)}: {[r[0] for r in want]} -> {[r[0] for r in have]}"
    out = []
    for i, (w, h) in enumerate(zip(want, have, strict=True)):
        for f, a, b in zip(FIELDS, w, h, strict=True):
            if a != b:
                out.append(f"#{i + 1} {f}: {a!r} -> {b!r}")
    return "; ".join(out)


def corpus_files() -> list[Path]:
    folder = CORPUS / "eml"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*.eml")
        if not p.name.endswith((".cr.eml", ".crlf.eml")) and not p.name.startswith("err-")
    )


# --- the test --------------------------------------------------------------------------------


@functools.cache
def _original(path: Path) -> tuple[bytes, BounceReport]:
    raw = path.read_bytes()
    return raw, bouncekit.parse_bounce(raw)


# Files each variant must apply to at least (so that the audit cannot go quietly vacuous).
MIN_APPLIED = {
    "boundary": 250,
    "part-headers": 250,
    "charset": 25,
    "add": 150,
    "preamble": 300,
    "reorder": 10,
    "drop": 10,
    "utf8": 250,
    "idn": 150,
    "fields": 200,
    "rewrap": 60,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_reads_like_the_original(variant: str) -> None:
    files = corpus_files()
    if not files:
        pytest.skip("shared corpus not available")
    applied = 0
    divergences = []
    for path in files:
        raw, base = _original(path)
        made, found = _check(path.name, raw, base, variant)
        applied += made
        divergences += [f"{path.name} [{variant}] {what}" for what in found]
    assert not divergences, "\n".join(divergences)
    assert applied >= MIN_APPLIED.get(variant, 300)


def test_audit_sees_an_unmapped_change() -> None:
    """A variant that renames recipients but expects the old names is reported."""
    files = corpus_files()
    if not files:
        pytest.skip("shared corpus not available")
    path = CORPUS / "eml" / "lhost-postfix-02.eml"
    raw, base = _original(path)
    renamed, _, _ = v_local(raw, base)  # type: ignore[misc]
    VARIANTS["unmapped"] = lambda r, b: (renamed, lambda s: s, None)
    try:
        found = list(_divergences(path.name, raw, base, "unmapped"))
    finally:
        del VARIANTS["unmapped"]
    assert found and "recipient" in found[0]


def main(argv: list[str]) -> int:
    files = [p for p in corpus_files() if not argv or any(a in p.name for a in argv)]
    count = 0
    for p in files:
        for variant, what in audit(p):
            count += 1
            print(f"{p.name} [{variant}] {what}")
    print(f"{count} divergences on {len(files)} files", file=sys.stderr)
    return 1 if count else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
