"""RFC 5965 feedback reports (ARF): a recipient complained about a message."""

from __future__ import annotations

from bouncekit._evidence import Evidence
from bouncekit._extract import Extracted
from bouncekit._message import MailView, decode_words, parse_headers
from bouncekit._text import clean, find_addresses, normalise_address
from bouncekit._types import Reason, ReportKind

FEEDBACK_TYPES = ("abuse", "fraud", "not-spam", "opt-out", "virus", "auth-failure", "other")


def extract(view: MailView) -> Extracted | None:
    part = next((p for p in view.parts if p.ctype == "message/feedback-report"), None)
    report_type = view.parts[0].params.get("report-type", "").lower()
    if part is None and report_type != "feedback-report":
        return None
    fields = (
        parse_headers(view.body(part).strip(b"\n"), view.policy.max_headers, view.defects)
        if part is not None
        else None
    )
    ftype = (fields.get("feedback-type") if fields else None) or "abuse"
    ftype = ftype.strip().lower()[:40]
    if ftype not in FEEDBACK_TYPES:
        ftype = "other"
    recipients: list[str] = []
    if fields is not None:
        for name in ("original-rcpt-to", "removal-recipient"):
            for value in fields.get_all(name):
                addr = normalise_address(value)
                if addr:
                    recipients.append(addr)
    if not recipients:
        original = view.embedded_headers()
        if original is not None:
            recipients = find_addresses(decode_words(original.get("to")))[:1]
    extra: list[tuple[str, str]] = []
    if fields is not None:
        for name in (
            "source-ip",
            "arrival-date",
            "user-agent",
            "reported-domain",
            "original-mail-from",
        ):
            value = clean(fields.get(name))
            if value:
                extra.append((name, value))
    evidences = [
        Evidence(
            recipient=r,
            action=None,
            diagnostic=f"feedback-type: {ftype}",
            source="arf",
            feedback_type=ftype,
            decided=Reason.COMPLAINT,
        )
        for r in dict.fromkeys(recipients[: view.policy.max_recipients])
    ] or [
        Evidence(
            None,
            diagnostic=f"feedback-type: {ftype}",
            source="arf",
            feedback_type=ftype,
            decided=Reason.COMPLAINT,
        )
    ]
    reporting = clean(fields.get("reporting-mta")) if fields else ""
    return Extracted(ReportKind.FEEDBACK, evidences, reporting_mta=reporting or None, extra=extra)
