"""DNS blocklists and reputation lists named inside a reply text (providers.md §26).

The table is data (`bouncekit/blocklists.toml`), read and compiled once, on first use: the
engine asks `find_blocklist` for the first list a block text names, so that
`Bounce.blocklist`, the advice links and `Bounce.blocked_ip` are filled whatever the
provider. Two kinds of entry mean the opposite of a listing: a receiver that misread the
list's "query refused" answer, and a closed list (SORBS since 2024) still configured at the
receiver. Those say so, and the advice sends the sender to the recipient's admin instead.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import regex

from bouncekit._errors import SignatureError
from bouncekit._keywords import Keywords, Scan, fold_for_literals, positions, required_literals

KINDS = ("ip", "domain", "reputation", "receiver_error", "defunct")
_KEYS = {"id", "name", "kind", "pattern", "context", "lookup", "lookup_ip", "note", "advice"}
_KEYS_ALL = _KEYS | {"examples"}
FLAGS = regex.IGNORECASE | regex.VERSION1
SCAN_LIMIT = 4096  # characters of the text searched; lists are named early in a reply

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
# Where a reply puts the *listed* IP: after a lookup URL's query, "client host [", "from";
# or before "is listed / is in a black list". Two patterns, each with a narrow first
# character, so that a long text is scanned fast; fixed prefixes and bounded gaps only.
_IP_AFTER = regex.compile(
    rf"(?:[?&](?:ip|ipr|q|searchterm)=|/query/ip/|bl\.shtml\?|client host \[|client \[|"
    rf"\bfrom (?:ip )?\[?|\bip (?:address )?\[?)({_IP})(?![\d.]|\.\d)",
    FLAGS,
)
_IP_BEFORE = regex.compile(
    rf"(?<![\d.])\[?({_IP})\]?(?::\d{{1,5}})?\W{{0,3}}(?:is |was )?(?:currently )?"
    rf"(?:listed|in an? (?:rbl|dnsbl|black ?list|block ?list))",
    FLAGS,
)

# The zone of a list the table does not know, in the stock phrasings (Postfix "blocked
# using", Exim "is in a black list at", Sendmail "listed at"). Two labels at least.
_ZONE = regex.compile(
    r"(?:blocked using|listed (?:at|on|in|by)|in an? (?:rbl|dnsbl|black ?list|block ?list) "
    r"(?:at|on))\W{1,3}([a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9][a-z0-9-]{0,62}){1,6})",
    FLAGS,
)


_ZONE_NEEDS = required_literals(_ZONE) or frozenset([""])  # ("" is in every text)


@dataclass(frozen=True, slots=True)
class Blocklist:
    """One list, as the table describes it."""

    id: str
    name: str  # display name, with the sub-list when known ("Spamhaus PBL")
    kind: str  # one of KINDS
    pattern: regex.Pattern[str]
    context: regex.Pattern[str] | None
    lookup: str | None  # lookup / delisting page
    lookup_ip: str | None  # the same, with "{ip}" for the listed IP
    note: str
    advice: str | None  # advice key that replaces the generic block advice, if any
    examples: tuple[str, ...]

    @property
    def receiver_side(self) -> bool:
        """True when naming this list says nothing against the sender."""
        return self.kind in ("receiver_error", "defunct")

    def links(self, ip: str | None) -> tuple[str, ...]:
        if ip and self.lookup_ip:
            return (self.lookup_ip.replace("{ip}", ip),)
        return (self.lookup,) if self.lookup else ()


@dataclass(frozen=True, slots=True)
class BlocklistHit:
    """A list found in a text, with the listed IP when the text gives it."""

    blocklist: Blocklist
    ip: str | None

    @property
    def name(self) -> str:
        return self.blocklist.name

    @property
    def links(self) -> tuple[str, ...]:
        return self.blocklist.links(self.ip)

    @property
    def lookup(self) -> str | None:
        return self.blocklist.lookup


_DEFAULT_ADVICE = {"receiver_error": "blocklist-receiver-error", "defunct": "blocklist-defunct"}


def _compile(source: Any, where: str) -> regex.Pattern[str]:
    if not isinstance(source, str):
        raise SignatureError(f"{where}: must be a string")
    try:
        return regex.compile(source, FLAGS)
    except (regex.error, ValueError) as exc:
        raise SignatureError(f"{where}: invalid pattern: {exc}") from None


def parse_table(data: dict[str, Any], origin: str) -> tuple[Blocklist, ...]:
    """Validate the TOML table of lists (unknown keys and bad kinds are errors)."""
    out: list[Blocklist] = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("list", [])):
        where = f"{origin}: list[{i}]"
        if not isinstance(item, dict):
            raise SignatureError(f"{where}: must be a table")
        unknown = set(item) - _KEYS_ALL
        if unknown:
            raise SignatureError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
        lid, name, kind = item.get("id"), item.get("name"), item.get("kind")
        if not isinstance(lid, str) or not isinstance(name, str) or lid in seen:
            raise SignatureError(f"{where}: needs a unique 'id' and a 'name'")
        seen.add(lid)
        if kind not in KINDS:
            raise SignatureError(f"{where}: kind must be one of {', '.join(KINDS)}")
        examples = item.get("examples", [])
        if not examples or not all(isinstance(e, str) for e in examples):
            raise SignatureError(f"{where}: needs 'examples' (a list of reply texts)")
        context = item.get("context")
        out.append(
            Blocklist(
                id=lid,
                name=name,
                kind=kind,
                pattern=_compile(item.get("pattern"), f"{where}.pattern"),
                context=_compile(context, f"{where}.context") if context is not None else None,
                lookup=item.get("lookup"),
                lookup_ip=item.get("lookup_ip"),
                note=str(item.get("note", "")),
                advice=item.get("advice", _DEFAULT_ADVICE.get(kind)),
                examples=tuple(examples),
            )
        )
    return tuple(out)


class _Table:
    """The compiled table, with the literals each list's pattern needs to match."""

    __slots__ = ("by_literal", "index", "lists", "literals", "needs", "unread")

    def __init__(self, lists: tuple[Blocklist, ...]) -> None:
        self.lists = lists
        # A list's pattern runs only when the text holds a literal it needs (None: unknown,
        # always runs); one combined pattern of all lists cost ~0.4 ms even on a short reply.
        self.needs = tuple(required_literals(b.pattern, expand=True) for b in lists)
        # ... and those the unknown-zone pattern needs: one lookup in the engine's scan
        self.literals = frozenset(n for needs in self.needs for n in needs or ()) | _ZONE_NEEDS
        # The same literals as an index of their own, for a scan made without the registry.
        self.index = Keywords(self.literals)
        # literal -> the lists it admits, a bit per position (bit i: lists[i], tried lowest
        # first: in table order); `unread`: the lists of no known literal, always tried
        self.by_literal: dict[str, int] = {}
        self.unread = 0
        for i, needs in enumerate(self.needs):
            for n in needs or ():
                self.by_literal[n] = self.by_literal.get(n, 0) | 1 << i
            if needs is None:
                self.unread |= 1 << i


_table: _Table | None = None
_lock = threading.Lock()


def _load() -> _Table:
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                origin = "bouncekit/blocklists.toml"
                text = (resources.files("bouncekit") / "blocklists.toml").read_text("utf-8")
                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    raise SignatureError(f"{origin}: invalid TOML: {exc}") from None
                _table = _Table(parse_table(data, origin))
    return _table


def blocklists() -> tuple[Blocklist, ...]:
    """Every known list, in matching order."""
    return _load().lists


def listed_ip(text: str, exclude: str | None = None) -> str | None:
    """The IP a blocklist text says is listed ("client host [IP]", "?ip=IP", "IP is listed")."""
    head = text[:SCAN_LIMIT]
    found = [
        (m.start(), m.group(1))
        for pattern in (_IP_AFTER, _IP_BEFORE)
        for m in pattern.finditer(head)
        if m.group(1) != exclude and not m.group(1).startswith(("127.", "0."))
    ]
    return str(min(found)[1]) if found else None


def blocklist_literals() -> frozenset[str]:
    """The literals one of which each list's pattern needs, and those of the unknown-zone
    pattern (for a registry's index)."""
    return _load().literals


def find_blocklist(
    text: str, exclude_ip: str | None = None, scan: Scan | None = None
) -> BlocklistHit | None:
    """The first known list named in `text` (with the listed IP when given); else a DNS zone
    the text says it was "blocked using" or "listed at"; else None.

    `scan`, the engine's scan of the lowercased `text`, saves looking for each literal: a
    registry's scan has found them already (its index holds `blocklist_literals()`).
    """
    table = _load()
    head = text[:SCAN_LIMIT]
    folded = fold_for_literals(head)
    if scan is not None and scan.lowered == folded:  # usually case folding is lower()
        present = scan.present if scan.present is not None else table.index.found(scan.lowered)
    else:
        present = {n for n in table.literals if n in folded}
    admitted = table.unread  # the lists that can be named here
    by_literal = table.by_literal
    for literal in by_literal.keys() & present:
        admitted |= by_literal[literal]
    for i in positions(admitted):
        bl = table.lists[i]
        if bl.pattern.search(head) and (bl.context is None or bl.context.search(head)):
            # Only an IP list lists an IP; a refused query or a dead list lists nobody.
            ip = listed_ip(head, exclude_ip) if bl.kind in ("ip", "reputation") else None
            return BlocklistHit(bl, ip)
    m = _ZONE.search(head) if not _ZONE_NEEDS.isdisjoint(present) else None
    if m is None:
        return None
    zone = m.group(1).lower().rstrip(".")
    ip = listed_ip(head, exclude_ip)
    # An unknown zone: it lists an IP when the text names one, else a domain.
    unknown = Blocklist(
        id="zone",
        name=zone,
        kind="ip" if ip else "domain",
        pattern=_ZONE,
        context=None,
        lookup=None,
        lookup_ip=None,
        note="a DNS list bouncekit does not know: look the zone up",
        advice=None,
        examples=(),
    )
    return BlocklistHit(unknown, ip)
