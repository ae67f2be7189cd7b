"""A bounce that carries another bounce: a relay or gateway forwarding the report it got.

Some MTAs wrap a bounce they received in one of their own with an empty or generic text
(an `X5` relay, a Postfix site that pastes the mbox copy after a dashed line). When the
outer report names no recipient, the inner report is read instead, once (no recursion).
"""

from __future__ import annotations

from bouncekit._extract import Extracted
from bouncekit._message import MailView, looks_like_message, normalise_newlines, read

_MBOX_DAEMON = b"\nFrom MAILER-DAEMON "


def inner_message(view: MailView) -> bytes | None:
    """The bytes of a returned bounce inside this message, when there is one."""
    for part in view.parts[1:]:
        if part.ctype == "message/rfc822":
            raw = view.span(part.start, part.end, view.policy.max_bytes)
            head = raw[:4096].lower()
            if b"mailer-daemon" in head or b"multipart/report" in head:
                return raw
    for part in view.text_parts():
        cte = (part.headers.get("content-transfer-encoding") or "").strip().lower()
        if cte in ("base64", "quoted-printable"):  # the pasted mbox copy is in the decoded text
            raw = normalise_newlines(view.body(part))
        else:
            raw = view.span(part.start, part.end)
        at = raw.find(_MBOX_DAEMON)
        if at >= 0:
            return raw[at + 1 :]
    return None


def extract(view: MailView) -> Extracted | None:
    from bouncekit._extract import extract_once, forwarded

    raw = inner_message(view)
    if raw is None or not looks_like_message(raw):
        return None
    inner = read(raw, view.policy)
    found = extract_once(inner, nested=False)
    if not any(ev.recipient for ev in found.evidences):
        return None
    view.defects.extend(d for d in inner.defects if d not in view.defects)
    return forwarded.mark(view, found, inner=True)  # relayed or forwarded (G10)
