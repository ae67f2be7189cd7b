"""RFC 3464 delivery status notifications: one evidence per per-recipient block."""

from __future__ import annotations

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract import Extracted
from bouncekit._extract.text import (
    Section,
    recipient_context,
    reply_in,
    report_text,
    unquote_local,
)
from bouncekit._message import Headers, MailView, parse_headers
from bouncekit._smtp import EnhancedStatus, find_reply_code, find_status, parse_status_field
from bouncekit._text import clean, fold, normalise_address, unwrap
from bouncekit._types import Reason, ReportKind

_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")


def _typed(value: str | None) -> str:
    """`dns; mx.example.com` -> `mx.example.com`; `smtp; 550 ...` -> `550 ...`."""
    if not value:
        return ""
    head, sep, rest = value.partition(";")
    if sep and len(head) <= 20 and " " not in head.strip():
        kind = head.strip().lower()
        if kind in ("smtp", "dns", "rfc822", "utf-8", "x-local-hostname"):
            return rest.strip()
        return f"{head.strip()}; {rest.strip()}"  # X-Unix; X-Postfix; ... say which mailer
    return value.strip()


def _blocks(view: MailView, body: bytes) -> list[Headers]:
    """Field blocks separated by blank lines; a block naming two recipients is split."""
    out: list[Headers] = []
    for chunk in body.replace(b"\n\n\n", b"\n\n").split(b"\n\n"):
        chunk = chunk.strip(b"\n")
        if not chunk:
            continue
        headers = parse_headers(chunk, view.policy.max_headers, view.defects)
        items = headers.items()
        starts = [i for i, (k, _) in enumerate(items) if k == "final-recipient"]
        if len(starts) <= 1:
            out.append(headers)
            continue
        starts[0] = 0
        for a, b in zip(starts, [*starts[1:], len(items)], strict=True):
            out.append(Headers(items[a:b]))
    return out


def _generic_diagnostic(diagnostic: str) -> bool:
    """True when a Diagnostic-Code says nothing a reader could act on."""
    low = diagnostic.lower()
    return not diagnostic or (low.startswith(("x-", "unknown")) and len(diagnostic) < 20)


class _Readable:
    """The readable part, read only as far as the field blocks need it.

    Its family readers' evidences are built at the first block that names a recipient (a
    status part without one needs none); a recipient's paragraph only when the fields leave
    the diagnostic or the command open, from the text split and lowercased once.
    """

    __slots__ = ("_by_rcpt", "_lines", "_low", "text", "view")

    def __init__(self, view: MailView, text: str) -> None:
        self.view, self.text = view, text
        self._by_rcpt: dict[str, Evidence] | None = None
        self._lines: list[str] | None = None
        self._low: str | None = None

    def by_recipient(self) -> dict[str, Evidence]:
        if self._by_rcpt is None:
            from bouncekit._extract import mta

            self._by_rcpt = mta.readable_evidences(self.view, self.text)
        return self._by_rcpt

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def context(self, recipient: str | None) -> str:
        if not self.text or not recipient:
            return ""
        if self._low is None:
            self._low = self.text.lower()
        return recipient_context(self.text, recipient, self.lines(), self._low)


def evidences_from_fields(
    view: MailView, body: bytes, context: str, blocks: list[Headers] | None = None
) -> list[Evidence]:
    """One evidence per per-recipient block of DSN fields, completed by the readable text.

    `blocks`: the body's field blocks when the caller has already read them (`_blocks`).
    """
    if blocks is None:
        blocks = _blocks(view, body)
    report = _Readable(view, context)
    evidences: list[Evidence] = []
    for block in blocks:
        if not any(f in block for f in _RECIPIENT_FIELDS):
            continue
        if len(evidences) >= view.policy.max_recipients:
            view.defects.append("limit:recipients")
            break
        readable = report.by_recipient()
        original = _address(block.get("original-recipient"))
        recipient = _address(block.get("final-recipient")) or original
        diagnostic = _iso2022(_typed(block.get("diagnostic-code")))
        found = readable.get((recipient or "").lower()) or readable.get((original or "").lower())
        if found is None and len(readable) == 1 and len(blocks) <= 2:
            found = next(iter(readable.values()))
        text_reply = found.diagnostic if found is not None else ""
        if not text_reply and len(blocks) <= 2 and _generic_diagnostic(diagnostic):
            text_reply = fold(reply_in(Section(context, report.lines())))
        code = find_reply_code(diagnostic[:8]) if diagnostic[:3].isdigit() else None
        if _generic_diagnostic(diagnostic) or (code is None and _has_code(text_reply)):
            # the readable part quotes the remote reply the fields left out
            local = diagnostic.lower().startswith("x-unix;") and text_reply
            diagnostic = (text_reply or (diagnostic + " " + report.context(recipient))).strip()
            if local:  # "X-Unix; 71": a local program's exit status, worded by the transcript
                diagnostic = f"X-Unix; {diagnostic}"
            code = found.code if found is not None and text_reply else None
        action = (block.get("action") or "").strip().lower()[:20] or None
        # "dns; mx.example.com (TCP|192.0.2.1|...)": the host name, not the comments
        remote = _remote(block.get("remote-mta"))
        command = found.command if found is not None else None
        if command is None:
            context_text = report.context(recipient)
            if context_text:
                command = unwrap(context_text).command
        status = _status(parse_status_field(block.get("status")), diagnostic, code)
        evidences.append(
            Evidence(
                recipient=recipient,
                action=action,
                status=status,
                code=code,
                remote_mta=remote or (found.remote_mta if found is not None else None),
                command=command,
                diagnostic=diagnostic,
                source="dsn",
                decided=Reason.DELIVERED if _succeeded(action, status) else None,
            )
        )
    return evidences


_EMBEDDED_UNICODE = regex.compile(r"\\x\{([0-9A-Fa-f]{2,6})\}")


def _address(value: str | None) -> str | None:
    """A recipient field's address (`rfc822; "a..b."@example.jp` -> `a..b.@example.jp`).

    A `utf-8` address in a plain delivery-status part is written `j\\x{F6}rg@example.de`
    (RFC 6533 utf-8-addr-xtext): read as the SMTPUTF8 address it stands for.
    """
    address = _typed(value)
    if "\\x{" in address and (value or "").lstrip()[:6].lower() == "utf-8;":
        address = _EMBEDDED_UNICODE.sub(_code_point, address)
    return normalise_address(unquote_local(address))


def _code_point(m: regex.Match[str]) -> str:
    point = int(m.group(1), 16)
    return chr(point) if 0x80 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else m[0]


def _succeeded(action: str | None, status: EnhancedStatus | None) -> bool:
    """A delivery notice decides by itself: no rule reads "spam filter passed" in a 250."""
    if action in ("delivered", "relayed", "expanded"):
        return True
    return action is None and status is not None and status.klass == 2


def _status(
    field: EnhancedStatus | None, diagnostic: str, code: int | None
) -> EnhancedStatus | None:
    """The Status field, unless the remote reply (`550 5.7.1 ...`) states a finer one.

    The reporting MTA often maps any refusal to one Status (5.1.1, 4.4.7, 4.5.0); the reply
    the remote server gave, when it opens the diagnostic with a code and a status of the
    code's class, is what that server said and is kept.
    """
    if code is None:
        return field
    said = find_status(diagnostic[:16])
    if said is None or said.klass != code // 100 or (said.subject, said.detail) == (0, 0):
        return field
    return said


def _iso2022(text: str) -> str:
    """Domino and Japanese MTAs put ISO-2022-JP bytes straight into Diagnostic-Code."""
    if "\x1b$" not in text and "\x1b(" not in text:
        return text
    try:
        return text.encode("utf-8").decode("iso-2022-jp", "replace")
    except (UnicodeError, LookupError):
        return text


def _remote(value: str | None) -> str | None:
    """A Remote-MTA's host: `dns; mx.example.com (TCP|...)`; `X-Unix; prog` names none."""
    if not value:
        return None
    kind, sep, _ = value.partition(";")
    if sep and kind.strip().lower() != "dns":
        return None
    return clean(_typed(value).split(" (", 1)[0]) or None


def _has_code(text: str) -> bool:
    return text[:3].isdigit() and find_reply_code(text[:4]) is not None


def extract(view: MailView) -> Extracted | None:
    parts = [p for p in view.parts if p.ctype in _STATUS_PARTS]
    if not parts:
        return None
    context = report_text(view)
    evidences: list[Evidence] = []
    first_blocks: list[Headers] = []
    for i, part in enumerate(parts):  # a relay may append the DSN it received after its own
        body = view.body(part)
        blocks = _blocks(view, body)
        if i == 0:
            first_blocks = blocks
        evidences += evidences_from_fields(view, body, context, blocks)
    if not evidences:
        return None  # a status part without recipients: let the text extractors try
    evidences = evidences[: view.policy.max_recipients]
    # The per-message fields come first: the first block, when it names no recipient (a
    # block `_blocks` split starts with a Final-Recipient, so it never passes this test).
    first = first_blocks[0] if first_blocks else None
    per_message = (
        first if first is not None and not any(f in first for f in _RECIPIENT_FIELDS) else None
    )
    reporting = _typed(per_message.get("reporting-mta")) if per_message else None
    return Extracted(ReportKind.DSN, evidences, reporting_mta=clean(reporting) or None)
