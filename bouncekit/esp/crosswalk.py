"""What each ESP would have called a bouncekit result: the vocabulary crosswalk.

`crosswalk(bounce)` gives, for one `Bounce`, the nearest value in Amazon SES
(bounceType/bounceSubType), SparkPost (bounce_class), SendGrid (event type and
bounce_classification), Postmark (Type), Mailgun (severity/reason) and django-anymail
(event_type/reject_reason). It lets a team that stores one ESP's vocabulary keep its reports
and suppression rules while classifying with bouncekit. The mapping is by reason first, then
by category and permanence; docs/integrations.md has the table (generated from this module).

anymail's `reject_reason` is the one anymail itself derives from SparkPost's bounce class
(anymail/webhooks/sparkpost.py), so the two columns stay consistent with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouncekit._types import BlockType, Bounce, Category, Reason

__all__ = ["EspVocabulary", "crosswalk", "crosswalk_for", "markdown_table"]


@dataclass(frozen=True, slots=True)
class EspVocabulary:
    """One bouncekit result in each ESP's words; None where that ESP has no such event."""

    ses_event: str | None  # notificationType/eventType: Bounce, Complaint, DeliveryDelay, Delivery
    ses_bounce_type: str | None  # Permanent, Transient, Undetermined
    ses_bounce_subtype: str | None
    sparkpost_type: str | None  # bounce, delay, spam_complaint, delivery
    sparkpost_bounce_class: int | None
    sendgrid_event: str | None  # bounce, deferred, dropped, spamreport, delivered
    sendgrid_type: str | None  # on bounce events: bounce (permanent) or blocked
    sendgrid_classification: str | None
    postmark_type: str | None
    mailgun_event: str | None  # failed, complained, delivered
    mailgun_severity: str | None  # permanent, temporary
    mailgun_reason: str | None
    anymail_event_type: str
    anymail_reject_reason: str | None


_HARD_ADDRESS = {
    Reason.USER_UNKNOWN,
    Reason.DOMAIN_UNKNOWN,
    Reason.NOT_ACCEPTING_MAIL,
    Reason.ADDRESS_MOVED,
}
_TECHNICAL = {
    Reason.NETWORK_ERROR,
    Reason.SYSTEM_ERROR,
    Reason.SYSTEM_FULL,
    Reason.MAILER_ERROR,
    Reason.ON_HOLD,
    Reason.SYNTAX_ERROR,
    Reason.EXPIRED,
}

# SparkPost bounce class by reason (support.sparkpost.com bounce-classification-codes).
_SPARKPOST: dict[Reason, int] = {
    Reason.USER_UNKNOWN: 10,
    Reason.DOMAIN_UNKNOWN: 10,
    Reason.NOT_ACCEPTING_MAIL: 10,
    Reason.ADDRESS_MOVED: 10,
    Reason.ACCOUNT_DISABLED: 20,
    Reason.MAILBOX_FULL: 22,
    Reason.EXCEEDED_LIMIT: 22,
    Reason.MESSAGE_TOO_LARGE: 23,
    Reason.EXPIRED: 24,
    Reason.SUPPRESSED: 25,
    Reason.BAD_REPUTATION: 51,
    Reason.SPAM_CONTENT: 52,
    Reason.VIRUS: 53,
    Reason.RELAY_DENIED: 54,
    Reason.AUTO_REPLY: 60,
    Reason.UNDEFINED: 1,
}

# anymail's reject_reason from SparkPost's bounce class (anymail/webhooks/sparkpost.py).
_ANYMAIL_FROM_CLASS: dict[int, str] = {
    1: "other",
    10: "invalid",
    20: "bounced",
    21: "bounced",
    22: "bounced",
    23: "bounced",
    24: "timed_out",
    25: "blocked",
    30: "bounced",
    40: "bounced",
    50: "blocked",
    51: "spam",
    52: "spam",
    53: "other",
    54: "blocked",
    60: "other",
    70: "bounced",
}


def _sparkpost_class(
    reason: Reason, category: Category, block: BlockType | None, perm: bool
) -> int:
    if reason in _SPARKPOST:
        return _SPARKPOST[reason]
    if category is Category.BLOCK:
        return 51 if block is BlockType.NAMED_BLOCKLIST else 50
    if reason in _TECHNICAL:
        return 40 if perm else 70
    if category is Category.HARD:
        return 30
    return 40 if perm else 70


def _ses_subtype(reason: Reason) -> str:
    if reason in (Reason.USER_UNKNOWN, Reason.DOMAIN_UNKNOWN, Reason.NOT_ACCEPTING_MAIL):
        return "NoEmail"
    if reason in (Reason.MAILBOX_FULL, Reason.EXCEEDED_LIMIT):
        return "MailboxFull"
    if reason is Reason.MESSAGE_TOO_LARGE:
        return "MessageTooLarge"
    if reason in (Reason.SPAM_CONTENT, Reason.CONTENT_REJECTED):
        return "ContentRejected"
    if reason is Reason.VIRUS:
        return "AttachmentRejected"
    if reason is Reason.SUPPRESSED:
        return "Suppressed"
    if reason is Reason.UNDEFINED:
        return "Undetermined"
    return "General"


def _sendgrid_classification(reason: Reason, category: Category) -> str:
    if reason in _HARD_ADDRESS or category is Category.HARD:
        return "Invalid Address"
    if reason in (Reason.ACCOUNT_DISABLED, Reason.MAILBOX_FULL, Reason.EXCEEDED_LIMIT):
        return "Mailbox Unavailable"
    if reason is Reason.FILTERED:
        return "Mailbox Unavailable"
    if reason in (Reason.SPAM_CONTENT, Reason.CONTENT_REJECTED, Reason.VIRUS):
        return "Content"
    if reason in (Reason.IP_BLOCKED, Reason.BAD_REPUTATION):
        return "Reputation"
    if reason in (Reason.RATE_LIMITED, Reason.TOO_MANY_CONNECTIONS):
        return "Frequency or Volume Too High"
    if reason in (Reason.UNDEFINED, Reason.POLICY):
        return "Unclassified"
    return "Technical Failure"


def _postmark_type(reason: Reason, category: Category, perm: bool) -> str | None:
    if reason is Reason.SPAM_CONTENT:
        return "SpamNotification"
    if reason is Reason.VIRUS:
        return "VirusNotification"
    if reason is Reason.UNDEFINED:
        return "Unknown"
    if reason is Reason.SUPPRESSED:
        return "ManuallyDeactivated"
    if category is Category.HARD:
        return "HardBounce"
    if category is Category.BLOCK:
        return "Blocked"
    if category is Category.SOFT:
        if reason is Reason.NETWORK_ERROR:
            return "DnsError" if not perm else "SoftBounce"
        return "SoftBounce" if perm else "Transient"
    if category is Category.AUTO_REPLY:
        return "AutoResponder"
    if category is Category.COMPLAINT:
        return "SpamComplaint"
    return None


def crosswalk_for(
    reason: Reason,
    category: Category,
    permanent: bool,
    block_type: BlockType | None = None,
) -> EspVocabulary:
    """The ESP vocabulary for a reason, category and permanence (see `crosswalk`)."""
    if category is Category.COMPLAINT:
        return EspVocabulary(
            "Complaint", None, None, "spam_complaint", None, "spamreport", None, None,
            "SpamComplaint", "complained", None, None, "complained", "spam",
        )  # fmt: skip
    if category is Category.DELIVERED:
        return EspVocabulary(
            "Delivery", None, None, "delivery", None, "delivered", None, None,
            None, "delivered", None, None, "delivered", None,
        )  # fmt: skip
    if category is Category.AUTO_REPLY:
        return EspVocabulary(
            "Bounce", "Transient", "General", "bounce", 60, None, None, None,
            "AutoResponder", None, None, None, "autoresponded", None,
        )  # fmt: skip
    klass = _sparkpost_class(reason, category, block_type, permanent)
    suppressed = reason is Reason.SUPPRESSED
    if suppressed or reason is Reason.UNDEFINED:
        ses_type = "Permanent" if suppressed else "Undetermined"
    elif category is Category.HARD:
        ses_type = "Permanent"
    else:
        ses_type = "Transient"
    delayed = not permanent and not suppressed
    if suppressed:
        sg_event, sg_type, sg_class = "dropped", None, None
    elif delayed:
        sg_event, sg_type, sg_class = "deferred", None, None
    else:
        sg_event = "bounce"
        sg_type = "blocked" if category is Category.BLOCK else "bounce"
        sg_class = _sendgrid_classification(reason, category)
    if suppressed:
        mg_reason = "suppress-bounce"
    elif category is Category.BLOCK and delayed:
        mg_reason = "espblock"
    else:
        mg_reason = "bounce" if permanent else "generic"
    return EspVocabulary(
        ses_event="DeliveryDelay" if delayed else "Bounce",
        ses_bounce_type=None if delayed else ses_type,
        ses_bounce_subtype=None if delayed else _ses_subtype(reason),
        sparkpost_type="delay" if delayed else "bounce",
        sparkpost_bounce_class=klass,
        sendgrid_event=sg_event,
        sendgrid_type=sg_type,
        sendgrid_classification=sg_class,
        postmark_type=_postmark_type(reason, category, permanent),
        mailgun_event="failed",
        mailgun_severity="permanent" if permanent or suppressed else "temporary",
        mailgun_reason=mg_reason,
        anymail_event_type="deferred" if delayed else "bounced",
        anymail_reject_reason=None if delayed else _ANYMAIL_FROM_CLASS.get(klass, "other"),
    )


def crosswalk(bounce: Bounce) -> EspVocabulary:
    """The nearest value of each ESP's vocabulary for this bounce."""
    return crosswalk_for(bounce.reason, bounce.category, bounce.permanent, bounce.block_type)


def markdown_table() -> str:
    """The crosswalk as a Markdown table (docs/integrations.md embeds it), one row per
    reason with its default category, permanent and, for soft reasons, also temporary."""
    head = (
        "| bouncekit reason | category | permanent | SES bounceType / subType | SparkPost "
        "class | SendGrid event / type / classification | Postmark Type | Mailgun severity "
        "/ reason | anymail event_type / reject_reason |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]

    def cell(*values: object) -> str:
        shown = [str(v) for v in values if v is not None]
        return " / ".join(shown) if shown else "—"

    for reason in Reason:
        category = reason.default_category
        if category is Category.SOFT and reason is not Reason.SUPPRESSED:
            perms: tuple[bool, ...] = (True, False)
        else:
            perms = (
                category in (Category.HARD, Category.BLOCK, Category.UNKNOWN)
                or reason is Reason.SUPPRESSED,
            )
        for perm in perms:
            v = crosswalk_for(reason, category, perm)
            ses = cell(v.ses_bounce_type, v.ses_bounce_subtype) if v.ses_bounce_type else None
            row = [
                f"`{reason.value}`",
                category.value,
                "yes" if perm else "no",
                ses or cell(v.ses_event),
                cell(v.sparkpost_type, v.sparkpost_bounce_class),
                cell(v.sendgrid_event, v.sendgrid_type, v.sendgrid_classification),
                cell(v.postmark_type),
                cell(v.mailgun_event, v.mailgun_severity, v.mailgun_reason),
                cell(v.anymail_event_type, v.anymail_reject_reason),
            ]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
