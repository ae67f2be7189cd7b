"""RFC 5965 feedback reports (ARF): a recipient complained about a message.

Also the complaint formats that are not ARF: Hotmail's older feedback loop (the
complained-of message attached, `X-HmXmrOriginalRecipient`) and Apple Mail's unsubscribe.
"""

from __future__ import annotations

import regex

from bouncekit._evidence import Evidence
from bouncekit._extract import Extracted
from bouncekit._message import MailView, decode_words, parse_headers
from bouncekit._text import clean, find_addresses, normalise_address
from bouncekit._types import Reason, ReportKind

FEEDBACK_TYPES = ("abuse", "fraud", "not-spam", "opt-out", "virus", "auth-failure", "other")


_HOTMAIL_SUBJECT = regex.compile(
    r"^\s*complaint about message from\s+([0-9a-fA-F.:]{3,45})", regex.IGNORECASE
)


def _complaint(recipient: str | None, ftype: str) -> Evidence:
    return Evidence(
        recipient=recipient,
        diagnostic=f"feedback-type: {ftype}",
        source="arf",
        feedback_type=ftype,
        decided=Reason.COMPLAINT,
    )


def _hotmail(view: MailView) -> Extracted | None:
    """Hotmail's feedback loop before ARF: the complained-of message, the recipient in
    `X-HmXmrOriginalRecipient`, the source IP in the subject."""
    m = _HOTMAIL_SUBJECT.match(decode_words(view.headers.get("subject"))[:300])
    original = view.embedded_headers()
    if m is None or original is None:
        return None
    rcpt = normalise_address(original.get("x-hmxmroriginalrecipient")) or next(
        iter(find_addresses(decode_words(original.get("to")))), None
    )
    extra = [("source-ip", m.group(1))]
    arrival = clean(original.get("date"))
    if arrival:
        extra.append(("arrival-date", arrival))
    return Extracted(ReportKind.FEEDBACK, [_complaint(rcpt, "abuse")], extra=extra)


def _apple_unsubscribe(view: MailView) -> Extracted | None:
    """Apple Mail's one-click unsubscribe: a message from the recipient itself."""
    if (view.headers.get("x-apple-unsubscribe") or "").strip().lower() != "true":
        return None
    sender = find_addresses(decode_words(view.headers.get("from")))
    return Extracted(ReportKind.FEEDBACK, [_complaint(sender[0] if sender else None, "opt-out")])


def extract(view: MailView) -> Extracted | None:
    part = next((p for p in view.parts if p.ctype == "message/feedback-report"), None)
    report_type = view.parts[0].params.get("report-type", "").lower()
    if part is None and report_type != "feedback-report":
        return _hotmail(view) or _apple_unsubscribe(view)
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
    via = ""
    if fields is not None:
        for name in ("original-rcpt-to", "removal-recipient"):
            for value in fields.get_all(name):
                addr = normalise_address(value)
                if addr:
                    recipients.append(addr)
    if not recipients:
        original = view.embedded_headers()
        if original is not None:
            # Microsoft's JMRP names the complaining mailbox; otherwise the original's To
            jmrp = normalise_address(original.get("x-hmxmroriginalrecipient"))
            recipients = [jmrp] if jmrp else find_addresses(decode_words(original.get("to")))[:1]
            via = "" if jmrp else "original-to"  # G10: the To of the returned message
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
            if not value and name == "arrival-date":
                value = clean(fields.get("received-date"))  # the draft-ARF name of the field
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
            via=via,
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
