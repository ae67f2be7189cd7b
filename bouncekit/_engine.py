"""The classification stages, in one place and one order.

For each recipient's evidence:

1. **Unwrap** the diagnostic (relay wrappers, continuation tokens) and read the codes.
2. **Report**: an ARF complaint, an auto-reply or a delivery notice decides by itself.
3. **Provider**: from text fingerprints, then the remote MTA host, then the recipient domain.
4. **Provider rules**, then **generic rules**: first match wins, in file order. A generic
   verdict is then **refined by its context** (`_refine`): the SMTP command it answered, the
   enhanced status and the code class (an "unknown user" after DATA is the recipient's
   filter; a recipient reason said to MAIL FROM is about the sender; a 4xx domain lookup is
   a DNS error). Provider rules are never refined.
5. **Enhanced-status fallback** (RFC 3463 subject.detail), then the **reply-class fallback**
   (RFC 5321/7504 codes with a fixed meaning, delayed reports, the command answered).

`Bounce.match` records which stage (and which rule) decided. Same input, same output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from bouncekit._blocklists import find_blocklist
from bouncekit._evidence import Evidence
from bouncekit._keywords import Scan
from bouncekit._provenance import judge
from bouncekit._registry import CompiledPack, Registry
from bouncekit._schema import Rule
from bouncekit._smtp import EnhancedStatus, find_reply_code, find_status
from bouncekit._text import (
    MAX_DIAGNOSTIC,
    MAX_FIELD,
    clean,
    domain_of,
    strip_continuations,
    unwrap,
)
from bouncekit._types import (
    Advice,
    BlockType,
    Bounce,
    Category,
    Match,
    Provider,
    Reason,
    Stage,
    _fast_init,
)

# Patterns are pump-tested to be linear (tests/test_patterns_pump.py, and again when a pack
# loads), so a search takes microseconds. The `timeout=` is only a backstop against a runaway
# search, set far above any real cost: regex counts it in process-wide CPU time, so a tight
# value would fire under load from other threads and make results depend on load (G5/G6).
PATTERN_BACKSTOP = 1.0  # seconds of process CPU time

_BLOCK_TYPE: dict[Reason, BlockType] = {
    Reason.IP_BLOCKED: BlockType.IP_REPUTATION,
    Reason.BAD_REPUTATION: BlockType.IP_REPUTATION,
    Reason.SPAM_CONTENT: BlockType.CONTENT_SPAM,
    Reason.VIRUS: BlockType.VIRUS,
    Reason.CONTENT_REJECTED: BlockType.PROTOCOL,
    Reason.POLICY: BlockType.POLICY,
    Reason.AUTH_FAILURE: BlockType.AUTH,
    Reason.REVERSE_DNS: BlockType.RDNS,
    Reason.RATE_LIMITED: BlockType.RATE_LIMIT,
    Reason.TOO_MANY_CONNECTIONS: BlockType.RATE_LIMIT,
    Reason.SENDER_REJECTED: BlockType.SENDER_INVALID,
    Reason.RELAY_DENIED: BlockType.POLICY,
    Reason.FILTERED: BlockType.POLICY,
    Reason.SECURITY: BlockType.POLICY,  # a bare 5.7.x says "not authorized", not why
    Reason.TLS_REQUIRED: BlockType.TLS,
    Reason.NOT_RFC_COMPLIANT: BlockType.PROTOCOL,
    Reason.SYNTAX_ERROR: BlockType.PROTOCOL,
}

# Default advice key per reason (block reasons refine by block type below).
_ADVICE: dict[Reason, str] = {
    Reason.USER_UNKNOWN: "address-invalid",
    Reason.DOMAIN_UNKNOWN: "domain-invalid",
    Reason.ADDRESS_MOVED: "address-moved",
    Reason.NOT_ACCEPTING_MAIL: "domain-invalid",
    Reason.ACCOUNT_DISABLED: "account-disabled",
    Reason.MAILBOX_FULL: "mailbox-full",
    Reason.MESSAGE_TOO_LARGE: "message-too-large",
    Reason.EXCEEDED_LIMIT: "mailbox-full",
    Reason.EXPIRED: "transient",
    Reason.NETWORK_ERROR: "transient",
    Reason.SYSTEM_ERROR: "transient",
    Reason.SYSTEM_FULL: "transient",
    Reason.MAILER_ERROR: "transient",
    Reason.ON_HOLD: "transient",
    Reason.SYNTAX_ERROR: "protocol",
    Reason.SUPPRESSED: "suppressed",
    Reason.COMPLAINT: "complaint",
    Reason.AUTO_REPLY: "auto-reply",
    Reason.DELIVERED: "delivered",
    Reason.UNDEFINED: "unknown",
    Reason.RELAY_DENIED: "relay-denied",
    Reason.FILTERED: "filtered",
}
_BLOCK_ADVICE: dict[BlockType, str] = {
    BlockType.IP_REPUTATION: "ip-blocked",
    BlockType.NAMED_BLOCKLIST: "ip-blocklisted",
    BlockType.COMPLAINTS: "ip-complaints",
    BlockType.RATE_LIMIT: "rate-limit",
    BlockType.RDNS: "rdns",
    BlockType.AUTH: "auth",
    BlockType.CONTENT_SPAM: "content-spam",
    BlockType.VIRUS: "virus",
    BlockType.POLICY: "policy",
    BlockType.PROTOCOL: "protocol",
    BlockType.TLS: "tls",
    BlockType.SENDER_INVALID: "sender-invalid",
    BlockType.SENDER_ACCOUNT: "sender-account",
}

# RFC 3463 subject.detail -> reason, for replies no rule recognised.
_STATUS_REASON: dict[tuple[int, int], Reason] = {
    (1, 0): Reason.USER_UNKNOWN,
    (1, 1): Reason.USER_UNKNOWN,
    (1, 2): Reason.DOMAIN_UNKNOWN,
    (1, 3): Reason.USER_UNKNOWN,
    (1, 4): Reason.USER_UNKNOWN,
    (1, 6): Reason.ADDRESS_MOVED,
    (1, 7): Reason.SENDER_REJECTED,
    (1, 8): Reason.SENDER_REJECTED,
    (1, 10): Reason.USER_UNKNOWN,
    (2, 0): Reason.FILTERED,
    (2, 1): Reason.ACCOUNT_DISABLED,
    (2, 2): Reason.MAILBOX_FULL,
    (2, 3): Reason.EXCEEDED_LIMIT,
    (2, 4): Reason.SYSTEM_ERROR,
    (3, 0): Reason.SYSTEM_ERROR,
    (3, 1): Reason.SYSTEM_FULL,
    (3, 2): Reason.NOT_ACCEPTING_MAIL,
    (3, 3): Reason.SYSTEM_ERROR,
    (3, 4): Reason.MESSAGE_TOO_LARGE,
    (3, 5): Reason.SYSTEM_ERROR,
    (4, 0): Reason.NETWORK_ERROR,
    (4, 1): Reason.NETWORK_ERROR,
    (4, 2): Reason.NETWORK_ERROR,
    (4, 3): Reason.SYSTEM_ERROR,
    (4, 4): Reason.DOMAIN_UNKNOWN,
    (4, 5): Reason.SYSTEM_ERROR,
    (4, 6): Reason.NETWORK_ERROR,
    (4, 7): Reason.EXPIRED,
    (5, 0): Reason.SYNTAX_ERROR,
    (5, 1): Reason.SYNTAX_ERROR,
    (5, 2): Reason.SYNTAX_ERROR,
    (5, 3): Reason.TOO_MANY_CONNECTIONS,  # "too many recipients" for this session
    (5, 4): Reason.SYNTAX_ERROR,
    (6, 0): Reason.CONTENT_REJECTED,
    (6, 1): Reason.CONTENT_REJECTED,
    (6, 2): Reason.CONTENT_REJECTED,
    (6, 3): Reason.CONTENT_REJECTED,
    (6, 4): Reason.CONTENT_REJECTED,
    (6, 5): Reason.CONTENT_REJECTED,
    (7, 0): Reason.SECURITY,
    (7, 1): Reason.SECURITY,
    (7, 2): Reason.POLICY,
    (7, 3): Reason.SECURITY,
    (7, 4): Reason.SECURITY,
    (7, 5): Reason.SECURITY,
    (7, 6): Reason.SECURITY,
    (7, 7): Reason.SECURITY,
    (7, 8): Reason.SECURITY,  # SMTP AUTH credentials invalid (the client's login)
    (7, 9): Reason.POLICY,
    (7, 10): Reason.TLS_REQUIRED,
    (7, 11): Reason.TLS_REQUIRED,
    (7, 13): Reason.ACCOUNT_DISABLED,
    (7, 14): Reason.SECURITY,
    (7, 20): Reason.AUTH_FAILURE,  # RFC 7372: DKIM
    (7, 21): Reason.AUTH_FAILURE,
    (7, 22): Reason.AUTH_FAILURE,
    (7, 23): Reason.AUTH_FAILURE,
    (7, 24): Reason.AUTH_FAILURE,
    (7, 25): Reason.REVERSE_DNS,
    (7, 26): Reason.AUTH_FAILURE,
    (7, 27): Reason.NOT_ACCEPTING_MAIL,
    (7, 28): Reason.RATE_LIMITED,
}

# RFC 5321/7504 reply codes that say *why* by themselves, for replies nothing else read.
_CODE_REASON: dict[int, Reason] = {
    451: Reason.SYSTEM_ERROR,  # local error in processing
    500: Reason.SYNTAX_ERROR,
    501: Reason.SYNTAX_ERROR,
    502: Reason.SYNTAX_ERROR,
    503: Reason.SYNTAX_ERROR,
    504: Reason.SYNTAX_ERROR,
    521: Reason.NOT_ACCEPTING_MAIL,  # RFC 7504: this host does not accept mail
    530: Reason.SECURITY,  # authentication required
    535: Reason.SECURITY,  # authentication credentials invalid
    556: Reason.NOT_ACCEPTING_MAIL,  # RFC 7504: the domain does not accept mail
}

_IPV4 = regex.compile(
    r"(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\d.]|\.\d)"
)


def _status_matches(rule_status: tuple[str, ...], status: str) -> bool:
    """`status` (text) is one of the rule's statuses or under one of its prefixes ("5.7")."""
    return any(
        status == s or status.startswith(s if s.endswith(".") else s + ".") for s in rule_status
    )


def first_rule(
    pack: CompiledPack,
    lowered: str | Scan,
    text: str,
    status: EnhancedStatus | None,
    code: int | None,
) -> Rule | None:
    """The first rule of `pack` that fires on this text, in file order.

    A rule fires when its statuses (if any) admit the status, its codes (if any) the code,
    and its pattern (if any) is found. The checks are inline: this loop runs for each
    candidate of each message.
    """
    status_text: str | None = None
    for rule in pack.candidates(lowered):
        if rule.status:
            if status is None:
                continue
            if status_text is None:
                status_text = str(status)
            if not _status_matches(rule.status, status_text):
                continue
        if rule.codes and code not in rule.codes:
            continue
        if rule.pattern is None:
            return rule
        try:
            if rule.pattern.search(text, timeout=PATTERN_BACKSTOP) is not None:
                return rule
        except TimeoutError:  # a runaway pattern does not decide; the next rule may
            continue
    return None


def _provider(registry: Registry, pack_id: str | None) -> Provider | None:
    return registry.provider(pack_id)


def _behind_gateway(
    registry: Registry, pack_id: str | None, remote: str | None, recipient: str | None
) -> Provider | None:
    """When a filtering gateway refused, the mailbox provider behind it (from the recipient
    domain, else the remote host), if known: the gateway is reported, the provider kept."""
    cp = registry.pack(pack_id) if pack_id else None
    if cp is None or cp.pack.kind != "filter":
        return None
    behind = (registry.provider_by_domain(domain_of(recipient)), registry.provider_by_host(remote))
    for pid in behind:
        other = registry.pack(pid) if pid else None
        if other is not None and other.pack.kind == "provider":
            return _provider(registry, pid)
    return None


def _advice(
    registry: Registry, key: str, provider: Provider | None, extra_links: tuple[str, ...]
) -> Advice:
    advice = registry.worded_advice(key, provider)
    if not extra_links:
        return advice
    # A rule's or a blocklist's own links come first.
    links = tuple(dict.fromkeys(extra_links + advice.links))
    return Advice(
        key=advice.key, action=advice.action, fixer=advice.fixer, en=advice.en, fr=advice.fr,
        links=links,
    )  # fmt: skip


def _clean(value: str | None, limit: int = MAX_FIELD) -> str | None:
    """`clean`, with None for nothing left (the record's unset field)."""
    return clean(value, limit) or None


def _blocked_ip(text: str, remote_ip: str | None) -> str | None:
    window = text[: MAX_DIAGNOSTIC * 2]
    if window.count(".") < 3:  # no IPv4 address without three dots
        return None
    for m in _IPV4.finditer(window):
        ip = m.group(1)
        if ip != remote_ip and not ip.startswith(("127.", "0.")):
            return str(ip)
    return None


@_fast_init
@dataclass(frozen=True, slots=True)
class _Facts:
    """What the unwrapped diagnostic says, before any judgement."""

    text: str
    code: int | None
    status: EnhancedStatus | None
    remote: str | None
    remote_ip: str | None
    command: str | None
    relayed: bool  # a report quoting a remote reply (False: the SMTP client's own reply)


def _reply_code(text: str) -> int | None:
    """The reply code the text answers with: the leading one, unless it is a 2xx/3xx banner
    followed by the real refusal ("220 mx.example ESMTP ... 421 4.2.1 Service refused")."""
    code = find_reply_code(text[:12] if text[:3].isdigit() else text)
    if code is not None and code < 400:
        later = find_reply_code(text[4:])
        if later is not None and later >= 400:
            return later
    return code


def _facts(ev: Evidence) -> _Facts:
    u = unwrap(ev.diagnostic) if ev.diagnostic else None
    text = strip_continuations(u.text) if u else ""
    code = ev.code
    if code is None or (code < 400 and text) or (u is not None and u.quoted):
        code = _reply_code(text) or code
    # Positional (as declared in `_Facts`): binding seven keywords costs ~0.2 us a reply.
    return _Facts(
        text,  # text
        code,  # code
        _best_status(ev.status, find_status(text), code),  # status
        ev.remote_mta or (u.remote_host if u else None),  # remote
        u.remote_ip if u else None,  # remote_ip
        ev.command or (u.command if u else None),  # command
        ev.source != "reply",  # relayed
    )


def classify(ev: Evidence, registry: Registry) -> Bounce:
    """Judge one recipient's evidence through the stages, in order."""
    facts = _facts(ev)
    text = facts.text

    # Stage 2: the report kind decides by itself.
    if ev.decided is not None:
        match = Match(Stage.REPORT, detail=ev.source)
        return _bounce(
            ev, registry, facts, ev.decided, ev.decided.default_category, None, None, match
        )

    # Stage 3: provider.
    scan = registry.scan(text.lower())  # the registry's keywords, found once for every stage
    pack_id = (
        registry.provider_by_text(scan, text)
        or registry.provider_by_host(facts.remote)
        or registry.provider_by_domain(domain_of(ev.recipient))
    )
    provider_pack = registry.pack(pack_id) if pack_id else None

    # Stage 4: provider rules, then generic rules.
    rule = None
    stage = Stage.NONE
    if text:
        if provider_pack is not None:
            rule = first_rule(provider_pack, scan, text, facts.status, facts.code)
            stage = Stage.PROVIDER_RULE
        if rule is None:
            rule = first_rule(registry.generic, scan, text, facts.status, facts.code)
            stage = Stage.GENERIC_RULE
    if rule is not None:
        detail = ""
        if stage is Stage.GENERIC_RULE:
            refined, why = _refine(rule.reason, facts)
            if refined is not rule.reason:
                rule = _with_reason(rule, refined)
                detail = f"{why}: {refined.value}"
        match = Match(stage, rule.pack, rule.id, detail)
        category = _hard_only_if_permanent(rule.category, facts)
        return _bounce(ev, registry, facts, rule.reason, category, rule, pack_id, match, scan)

    # Stage 5: enhanced status, then reply class.
    reason, match = _fallback(ev, facts)
    category = _hard_only_if_permanent(reason.default_category, facts)
    return _bounce(ev, registry, facts, reason, category, None, pack_id, match, scan)


def _hard_only_if_permanent(category: Category, facts: _Facts) -> Category:
    """A bad address said with a 4xx ("450 4.1.1 try later") is not yet proof: soft."""
    if category is Category.HARD and _transient(facts):
        return Category.SOFT
    return category


# Reasons that blame the recipient's address. Said in reply to MAIL FROM, they are about the
# envelope sender instead ("553 5.1.8 ... domain does not exist" is the sender's domain).
_ADDRESS_REASONS = frozenset(
    {Reason.USER_UNKNOWN, Reason.DOMAIN_UNKNOWN, Reason.ADDRESS_MOVED, Reason.FILTERED}
)
# ... and what a bare code says when no rule read the text (5.7.1, 5.5.x, nothing).
_VAGUE_REASONS = _ADDRESS_REASONS | {Reason.SECURITY, Reason.SYNTAX_ERROR, Reason.UNDEFINED}

# Said at the greeting (or to HELO), a vague refusal is about the connecting host.
_GREETING = ("CONNECT", "HELO", "EHLO")
_GREETING_REASONS = frozenset(
    {Reason.SYSTEM_ERROR, Reason.SECURITY, Reason.SYNTAX_ERROR, Reason.UNDEFINED}
)

# Wording that only a reply to RCPT TO carries (Postfix's smtpd_recipient_restrictions).
_RCPT_STAGE = regex.compile(r"recipient address rejected:", regex.IGNORECASE)
# A pipelined DATA told that every RCPT TO had already been refused: the refusal is RCPT's.
_ALL_RCPT_REFUSED = regex.compile(r"all recipient addresses rejected", regex.IGNORECASE)

# An addressing status more precise than "unknown user" wins over the phrase.
_ADDRESS_STATUS: dict[tuple[int, int], Reason] = {
    (1, 2): Reason.DOMAIN_UNKNOWN,
    (1, 6): Reason.ADDRESS_MOVED,
    (2, 1): Reason.ACCOUNT_DISABLED,
}


def _command_is(command: str | None, *names: str) -> bool:
    return command is not None and command.upper().startswith(names)


def _transient(facts: _Facts) -> bool:
    if facts.code is not None and 400 <= facts.code < 600:
        return facts.code < 500
    return facts.status is not None and facts.status.klass == 4


def _refine(reason: Reason, facts: _Facts) -> tuple[Reason, str]:
    """What a generic phrase means once the SMTP command, the status and the code are known.

    Generic phrases are context-free; the context can overturn them. A provider rule is
    written for its provider's replies and is never refined.
    """
    if _command_is(facts.command, "MAIL") and reason in _ADDRESS_REASONS:
        return Reason.SENDER_REJECTED, "said to MAIL FROM"
    if reason in _GREETING_REASONS and _command_is(facts.command, *_GREETING):
        # Refused before any address was sent: the sending host itself is not wanted.
        return Reason.IP_BLOCKED, f"refused at {facts.command}"
    if reason is Reason.DOMAIN_UNKNOWN and _transient(facts):
        # A temporary DNS failure says nothing yet about the domain's existence.
        return Reason.NETWORK_ERROR, "transient"
    if reason is Reason.USER_UNKNOWN:
        return _unknown_user(facts)
    return reason, ""


def _unknown_user(facts: _Facts) -> tuple[Reason, str]:
    """An "unknown user" is a bad address only when something confirms it was one.

    Confirmed: an addressing status (X.1.x) or the reply to RCPT TO. Contradicted: a reply
    after DATA (the address had been accepted), or a status naming the mailbox's state or a
    policy (X.2.0, X.7.1): then the recipient's own filter answered with that wording.
    Unconfirmed: a relayed bare reply code with neither status nor command is filed as
    filtered too (Sisimai's reading): it is not proof enough to suppress the address.
    """
    status, command = facts.status, facts.command
    if command is None and _RCPT_STAGE.search(facts.text):
        command = "RCPT TO"  # Postfix's smtpd says this only in answer to RCPT TO
    elif _command_is(command, "DATA", "BDAT") and _ALL_RCPT_REFUSED.search(facts.text):
        command = "RCPT TO"
    if status is not None:
        precise = _ADDRESS_STATUS.get((status.subject, status.detail))
        if precise is not None and not _command_is(command, "RCPT"):
            return precise, f"status {status}"
        if status.subject == 1:
            return Reason.USER_UNKNOWN, ""
    if _command_is(command, "RCPT"):
        return Reason.USER_UNKNOWN, ""
    if _command_is(command, "DATA", "BDAT"):
        return Reason.FILTERED, "said after DATA"
    if status is not None and (status.subject, status.detail) in ((2, 0), (7, 1)):
        return Reason.FILTERED, f"status {status}"
    unconfirmed = status is None and command is None and facts.relayed
    if unconfirmed and facts.code is not None and facts.code >= 500:
        return Reason.FILTERED, "unconfirmed"
    return Reason.USER_UNKNOWN, ""


def _with_reason(rule: Rule, reason: Reason) -> Rule:
    """`rule` deciding `reason` instead: its category/advice follow unless the rule set them."""
    keep = rule.category is not rule.reason.default_category
    category = rule.category if keep else reason.default_category
    return replace(
        rule,
        reason=reason,
        category=category,
        block_type=rule.block_type if category is Category.BLOCK else None,
        advice=None,
    )


def _best_status(
    field: EnhancedStatus | None, in_text: EnhancedStatus | None, code: int | None = None
) -> EnhancedStatus | None:
    """The remote server's own status (in its reply text) over the report's `Status` field.

    The field is the reporting MTA's summary (often `5.0.0`, or `4.4.7` once the queue gave
    up); the reply carries the receiving server's own code. The field is kept only when the
    text's status contradicts the reply code's class while the field agrees with it.
    """
    if field is None or in_text is None or in_text == field:
        return field or in_text
    if code is not None and 400 <= code < 600:
        klass = code // 100
        if in_text.klass != klass and field.klass == klass:
            return field
    if (in_text.subject, in_text.detail) == (0, 0) and (field.subject, field.detail) != (0, 0):
        return field
    return in_text


def _fallback(ev: Evidence, facts: _Facts) -> tuple[Reason, Match]:
    """No rule fired: the enhanced status, then the reply class, then the command decide."""
    status, code = facts.status, facts.code
    reason: Reason | None = None
    match = Match(Stage.NONE)
    if status is not None:
        if status.klass == 2:
            return Reason.DELIVERED, Match(Stage.ENHANCED_STATUS, detail=str(status))
        reason = _STATUS_REASON.get((status.subject, status.detail))
        if reason is None and status.subject == 7 and status.detail >= 500:
            reason = Reason.POLICY  # Microsoft's 5.7.5xx-9xx families are all policy refusals
        if reason is not None:
            match = Match(Stage.ENHANCED_STATUS, detail=str(status))
    delayed = ev.action == "delayed"
    if reason is None:
        if ev.action in ("delivered", "relayed", "expanded") or (code is not None and code < 400):
            return Reason.DELIVERED, Match(Stage.REPLY_CLASS, detail=ev.action or str(code))
        reason = _CODE_REASON.get(code or 0, Reason.UNDEFINED)
        if code is not None:
            match = Match(Stage.REPLY_CLASS, detail=str(code))
    if delayed and reason in (Reason.UNDEFINED, Reason.NETWORK_ERROR, Reason.SYSTEM_ERROR):
        # Still queued after a transient failure: filed with `expired` (as Sisimai and most
        # ESPs do), unless the status named something more precise (a full mailbox).
        return Reason.EXPIRED, Match(Stage.REPLY_CLASS, detail="delayed")
    # The command the refusal answered says whom it is about when the codes do not.
    if _command_is(facts.command, "MAIL") and reason in _VAGUE_REASONS:
        return Reason.SENDER_REJECTED, Match(Stage.REPLY_CLASS, detail="MAIL FROM")
    if _command_is(facts.command, *_GREETING) and reason in _GREETING_REASONS:
        # Refused before any address was sent: the sending host itself is not wanted.
        return Reason.IP_BLOCKED, Match(Stage.REPLY_CLASS, detail=facts.command or "")
    if reason is Reason.UNDEFINED and _stated_failure(ev):
        # The report states that this recipient failed, but no reason we can read: held.
        return Reason.ON_HOLD, Match(Stage.REPLY_CLASS, detail="failed, no reason")
    return reason, match


def _stated_failure(ev: Evidence) -> bool:
    """A failure record for this recipient in a known report format (a DSN block, an MTA
    family's entry); not a reply alone, nor the generic reader's guess from the text."""
    return ev.action == "failed" and (ev.source == "dsn" or ev.source.startswith("ndr:"))


def _permanent(
    rule: Rule | None,
    code: int | None,
    status: EnhancedStatus | None,
    ev: Evidence,
    category: Category,
) -> bool:
    if rule is not None and rule.permanent is not None:
        return rule.permanent
    if category in (Category.DELIVERED, Category.AUTO_REPLY):
        return False
    if category is Category.HARD:
        return True  # a 4xx never stays hard (_hard_only_if_permanent): the address is bad
    if code is not None and 400 <= code < 600:
        return code >= 500
    if status is not None and status.klass in (4, 5):
        return status.klass == 5
    if category is Category.COMPLAINT:
        return False
    return ev.action == "failed"


def _bounce(
    ev: Evidence,
    registry: Registry,
    facts: _Facts,
    reason: Reason,
    category: Category,
    rule: Rule | None,
    pack_id: str | None,
    match: Match,
    scan: Scan | None = None,
) -> Bounce:
    """The result, built once with every field (only a block reads the blocklist table)."""
    if rule is not None:
        block_type, blocklist, extra_links = rule.block_type, rule.blocklist, rule.links
        key = rule.advice
    else:
        block_type, blocklist, extra_links, key = None, None, (), None
    blocked_ip: str | None = None
    if category is Category.BLOCK:
        listed = find_blocklist(facts.text, facts.remote_ip, scan)
        if block_type is None:
            block_type = _BLOCK_TYPE.get(reason, BlockType.POLICY)
        # A list named in an IP-block text is the cause (a provider rule's explicit type wins).
        upgraded = (
            block_type is BlockType.IP_REPUTATION
            and listed is not None
            and listed.blocklist.kind == "ip"
            and (rule is None or rule.block_type is None or rule.pack == registry.generic.pack.id)
        )
        if upgraded:
            block_type = BlockType.NAMED_BLOCKLIST
        key = key or _BLOCK_ADVICE[block_type]
        ip_read = False
        if listed is not None:
            bl = listed.blocklist
            if blocklist is None or bl.receiver_side or bl.name.startswith(blocklist):
                blocklist = bl.name  # the table's name is the more precise ("Spamhaus PBL")
            extra_links = (*extra_links, *listed.links)
            if bl.receiver_side:  # a refused query or a closed list: nobody listed the sender
                ip_read = True
            elif listed.ip:
                blocked_ip, ip_read = listed.ip, True
            if upgraded and key == "ip-blocked":
                key = "ip-blocklisted"
            if bl.advice and (bl.receiver_side or key in ("ip-blocklisted", "ip-blocked")):
                key = bl.advice
        if not ip_read:  # else the list's own reading decided it: the text need not be searched
            blocked_ip = _blocked_ip(facts.text, facts.remote_ip)
    else:
        block_type = None
        key = key or _ADVICE.get(reason, "unknown")
    provider = registry.provider(pack_id)
    code, status = facts.code, facts.status
    remote, command, feedback_type = facts.remote, facts.command, ev.feedback_type
    provenance, confidence = judge(ev, code, status)  # G10
    # Positional (as declared in `Bounce`): binding 21 keywords by name costs ~0.5 us a result.
    return Bounce(
        ev.recipient,  # recipient
        ev.action,  # action
        code if code is None or 200 <= code < 600 else None,  # smtp_code
        status,  # enhanced_status
        reason,  # reason
        category,  # category
        _permanent(rule, code, status, ev, category),  # permanent
        block_type,  # block_type
        blocklist,  # blocklist
        blocked_ip,  # blocked_ip
        provider,  # provider
        remote if remote is None else _clean(remote),  # remote_mta
        command if command is None else _clean(command),  # smtp_command
        _clean(facts.text, MAX_DIAGNOSTIC) or "",  # diagnostic
        _advice(registry, key, provider, extra_links),  # advice
        match,  # match
        feedback_type if feedback_type is None else _clean(feedback_type),  # feedback_type
        ev.source,  # source
        _behind_gateway(registry, pack_id, facts.remote, ev.recipient),  # recipient_provider
        provenance,  # provenance
        confidence,  # confidence
    )
