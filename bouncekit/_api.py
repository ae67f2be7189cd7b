"""The public entry points: `parse_bounce` and `classify_reply`, behind one exception boundary.

The boundary is where the reliability contract (docs/reliability.md) is kept: wrong argument
types raise `TypeError`; oversized input is refused before any parsing; any other exception
raised inside becomes an `error:<Type>` defect (or `MalformedInput` in strict mode); and
every string of the result is checked once more for G7 (one line, no NUL or lone
surrogates, capped) so that no extractor can leak raw input to the caller.
"""

from __future__ import annotations

import dataclasses
from email.message import Message

import regex

from bouncekit._engine import classify
from bouncekit._errors import InputTooLarge, MalformedInput
from bouncekit._evidence import Evidence
from bouncekit._extract import extract, original_fields
from bouncekit._extract.reply import reply_evidence
from bouncekit._message import from_message, looks_like_message, normalise_newlines, read
from bouncekit._policy import DEFAULT_POLICY, Policy
from bouncekit._registry import Registry, default_registry
from bouncekit._smtp import EnhancedStatus
from bouncekit._text import MAX_ADDRESS, MAX_DIAGNOSTIC, MAX_FIELD, clean, normalise_address
from bouncekit._types import Bounce, BounceReport, Match, ReportKind

# Diagnostic characters classified per message, shared by its recipients. Classifying costs
# up to ~0.35 us per character, and many recipients can quote one long shared text: without a
# shared budget a 70 KB report naming 100 recipients cost 140 ms (G3 allows 57).
CLASSIFY_CHARS = 32 * 1024
MIN_SHARE = 256

# Anything G7 forbids in a returned string (`clean` removes the same set).
_UNCLEAN = regex.compile(r"[\x00-\x1f\x7f\ud800-\udfff\u2028\u2029]")


def _to_bytes(message: object, policy: Policy) -> bytes | None:
    """The input as bytes, or None when it is over `policy.max_bytes` (checked first)."""
    if isinstance(message, bytes):
        return message if len(message) <= policy.max_bytes else None
    if isinstance(message, str):
        # A str never encodes to fewer bytes than it has characters: refuse before copying.
        if len(message) > policy.max_bytes:
            return None
        data = message.encode("utf-8", "replace")
        return data if len(data) <= policy.max_bytes else None
    if isinstance(message, Message):
        return from_message(message, policy.max_bytes)
    raise TypeError(
        f"parse_bounce() takes bytes, str or email.message.Message, not {type(message).__name__}"
    )


def _check_options(registry: object, policy: object) -> None:
    if registry is not None and not isinstance(registry, Registry):
        raise TypeError(f"registry must be a bouncekit.Registry, not {type(registry).__name__}")
    if policy is not None and not isinstance(policy, Policy):
        raise TypeError(f"policy must be a bouncekit.Policy, not {type(policy).__name__}")


def parse_bounce(
    message: bytes | str | Message,
    *,
    registry: Registry | None = None,
    policy: Policy | None = None,
) -> BounceReport:
    """Read a bounce (DSN, MTA report, ARF complaint, auto-reply, or a bare SMTP reply text)
    and say, per recipient, why it failed and what to do.

    Unrecognised input gives `kind=not_bounce`; input over `policy.max_bytes` gives
    `kind=rejected` with the `limit:size` defect. Only a wrong argument type raises
    (`TypeError`), except in strict mode (`InputTooLarge`, `MalformedInput`).
    """
    _check_options(registry, policy)
    policy = policy or DEFAULT_POLICY
    data = _to_bytes(message, policy)
    if data is None:
        if policy.strict:
            raise InputTooLarge(f"input is over the limit of {policy.max_bytes} bytes")
        return BounceReport(ReportKind.REJECTED, (), defects=("limit:size",))
    try:
        report = _parse(data, registry or default_registry(), policy)
        return _clean_report(report)
    except MalformedInput:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # the contract's exception boundary (G1)
        if policy.strict:
            raise MalformedInput(f"{type(exc).__name__} while reading the message") from exc
        return BounceReport(ReportKind.NOT_BOUNCE, (), defects=(f"error:{type(exc).__name__}",))


def _parse(data: bytes, registry: Registry, policy: Policy) -> BounceReport:
    if not looks_like_message(data):
        text = normalise_newlines(data).decode("utf-8", "replace").strip()
        if not text:
            return BounceReport(ReportKind.NOT_BOUNCE, (), defects=("empty",))
        bounce = classify(reply_evidence(text), registry)
        return BounceReport(ReportKind.REPLY, (bounce,))
    view = read(data, policy)
    found = extract(view)
    if found.evidences:
        share = max(MIN_SHARE, CLASSIFY_CHARS // len(found.evidences))
        for ev in found.evidences:
            if len(ev.diagnostic) > share:
                ev.diagnostic = ev.diagnostic[:share]
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
    """Classify one SMTP reply as an SMTP client received it (the send-time path).

    Never raises on any `str`: an internal error gives an `undefined` bounce whose
    `source` is `error:<Type>`. Wrong argument types raise `TypeError`.
    """
    if not isinstance(text, str):
        raise TypeError(f"classify_reply() takes str, not {type(text).__name__}")
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise TypeError("code must be an int")
    if recipient is not None and not isinstance(recipient, str):
        raise TypeError(f"recipient must be a str, not {type(recipient).__name__}")
    if remote_host is not None and not isinstance(remote_host, str):
        raise TypeError(f"remote_host must be a str, not {type(remote_host).__name__}")
    if registry is None:
        reg = default_registry()
    else:
        _check_options(registry, None)
        reg = registry
    try:
        ev = reply_evidence(text, code=code, recipient=recipient, remote_host=remote_host)
        return _clean_bounce(classify(ev, reg))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the contract's exception boundary (G1)
        fallback = classify(Evidence(None, source=f"error:{type(exc).__name__}"), reg)
        return _clean_bounce(fallback)


# --- G7: the last check on every returned string -------------------------------------------


def _ok(value: str | None, limit: int) -> bool:
    # A printable string holds none of what G7 forbids (controls, line and paragraph
    # separators, surrogates): only the others (a tab, a no-break space...) are searched.
    if value is None:
        return True
    return len(value) <= limit and (value.isprintable() or _UNCLEAN.search(value) is None)


def _c(value: str | None, limit: int = MAX_FIELD) -> str | None:
    """`value` when it is already clean (the common case: no copy), else its cleaned form."""
    if _ok(value, limit):
        return value
    return clean(value, limit) or None


def _address(value: str | None) -> str | None:
    if _ok(value, MAX_ADDRESS) and (value is None or value.count("@") == 1):
        return value
    return normalise_address(clean(value, MAX_ADDRESS * 2))


def _status(value: EnhancedStatus | None) -> EnhancedStatus | None:
    if value is None:
        return None
    valid = value.klass in (2, 4, 5) and 0 <= value.subject <= 999 and 0 <= value.detail <= 999
    return value if valid else None


def _clean_bounce(b: Bounce) -> Bounce:
    """`b` itself when each of its strings passes G7 (the usual case), else a cleaned copy.

    The same checks as `_cleaned_bounce`, field by field, written out: no copy is made and no
    field name is looked up when nothing needs cleaning.
    """
    code, status = b.smtp_code, b.enhanced_status
    if (
        _ok(b.action, 20)
        and _ok(b.remote_mta, MAX_FIELD)
        and _ok(b.smtp_command, MAX_FIELD)
        and _ok(b.blocklist, MAX_FIELD)
        and _ok(b.blocked_ip, MAX_FIELD)
        and _ok(b.feedback_type, MAX_FIELD)
        and _ok(b.source, MAX_FIELD)
        and _ok(b.provenance, MAX_FIELD)
        and _ok(b.diagnostic, MAX_DIAGNOSTIC)
        and _ok(b.match.detail, MAX_FIELD)
        and _address(b.recipient) == b.recipient
        and (code is None or 200 <= code <= 599)
        and _status(status) is status
    ):
        return b
    return _cleaned_bounce(b)


def _cleaned_bounce(b: Bounce) -> Bounce:
    """`b` with each string G7 forbids cleaned (and an invalid code or status dropped)."""
    changes: dict[str, object] = {}
    for name, limit in (
        ("action", 20),
        ("remote_mta", MAX_FIELD),
        ("smtp_command", MAX_FIELD),
        ("blocklist", MAX_FIELD),
        ("blocked_ip", MAX_FIELD),
        ("feedback_type", MAX_FIELD),
        ("source", MAX_FIELD),
        ("provenance", MAX_FIELD),
    ):
        value = getattr(b, name)
        if not _ok(value, limit):
            changes[name] = clean(value, limit) or None
    if not _ok(b.diagnostic, MAX_DIAGNOSTIC):
        changes["diagnostic"] = clean(b.diagnostic, MAX_DIAGNOSTIC)
    recipient = _address(b.recipient)
    if recipient != b.recipient:
        changes["recipient"] = recipient
    if b.smtp_code is not None and not 200 <= b.smtp_code <= 599:
        changes["smtp_code"] = None
    status = _status(b.enhanced_status)
    if status is not b.enhanced_status:
        changes["enhanced_status"] = status
    if not _ok(b.match.detail, MAX_FIELD):
        changes["match"] = Match(b.match.stage, b.match.pack, b.match.rule,
                                 clean(b.match.detail))  # fmt: skip
    return dataclasses.replace(b, **changes) if changes else b  # type: ignore[arg-type]


def _clean_report(r: BounceReport) -> BounceReport:
    bounces = tuple(_clean_bounce(b) for b in r.bounces)
    extra = tuple((clean(k), clean(v)) for k, v in r.extra)
    return BounceReport(
        kind=r.kind,
        bounces=bounces,
        defects=tuple(d if _ok(d, MAX_FIELD) else clean(d) for d in r.defects),
        reporting_mta=_c(r.reporting_mta),
        original_message_id=_c(r.original_message_id),
        original_from=_address(r.original_from),
        original_subject=_c(r.original_subject),
        extra=extra,
    )
