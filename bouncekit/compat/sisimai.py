"""For code and data written against Sisimai: its reason names and its result fields.

    from bouncekit import parse_bounce
    from bouncekit.compat.sisimai import to_sisimai
    for row in to_sisimai(parse_bounce(raw)):
        print(row["recipient"], row["reason"], row["hardbounce"])

`REASONS` maps each Sisimai reason name to bouncekit's `Reason` (the inverse of
`Reason.sisimai`); `to_sisimai` gives, per recipient, a dict with Sisimai's field names (the
ones `Sisimai::Fact` dumps), so stored rows, dashboards and rules keyed on Sisimai's vocabulary
keep working. Fields bouncekit does not read are absent rather than invented.
"""

from __future__ import annotations

from typing import Any

from bouncekit._text import domain_of
from bouncekit._types import Bounce, BounceReport, Category, Reason

__all__ = ["REASONS", "reason_table", "to_sisimai"]

REASONS: dict[str, Reason] = {r.sisimai: r for r in Reason}


def _row(bounce: Bounce, report: BounceReport | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "recipient": bounce.recipient or "",
        "destination": domain_of(bounce.recipient) or "",
        "reason": bounce.reason.sisimai,
        "replycode": str(bounce.smtp_code or ""),
        "deliverystatus": str(bounce.enhanced_status or ""),
        "diagnosticcode": bounce.diagnostic,
        "diagnostictype": "SMTP" if bounce.smtp_code or bounce.enhanced_status else "",
        "action": bounce.action or "",
        "rhost": bounce.remote_mta or "",
        "command": bounce.smtp_command or "",
        "feedbacktype": bounce.feedback_type or "",
        # Sisimai's hardbounce: the address itself is bad and the failure is permanent.
        "hardbounce": bounce.category is Category.HARD and bounce.permanent,
    }
    if report is not None:
        row["lhost"] = report.reporting_mta or ""
        row["messageid"] = (report.original_message_id or "").strip("<>")
        row["subject"] = report.original_subject or ""
        row["addresser"] = report.original_from or ""
        row["senderdomain"] = domain_of(report.original_from) or ""
    return row


def to_sisimai(result: BounceReport | Bounce) -> list[dict[str, Any]]:
    """One dict per recipient with Sisimai's field names and value conventions."""
    if isinstance(result, Bounce):
        return [_row(result, None)]
    return [_row(b, result) for b in result.bounces]


def reason_table() -> str:
    """The Markdown crosswalk of reasons (docs/migrating-from-sisimai.md embeds it)."""
    lines = [
        "| Sisimai reason | bouncekit `Reason` | default `Category` |",
        "|---|---|---|",
    ]
    for name in sorted(REASONS):
        reason = REASONS[name]
        lines.append(f"| `{name}` | `{reason.value}` | `{reason.default_category.value}` |")
    return "\n".join(lines)
