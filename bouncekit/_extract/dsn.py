"""RFC 3464 delivery status notifications: one evidence per per-recipient block."""

from __future__ import annotations

from bouncekit._evidence import Evidence
from bouncekit._extract import Extracted
from bouncekit._extract.text import recipient_context, report_text
from bouncekit._message import Headers, MailView, parse_headers
from bouncekit._smtp import find_reply_code, parse_status_field
from bouncekit._text import clean, normalise_address, unwrap
from bouncekit._types import ReportKind

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


def extract(view: MailView) -> Extracted | None:
    part = next((p for p in view.parts if p.ctype in _STATUS_PARTS), None)
    if part is None:
        return None
    blocks = _blocks(view, view.body(part))
    per_message = (
        blocks[0] if blocks and not any(f in blocks[0] for f in _RECIPIENT_FIELDS) else None
    )
    context = report_text(view)
    evidences: list[Evidence] = []
    for block in blocks:
        if not any(f in block for f in _RECIPIENT_FIELDS):
            continue
        if len(evidences) >= view.policy.max_recipients:
            view.defects.append("limit:recipients")
            break
        recipient = normalise_address(_typed(block.get("final-recipient"))) or normalise_address(
            _typed(block.get("original-recipient"))
        )
        diagnostic = _typed(block.get("diagnostic-code"))
        readable = recipient_context(context, recipient)
        if not diagnostic or (
            diagnostic.lower().startswith(("x-", "unknown")) and len(diagnostic) < 20
        ):
            diagnostic = (diagnostic + " " + readable).strip()
        action = (block.get("action") or "").strip().lower()[:20] or None
        evidences.append(
            Evidence(
                recipient=recipient,
                action=action,
                status=parse_status_field(block.get("status")),
                code=find_reply_code(diagnostic[:8]) if diagnostic[:3].isdigit() else None,
                remote_mta=clean(_typed(block.get("remote-mta"))) or None,
                command=unwrap(readable).command if readable else None,
                diagnostic=diagnostic,
                source="dsn",
            )
        )
    if not evidences:
        return None  # a status part without recipients: let the text extractors try
    reporting = _typed(per_message.get("reporting-mta")) if per_message else None
    return Extracted(ReportKind.DSN, evidences, reporting_mta=clean(reporting) or None)
