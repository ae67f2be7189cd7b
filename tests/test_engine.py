"""The engine's stages, in order, and the context that refines a generic verdict.

Stage order (bouncekit/_engine.py): unwrap -> report kind -> provider -> provider rules ->
generic rules -> enhanced-status fallback -> reply-class fallback. Each test names the stage
it exercises and checks `Bounce.match` says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bouncekit import (
    BlockType,
    Category,
    EnhancedStatus,
    Reason,
    Registry,
    Stage,
    build_registry,
    classify_reply,
)
from bouncekit._engine import _best_status, classify
from bouncekit._evidence import Evidence
from bouncekit._text import strip_continuations, unwrap

# A provider pack of our own, so the provider stage is tested without depending on the
# shipped packs' wording: one rule, a "code that lies" (a 4xx that is final) and a domain.
ACME = """
id = "acme"
name = "Acme Mail"
domains = ["acme.example"]
hosts = [".mx.acme.example"]
fingerprints = ["acme-err-"]

[[rules]]
id = "closed-for-good"
reason = "account_disabled"
permanent = true
keywords = ["acme-err-77"]
examples = ["451 4.2.1 ACME-ERR-77 account closed"]

[[rules]]
id = "acme-unknown"
reason = "user_unknown"
keywords = ["acme-err-11"]
examples = ["550 5.1.1 ACME-ERR-11 no such user"]
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path: Path = tmp_path_factory.mktemp("packs") / "acme.toml"
    path.write_text(ACME, encoding="utf-8")
    return build_registry([path], plugins=False)


def _dsn(diagnostic: str, **fields: object) -> Evidence:
    """One recipient of a delivery report, as an extractor hands it to the engine."""
    fields.setdefault("action", "failed")
    return Evidence(
        recipient="jane@example.org", diagnostic=diagnostic, source="dsn",
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


# --- stage 1: unwrap -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrapped", "text", "host", "command"),
    [
        ("<jane@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown (in reply "
         "to RCPT TO command)", "550 5.1.1 unknown", "mx.example.org", "RCPT TO"),
        ("SMTP error from remote server for TEXT command, host: smtp.example.fr (192.0.2.2) "
         "reason: 550 5.2.0 Mail rejete", "550 5.2.0 Mail rejete", "smtp.example.fr", "DATA"),
        ("SMTP error from remote mail server after pipelined MAIL FROM:<a@example.net> "
         "SIZE=1543: host mx.example.jp [192.0.2.20]: 550 5.7.0 Use your ISP's server",
         "550 5.7.0 Use your ISP's server", "mx.example.jp", "MAIL FROM"),
        ("SIZE=1024: host mx.example.jp [192.0.2.3]: 550 Unroutable sender address",
         "550 Unroutable sender address", "mx.example.jp", None),
        ("delivery temporarily suspended: host mx.example.net[192.0.2.4] refused to talk to me: "
         "421 Service not available", "421 Service not available", "mx.example.net", "CONNECT"),
        ("5.1.0 - Unknown address error 550-'5.2.2 <jane@example.jp>... Mailbox Full' "
         "(delivery attempts: 0)", "550 5.2.2 <jane@example.jp>... Mailbox Full", None, None),
        ("554 <jane@example.org>... 550 Host unknown", "550 Host unknown", None, None),
        ("554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection "
         "timed out>", "421 4.4.2 Connection timed out", None, None),
    ],
)  # fmt: skip
def test_unwrap_strips_relay_wrappers(
    wrapped: str, text: str, host: str | None, command: str | None
) -> None:
    u = unwrap(wrapped)
    assert (u.text, u.remote_host, u.command) == (text, host, command)


def test_continuation_tokens_are_dropped() -> None:
    """A multi-line reply joined into one line keeps only its first code and status."""
    joined = (
        "550-5.1.1 The email account that you tried to reach 550-5.1.1 does not exist. "
        "550 5.1.1 Please check the address."
    )
    assert strip_continuations(joined) == (
        "550 5.1.1 The email account that you tried to reach does not exist. "
        "Please check the address."
    )
    b = classify_reply(joined)
    assert b.reason is Reason.USER_UNKNOWN and b.smtp_code == 550 and b.enhanced_status == "5.1.1"


# --- stage 3/4: provider, provider rules -------------------------------------------------


def test_provider_rule_decides_first(registry: Registry) -> None:
    b = classify_reply("550 5.1.1 ACME-ERR-11 no such user", registry=registry)
    assert b.match.stage is Stage.PROVIDER_RULE and b.match.rule_id == "acme/acme-unknown"
    assert b.provider is not None and b.provider.id == "acme"
    assert b.category is Category.HARD


def test_provider_by_recipient_domain_then_generic_rule(registry: Registry) -> None:
    """The provider is known from the domain, none of its rules fires: the generic pack reads."""
    b = classify_reply("552 5.2.2 Mailbox full", recipient="jane@acme.example", registry=registry)
    assert b.provider is not None and b.provider.id == "acme"
    assert b.match.stage is Stage.GENERIC_RULE and b.match.rule_id == "generic/mailbox-full"


def test_code_that_lies_is_permanent_by_the_rule(registry: Registry) -> None:
    """A 451 the provider documents as final: the rule's `permanent` wins over the code."""
    b = classify_reply("451 4.2.1 ACME-ERR-77 account closed", registry=registry)
    assert b.match.rule_id == "acme/closed-for-good"
    assert b.smtp_code == 451 and b.permanent is True


def test_generic_rule_can_declare_a_5xx_temporary() -> None:
    b = classify_reply("550 5.7.1 Greylisted: please try again in 300 seconds")
    assert b.match.rule_id == "generic/greylisted"
    assert b.smtp_code == 550 and b.permanent is False and b.category is Category.SOFT


# --- stage 5: enhanced-status fallback, then reply class -----------------------------------


@pytest.mark.parametrize(
    ("text", "reason", "category"),
    [
        ("554 5.6.0 qwerty", Reason.CONTENT_REJECTED, Category.BLOCK),
        ("550 5.7.13 qwerty", Reason.ACCOUNT_DISABLED, Category.SOFT),
        ("550 5.7.26 qwerty", Reason.AUTH_FAILURE, Category.BLOCK),
        ("550 5.7.520 qwerty", Reason.POLICY, Category.BLOCK),
        ("451 4.4.7 qwerty", Reason.EXPIRED, Category.SOFT),
        ("550 5.7.1 qwerty", Reason.SECURITY, Category.BLOCK),
    ],
)
def test_enhanced_status_fallback(text: str, reason: Reason, category: Category) -> None:
    b = classify_reply(text)
    assert b.match.stage is Stage.ENHANCED_STATUS
    assert (b.reason, b.category) == (reason, category)


def test_bare_security_status_is_a_policy_block_not_an_auth_problem() -> None:
    b = classify_reply("550 5.7.1 qwerty")
    assert b.block_type is BlockType.POLICY


def test_reply_class_fallback() -> None:
    b = classify_reply("550 qwerty")
    assert b.match.stage is Stage.REPLY_CLASS
    assert b.reason is Reason.UNDEFINED and b.category is Category.UNKNOWN and b.permanent
    assert classify_reply("250 2.0.0 Ok: queued").category is Category.DELIVERED


@pytest.mark.parametrize(
    ("text", "reason", "category"),
    [
        ("451 qwerty", Reason.SYSTEM_ERROR, Category.SOFT),
        ("556 qwerty", Reason.NOT_ACCEPTING_MAIL, Category.HARD),
        ("530 qwerty", Reason.SECURITY, Category.BLOCK),
        ("554 qwerty", Reason.UNDEFINED, Category.UNKNOWN),
    ],
)
def test_reply_codes_that_say_why(text: str, reason: Reason, category: Category) -> None:
    """RFC 5321/7504 codes whose meaning is fixed decide when neither text nor status does."""
    b = classify_reply(text)
    assert b.match.stage is Stage.REPLY_CLASS and (b.reason, b.category) == (reason, category)


def test_delayed_report_without_a_precise_status_is_expired(registry: Registry) -> None:
    ev = _dsn("qwerty", action="delayed", status=EnhancedStatus(4, 4, 0))
    b = classify(ev, registry)
    assert b.reason is Reason.EXPIRED and b.category is Category.SOFT


def test_delayed_report_keeps_a_precise_status(registry: Registry) -> None:
    ev = _dsn("qwerty", action="delayed", status=EnhancedStatus(4, 2, 2))
    assert classify(ev, registry).reason is Reason.MAILBOX_FULL


# --- codes and statuses --------------------------------------------------------------------


def test_x00_status_field_is_refined_by_the_reply() -> None:
    assert _best_status(EnhancedStatus(5, 0, 0), EnhancedStatus(5, 1, 1), 550) == "5.1.1"


@pytest.mark.parametrize(
    ("field", "text", "code", "want"),
    [
        ((4, 4, 7), (4, 7, 1), 450, "4.7.1"),  # the queue gave up; the reply said why
        ((5, 1, 1), (5, 7, 1), 550, "5.7.1"),  # the reporting MTA's summary vs the reply
        ((4, 5, 0), (5, 5, 0), 550, "5.5.0"),  # the field contradicts the reply code
        ((5, 1, 1), (4, 2, 2), 550, "5.1.1"),  # the text's status contradicts the code
        ((5, 1, 1), (5, 0, 0), 550, "5.1.1"),  # a bare X.0.0 in the text adds nothing
        (None, (5, 1, 1), 550, "5.1.1"),
        ((5, 1, 1), None, 550, "5.1.1"),
    ],
)
def test_best_status(
    field: tuple[int, int, int] | None, text: tuple[int, int, int] | None, code: int, want: str
) -> None:
    f = EnhancedStatus(*field) if field else None
    t = EnhancedStatus(*text) if text else None
    assert str(_best_status(f, t, code)) == want


def test_quoted_last_reply_gives_code_and_status(registry: Registry) -> None:
    """A local verdict quoting the remote's last reply: the remote's code and status count."""
    ev = _dsn(
        "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection "
        "timed out>",
        code=554,
        status=EnhancedStatus(4, 4, 7),
    )
    b = classify(ev, registry)
    assert (b.smtp_code, str(b.enhanced_status), b.reason) == (421, "4.4.2", Reason.EXPIRED)


def test_banner_code_is_not_the_reply_code() -> None:
    b = classify_reply("220 mx.example.fr ESMTP 421 4.2.1 Service refused, please try later")
    assert b.smtp_code == 421


# --- context refines a generic verdict -----------------------------------------------------


def test_unknown_user_at_rcpt_is_a_hard_bounce(registry: Registry) -> None:
    b = classify(_dsn("550 User unknown", code=550, command="RCPT TO"), registry)
    assert b.reason is Reason.USER_UNKNOWN and b.category is Category.HARD and b.permanent


def test_unknown_user_after_data_is_the_recipients_filter(registry: Registry) -> None:
    b = classify(_dsn("550 User unknown", code=550, command="DATA"), registry)
    assert b.reason is Reason.FILTERED and b.category is not Category.HARD
    assert b.match.rule_id == "generic/user-unknown" and "DATA" in b.match.detail


def test_addressing_status_confirms_unknown_user_even_after_data(registry: Registry) -> None:
    ev = _dsn("550 5.1.1 unknown user", code=550, command="DATA")
    assert classify(ev, registry).reason is Reason.USER_UNKNOWN


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ((5, 2, 0), Reason.FILTERED),
        ((5, 7, 1), Reason.FILTERED),
        ((5, 1, 6), Reason.ADDRESS_MOVED),
        ((5, 2, 1), Reason.ACCOUNT_DISABLED),
        ((5, 1, 1), Reason.USER_UNKNOWN),
    ],
)
def test_status_refines_unknown_user(
    registry: Registry, status: tuple[int, int, int], reason: Reason
) -> None:
    ev = _dsn("550 User unknown", code=550, status=EnhancedStatus(*status))
    assert classify(ev, registry).reason is reason


def test_unconfirmed_relayed_unknown_user_is_not_proof(registry: Registry) -> None:
    """No status, no command, a bare code quoted by a relay: not enough to suppress."""
    assert classify(_dsn("550 unknown user", code=550), registry).reason is Reason.FILTERED
    # The SMTP client's own reply (send-time path) is first-hand: it stays a hard bounce.
    assert classify_reply("550 unknown user").reason is Reason.USER_UNKNOWN


def test_postfix_recipient_wording_confirms_the_rcpt_stage(registry: Registry) -> None:
    """ "Recipient address rejected:" is only ever said to RCPT TO: no command needed."""
    ev = _dsn("550 <jane@example.org>: Recipient address rejected: User unknown", code=550)
    assert classify(ev, registry).reason is Reason.USER_UNKNOWN


def test_recipient_reason_at_mail_from_is_about_the_sender(registry: Registry) -> None:
    ev = _dsn("553 5.1.0 example.net does not exist", code=553, command="MAIL FROM")
    b = classify(ev, registry)
    assert b.reason is Reason.SENDER_REJECTED and b.category is Category.BLOCK


def test_vague_refusal_at_mail_from_is_a_sender_refusal(registry: Registry) -> None:
    b = classify(_dsn("550 5.7.1 Access denied", code=550, command="MAIL FROM"), registry)
    assert b.reason is Reason.SENDER_REJECTED and b.match.stage is Stage.REPLY_CLASS


def test_refusal_at_the_greeting_blocks_the_sending_host(registry: Registry) -> None:
    ev = _dsn("421 Service not available, closing transmission channel", code=421,
              command="CONNECT")  # fmt: skip
    b = classify(ev, registry)
    assert b.reason is Reason.IP_BLOCKED and b.category is Category.BLOCK


def test_transient_domain_lookup_is_a_network_error(registry: Registry) -> None:
    ev = _dsn("DNS Error: DNS type 'mx' lookup of example.invalid responded with code NXDOMAIN "
              "Domain name not found: example.invalid", status=EnhancedStatus(4, 0, 0))  # fmt: skip
    b = classify(ev, registry)
    assert b.reason is Reason.NETWORK_ERROR and b.category is Category.SOFT
    permanent = _dsn("550 5.1.2 Domain name not found: example.invalid", code=550)
    assert classify(permanent, registry).reason is Reason.DOMAIN_UNKNOWN


def test_hard_category_needs_a_permanent_code() -> None:
    b = classify_reply("450 4.1.1 <jane@example.com>: Recipient address rejected: unverified "
                       "address: host mx.example.com said: try later")  # fmt: skip
    assert b.reason is Reason.USER_UNKNOWN and b.category is Category.SOFT and not b.permanent


def test_provider_rules_are_not_refined(registry: Registry) -> None:
    """A provider rule knows its provider's replies: the DATA context does not overturn it."""
    b = classify(_dsn("550 5.0.0 ACME-ERR-11 no such user", code=550, command="DATA"), registry)
    assert b.match.rule_id == "acme/acme-unknown" and b.reason is Reason.USER_UNKNOWN


def test_same_input_same_output(registry: Registry) -> None:
    ev = _dsn("550 User unknown", code=550, command="DATA")
    assert classify(ev, registry) == classify(ev, registry)
