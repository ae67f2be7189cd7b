"""ESP webhooks -> bouncekit `Bounce` objects: Amazon SES (SNS), SendGrid, Mailgun, Postmark,
SparkPost.

    from bouncekit.esp import parse_event
    for bounce in parse_event(request.body):      # bytes, str, or the decoded JSON
        if bounce.category == "hard": suppress(bounce.recipient)

The ESP's own verdict (SES bounceType, SendGrid type, Postmark Type, SparkPost bounce_class,
Mailgun severity) is kept in `EspEvent.verdict` but does not decide: the remote server's reply
text the ESP passes on is classified with bouncekit's packs, exactly as `classify_reply`
would, so a Spamhaus listing reported as SendGrid `bounce`/`Invalid Address` or SES
`Permanent/General` still reads as a `block` of the sender. The ESP's verdict is used only
when there is no text, or the text says nothing bouncekit recognises.

Complaints are `complaint`; sends to an address the ESP had already suppressed (SES
`Suppressed`, SendGrid `dropped`, Mailgun `suppress-*`, SparkPost class 25/26, Postmark
`ManuallyDeactivated`) give reason `suppressed`: an echo of an earlier verdict, not new
evidence. Opens, clicks, deliveries, subscription handshakes and pings give no bounce.

Verifying the webhook's signature or credentials is the caller's job, before this is called
(esp-formats.md §12 has the recipes); this module only reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bouncekit._engine import classify
from bouncekit._evidence import Evidence
from bouncekit._registry import Registry, default_registry
from bouncekit._smtp import parse_status_field
from bouncekit._text import clean, normalise_address
from bouncekit._types import Bounce, Reason, Stage
from bouncekit.esp.crosswalk import EspVocabulary, crosswalk, crosswalk_for

__all__ = [
    "ESPS",
    "EspEvent",
    "EspVocabulary",
    "UnknownPayload",
    "crosswalk",
    "crosswalk_for",
    "detect_esp",
    "parse_event",
    "parse_events",
]

ESPS = ("ses", "sendgrid", "mailgun", "postmark", "sparkpost")
MAX_EVENTS = 1000  # events read from one POST (SendGrid batches hold a few hundred)


class UnknownPayload(ValueError):
    """The payload is not JSON from one of the supported ESPs."""


@dataclass(frozen=True, slots=True)
class EspEvent:
    """One bounce-like event of an ESP, with bouncekit's reading of it."""

    esp: str  # ses, sendgrid, mailgun, postmark, sparkpost
    event: str  # the ESP's event name (Bounce, bounce, failed, HardBounce, out_of_band ...)
    bounce: Bounce
    verdict: tuple[tuple[str, str], ...]  # the ESP's own classification fields, as given
    event_id: str | None = None  # the ESP's id for deduplication
    message_id: str | None = None
    timestamp: str | None = None

    @property
    def suppressed(self) -> bool:
        """The ESP did not try: it refused because of an earlier bounce/complaint/unsubscribe."""
        return self.bounce.reason is Reason.SUPPRESSED


# --- payload handling --------------------------------------------------------------------


def _load(payload: object) -> Any:
    if isinstance(payload, bytes | bytearray):
        payload = bytes(payload).decode("utf-8", "replace")
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError as exc:
            if "event=" in payload[:4000]:  # Mailgun's legacy webhooks post a form
                from urllib.parse import parse_qsl

                return dict(parse_qsl(payload[:1_000_000], max_num_fields=500))
            raise UnknownPayload(f"not JSON: {exc}") from None
    if isinstance(payload, Mapping | list):
        return payload
    raise TypeError(f"parse_event() takes bytes, str, dict or list, not {type(payload).__name__}")


def detect_esp(data: Any) -> str | None:
    """Which ESP sent this decoded payload, by its shape; None when none fits."""
    if isinstance(data, list):
        first = next((e for e in data if isinstance(e, Mapping)), None)
        if first is None:
            return None
        if "msys" in first:
            return "sparkpost"
        if "event" in first and ("email" in first or "sg_event_id" in first):
            return "sendgrid"
        return None
    if not isinstance(data, Mapping):
        return None
    if "Type" in data and ("TopicArn" in data or "Message" in data):
        return "ses"
    if "notificationType" in data or ("eventType" in data and "mail" in data):
        return "ses"
    if "event-data" in data or ("event" in data and "recipient" in data and "id" in data):
        return "mailgun"
    if "event" in data and "recipient" in data and "token" in data:  # legacy form webhook
        return "mailgun"
    if "RecordType" in data:
        return "postmark"
    if "msys" in data:
        return "sparkpost"
    return None


def _text(value: Any, limit: int = 4000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _strip_diag_type(text: str) -> str:
    """`smtp; 550 ...`, `smtp;550 ...` -> `550 ...` (SES and Postmark keep the DSN type)."""
    head, sep, rest = text.partition(";")
    if sep and head.strip().lower() in ("smtp", "x-postfix", "x-unix", "x-local", "dns"):
        return rest.strip()
    return text.strip()


def _code(value: Any) -> int | None:
    try:
        code = int(value)
    except (TypeError, ValueError):
        return None
    return code if 200 <= code < 600 else None


class _Reader:
    """Builds one `EspEvent` per recipient, classifying the text first, the verdict second."""

    def __init__(self, esp: str, registry: Registry) -> None:
        self.esp = esp
        self.registry = registry
        self.out: list[EspEvent] = []

    def complaint(
        self, event: str, recipient: Any, feedback_type: str | None = None, **kw: Any
    ) -> None:
        """A spam complaint about `recipient` (ARF feedback type, "abuse" by default)."""
        ftype = feedback_type or "abuse"
        kw.setdefault("decided", Reason.COMPLAINT)
        self.add(event, recipient, text=f"feedback-type: {ftype}", feedback_type=ftype, **kw)

    def add(
        self,
        event: str,
        recipient: Any,
        *,
        text: str = "",
        code: int | None = None,
        status: str | None = None,
        action: str | None = None,
        remote: str | None = None,
        fallback: Reason | None = None,
        decided: Reason | None = None,
        feedback_type: str | None = None,
        verdict: Iterable[tuple[str, Any]] = (),
        event_id: Any = None,
        message_id: Any = None,
        timestamp: Any = None,
    ) -> None:
        if len(self.out) >= MAX_EVENTS:
            return
        address = normalise_address(recipient) if isinstance(recipient, str) else None
        text = _strip_diag_type(text)
        ev = Evidence(
            recipient=address,
            action=action,
            status=parse_status_field(status) if status else None,
            code=code,
            remote_mta=clean(remote) or None,
            diagnostic=text,
            source=f"esp:{self.esp}",
            feedback_type=feedback_type,
            decided=decided,
        )
        bounce = classify(ev, self.registry)
        undecided = bounce.match.stage in (Stage.NONE, Stage.REPLY_CLASS)
        if decided is None and fallback is not None and undecided:
            ev.decided = fallback
            bounce = classify(ev, self.registry)
        self.out.append(
            EspEvent(
                esp=self.esp,
                event=event,
                bounce=bounce,
                verdict=tuple((k, str(v)) for k, v in verdict if v not in (None, "")),
                event_id=str(event_id) if event_id not in (None, "") else None,
                message_id=str(message_id) if message_id not in (None, "") else None,
                timestamp=str(timestamp) if timestamp not in (None, "") else None,
            )
        )


# --- Amazon SES ----------------------------------------------------------------------------

_SES_SUBTYPE: dict[str, Reason] = {
    "NoEmail": Reason.USER_UNKNOWN,
    "MailboxFull": Reason.MAILBOX_FULL,
    "MessageTooLarge": Reason.MESSAGE_TOO_LARGE,
    "ContentRejected": Reason.CONTENT_REJECTED,
    "AttachmentRejected": Reason.CONTENT_REJECTED,
    "CustomTimeoutExceeded": Reason.EXPIRED,
}
_SES_SUPPRESSED = {
    "Suppressed",
    "OnAccountSuppressionList",
    "OnTenantSuppressionList",
    "EmailValidationSuppressed",
    "UnsubscribedRecipient",
}
_SES_DELAY: dict[str, Reason] = {
    "MailboxFull": Reason.MAILBOX_FULL,
    "SpamDetected": Reason.BAD_REPUTATION,
    "IPFailure": Reason.IP_BLOCKED,
    "RecipientServerError": Reason.SYSTEM_ERROR,
    "TransientCommunicationFailure": Reason.NETWORK_ERROR,
    "InternalFailure": Reason.SYSTEM_ERROR,
}


def _ses(data: Mapping[str, Any], r: _Reader) -> None:
    envelope_id = timestamp = None
    if "Type" in data and "Message" in data:  # the SNS envelope
        if data.get("Type") != "Notification":
            return  # SubscriptionConfirmation / UnsubscribeConfirmation: nothing to classify
        envelope_id, timestamp = data.get("MessageId"), data.get("Timestamp")
        try:
            data = json.loads(data["Message"])
        except (TypeError, ValueError):
            return  # "Successfully validated SNS topic for Amazon SES event publishing."
        if not isinstance(data, Mapping):
            return
    kind = data.get("eventType") or data.get("notificationType")
    mail = _map(data.get("mail"))
    ids: dict[str, Any] = {"event_id": envelope_id, "message_id": mail.get("messageId")}
    if kind == "Bounce":
        b = _map(data.get("bounce"))
        btype, sub = b.get("bounceType"), b.get("bounceSubType")
        verdict = [("bounceType", btype), ("bounceSubType", sub)]
        suppressed = sub in _SES_SUPPRESSED
        for rcpt in _list(b.get("bouncedRecipients")):
            action = rcpt.get("action") or ("failed" if btype == "Permanent" else None)
            r.add(
                kind,
                rcpt.get("emailAddress"),
                text=_text(rcpt.get("diagnosticCode")),
                status=rcpt.get("status"),
                action=action,
                remote=b.get("remoteMtaIp"),
                fallback=_SES_SUBTYPE.get(sub or ""),
                decided=Reason.SUPPRESSED if suppressed else None,
                verdict=verdict,
                timestamp=b.get("timestamp") or timestamp,
                **ids,
            )
    elif kind == "DeliveryDelay":
        d = _map(data.get("deliveryDelay"))
        for rcpt in _list(d.get("delayedRecipients")):
            r.add(
                kind,
                rcpt.get("emailAddress"),
                text=_text(rcpt.get("diagnosticCode")),
                status=rcpt.get("status"),
                action="delayed",
                fallback=_SES_DELAY.get(d.get("delayType") or ""),
                verdict=[("delayType", d.get("delayType"))],
                timestamp=d.get("timestamp") or timestamp,
                **ids,
            )
    elif kind == "Complaint":
        c = _map(data.get("complaint"))
        sub = c.get("complaintSubType")
        ftype = c.get("complaintFeedbackType")
        if ftype == "not-spam":
            return  # a retraction, not a complaint
        for rcpt in _list(c.get("complainedRecipients")):
            r.complaint(
                kind,
                rcpt.get("emailAddress"),
                ftype,
                decided=Reason.SUPPRESSED if sub else Reason.COMPLAINT,
                verdict=[("complaintFeedbackType", ftype), ("complaintSubType", sub)],
                timestamp=c.get("timestamp") or timestamp,
                **ids,
            )


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value[:MAX_EVENTS] if isinstance(v, Mapping)]


# --- SendGrid ------------------------------------------------------------------------------

_SENDGRID_CLASS: dict[str, Reason] = {
    "Invalid Address": Reason.USER_UNKNOWN,
    "Mailbox Unavailable": Reason.MAILBOX_FULL,
    "Content": Reason.SPAM_CONTENT,
    "Reputation": Reason.BAD_REPUTATION,
    "Frequency or Volume Too High": Reason.RATE_LIMITED,
    "Technical Failure": Reason.SYSTEM_ERROR,
}


def _sendgrid(data: list[Any], r: _Reader) -> None:
    for e in _list(data):
        kind = e.get("event")
        common: dict[str, Any] = {
            "event_id": e.get("sg_event_id"),
            "message_id": e.get("smtp-id") or e.get("sg_message_id"),
            "timestamp": e.get("timestamp"),
        }
        if kind == "bounce":
            btype = e.get("type") or "bounce"
            cls = e.get("bounce_classification")
            r.add(
                kind,
                e.get("email"),
                text=_text(e.get("reason")),
                status=e.get("status"),
                action="failed" if btype == "bounce" else None,
                fallback=_SENDGRID_CLASS.get(cls or ""),
                verdict=[("type", btype), ("bounce_classification", cls)],
                **common,
            )
        elif kind == "deferred":
            r.add(
                kind,
                e.get("email"),
                text=_text(e.get("response")),
                action="delayed",
                verdict=[("attempt", e.get("attempt"))],
                **common,
            )
        elif kind == "dropped":
            r.add(
                kind,
                e.get("email"),
                text=_text(e.get("reason")),
                decided=Reason.SUPPRESSED,
                verdict=[("reason", e.get("reason")), ("type", e.get("type"))],
                **common,
            )
        elif kind == "spamreport":
            r.complaint(kind, e.get("email"), **common)


# --- Mailgun -------------------------------------------------------------------------------

_MAILGUN_REASON: dict[str, Reason] = {
    "greylisted": Reason.RATE_LIMITED,
    "espblock": Reason.IP_BLOCKED,
    "old": Reason.EXPIRED,
}


def _mailgun_legacy(data: Mapping[str, Any], r: _Reader) -> None:
    """The form-encoded webhooks Mailgun sent before mid-2018 (bounced, dropped, complained)."""
    kind = data.get("event")
    raw_mid = data.get("Message-Id") or data.get("message-id")
    common: dict[str, Any] = {
        "event_id": data.get("token"),
        "message_id": raw_mid if isinstance(raw_mid, str) else None,
        "timestamp": data.get("timestamp"),
    }
    code = _code(data.get("code"))
    if kind == "bounced":
        error = " ".join(_text(data.get("error")).split())
        text = f"{code} {error}" if code is not None and not error[:3].isdigit() else error
        r.add(
            kind,
            data.get("recipient"),
            text=text or _text(data.get("notification")),
            code=code,
            action="failed",
            verdict=[("code", data.get("code"))],
            **common,
        )
    elif kind == "dropped":
        reason = data.get("reason") or ""
        r.add(
            kind,
            data.get("recipient"),
            text=_text(data.get("description")),
            decided=Reason.SUPPRESSED if reason == "hardfail" else None,
            fallback=Reason.EXPIRED if reason == "old" else None,
            action="failed",
            verdict=[("reason", reason), ("code", data.get("code"))],
            **common,
        )
    elif kind == "complained":
        r.complaint(kind, data.get("recipient"), **common)


def _mailgun(data: Mapping[str, Any], r: _Reader) -> None:
    if "event-data" not in data and data.get("event") in ("bounced", "dropped"):
        _mailgun_legacy(data, r)
        return
    if "event-data" not in data and "token" in data and data.get("event") == "complained":
        _mailgun_legacy(data, r)
        return
    sig = _map(data.get("signature"))
    e = data.get("event-data", data)
    if not isinstance(e, Mapping):
        return
    kind = e.get("event")
    headers = _map(_map(e.get("message")).get("headers"))
    mid = headers.get("message-id")
    common: dict[str, Any] = {
        "event_id": sig.get("token") or e.get("id"),
        "message_id": f"<{mid}>" if mid else None,
        "timestamp": e.get("timestamp"),
    }
    if kind == "failed":
        ds = _map(e.get("delivery-status"))
        severity, reason = e.get("severity"), e.get("reason") or ""
        code = _code(ds.get("code"))
        enhanced = ds.get("enhanced-code") if isinstance(ds.get("enhanced-code"), str) else None
        message = " ".join(_text(ds.get("message")).split())
        text = message
        if enhanced and not message.startswith(enhanced):
            text = f"{enhanced} {text}"
        if code is not None:
            text = f"{code} {text}"
        if not message:
            text = " ".join(_text(ds.get("description")).split())
        r.add(
            kind,
            e.get("recipient"),
            text=text.strip(),
            code=code,
            status=enhanced,
            action="failed" if severity == "permanent" else "delayed",
            remote=ds.get("mx-host"),
            fallback=_MAILGUN_REASON.get(reason),
            decided=Reason.SUPPRESSED if reason.startswith("suppress-") else None,
            verdict=[("severity", severity), ("reason", reason), ("code", ds.get("code"))],
            **common,
        )
    elif kind == "complained":
        r.complaint(kind, e.get("recipient"), **common)


# --- Postmark ------------------------------------------------------------------------------

_POSTMARK_FALLBACK: dict[str, Reason] = {
    "HardBounce": Reason.USER_UNKNOWN,
    "SoftBounce": Reason.MAILBOX_FULL,
    "DnsError": Reason.NETWORK_ERROR,
    "BadEmailAddress": Reason.USER_UNKNOWN,
    "SpamNotification": Reason.SPAM_CONTENT,
    "VirusNotification": Reason.VIRUS,
    "Blocked": Reason.IP_BLOCKED,
    "DMARCPolicy": Reason.AUTH_FAILURE,
}
_POSTMARK_DECIDED: dict[str, Reason] = {
    "SpamComplaint": Reason.COMPLAINT,
    "AutoResponder": Reason.AUTO_REPLY,
    "ManuallyDeactivated": Reason.SUPPRESSED,
}
_POSTMARK_SKIP = {"Unsubscribe", "Subscribe", "AddressChange", "ChallengeVerification"}
_POSTMARK_TRANSIENT = {"Transient", "DnsError", "OpenRelayTest"}


def _postmark(data: Mapping[str, Any], r: _Reader) -> None:
    record = data.get("RecordType")
    if record not in ("Bounce", "SpamComplaint"):
        return  # Delivery, Open, Click, SubscriptionChange
    ptype = data.get("Type") or ("SpamComplaint" if record == "SpamComplaint" else "")
    if ptype in _POSTMARK_SKIP or not data.get("Email"):
        return
    decided = _POSTMARK_DECIDED.get(ptype)
    r.add(
        ptype or record,
        data.get("Email"),
        text=_text(data.get("Details")) if decided is None else "feedback-type: abuse",
        action="delayed" if ptype in _POSTMARK_TRANSIENT else "failed",
        fallback=_POSTMARK_FALLBACK.get(ptype),
        decided=decided,
        feedback_type="abuse" if decided is Reason.COMPLAINT else None,
        verdict=[
            ("Type", ptype),
            ("TypeCode", data.get("TypeCode")),
            ("Inactive", data.get("Inactive")),
        ],
        event_id=data.get("ID"),
        message_id=data.get("MessageID"),
        timestamp=data.get("BouncedAt"),
    )


# --- SparkPost -----------------------------------------------------------------------------

_SPARKPOST_FALLBACK: dict[str, Reason] = {
    "10": Reason.USER_UNKNOWN,
    "21": Reason.NETWORK_ERROR,
    "22": Reason.MAILBOX_FULL,
    "23": Reason.MESSAGE_TOO_LARGE,
    "24": Reason.EXPIRED,
    "30": Reason.USER_UNKNOWN,
    "50": Reason.IP_BLOCKED,
    "51": Reason.BAD_REPUTATION,
    "52": Reason.SPAM_CONTENT,
    "53": Reason.CONTENT_REJECTED,
    "54": Reason.RELAY_DENIED,
    "70": Reason.SYSTEM_ERROR,
}
_SPARKPOST_DECIDED: dict[str, Reason] = {
    "25": Reason.SUPPRESSED,
    "26": Reason.SUPPRESSED,
    "60": Reason.AUTO_REPLY,
    "100": Reason.AUTO_REPLY,
}
_SPARKPOST_FAILURES = {"bounce", "out_of_band", "delay", "policy_rejection"}


def _sparkpost(data: list[Any] | Mapping[str, Any], r: _Reader) -> None:
    for item in _list(data if isinstance(data, list) else [data]):
        msys = item.get("msys")
        if not isinstance(msys, Mapping):
            continue
        e = msys.get("message_event")
        if not isinstance(e, Mapping):
            continue  # track/gen/unsubscribe/relay events, and the {"msys": {}} ping
        kind = e.get("type")
        common: dict[str, Any] = {
            "event_id": e.get("event_id"),
            "message_id": e.get("message_id"),
            "timestamp": e.get("timestamp"),
        }
        recipient = e.get("raw_rcpt_to") or e.get("rcpt_to")
        if kind in _SPARKPOST_FAILURES:
            klass = str(e.get("bounce_class") or "")
            decided = _SPARKPOST_DECIDED.get(klass)
            if kind == "policy_rejection":
                decided = Reason.SUPPRESSED
            r.add(
                kind,
                recipient,
                text=_text(e.get("raw_reason") or e.get("reason")),
                code=_code(e.get("error_code")),
                action="delayed" if kind == "delay" else "failed",
                fallback=_SPARKPOST_FALLBACK.get(klass),
                decided=decided,
                verdict=[
                    ("type", kind),
                    ("bounce_class", klass),
                    ("error_code", e.get("error_code")),
                ],
                **common,
            )
        elif kind == "spam_complaint":
            ftype = e.get("fbtype") or "abuse"
            r.complaint(kind, recipient, ftype, verdict=[("fbtype", e.get("fbtype"))], **common)


_PARSERS: dict[str, Callable[[Any, _Reader], None]] = {
    "ses": _ses,
    "sendgrid": _sendgrid,
    "mailgun": _mailgun,
    "postmark": _postmark,
    "sparkpost": _sparkpost,
}


def parse_events(
    payload: bytes | str | Mapping[str, Any] | list[Any],
    *,
    esp: str | None = None,
    registry: Registry | None = None,
) -> tuple[EspEvent, ...]:
    """Every bounce, delay, drop and complaint in one webhook POST, with the ESP's ids.

    `payload` is the raw body (bytes or str) or its decoded JSON. `esp` forces the format;
    by default it is recognised from the payload's shape. Raises `UnknownPayload` (a
    `ValueError`) for a body that is not JSON from a supported ESP.
    """
    data = _load(payload)
    name = esp or detect_esp(data)
    if name is None:
        raise UnknownPayload("not a payload of " + ", ".join(ESPS))
    if name not in _PARSERS:
        raise ValueError(f"esp must be one of {ESPS}, not {name!r}")
    reader = _Reader(name, registry or default_registry())
    _PARSERS[name](data, reader)
    return tuple(reader.out)


def parse_event(
    payload: bytes | str | Mapping[str, Any] | list[Any],
    *,
    esp: str | None = None,
    registry: Registry | None = None,
) -> tuple[Bounce, ...]:
    """The `Bounce` of each bounce, delay, drop and complaint in one webhook POST."""
    return tuple(e.bounce for e in parse_events(payload, esp=esp, registry=registry))
