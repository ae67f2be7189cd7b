"""Amazon SES event notifications mailed as JSON (SES -> SNS -> email subscription).

    {"notificationType": "Bounce", "bounce": {"bouncedRecipients": [{"emailAddress": ...,
     "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 ..."}], ...}, "mail": {...}}

The SNS envelope (`{"Type": "Notification", "Message": "<the JSON above, as a string>"}`)
is unwrapped first. Bounce -> per-recipient failures, Complaint -> complaints with the
feedback type, Delivery -> `delivered`. The JSON is parsed only within the text budget.
"""

from __future__ import annotations

import json
from typing import Any

from bouncekit._evidence import Evidence
from bouncekit._extract import Extracted
from bouncekit._extract.arf import FEEDBACK_TYPES
from bouncekit._extract.text import report_text
from bouncekit._message import MailView
from bouncekit._smtp import find_reply_code, parse_status_field
from bouncekit._text import clean, normalise_address
from bouncekit._types import Reason, ReportKind

_KINDS = ("bounce", "complaint", "delivery")


def _load(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start or start > 200:
        return None
    # Mailers break the long JSON line with "!\n " (sendmail's 990-octet wrap).
    raw = text[start : end + 1].replace("!\n ", "")
    try:
        data = json.loads(raw, strict=False)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        try:
            data = json.loads(data["Message"], strict=False)  # the SNS envelope
        except ValueError:
            return None
    return data if isinstance(data, dict) else None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def extract(view: MailView) -> Extracted | None:
    text = report_text(view)
    head = text[:400]
    if "notificationType" not in head and '"Type":"Notification"' not in head.replace(" ", ""):
        return None
    data = _load(text)
    if data is None:
        return None
    kind = (_str(data.get("notificationType")) or _str(data.get("eventType"))).lower()
    if kind not in _KINDS:
        return None
    body = _dict(data.get(kind))
    limit = view.policy.max_recipients
    evidences: list[Evidence] = []
    if kind == "bounce":
        label = f"{_str(body.get('bounceType'))} {_str(body.get('bounceSubType'))}".strip()
        transient = _str(body.get("bounceType")).lower() == "transient"
        for r in _list(body.get("bouncedRecipients"))[:limit]:
            r = _dict(r)
            diag = _str(r.get("diagnosticCode"))
            if diag.lower().startswith("smtp;"):
                diag = diag[5:].strip()
            evidences.append(
                Evidence(
                    recipient=normalise_address(_str(r.get("emailAddress"))),
                    action=_str(r.get("action")).lower() or ("delayed" if transient else "failed"),
                    status=parse_status_field(_str(r.get("status"))),
                    code=find_reply_code(diag[:4]) if diag[:3].isdigit() else None,
                    remote_mta=clean(_str(body.get("remoteMtaIp"))) or None,
                    diagnostic=clean(diag or label, 1000),
                    source="ses",
                )
            )
        reporting = clean(_str(body.get("reportingMTA")).partition(";")[2]) or None
        return Extracted(ReportKind.DSN, evidences, reporting) if evidences else None
    if kind == "complaint":
        ftype = _str(body.get("complaintFeedbackType")).lower() or "abuse"
        ftype = ftype if ftype in FEEDBACK_TYPES else "other"
        for r in _list(body.get("complainedRecipients"))[:limit]:
            evidences.append(
                Evidence(
                    recipient=normalise_address(_str(_dict(r).get("emailAddress"))),
                    diagnostic=f"feedback-type: {ftype}",
                    source="ses",
                    feedback_type=ftype,
                    decided=Reason.COMPLAINT,
                )
            )
        extra = [("arrival-date", clean(_str(body.get("arrivalDate"))))]
        return Extracted(ReportKind.FEEDBACK, evidences, extra=[e for e in extra if e[1]])
    reply = _str(body.get("smtpResponse"))
    for r in _list(body.get("recipients"))[:limit]:
        evidences.append(
            Evidence(
                recipient=normalise_address(_str(r)),
                action="delivered",
                code=find_reply_code(reply[:4]) if reply[:3].isdigit() else None,
                remote_mta=clean(_str(body.get("remoteMtaIp"))) or None,
                diagnostic=clean(reply, 1000),
                source="ses",
                decided=Reason.DELIVERED,
            )
        )
    return Extracted(ReportKind.DSN, evidences) if evidences else None
