"""The result model: frozen records and string enums that callers compare against.

Every value here is plain data so that a result can be logged, stored or sent as JSON
(`to_dict()`), and compared across runs (the model is deterministic and hashable).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

from bouncekit._provenance import Confidence
from bouncekit._smtp import EnhancedStatus


class Category(StrEnum):
    """What the sender should do about one recipient."""

    HARD = "hard"  # the address is bad: suppress it
    SOFT = "soft"  # a transient or recipient-side condition: retry, suppress after repeats
    BLOCK = "block"  # the *sender* was refused; the recipient is fine and must be kept
    COMPLAINT = "complaint"  # the recipient reported the mail: unsubscribe now
    AUTO_REPLY = "auto_reply"  # a vacation or auto-responder: ignore
    DELIVERED = "delivered"  # a success or relay notice: nothing to do
    UNKNOWN = "unknown"  # not enough evidence to say


class BlockType(StrEnum):
    """Why the sender was refused, when the category is `block` (providers.md §0.2)."""

    IP_REPUTATION = "ip_reputation"
    NAMED_BLOCKLIST = "named_blocklist"
    COMPLAINTS = "complaints"
    RATE_LIMIT = "rate_limit"
    RDNS = "rdns"
    AUTH = "auth"
    CONTENT_SPAM = "content_spam"
    VIRUS = "virus"
    POLICY = "policy"
    PROTOCOL = "protocol"
    TLS = "tls"
    SENDER_INVALID = "sender_invalid"
    SENDER_ACCOUNT = "sender_account"


class Reason(StrEnum):
    """Fine-grained cause. Each member names its nearest Sisimai reason in `.sisimai`."""

    USER_UNKNOWN = "user_unknown"
    DOMAIN_UNKNOWN = "domain_unknown"
    ADDRESS_MOVED = "address_moved"
    NOT_ACCEPTING_MAIL = "not_accepting_mail"
    ACCOUNT_DISABLED = "account_disabled"
    MAILBOX_FULL = "mailbox_full"
    MESSAGE_TOO_LARGE = "message_too_large"
    EXCEEDED_LIMIT = "exceeded_limit"
    IP_BLOCKED = "ip_blocked"
    BAD_REPUTATION = "bad_reputation"
    SPAM_CONTENT = "spam_content"
    VIRUS = "virus"
    CONTENT_REJECTED = "content_rejected"
    POLICY = "policy"
    AUTH_FAILURE = "auth_failure"
    REVERSE_DNS = "reverse_dns"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    SENDER_REJECTED = "sender_rejected"
    RELAY_DENIED = "relay_denied"
    FILTERED = "filtered"
    SECURITY = "security"
    TLS_REQUIRED = "tls_required"
    NOT_RFC_COMPLIANT = "not_rfc_compliant"
    SYNTAX_ERROR = "syntax_error"
    EXPIRED = "expired"
    NETWORK_ERROR = "network_error"
    SYSTEM_ERROR = "system_error"
    SYSTEM_FULL = "system_full"
    MAILER_ERROR = "mailer_error"
    ON_HOLD = "on_hold"
    SUPPRESSED = "suppressed"
    COMPLAINT = "complaint"
    AUTO_REPLY = "auto_reply"
    DELIVERED = "delivered"
    UNDEFINED = "undefined"

    @property
    def sisimai(self) -> str:
        """The nearest reason name of Sisimai, for comparison and migration."""
        return _SISIMAI[self]

    @property
    def default_category(self) -> Category:
        """The category this reason implies when no rule says otherwise."""
        return _CATEGORY[self]


_SISIMAI: dict[Reason, str] = {
    Reason.USER_UNKNOWN: "userunknown",
    Reason.DOMAIN_UNKNOWN: "hostunknown",
    Reason.ADDRESS_MOVED: "hasmoved",
    Reason.NOT_ACCEPTING_MAIL: "notaccept",
    Reason.ACCOUNT_DISABLED: "suspend",
    Reason.MAILBOX_FULL: "mailboxfull",
    Reason.MESSAGE_TOO_LARGE: "mesgtoobig",
    Reason.EXCEEDED_LIMIT: "exceedlimit",
    Reason.IP_BLOCKED: "blocked",
    Reason.BAD_REPUTATION: "badreputation",
    Reason.SPAM_CONTENT: "spamdetected",
    Reason.VIRUS: "virusdetected",
    Reason.CONTENT_REJECTED: "contenterror",
    Reason.POLICY: "policyviolation",
    Reason.AUTH_FAILURE: "authfailure",
    Reason.REVERSE_DNS: "requireptr",
    Reason.RATE_LIMITED: "speeding",
    Reason.TOO_MANY_CONNECTIONS: "toomanyconn",
    Reason.SENDER_REJECTED: "rejected",
    Reason.RELAY_DENIED: "norelaying",
    Reason.FILTERED: "filtered",
    Reason.SECURITY: "securityerror",
    Reason.TLS_REQUIRED: "failedstarttls",
    Reason.NOT_RFC_COMPLIANT: "notcompliantrfc",
    Reason.SYNTAX_ERROR: "syntaxerror",
    Reason.EXPIRED: "expired",
    Reason.NETWORK_ERROR: "networkerror",
    Reason.SYSTEM_ERROR: "systemerror",
    Reason.SYSTEM_FULL: "systemfull",
    Reason.MAILER_ERROR: "mailererror",
    Reason.ON_HOLD: "onhold",
    Reason.SUPPRESSED: "suppressed",
    Reason.COMPLAINT: "feedback",
    Reason.AUTO_REPLY: "vacation",
    Reason.DELIVERED: "delivered",
    Reason.UNDEFINED: "undefined",
}

# Disabled accounts are `soft`, as in Sisimai: Yahoo, Outlook.com and others reactivate
# dormant accounts, so suppress only after repeats (the policy's job), not on the first.
_CATEGORY: dict[Reason, Category] = {
    Reason.USER_UNKNOWN: Category.HARD,
    Reason.DOMAIN_UNKNOWN: Category.HARD,
    Reason.ADDRESS_MOVED: Category.HARD,
    Reason.NOT_ACCEPTING_MAIL: Category.HARD,
    Reason.ACCOUNT_DISABLED: Category.SOFT,
    Reason.MAILBOX_FULL: Category.SOFT,
    Reason.MESSAGE_TOO_LARGE: Category.SOFT,
    Reason.EXCEEDED_LIMIT: Category.SOFT,
    Reason.IP_BLOCKED: Category.BLOCK,
    Reason.BAD_REPUTATION: Category.BLOCK,
    Reason.SPAM_CONTENT: Category.BLOCK,
    Reason.VIRUS: Category.BLOCK,
    Reason.CONTENT_REJECTED: Category.BLOCK,
    Reason.POLICY: Category.BLOCK,
    Reason.AUTH_FAILURE: Category.BLOCK,
    Reason.REVERSE_DNS: Category.BLOCK,
    Reason.RATE_LIMITED: Category.BLOCK,
    Reason.TOO_MANY_CONNECTIONS: Category.BLOCK,
    Reason.SENDER_REJECTED: Category.BLOCK,
    Reason.RELAY_DENIED: Category.BLOCK,
    # The recipient's side refused after accepting the address, or an "unknown user" that
    # nothing confirms: not proof the address is bad, nor a refusal of the sender. Soft, so
    # that repeats (not one reply) suppress it; `block` would keep a dead address forever.
    Reason.FILTERED: Category.SOFT,
    Reason.SECURITY: Category.BLOCK,
    Reason.TLS_REQUIRED: Category.BLOCK,
    Reason.NOT_RFC_COMPLIANT: Category.BLOCK,
    Reason.SYNTAX_ERROR: Category.BLOCK,  # the sending software broke SMTP: fix the sender
    Reason.EXPIRED: Category.SOFT,
    Reason.NETWORK_ERROR: Category.SOFT,
    Reason.SYSTEM_ERROR: Category.SOFT,
    Reason.SYSTEM_FULL: Category.SOFT,
    Reason.MAILER_ERROR: Category.SOFT,
    Reason.ON_HOLD: Category.SOFT,
    Reason.SUPPRESSED: Category.SOFT,
    Reason.COMPLAINT: Category.COMPLAINT,
    Reason.AUTO_REPLY: Category.AUTO_REPLY,
    Reason.DELIVERED: Category.DELIVERED,
    Reason.UNDEFINED: Category.UNKNOWN,
}


class ReportKind(StrEnum):
    """What kind of message was read."""

    DSN = "dsn"  # RFC 3464 delivery status notification
    NDR = "ndr"  # an MTA's own plain-text non-delivery report
    FEEDBACK = "feedback"  # RFC 5965 ARF complaint report
    AUTO_REPLY = "auto_reply"  # RFC 3834 auto-response
    REPLY = "reply"  # a bare SMTP reply or MTA diagnostic line, not a message
    NOT_BOUNCE = "not_bounce"  # ordinary mail, or nothing recognisable
    REJECTED = "rejected"  # refused before parsing (size policy)


class Stage(StrEnum):
    """The engine stage that decided a bounce, in the order they run."""

    PROVIDER_RULE = "provider_rule"
    GENERIC_RULE = "generic_rule"
    ENHANCED_STATUS = "enhanced_status"
    REPLY_CLASS = "reply_class"
    REPORT = "report"  # decided by the kind of report itself (ARF, auto-reply, delivered)
    NONE = "none"


class Action(StrEnum):
    """What the fixer should do (the headline of the advice)."""

    SUPPRESS = "suppress"
    RETRY = "retry"
    SLOW_DOWN = "slow_down"
    FIX_SENDER_SETUP = "fix_sender_setup"
    FIX_CONTENT = "fix_content"
    CONTACT_IP_OWNER = "contact_ip_owner"
    REQUEST_DELISTING = "request_delisting"
    CONTACT_RECIPIENT = "contact_recipient"
    UNSUBSCRIBE = "unsubscribe"
    IGNORE = "ignore"
    INVESTIGATE = "investigate"


class Fixer(StrEnum):
    """Who can fix the problem."""

    RECIPIENT = "recipient"
    SENDER = "sender"
    IP_OWNER = "ip_owner"  # the operator of the sending server / its ISP or host
    RECEIVING_ADMIN = "receiving_admin"
    NOBODY = "nobody"


def _plain(value: Any) -> Any:
    """JSON-ready form of one field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, EnhancedStatus):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return str(value)


_C = TypeVar("_C", bound=type)


def _fast_init(cls: _C) -> _C:
    """Give a frozen slotted dataclass a faster `__init__` with the same signature.

    The generated one looks `object.__setattr__` up and resolves the slot by name for each
    field; this one calls each slot's own descriptor (bound once, at import). The record stays
    frozen (assignment still raises), equal and hashable as before: only `__init__` changes.
    The source is built from the class's own field names, as `dataclasses` itself does.
    """
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, Any] = {}
    for f in fields(cls):
        if f.default_factory is not MISSING or not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields are supported")
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        namespace[f"_s_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _s_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # field names of our own classes only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = dict(vars(cls)["__init__"].__annotations__)
    type.__setattr__(cls, "__init__", init)
    return cls


class _Record:
    """Mixin: `to_dict()` for the frozen dataclasses below."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready plain data (enums as their values)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@_fast_init
@dataclass(frozen=True, slots=True)
class Provider(_Record):
    """A mailbox provider or filtering service that refused the mail."""

    id: str
    name: str
    links: tuple[tuple[str, str], ...] = ()  # (label, url), e.g. ("postmaster", "https://...")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "links": dict(self.links)}


@_fast_init
@dataclass(frozen=True, slots=True)
class Advice(_Record):
    """What to do, who can do it, in English and French, with links."""

    key: str
    action: Action
    fixer: Fixer
    en: str
    fr: str
    links: tuple[str, ...] = ()

    def text(self, lang: str = "en") -> str:
        """The advice in `lang` ("en" or "fr"); English for any other language."""
        return self.fr if lang == "fr" else self.en


@_fast_init
@dataclass(frozen=True, slots=True)
class Match(_Record):
    """Which stage, signature pack and rule decided a bounce (for `--explain`)."""

    stage: Stage
    pack: str | None = None
    rule: str | None = None
    detail: str = ""  # e.g. the keyword or status that fired

    @property
    def rule_id(self) -> str | None:
        """The namespaced rule id, `pack/rule`."""
        return f"{self.pack}/{self.rule}" if self.pack and self.rule else None


@_fast_init
@dataclass(frozen=True, slots=True)
class Bounce(_Record):
    """One recipient's outcome."""

    recipient: str | None
    action: str | None  # failed, delayed, delivered, relayed, expanded (RFC 3464)
    smtp_code: int | None
    enhanced_status: EnhancedStatus | None
    reason: Reason
    category: Category
    permanent: bool
    block_type: BlockType | None
    blocklist: str | None
    blocked_ip: str | None
    provider: Provider | None
    remote_mta: str | None
    smtp_command: str | None
    diagnostic: str
    advice: Advice
    match: Match
    feedback_type: str | None = None  # ARF Feedback-Type, for complaints
    source: str = ""  # where the evidence came from: dsn, ndr:<family>, arf, reply, heuristic
    # When `provider` is a filtering gateway (Proofpoint, Mimecast...), the recipient's own
    # mailbox provider behind it, if the domain or host names one.
    recipient_provider: Provider | None = None
    # Which reader produced this result and how far to trust it (`_provenance.py`, G10):
    # `dsn`, `arf`, `esp:<name>`, `ndr:<family>`, `smtp-reply`, `heuristic:<name>`...
    provenance: str = ""
    confidence: Confidence = Confidence.LOW

    @property
    def is_failure(self) -> bool:
        """True when delivery to this recipient failed or is failing."""
        return self.category in (Category.HARD, Category.SOFT, Category.BLOCK)


@_fast_init
@dataclass(frozen=True, slots=True)
class BounceReport(_Record):
    """Everything read from one input: its kind, one bounce per recipient, and context."""

    kind: ReportKind
    bounces: tuple[Bounce, ...]
    defects: tuple[str, ...] = ()
    reporting_mta: str | None = None
    original_message_id: str | None = None
    original_from: str | None = None
    original_subject: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())  # e.g. ARF source-ip, arrival-date

    @property
    def failures(self) -> tuple[Bounce, ...]:
        """The bounces that are failures (hard, soft or block)."""
        return tuple(b for b in self.bounces if b.is_failure)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        data["extra"] = dict(self.extra)
        return data
