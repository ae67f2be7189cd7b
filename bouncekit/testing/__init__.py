"""Realistic bounces for other applications' tests, built from the packs' own rule examples.

    >>> from bouncekit.testing import make_bounce
    >>> raw = make_bounce(provider="microsoft", reason="ip_blocked", recipient="jane@hotmail.com")
    >>> parse_bounce(raw).bounces[0].category          # doctest: +SKIP
    <Category.BLOCK: 'block'>

Each fixture takes its SMTP reply from a signature rule's `examples`, looked up through the
registry at call time, so an application's fixtures follow the signatures as they change
instead of freezing a copy of a reply that a later release may classify differently.

Three forms: `dsn` (an RFC 3464 multipart/report with the original headers), `ndr` (the
plain-text report an MTA writes when it sends no DSN) and `reply` (the bare SMTP reply, as an
SMTP client sees it). `mta` picks the reporting MTA's layout and wording (Postfix, Exim,
Exchange); `lang="fr"` writes the human-readable part in French (Exchange localises its
reports; the SMTP reply itself is the remote server's and stays as the rule's example says).

Everything returned is `bytes`, ready for `parse_bounce` or `email.message_from_bytes`.
Addresses are under example.com/.org and IPs in 192.0.2.0/24 unless the rule's own example
names a provider domain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from bouncekit._registry import CompiledPack, Registry, default_registry
from bouncekit._schema import Example, Rule
from bouncekit._smtp import find_reply_code, find_status
from bouncekit._text import domain_of, fold
from bouncekit._types import Category, Reason

Form = Literal["dsn", "ndr", "reply"]
Mta = Literal["postfix", "exim", "exchange"]
Lang = Literal["en", "fr"]

FORMS: tuple[Form, ...] = ("dsn", "ndr", "reply")
MTAS: tuple[Mta, ...] = ("postfix", "exim", "exchange")
LANGS: tuple[Lang, ...] = ("en", "fr")

__all__ = [
    "FORMS",
    "LANGS",
    "MTAS",
    "Fixture",
    "find_rule",
    "fixture_for",
    "make_auto_reply",
    "make_bounce",
    "make_complaint",
]

SENDER = "shop@example.org"
REPORTING_HOST = "mail.example.org"
SENDER_IP = "192.0.2.10"
REMOTE_IP = "192.0.2.253"  # not an address the packs' examples use
DATE = "Mon, 02 Mar 2026 10:15:04 +0000"
ORIGINAL_DATE = "Mon, 02 Mar 2026 10:15:02 +0000"
SUBJECT = "Your receipt"


class NoSuchRule(LookupError):
    """No rule of the registry fits what was asked."""


@dataclass(frozen=True, slots=True)
class Fixture:
    """What a bounce is built from: the rule, its example, and the recipient and host used."""

    rule: Rule
    example: Example
    recipient: str
    remote_mta: str | None
    reply: str  # the SMTP reply text, code first when the example states one

    @property
    def code(self) -> int | None:
        return find_reply_code(self.reply[:4]) if self.reply[:3].isdigit() else None


# --- choosing the rule and example -------------------------------------------------------


def find_rule(
    *,
    provider: str | None = None,
    reason: Reason | str | None = None,
    rule: str | None = None,
    registry: Registry | None = None,
) -> Rule:
    """The rule a fixture is built from.

    `rule` is `pack/id`, or a bare id looked up in `provider`'s pack and then the generic one.
    Otherwise the first rule of `provider`'s pack with `reason`, then the first generic rule
    with it (the recipient is then put at the provider's domain, so the provider is still
    detected); without `provider`, the generic pack first, then every pack in registry order.
    """
    registry = registry or default_registry()
    if rule is not None:
        if "/" in rule:
            found = registry.rule(rule)
        else:
            found = None
            for pack_id in (provider, "generic"):
                if pack_id and found is None:
                    found = registry.rule(f"{pack_id}/{rule}")
        if found is None:
            raise NoSuchRule(f"no rule {rule!r} in the registry")
        return found
    if reason is None:
        raise TypeError("make_bounce() needs reason= or rule=")
    wanted = Reason(reason)
    if provider is not None and registry.pack(provider) is None:
        raise NoSuchRule(f"no signature pack {provider!r}")
    order = [provider, "generic"] if provider else ["generic"]
    order += [p.id for p in registry.packs if p.id not in order and provider is None]
    for pack_id in order:
        cp = registry.pack(pack_id) if pack_id else None
        if cp is None:
            continue
        for r in cp.rules:
            if r.reason is wanted:
                return r
    raise NoSuchRule(f"no rule with reason {wanted.value!r} for provider {provider!r}")


_FRENCH_WORDS = (" le ", " la ", " les ", " est ", " une ", " pas ", " du ", " des ", "é")


def _looks_french(text: str) -> bool:
    lowered = f" {text.lower()} "
    return sum(w in lowered for w in _FRENCH_WORDS) >= 2


def _pick_example(rule: Rule, lang: Lang, index: int | None) -> Example:
    if index is not None:
        return rule.examples[index]
    if lang == "fr":
        french = [e for e in rule.examples if _looks_french(e.text)]
        if french:
            return french[0]
    return rule.examples[0]


def fixture_for(
    *,
    provider: str | None = None,
    reason: Reason | str | None = None,
    rule: str | None = None,
    recipient: str | None = None,
    lang: Lang = "en",
    example: int | None = None,
    registry: Registry | None = None,
) -> Fixture:
    """Resolve the rule, example, recipient and remote host a bounce is built from."""
    registry = registry or default_registry()
    found = find_rule(provider=provider, reason=reason, rule=rule, registry=registry)
    ex = _pick_example(found, lang, example)
    pack = registry.pack(found.pack)
    own_provider = pack is not None and pack.pack.kind != "generic"
    provider_pack = registry.pack(provider) if provider else (pack if own_provider else None)
    if recipient is None:
        recipient = ex.recipient
    if recipient is None:
        domains = provider_pack.pack.domains if provider_pack is not None else ()
        recipient = f"jane@{domains[0] if domains else 'example.com'}"
    remote = ex.remote_mta or _remote_for(registry, provider_pack, recipient)
    text = fold(ex.text)
    if ex.code is not None and not text[:3].isdigit():
        text = f"{ex.code} {text}"
    return Fixture(found, ex, recipient, remote, text)


def _remote_for(
    registry: Registry, provider_pack: CompiledPack | None, recipient: str
) -> str | None:
    """A plausible receiving MX that tells the engine nothing the recipient does not."""
    domain = domain_of(recipient) or "example.com"
    hosts = provider_pack.pack.hosts if provider_pack is not None else ()
    if hosts:
        host = hosts[0]
        return f"mx1{host}" if host.startswith(".") else f"mx1.{host}"
    candidate = f"mx.{domain}"
    if registry.provider_by_host(candidate) != registry.provider_by_domain(domain):
        return None
    return candidate


# --- building messages -------------------------------------------------------------------


def _token(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16].upper()


def _original_headers(recipient: str, token: str) -> str:
    return (
        f"Return-Path: <{SENDER}>\n"
        f"Received: from app.example.org (app.example.org [{SENDER_IP}])\n"
        f"\tby {REPORTING_HOST} (Postfix) with ESMTPSA id {token[:10]}\n"
        f"\tfor <{recipient}>; {ORIGINAL_DATE}\n"
        f"From: Shop <{SENDER}>\n"
        f"To: <{recipient}>\n"
        f"Subject: {SUBJECT}\n"
        f"Date: {ORIGINAL_DATE}\n"
        f"Message-ID: <{token.lower()}@example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
    )


def _wrap(text: str, width: int = 76, indent: str = "    ") -> str:
    """Fold a long line at spaces the way MTAs fold Diagnostic-Code and report lines."""
    out: list[str] = []
    line = ""
    for word in text.split(" "):
        # Never start a continuation line with an address: report readers take a line that
        # opens with an address for a list of failed recipients.
        if line and len(line) + 1 + len(word) > width and "@" not in word:
            out.append(line)
            line = indent + word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n".join(out)


def _status_of(fx: Fixture, delayed: bool) -> str:
    status = find_status(fx.reply)
    if status is not None:
        return str(status)
    return "4.0.0" if delayed else "5.0.0"


def _is_delay(fx: Fixture) -> bool:
    status = find_status(fx.reply)
    if status is not None:
        return status.klass == 4
    code = fx.code
    if code is not None:
        return 400 <= code < 500
    if fx.rule.permanent is not None:
        return not fx.rule.permanent
    return fx.rule.category is Category.SOFT  # no code at all: the MTA would still be retrying


_PLAIN: dict[tuple[Mta, Lang], str] = {
    ("postfix", "en"): (
        "This is the mail system at host {host}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        "{postfix_line}\n"
    ),
    ("postfix", "fr"): (
        "Ceci est le système de messagerie de la machine {host}.\n\n"
        "Nous sommes désolés de vous informer que votre message n'a pas pu\n"
        "être remis à un ou plusieurs destinataires. Il est joint ci-dessous.\n\n"
        "Pour obtenir de l'aide, écrivez à postmaster.\n\n"
        "                   Le système de messagerie\n\n"
        "{postfix_line}\n"
    ),
    ("exim", "en"): (
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a {kind} error. The following address(es) failed:\n\n"
        "  {recipient}\n"
        "    SMTP error from remote mail server after RCPT TO:<{recipient}>:\n"
        "    {exim_host}{reply}\n"
    ),
    ("exim", "fr"): (
        "Ce message a été créé automatiquement par le logiciel de remise du courrier.\n\n"
        "Un message que vous avez envoyé n'a pas pu être remis à un ou plusieurs de ses\n"
        "destinataires. L'erreur est {kind_fr}. Les adresses suivantes ont échoué :\n\n"
        "  {recipient}\n"
        "    SMTP error from remote mail server after RCPT TO:<{recipient}>:\n"
        "    {exim_host}{reply}\n"
    ),
    ("exchange", "en"): (
        "Delivery has failed to these recipients or groups:\n\n"
        "{recipient}<mailto:{recipient}>\n"
        "Your message couldn't be delivered. The recipient's email server refused it; its\n"
        "reply is shown below for your email administrator.\n\n\n"
        "Diagnostic information for administrators:\n\n"
        "Generating server: {host}\n\n"
        "{recipient}\n"
        "{remote}\n"
        "{exchange_reply}\n\n"
    ),
    ("exchange", "fr"): (
        "Échec de la remise pour ces destinataires ou groupes :\n\n"
        "{recipient}<mailto:{recipient}>\n"
        "Votre message n'a pas pu être remis. Le serveur de messagerie du destinataire l'a\n"
        "refusé ; sa réponse figure ci-dessous pour votre administrateur.\n\n\n"
        "Informations de diagnostic pour les administrateurs :\n\n"
        "Serveur de génération : {host}\n\n"
        "{recipient}\n"
        "{remote}\n"
        "{exchange_reply}\n\n"
    ),
}

_SUBJECTS: dict[tuple[Mta, Lang], str] = {
    ("postfix", "en"): "Undelivered Mail Returned to Sender",
    ("postfix", "fr"): "Courrier non remis retourné à l'expéditeur",
    ("exim", "en"): "Mail delivery failed: returning message to sender",
    ("exim", "fr"): "Échec de la remise du courrier : message retourné à l'expéditeur",
    ("exchange", "en"): f"Undeliverable: {SUBJECT}",
    ("exchange", "fr"): f"Non remis : {SUBJECT}",
}
_DELAY_SUBJECTS: dict[Lang, str] = {
    "en": "Delayed Mail (still being retried)",
    "fr": "Courrier retardé (nouvelle tentative en cours)",
}
_FROM: dict[Mta, str] = {
    "postfix": f"MAILER-DAEMON@{REPORTING_HOST} (Mail Delivery System)",
    "exim": f"Mail Delivery System <Mailer-Daemon@{REPORTING_HOST}>",
    "exchange": f"<postmaster@{REPORTING_HOST.partition('.')[2]}>",
}


def _encode_header(value: str) -> str:
    """RFC 2047 for non-ASCII header values (French subjects)."""
    if value.isascii():
        return value
    from email.header import Header

    return Header(value, "utf-8").encode()


def _plain_report(fx: Fixture, mta: Mta, lang: Lang, delayed: bool) -> str:
    remote = fx.remote_mta
    host_part = f"host {remote}[{REMOTE_IP}] said: " if remote else ""
    postfix_line = _wrap(f"<{fx.recipient}>: {host_part}{fx.reply} (in reply to RCPT TO command)")
    return _PLAIN[(mta, lang)].format(
        host=REPORTING_HOST,
        recipient=fx.recipient,
        reply=_wrap(fx.reply, indent="    "),
        postfix_line=postfix_line,
        exim_host=f"host {remote} [{REMOTE_IP}]: " if remote else "",
        exchange_reply=_wrap(f"Remote Server returned '{fx.reply}'", indent=""),
        remote=remote or "",
        kind="temporary" if delayed else "permanent",
        kind_fr="temporaire" if delayed else "permanente",
    )


def _headers(fx: Fixture, mta: Mta, lang: Lang, token: str, delayed: bool, extra: str = "") -> str:
    subject = _DELAY_SUBJECTS[lang] if delayed and mta == "postfix" else _SUBJECTS[(mta, lang)]
    lines = [
        "Return-Path: <>",
        f"Received: by {REPORTING_HOST} ({mta.capitalize()})",
        f"\tid {token[:10]}; {DATE}",
        f"Date: {DATE}",
        f"From: {_FROM[mta]}",
        f"To: <{SENDER}>",
        f"Subject: {_encode_header(subject)}",
        f"Message-ID: <{token.lower()}.ndr@{REPORTING_HOST}>",
        "Auto-Submitted: auto-replied",
    ]
    if mta == "exim":
        lines.append(f"X-Failed-Recipients: {fx.recipient}")
    if mta == "exchange":
        lines.append("X-MS-Exchange-Message-Is-Ndr:")
        lines.append(f"Content-Language: {'fr-FR' if lang == 'fr' else 'en-US'}")
    return "\n".join(lines) + "\n" + extra


def _dsn(fx: Fixture, mta: Mta, lang: Lang, token: str) -> str:
    delayed = _is_delay(fx)
    boundary = f"{token}/{REPORTING_HOST}"
    diagnostic = _wrap(f"Diagnostic-Code: smtp; {fx.reply}")
    remote = f"Remote-MTA: dns; {fx.remote_mta}\n" if fx.remote_mta else ""
    status_block = (
        f"Reporting-MTA: dns; {REPORTING_HOST}\n"
        f"Arrival-Date: {ORIGINAL_DATE}\n\n"
        f"Final-Recipient: rfc822; {fx.recipient}\n"
        f"Original-Recipient: rfc822;{fx.recipient}\n"
        f"Action: {'delayed' if delayed else 'failed'}\n"
        f"Status: {_status_of(fx, delayed)}\n"
        f"{remote}"
        f"{diagnostic}\n"
        f"Last-Attempt-Date: {DATE}\n"
    )
    head = _headers(
        fx,
        mta,
        lang,
        token,
        delayed,
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n',
    )
    original_type = "text/rfc822-headers" if mta == "exchange" else "message/rfc822"
    original = _original_headers(fx.recipient, token)
    if original_type == "message/rfc822":
        original += "\nThank you for your order.\n"
    return (
        f"{head}\n"
        "This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{_plain_report(fx, mta, lang, delayed)}\n"
        f"--{boundary}\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        f"{status_block}\n"
        f"--{boundary}\n"
        "Content-Description: Undelivered Message\n"
        f"Content-Type: {original_type}\n\n"
        f"{original}\n"
        f"--{boundary}--\n"
    )


def _ndr(fx: Fixture, mta: Mta, lang: Lang, token: str) -> str:
    delayed = _is_delay(fx)
    head = _headers(
        fx,
        mta,
        lang,
        token,
        delayed,
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n",
    )
    marker = {
        "postfix": "--- Below this line is a copy of the message.",
        "exim": "------ This is a copy of the message, including all the headers. ------",
        "exchange": "En-têtes du message d'origine :"
        if lang == "fr"
        else "Original message headers:",
    }[mta]
    return (
        f"{head}\n{_plain_report(fx, mta, lang, delayed)}\n{marker}\n\n"
        f"{_original_headers(fx.recipient, token)}\nThank you for your order.\n"
    )


def make_bounce(
    *,
    provider: str | None = None,
    reason: Reason | str | None = None,
    rule: str | None = None,
    recipient: str | None = None,
    form: Form = "dsn",
    mta: Mta = "postfix",
    lang: Lang = "en",
    example: int | None = None,
    registry: Registry | None = None,
) -> bytes:
    """A realistic bounce of `rule` (or of the first rule with `reason` for `provider`).

    `form`: `dsn` (RFC 3464 multipart/report), `ndr` (the MTA's plain-text report) or
    `reply` (the bare SMTP reply, `<recipient>: ` first, and Postfix's `host ... said:` when
    the rule's example names the answering host). `example` picks one of the rule's
    examples (default: the first, or the first French one when `lang="fr"`). Raises
    `LookupError` when no rule fits and `ValueError` for an unknown form, MTA or language.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, not {form!r}")
    if mta not in MTAS:
        raise ValueError(f"mta must be one of {MTAS}, not {mta!r}")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    fx = fixture_for(
        provider=provider,
        reason=reason,
        rule=rule,
        recipient=recipient,
        lang=lang,
        example=example,
        registry=registry,
    )
    if form == "reply":
        if fx.example.remote_mta:
            # The rule needs the answering host to know the provider: Postfix's own form.
            host = f"host {fx.remote_mta}[{REMOTE_IP}] said: "
            return f"<{fx.recipient}>: {host}{fx.reply} (in reply to RCPT TO command)".encode()
        return f"<{fx.recipient}>: {fx.reply}".encode()
    token = _token(fx.rule.qualified_id, fx.recipient, form, mta, lang, fx.example.text)
    text = _dsn(fx, mta, lang, token) if form == "dsn" else _ndr(fx, mta, lang, token)
    return text.encode("utf-8")


def make_complaint(
    recipient: str = "jane@example.com",
    *,
    feedback_type: str = "abuse",
    reporter: str = "feedback.example.net",
) -> bytes:
    """An RFC 5965 (ARF) feedback report: `recipient` marked the sender's mail as spam."""
    token = _token("arf", recipient, feedback_type)
    boundary = f"arf-{token}"
    return (
        f"Return-Path: <>\n"
        f"Date: {DATE}\n"
        f"From: <fbl@{reporter}>\n"
        f"To: <abuse@example.org>\n"
        f"Subject: complaint about message from {SENDER_IP}\n"
        f"Message-ID: <{token.lower()}.arf@{reporter}>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report;\n"
        f'\tboundary="{boundary}"\n\n'
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is an email abuse report for an email message received from IP\n"
        f"{SENDER_IP} on {ORIGINAL_DATE}.\n\n"
        f"--{boundary}\n"
        "Content-Type: message/feedback-report\n\n"
        f"Feedback-Type: {feedback_type}\n"
        "User-Agent: bouncekit-testing/1.0\n"
        "Version: 1\n"
        f"Original-Mail-From: <{SENDER}>\n"
        f"Original-Rcpt-To: <{recipient}>\n"
        f"Arrival-Date: {ORIGINAL_DATE}\n"
        f"Reporting-MTA: dns; {reporter}\n"
        f"Source-IP: {SENDER_IP}\n\n"
        f"--{boundary}\n"
        "Content-Type: text/rfc822-headers\n\n"
        f"{_original_headers(recipient, token)}\n"
        f"--{boundary}--\n"
    ).encode()


def make_auto_reply(recipient: str = "jane@example.com", *, lang: Lang = "en") -> bytes:
    """An RFC 3834 out-of-office reply from `recipient` (not a failure)."""
    token = _token("vacation", recipient, lang)
    subject = "Réponse automatique : " if lang == "fr" else "Automatic reply: "
    body = (
        "Je suis absente jusqu'au 9 mars, sans accès à ma messagerie.\n"
        if lang == "fr"
        else "I am out of the office until 9 March with no access to email.\n"
    )
    return (
        f"Date: {DATE}\n"
        f"From: <{recipient}>\n"
        f"To: <{SENDER}>\n"
        f"Subject: {_encode_header(subject + SUBJECT)}\n"
        f"Message-ID: <{token.lower()}.auto@{domain_of(recipient) or 'example.com'}>\n"
        f"In-Reply-To: <{token.lower()}@example.org>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{body}"
    ).encode()
