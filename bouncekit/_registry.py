"""Built-in packs + plugin packs + explicit paths -> one immutable, compiled `Registry`.

Packs load and compile on first use, never at import. Plugins come from the entry-point
group `bouncekit.signatures`: the entry point names a package (every `*.toml` in it is
read) or a callable returning paths. A plugin pack either has a new id, or says
`extends = "<pack>"` to add rules in front of that pack's own, listing in `overrides`
the ids it replaces (an id listed there and not redefined removes that rule); any other
collision (a pack id, a rule id, an advice key) is an error. Rules are addressed as
`pack/rule`. Every pattern is scanned for nested quantifiers and pumped at load
(`_pattern_safety`): an unsafe pack does not load. Built-in patterns recorded in the verified
manifest (`_schema.verified_patterns`) passed that check when recorded: they compile on first
use instead, which spares the registry build four fifths of its cost.

Off switches: `build_registry(plugins=False)`, or `BOUNCEKIT_PLUGINS=0` in the environment
for the default registry (tests that must not see whatever plugins are installed).
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType
from typing import Any

from bouncekit._blocklists import blocklist_literals
from bouncekit._errors import SignatureError
from bouncekit._keywords import Keywords, Scan, fold_for_literals, positions, required_literals
from bouncekit._schema import AdviceSpec, Pack, Rule, _advice, load_pack_text, verified_patterns
from bouncekit._types import Advice, Provider

ENTRY_POINT_GROUP = "bouncekit.signatures"
GENERIC = "generic"


class CompiledPack:
    """A pack with its rules indexed by keyword, ready for the engine."""

    __slots__ = ("_keyword_rules", "_plain_rules", "advice", "index", "pack", "rules")

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.rules = pack.rules
        self.index: Keywords | None = None  # the combined index of the registry holding it
        # keyword -> the rules it admits, as a bit per rule position (bit i: rules[i]); the
        # rules without keywords always run
        self._keyword_rules: dict[str, int] = {}
        self._plain_rules = 0
        for i, rule in enumerate(pack.rules):
            for kw in rule.keywords:
                self._keyword_rules[kw] = self._keyword_rules.get(kw, 0) | 1 << i
            if not rule.keywords:
                self._plain_rules |= 1 << i
        self.advice = {a.key: a for a in pack.advice}

    def candidates(self, text: str | Scan) -> Iterator[Rule]:
        """Rules whose keywords occur (or that have none), in file order, one at a time (the
        engine stops at the first that fires: the others are never looked at).

        A scan made by the registry holding the pack already knows which of its keywords
        occur: the pack only looks its rules up. Any other text (a caller outside the
        engine) is searched for them plainly.
        """
        scan = text if isinstance(text, Scan) else Scan(text)
        found = scan.present if scan.index is self.index else None
        if found is None:
            found = {kw for kw in self._keyword_rules if kw in scan.lowered}
        admitted = self._plain_rules
        by_keyword = self._keyword_rules
        for kw in by_keyword.keys() & found:
            admitted |= by_keyword[kw]
        rules = self.rules
        for i in positions(admitted):
            yield rules[i]


class Registry:
    """An immutable, compiled set of signature packs. Build once, share across threads."""

    def __init__(self, packs: Iterable[Pack], advice: Iterable[AdviceSpec] = ()) -> None:
        ordered = sorted(packs, key=lambda p: (p.priority, p.id))
        # Each fingerprint pattern with the literals a match needs: a cheap `in` skips most.
        self._fingerprints = [
            (
                p.id,
                p.fingerprints,
                tuple((pat, required_literals(pat, expand=True)) for pat in p.fingerprint_patterns),
            )
            for p in ordered
            if p.kind != "generic"
        ]
        # Every string the pre-filter looks for: rule keywords, fingerprints, and the literals
        # the fingerprint patterns need.
        spelt = [k for p in ordered for r in p.rules for k in r.keywords]
        spelt += [f for _, fps, patterns in self._fingerprints for f in fps]
        spelt += [
            n for _, _, patterns in self._fingerprints for _, ns in patterns for n in ns or ()
        ]
        self._packs = {p.id: CompiledPack(p) for p in ordered}
        if GENERIC not in self._packs:
            raise SignatureError(f"registry: no '{GENERIC}' pack")
        self._advice: dict[str, AdviceSpec] = {}
        for spec in advice:
            if spec.key in self._advice:
                raise SignatureError(f"advice key {spec.key!r} is defined twice")
            self._advice[spec.key] = spec
        for cp in self._packs.values():
            for spec in cp.pack.advice:
                if spec.key in self._advice:
                    raise SignatureError(
                        f"{cp.pack.origin}: advice key {spec.key!r} already exists; "
                        "give the pack's advice its own key"
                    )
                self._advice[spec.key] = spec
        self._domains: dict[str, str] = {}
        hosts: dict[str, str] = {}
        for cp in self._packs.values():
            # A recipient domain or MX host names one provider: two packs claiming it is a
            # collision (add to the other pack with `extends` instead).
            for claims, values, what in (
                (self._domains, cp.pack.domains, "domain"),
                (hosts, cp.pack.hosts, "host"),
            ):
                for value in values:
                    owner = claims.setdefault(value, cp.pack.id)
                    if owner != cp.pack.id:
                        raise SignatureError(
                            f"{cp.pack.origin}: {what} {value!r} is already claimed by pack "
                            f"{owner!r}"
                        )
        self._hosts = sorted(
            ((h, cp.pack.id) for cp in self._packs.values() for h in cp.pack.hosts),
            key=lambda item: -len(item[0]),
        )
        # The same table looked up by the host's own dot-suffixes: `mx.a.example.com` tries
        # `mx.a.example.com`, `a.example.com`, `example.com`, `com`; the earliest entry of
        # `_hosts` that matches wins as in a scan. Suffixes of another shape (two leading
        # dots, empty) keep the scan.
        self._host_index: dict[str, int] = {}
        self._odd_hosts: list[int] = []
        for i, (suffix, _) in enumerate(self._hosts):
            bare = suffix.removeprefix(".")
            if not bare or bare.startswith("."):
                self._odd_hosts.append(i)
            else:
                self._host_index.setdefault(bare, i)
        # What admits a pack to the pattern searches: a fingerprint of it found in the text,
        # a literal one of its patterns needs, or a pattern with no known literal. Packs as
        # bits (bit i: _fingerprints[i]), tried lowest first: in priority order.
        self._fp_packs: dict[str, int] = {}
        self._needs_packs: dict[str, int] = {}
        self._always_packs = 0
        for i, (_, fps, patterns) in enumerate(self._fingerprints):
            for fp in fps:
                self._fp_packs[fp] = self._fp_packs.get(fp, 0) | 1 << i
            for _, needs in patterns:
                if needs is None:
                    self._always_packs |= 1 << i
                for n in needs or ():
                    self._needs_packs[n] = self._needs_packs.get(n, 0) | 1 << i
        # One pre-filter for the whole registry: every rule keyword of every pack, every
        # fingerprint, every literal a fingerprint or blocklist pattern needs, found once
        # per text (`Scan.present`); each stage then narrows from that set.
        self._index = Keywords([*spelt, *blocklist_literals()])
        for cp in self._packs.values():
            cp.index = self._index
        # What a string found in the text admits to the fingerprint searches, both ways.
        self._admits = dict(self._fp_packs)
        for key, bits in self._needs_packs.items():
            self._admits[key] = self._admits.get(key, 0) | bits
        self._check_advice()
        # Results share these (they are immutable): one Provider per pack, and the advice
        # worded for each (key, provider) pair the first time a bounce needs it.
        self._providers = {
            cp.pack.id: Provider(id=cp.pack.id, name=cp.pack.name, links=cp.pack.links)
            for cp in self._packs.values()
            if cp.pack.kind != "generic"
        }
        self._worded: dict[tuple[str, str | None], Advice] = {}

    def _check_advice(self) -> None:
        for cp in self._packs.values():
            for rule in cp.rules:
                if rule.advice and rule.advice not in self._advice:
                    raise SignatureError(
                        f"{cp.pack.origin}: rule {rule.id!r}: unknown advice key {rule.advice!r}"
                    )

    # --- lookups ---------------------------------------------------------------------------

    @property
    def packs(self) -> tuple[Pack, ...]:
        return tuple(cp.pack for cp in self._packs.values())

    def pack(self, pack_id: str) -> CompiledPack | None:
        return self._packs.get(pack_id)

    @property
    def generic(self) -> CompiledPack:
        return self._packs[GENERIC]

    def advice(self, key: str) -> AdviceSpec | None:
        return self._advice.get(key)

    def provider(self, pack_id: str | None) -> Provider | None:
        """The provider a pack names (None for the generic pack or an unknown id)."""
        return self._providers.get(pack_id) if pack_id else None

    def worded_advice(self, key: str, provider: Provider | None) -> Advice:
        """Advice `key` (else "unknown") in words naming `provider`, with its links after
        the advice's own. Built once per (key, provider): at most keys x packs objects."""
        pair = (key, provider.id if provider else None)
        worded = self._worded.get(pair)
        if worded is None:
            spec = self.advice(key) or self.advice("unknown")
            assert spec is not None  # the built-in advice file defines "unknown"
            name = provider.name if provider else "the receiving server"
            name_fr = provider.name if provider else "le serveur destinataire"
            provider_links = tuple(url for _, url in provider.links) if provider else ()
            worded = self._worded[pair] = Advice(
                key=spec.key,
                action=spec.action,
                fixer=spec.fixer,
                en=spec.en.replace("{provider}", name),
                fr=spec.fr.replace("{provider}", name_fr),
                links=tuple(dict.fromkeys(spec.links + provider_links)),
            )
        return worded

    def rule(self, qualified_id: str) -> Rule | None:
        pack_id, _, rule_id = qualified_id.partition("/")
        cp = self._packs.get(pack_id)
        if cp is None:
            return None
        return next((r for r in cp.rules if r.id == rule_id), None)

    def rules(self) -> Iterator[Rule]:
        for cp in self._packs.values():
            yield from cp.rules

    def scan(self, lowered: str | Scan) -> Scan:
        """The lowercased text's scan with the registry's keywords found (`Scan.present`)."""
        if isinstance(lowered, Scan):
            if lowered.present is not None:
                return lowered
            lowered = lowered.lowered
        return Scan(lowered, self._index)

    def provider_by_text(self, lowered: str | Scan, original: str) -> str | None:
        """The first pack (in priority order) whose fingerprint occurs in the text."""
        scan = self.scan(lowered)
        present = scan.present
        assert present is not None  # made by self.scan
        folded = fold_for_literals(original)
        # Usually case folding is lower() (and no İ): the literals the patterns need are then
        # among the strings found in the text; else each is looked for in the folded text.
        usual = folded == scan.lowered
        admitted = self._always_packs
        if usual:
            admits = self._admits
            for s in admits.keys() & present:
                admitted |= admits[s]
        else:
            for s in self._fp_packs.keys() & present:
                admitted |= self._fp_packs[s]
            for n, bits in self._needs_packs.items():
                if n in folded:
                    admitted |= bits
        for i in positions(admitted):
            pack_id, words, patterns = self._fingerprints[i]
            if not present.isdisjoint(words):
                return pack_id
            for pat, needs in patterns:
                if needs is not None and (
                    needs.isdisjoint(present) if usual else not any(n in folded for n in needs)
                ):
                    continue
                if pat.search(original):  # no timeout=: see _engine.py
                    return pack_id
        return None

    def provider_by_host(self, host: str | None) -> str | None:
        if not host:
            return None
        host = host.lower().rstrip(".")
        best = len(self._hosts)
        at = -1
        while True:  # the host, then each part after one of its dots
            i = self._host_index.get(host[at + 1 :])
            if i is not None and i < best:
                best = i
            at = host.find(".", at + 1)
            if at < 0:
                break
        for i in self._odd_hosts:
            suffix = self._hosts[i][0]
            if i < best and (
                host == suffix.lstrip(".")
                or host.endswith(suffix if suffix.startswith(".") else "." + suffix)
            ):
                best = i
        return self._hosts[best][1] if best < len(self._hosts) else None

    def provider_by_domain(self, domain: str | None) -> str | None:
        if not domain:
            return None
        return self._domains.get(domain.lower())


# --- building ------------------------------------------------------------------------------


def _builtin_texts() -> Iterator[tuple[str, str]]:
    folder = resources.files("bouncekit") / "signatures"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield f"bouncekit/signatures/{entry.name}", entry.read_text(encoding="utf-8")


def _builtin_advice() -> list[AdviceSpec]:
    folder = resources.files("bouncekit") / "advice"
    out: list[AdviceSpec] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            origin = f"bouncekit/advice/{entry.name}"
            try:
                data = tomllib.loads(entry.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise SignatureError(f"{origin}: invalid TOML: {exc}") from None
            out.extend(_advice(data, origin))
    return out


def pack_files(path: str | Path) -> list[Path]:
    """The pack files of a path: the file itself, or every `*.toml` of a directory."""
    p = Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.toml"))
        if not files:
            raise SignatureError(f"{p}: no *.toml pack in this directory")
        return files
    if not p.is_file():
        raise SignatureError(f"{p}: no such file")
    return [p]


def _path_texts(path: str | Path) -> Iterator[tuple[str, str]]:
    for f in pack_files(path):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SignatureError(f"{f}: cannot read: {exc}") from None
        yield str(f), text


def _plugin_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) of every installed plugin's packs, in entry-point name order."""
    eps = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    for ep in eps:
        try:
            obj: Any = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, by name
            raise SignatureError(f"plugin {ep.name!r}: cannot load: {exc}") from None
        if isinstance(obj, ModuleType):
            if not hasattr(obj, "__path__"):
                raise SignatureError(
                    f"plugin {ep.name!r}: {obj.__name__} is a module; name a package that "
                    "holds the *.toml packs, or a callable returning paths"
                )
            folder = resources.files(obj)
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".toml"):
                    yield f"plugin {ep.name}: {entry.name}", entry.read_text(encoding="utf-8")
        elif callable(obj):
            for path in obj():
                for origin, text in _path_texts(path):
                    yield f"plugin {ep.name}: {origin}", text
        else:
            raise SignatureError(f"plugin {ep.name!r}: must name a package or a callable")


def _merge(base: dict[str, Pack], extra: Pack) -> None:
    """Add a plugin or path pack to `base`, following its `extends`/`overrides`."""
    if extra.extends is None:
        if extra.id in base:
            raise SignatureError(
                f"{extra.origin}: pack id {extra.id!r} already exists; "
                f"use extends = {extra.id!r} to add to it"
            )
        base[extra.id] = extra
        return
    target = base.get(extra.extends)
    if target is None:
        raise SignatureError(f"{extra.origin}: extends unknown pack {extra.extends!r}")
    own = {r.id: r for r in target.rules}
    for rule in extra.rules:
        if rule.id in own and rule.id not in extra.overrides:
            raise SignatureError(
                f"{extra.origin}: rule {rule.id!r} collides with {target.id}/{rule.id}; "
                "list it in 'overrides' to replace it"
            )
    missing = [o for o in extra.overrides if o not in own]
    if missing:
        raise SignatureError(f"{extra.origin}: overrides unknown rule(s) {missing}")
    replaced = set(extra.overrides)
    rules = tuple(replace(r, pack=target.id) for r in extra.rules) + tuple(
        r for r in target.rules if r.id not in replaced
    )
    base[target.id] = replace(
        target,
        rules=rules,
        domains=target.domains + extra.domains,
        hosts=target.hosts + extra.hosts,
        fingerprints=target.fingerprints + extra.fingerprints,
        fingerprint_patterns=target.fingerprint_patterns + extra.fingerprint_patterns,
        advice=target.advice + extra.advice,
        links=tuple(sorted(dict(target.links + extra.links).items())),
    )


def plugins_enabled() -> bool:
    """False when `BOUNCEKIT_PLUGINS` is 0/false/no/off: the default registry skips plugins."""
    return os.environ.get("BOUNCEKIT_PLUGINS", "1").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )


def build_registry(
    paths: Iterable[str | Path] = (), *, builtin: bool = True, plugins: bool = True
) -> Registry:
    """A registry of the built-in packs, installed plugins, then explicit `paths`, in order.

    `plugins=False` ignores installed plugins (the off switch for tests); `builtin=False`
    leaves out the built-in packs (a path must then provide a `generic` pack).
    """
    if isinstance(paths, str | Path):
        paths = [paths]  # a lone path, not an iterable of characters
    extra = [load_pack_text(text, origin) for path in paths for origin, text in _path_texts(path)]
    packs: dict[str, Pack] = {}
    if builtin:
        verified = verified_patterns()
        for origin, text in _builtin_texts():
            _merge(packs, load_pack_text(text, origin, verified))
    if plugins:
        # A plugin pack also given as a path is taken from the path: `bouncekit check` on a
        # plugin's source tree checks that version, not the installed one.
        given = {p.id for p in extra}
        for origin, text in _plugin_texts():
            pack = load_pack_text(text, origin)
            if pack.id not in given:
                _merge(packs, pack)
    for pack in extra:
        _merge(packs, pack)
    return Registry(packs.values(), _builtin_advice())


_default: Registry | None = None
_lock = threading.Lock()


def default_registry() -> Registry:
    """The registry of built-in and installed packs, built on first use and then shared."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = build_registry(plugins=plugins_enabled())
    return _default
