"""TOML signature packs -> validated `Pack` and `Rule` objects, with precise errors.

A pack is data: who the provider is (domains, hosts, text fingerprints, links), its advice
texts, and its rules in order. Unknown keys, duplicate ids, bad enum values, unsafe or
invalid patterns and rules without examples are errors naming the file, the rule and the key.

Checking a pattern at load (compile, nested-quantifier scan, pump) is most of the cold start,
and the built-in patterns are the same in every process: the ones recorded in the verified
manifest (`signatures/verified.txt`, written by `python -m bouncekit._verified`, which runs
the same check) load as `LazyPattern`s, compiled on first use. Every other pattern (plugins,
user packs, an edited built-in not yet recorded) is compiled and checked at load.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import regex

from bouncekit._errors import SignatureError
from bouncekit._pattern_safety import UnsafePattern, check_pattern
from bouncekit._types import Action, BlockType, Category, Fixer, Reason

try:  # hashlib's own blake2b, without the 2 ms import of OpenSSL that `hashlib` costs
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

_ID = regex.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_PACK_ID = regex.compile(r"[a-z_][a-z0-9_.-]{0,62}")
PATTERN_FLAGS = regex.IGNORECASE | regex.VERSION1
MANIFEST = "verified.txt"  # in bouncekit/signatures/
REGENERATE = "python -m bouncekit._verified"

_PACK_KEYS = {
    "id", "name", "kind", "domains", "hosts", "fingerprints", "fingerprint_patterns",
    "links", "advice", "rules", "extends", "overrides", "priority", "description",
}  # fmt: skip
_RULE_KEYS = {
    "id", "reason", "category", "block_type", "blocklist", "permanent", "advice", "keywords",
    "pattern", "status", "codes", "examples", "counter_examples", "source", "note", "links",
}  # fmt: skip
_ADVICE_KEYS = {"action", "fixer", "en", "fr", "links"}
_EXAMPLE_KEYS = {"text", "recipient", "remote_mta", "code"}


@dataclass(frozen=True, slots=True)
class Example:
    """A reply text a rule must decide (or, as a counter-example, must not)."""

    text: str
    recipient: str | None = None
    remote_mta: str | None = None
    code: int | None = None


@dataclass(frozen=True, slots=True)
class AdviceSpec:
    key: str
    action: Action
    fixer: Fixer
    en: str
    fr: str
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One signature: when it fires (keywords, pattern, status, codes) and what it means."""

    id: str
    pack: str
    reason: Reason
    category: Category
    block_type: BlockType | None
    blocklist: str | None
    permanent: bool | None  # None: from the codes; set only for "codes that lie"
    advice: str | None
    keywords: tuple[str, ...]  # lowercase; any one must occur (pre-filter)
    pattern: regex.Pattern[str] | LazyPattern | None
    status: tuple[str, ...]  # enhanced status prefixes the evidence must carry, if any
    codes: tuple[int, ...]  # reply codes the evidence must carry, if any
    examples: tuple[Example, ...]
    counter_examples: tuple[Example, ...]
    links: tuple[str, ...]
    source: str
    origin: str = ""  # the file (or plugin) the rule was read from

    @property
    def qualified_id(self) -> str:
        return f"{self.pack}/{self.id}"


@dataclass(frozen=True, slots=True)
class Pack:
    """One provider's (or the generic) signatures."""

    id: str
    name: str
    kind: str  # provider | filter | generic
    domains: tuple[str, ...]
    hosts: tuple[str, ...]  # host suffixes, lowercase
    fingerprints: tuple[str, ...]  # lowercase substrings that name this provider in a text
    fingerprint_patterns: tuple[regex.Pattern[str] | LazyPattern, ...]
    links: tuple[tuple[str, str], ...]
    advice: tuple[AdviceSpec, ...]
    rules: tuple[Rule, ...]
    extends: str | None
    overrides: tuple[str, ...]
    priority: int
    origin: str  # file or plugin it came from


def _err(origin: str, where: str, msg: str) -> SignatureError:
    return SignatureError(f"{origin}: {where}: {msg}")


def _str_list(value: Any, origin: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(origin, where, "must be a list of strings")
    return tuple(value)


# The methods a LazyPattern takes from its compiled pattern on first use.
_BOUND = (
    "findall", "finditer", "fullmatch", "match", "search", "split", "splititer", "sub", "subn",
)  # fmt: skip


class LazyPattern:
    """A verified built-in pattern, compiled on its first use; it stands for that pattern.

    `.pattern` and `.flags` (the compiled pattern's, recorded in the manifest) answer without
    compiling: `required_literals` reads only them. The first call of a method compiles the
    pattern and puts its methods in the instance's `__dict__`, where they are found before
    the class's: later calls cost what the compiled pattern's own do (no `__getattr__`, whose
    hook would slow every attribute read). Threads racing a first use compile it twice, to
    equal patterns, and bind equal methods: no lock is needed.
    """

    def __init__(self, source: str, compile_flags: int, flags: int) -> None:
        self.pattern = source
        self.flags = flags
        self._compile_flags = compile_flags
        self._compiled: regex.Pattern[str] | None = None

    def compiled(self) -> regex.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        compiled = self._compiled
        if compiled is None:
            compiled = regex.compile(self.pattern, self._compile_flags)
            for name in _BOUND:
                self.__dict__[name] = getattr(compiled, name)
            self._compiled = compiled
        return compiled

    @property
    def is_compiled(self) -> bool:
        return self._compiled is not None

    # Only a first use reaches these: it binds the compiled ones over them all (`compiled`).
    def findall(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().findall(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().finditer(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().fullmatch(*args, **kwargs)

    def match(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().match(*args, **kwargs)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().search(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().split(*args, **kwargs)

    def splititer(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().splititer(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().subn(*args, **kwargs)

    @property
    def groups(self) -> int:
        return int(self.compiled().groups)

    @property
    def groupindex(self) -> Mapping[str, int]:
        return dict(self.compiled().groupindex)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, flags={self._compile_flags})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LazyPattern):
            return NotImplemented
        return (self.pattern, self._compile_flags) == (other.pattern, other._compile_flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self._compile_flags))

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str, int, int]]:
        return (LazyPattern, (self.pattern, self._compile_flags, self.flags))


def pattern_key(source: str, flags: int = PATTERN_FLAGS) -> str:
    """A pattern's line in the verified manifest: a hash of its source and flags."""
    return blake2b(f"{flags} {source}".encode(), digest_size=16).hexdigest()


@functools.cache
def verified_patterns() -> Mapping[str, int]:
    """The verified manifest: pattern_key -> the compiled pattern's flags (empty if absent).

    A key is there only if its pattern compiled and passed `check_pattern` when recorded."""
    try:
        text = (resources.files("bouncekit") / "signatures" / MANIFEST).read_text("utf-8")
    except OSError:
        return {}
    return read_manifest(text)


def read_manifest(text: str) -> dict[str, int]:
    """The `key flags` lines of a manifest. Any other line is skipped, not an error (a merge
    conflict's markers, say): a pattern it does not vouch for is only checked at load."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) == 32 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def compile_pattern(
    source: str, origin: str, where: str, verified: Mapping[str, int] | None = None
) -> regex.Pattern[str] | LazyPattern:
    """Compile a signature pattern; invalid syntax, nested quantifiers or a pattern that
    runs out of time on a quick pump are SignatureErrors (an unsafe pack cannot load).
    The checks cost about 0.2 ms a pattern, compiling 0.6 ms: a pattern in `verified` (the
    manifest, for built-in packs only) passed them when recorded, and compiles on first use."""
    if verified:
        flags = verified.get(pattern_key(source))
        if flags is not None:
            return LazyPattern(source, PATTERN_FLAGS, flags)
    try:
        pattern = regex.compile(source, PATTERN_FLAGS)
    except (regex.error, ValueError, TypeError, RecursionError) as exc:
        raise _err(origin, where, f"invalid pattern: {exc}") from None
    try:
        check_pattern(pattern)
    except UnsafePattern as exc:
        raise _err(origin, where, f"unsafe pattern: {exc}") from None
    return pattern


def _enum(kind: Any, value: Any, origin: str, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise _err(origin, where, f"{value!r} is not one of: {allowed}") from None


def _examples(value: Any, origin: str, where: str) -> tuple[Example, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _err(origin, where, "must be a list")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(Example(text=item))
        elif isinstance(item, dict):
            unknown = set(item) - _EXAMPLE_KEYS
            if unknown or not isinstance(item.get("text"), str):
                raise _err(origin, f"{where}[{i}]", f"needs 'text'; unknown keys {sorted(unknown)}")
            code = item.get("code")
            out.append(
                Example(
                    text=item["text"],
                    recipient=item.get("recipient"),
                    remote_mta=item.get("remote_mta"),
                    code=int(code) if code is not None else None,
                )
            )
        else:
            raise _err(origin, f"{where}[{i}]", "must be a string or a table")
    return tuple(out)


def _rule(
    data: Any, pack_id: str, origin: str, index: int, verified: Mapping[str, int] | None
) -> Rule:
    if not isinstance(data, dict):
        raise _err(origin, f"rules[{index}]", "must be a table")
    rid = data.get("id")
    where = f"rule {rid!r}" if rid else f"rules[{index}]"
    if not isinstance(rid, str) or not _ID.fullmatch(rid):
        raise _err(origin, where, "'id' must be kebab-case (a-z, 0-9, -)")
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise _err(origin, where, f"unknown key(s): {', '.join(sorted(unknown))}")
    if "reason" not in data:
        raise _err(origin, where, "'reason' is required")
    reason = _enum(Reason, data["reason"], origin, f"{where}.reason")
    category = (
        _enum(Category, data["category"], origin, f"{where}.category")
        if "category" in data
        else reason.default_category
    )
    block_type = (
        _enum(BlockType, data["block_type"], origin, f"{where}.block_type")
        if "block_type" in data
        else None
    )
    if block_type is not None and category is not Category.BLOCK:
        raise _err(origin, where, "'block_type' needs category 'block'")
    keywords = tuple(k.lower() for k in _str_list(data.get("keywords", []), origin, where))
    if any(not k.strip() for k in keywords):
        raise _err(origin, where, "empty keyword")
    pattern = None
    if "pattern" in data:
        if not isinstance(data["pattern"], str):
            raise _err(origin, f"{where}.pattern", "must be a string")
        pattern = compile_pattern(data["pattern"], origin, f"{where}.pattern", verified)
    status = _str_list(data.get("status", []), origin, f"{where}.status")
    codes_raw = data.get("codes", [])
    if not isinstance(codes_raw, list) or not all(isinstance(c, int) for c in codes_raw):
        raise _err(origin, f"{where}.codes", "must be a list of integers")
    if not keywords and pattern is None and not status:
        raise _err(origin, where, "needs 'keywords', 'pattern' or 'status'")
    examples = _examples(data.get("examples"), origin, f"{where}.examples")
    if not examples:
        raise _err(origin, where, "every rule needs at least one example")
    permanent = data.get("permanent")
    if permanent is not None and not isinstance(permanent, bool):
        raise _err(origin, f"{where}.permanent", "must be true or false")
    return Rule(
        id=rid,
        pack=pack_id,
        reason=reason,
        category=category,
        block_type=block_type,
        blocklist=data.get("blocklist"),
        permanent=permanent,
        advice=data.get("advice"),
        keywords=keywords,
        pattern=pattern,
        status=status,
        codes=tuple(codes_raw),
        examples=examples,
        counter_examples=_examples(
            data.get("counter_examples"), origin, f"{where}.counter_examples"
        ),
        links=_str_list(data.get("links", []), origin, f"{where}.links"),
        source=str(data.get("source", "")),
        origin=origin,
    )


def _advice(data: Any, origin: str) -> tuple[AdviceSpec, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise _err(origin, "advice", "must be a table of tables")
    out = []
    for key, spec in data.items():
        where = f"advice.{key}"
        if not isinstance(spec, dict):
            raise _err(origin, where, "must be a table")
        unknown = set(spec) - _ADVICE_KEYS
        if unknown:
            raise _err(origin, where, f"unknown key(s): {', '.join(sorted(unknown))}")
        for need in ("action", "fixer", "en", "fr"):
            if not isinstance(spec.get(need), str):
                raise _err(origin, where, f"'{need}' is required")
        out.append(
            AdviceSpec(
                key=key,
                action=_enum(Action, spec["action"], origin, f"{where}.action"),
                fixer=_enum(Fixer, spec["fixer"], origin, f"{where}.fixer"),
                en=" ".join(spec["en"].split()),
                fr=" ".join(spec["fr"].split()),
                links=_str_list(spec.get("links", []), origin, f"{where}.links"),
            )
        )
    return tuple(out)


def parse_pack(
    data: dict[str, Any], origin: str, verified: Mapping[str, int] | None = None
) -> Pack:
    """Validate one pack's data (as read from TOML) into a `Pack`; its patterns recorded in
    `verified` (built-in packs: `verified_patterns()`) compile on first use."""
    pid = data.get("id")
    if not isinstance(pid, str) or not _PACK_ID.fullmatch(pid):
        raise _err(origin, "id", "pack 'id' is required (a-z, 0-9, _ . -)")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise _err(origin, pid, f"unknown key(s): {', '.join(sorted(unknown))}")
    kind = data.get("kind", "provider")
    if kind not in ("provider", "filter", "generic"):
        raise _err(origin, f"{pid}.kind", "must be provider, filter or generic")
    rules_data = data.get("rules", [])
    if not isinstance(rules_data, list):
        raise _err(origin, f"{pid}.rules", "must be an array of tables")
    rules = tuple(_rule(r, pid, origin, i, verified) for i, r in enumerate(rules_data))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _err(origin, f"rule {rule.id!r}", "duplicate id")
        seen.add(rule.id)
    links = data.get("links", {})
    if not isinstance(links, dict) or not all(isinstance(v, str) for v in links.values()):
        raise _err(origin, f"{pid}.links", "must be a table of strings")
    fps = _str_list(data.get("fingerprint_patterns", []), origin, f"{pid}.fingerprint_patterns")
    priority = data.get("priority", 100)
    if not isinstance(priority, int):
        raise _err(origin, f"{pid}.priority", "must be an integer")
    extends = data.get("extends")
    if extends is not None and (not isinstance(extends, str) or not _PACK_ID.fullmatch(extends)):
        raise _err(origin, f"{pid}.extends", "must be a pack id")
    overrides = _str_list(data.get("overrides", []), origin, f"{pid}.overrides")
    if overrides and extends is None:
        raise _err(origin, f"{pid}.overrides", "needs 'extends' (the pack whose rules it replaces)")
    return Pack(
        id=pid,
        name=str(data.get("name", pid)),
        kind=kind,
        domains=tuple(d.lower() for d in _str_list(data.get("domains", []), origin, pid)),
        hosts=tuple(h.lower() for h in _str_list(data.get("hosts", []), origin, pid)),
        fingerprints=tuple(f.lower() for f in _str_list(data.get("fingerprints", []), origin, pid)),
        fingerprint_patterns=tuple(
            compile_pattern(p, origin, f"{pid}.fingerprint_patterns", verified) for p in fps
        ),
        links=tuple(sorted(links.items())),
        advice=_advice(data.get("advice"), origin),
        rules=rules,
        extends=extends,
        overrides=overrides,
        priority=priority,
        origin=origin,
    )


def load_pack_text(text: str, origin: str, verified: Mapping[str, int] | None = None) -> Pack:
    """Parse TOML text into a validated pack (`verified`: see parse_pack)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SignatureError(f"{origin}: invalid TOML: {exc}") from None
    return parse_pack(data, origin, verified)
