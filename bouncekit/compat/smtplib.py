"""Classify the exceptions of Python's `smtplib` at send time.

    import smtplib
    from bouncekit.compat.smtplib import from_smtp_error, from_refused

    try:
        refused = smtp.sendmail(sender, recipients, message)
    except smtplib.SMTPException as exc:
        bounces = from_smtp_error(exc, recipients=recipients, remote_host="mx.example.com")
    else:
        bounces = from_refused(refused)   # the recipients refused while others were accepted

`SMTPRecipientsRefused` gives one bounce per refused recipient, each with its own reply.
`SMTPSenderRefused`, `SMTPDataError` and the other `SMTPResponseException`s concern the whole
message: one bounce per recipient you pass in `recipients` (all of them failed for the same
reason), or one bounce without a recipient. Errors without a reply (a dropped connection, a
refused TCP connection, a timeout) are classified from their text.

smtplib strips the reply code from each line of a multi-line reply and joins the lines with
newlines; the reply is put back as the server sent it (`550-5.1.1 ...`, `550 5.1.1 ...`) so
the signature packs see the same text as in a bounce message.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping

from bouncekit._api import classify_reply
from bouncekit._registry import Registry
from bouncekit._types import Bounce

__all__ = ["from_refused", "from_reply", "from_smtp_error"]


def _reply_text(code: int, message: bytes | str) -> str:
    """smtplib's `(code, b"line1\\nline2")` -> `"550-line1 550 line2"`."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [""]
    if not 200 <= code < 600:
        return " ".join(lines)
    parts = [f"{code}-{line}" for line in lines[:-1]] + [f"{code} {lines[-1]}".rstrip()]
    return "\n".join(parts)


def from_reply(
    code: int,
    message: bytes | str,
    *,
    recipient: str | None = None,
    remote_host: str | None = None,
    registry: Registry | None = None,
) -> Bounce:
    """One bounce from an SMTP reply as smtplib reports it (code, and bytes without codes)."""
    valid = code if 200 <= code < 600 else None
    return classify_reply(
        _reply_text(code, message),
        code=valid,
        recipient=recipient,
        remote_host=remote_host,
        registry=registry,
    )


def from_refused(
    refused: Mapping[str, tuple[int, bytes | str]],
    *,
    remote_host: str | None = None,
    registry: Registry | None = None,
) -> tuple[Bounce, ...]:
    """One bounce per entry of `SMTP.sendmail()`'s result or `SMTPRecipientsRefused.recipients`."""
    out = []
    for recipient, reply in refused.items():
        code, message = reply
        out.append(
            from_reply(
                code, message, recipient=recipient, remote_host=remote_host, registry=registry
            )
        )
    return tuple(out)


def from_smtp_error(
    exc: BaseException,
    *,
    recipients: Iterable[str] = (),
    remote_host: str | None = None,
    registry: Registry | None = None,
) -> tuple[Bounce, ...]:
    """The bounces an smtplib exception stands for (see the module docstring)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return from_refused(exc.recipients, remote_host=remote_host, registry=registry)
    if isinstance(exc, smtplib.SMTPResponseException):
        code, message = exc.smtp_code, exc.smtp_error
    else:
        # No reply: the connection failed or dropped. The text is all there is.
        code, message = 0, str(exc) or type(exc).__name__
    targets: list[str | None] = list(dict.fromkeys(recipients)) or [None]
    return tuple(
        from_reply(code, message, recipient=r, remote_host=remote_host, registry=registry)
        for r in targets
    )
