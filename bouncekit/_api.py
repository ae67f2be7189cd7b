"""The public entry points: `parse_bounce` and `classify_reply`, behind one exception boundary."""

from __future__ import annotations

from email.message import Message

from bouncekit._engine import classify
from bouncekit._errors import InputTooLarge, MalformedInput
from bouncekit._extract import extract, original_fields
from bouncekit._extract.reply import reply_evidence
from bouncekit._message import from_message, looks_like_message, normalise_newlines, read
from bouncekit._policy import DEFAULT_POLICY, Policy
from bouncekit._registry import Registry, default_registry
from bouncekit._types import Bounce, BounceReport, ReportKind


def _to_bytes(message: object) -> bytes:
    if isinstance(message, bytes):
        return message
    if isinstance(message, str):
        return message.encode("utf-8", "replace")
    if isinstance(message, Message):
        return from_message(message)
    raise TypeError(
        f"parse_bounce() takes bytes, str or email.message.Message, not {type(message).__name__}"
    )


def parse_bounce(
    message: bytes | str | Message,
    *,
    registry: Registry | None = None,
    policy: Policy | None = None,
) -> BounceReport:
    """Read a bounce (DSN, MTA report, ARF complaint, auto-reply, or a bare SMTP reply text)
    and say, per recipient, why it failed and what to do.

    Unrecognised input gives `kind=not_bounce`; only a wrong argument type raises.
    """
    data = _to_bytes(message)
    policy = policy or DEFAULT_POLICY
    registry = registry or default_registry()
    if len(data) > policy.max_bytes:
        if policy.strict:
            raise InputTooLarge(f"{len(data)} bytes is over the limit of {policy.max_bytes}")
        return BounceReport(ReportKind.REJECTED, (), defects=("limit:size",))
    try:
        return _parse(normalise_newlines(data), registry, policy)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        if policy.strict:
            raise MalformedInput(f"{type(exc).__name__} while reading the message") from exc
        return BounceReport(ReportKind.NOT_BOUNCE, (), defects=(f"error:{type(exc).__name__}",))


def _parse(data: bytes, registry: Registry, policy: Policy) -> BounceReport:
    if not looks_like_message(data):
        text = data.decode("utf-8", "replace").strip()
        if not text:
            return BounceReport(ReportKind.NOT_BOUNCE, (), defects=("empty",))
        bounce = classify(reply_evidence(text), registry)
        return BounceReport(ReportKind.REPLY, (bounce,))
    view = read(data, policy)
    found = extract(view)
    bounces = tuple(classify(ev, registry) for ev in found.evidences)
    mid, sender, subject = original_fields(view) if bounces else (None, None, None)
    if policy.strict and any(d.startswith(("limit:", "malformed:")) for d in view.defects):
        raise MalformedInput(", ".join(sorted(set(view.defects))))
    return BounceReport(
        kind=found.kind,
        bounces=bounces,
        defects=tuple(dict.fromkeys(view.defects)),
        reporting_mta=found.reporting_mta,
        original_message_id=mid,
        original_from=sender,
        original_subject=subject,
        extra=tuple(found.extra),
    )


def classify_reply(
    text: str,
    *,
    code: int | None = None,
    recipient: str | None = None,
    remote_host: str | None = None,
    registry: Registry | None = None,
) -> Bounce:
    """Classify one SMTP reply as an SMTP client received it (the send-time path)."""
    if not isinstance(text, str):
        raise TypeError(f"classify_reply() takes str, not {type(text).__name__}")
    if code is not None and not isinstance(code, int):
        raise TypeError("code must be an int")
    ev = reply_evidence(text, code=code, recipient=recipient, remote_host=remote_host)
    return classify(ev, registry or default_registry())
