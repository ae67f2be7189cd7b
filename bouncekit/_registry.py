"""Built-in packs + plugin packs + explicit paths -> one immutable, compiled `Registry`.

Packs load and compile on first use, never at import. Plugins come from the entry-point
group `bouncekit.signatures`: the entry point names a package (every `*.toml` in it is
read) or a callable returning paths. A plugin pack either has a new id, or says
`extends = "<pack>"` to add rules in front of that pack's own, listing in `overrides`
the ids it replaces (an id listed there and not redefined removes that rule); any other
collision (a pack id, a rule id, an advice key) is an error. Rules are addressed as
`pack/rule`. Every pattern is scanned for nested quantifiers and pumped at load
(`_pattern_safety`, about 30 ms of CPU for the built-in packs): an unsafe pack does not load.

Off switches: `build_registry(plugins=False)`, or `BOUNCEKIT_PLUGINS=0` in the environment
for the default registry (tests that must not see whatever plugins are installed).
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType
from typing import Any

import regex

from bouncekit._errors import SignatureError
from bouncekit._pattern_safety import skip_class
from bouncekit._schema import AdviceSpec, Pack, Rule, _advice, load_pack_text
from bouncekit._types import Advice, Provider

ENTRY_POINT_GROUP = "bouncekit.signatures"
GENERIC = "generic"


# A word, for the keyword indexes: a run of ASCII letters and digits of the lowercased text
# (a Japanese sentence adds no words; its keywords are among those tried on every text).
_WORD = re.compile(r"[a-z0-9]+")
# Every 3-character window inside a word, found by the regex engine in one pass: the same
# set as slicing each word, at a third of the cost of a Python loop over the windows.
_GRAM = re.compile(r"(?=([a-z0-9]{3}))")


class Scan:
    """A lowercased text and its words, made once per diagnostic and read by every index.

    `present`, when the registry made the scan (`Registry.scan`), holds every keyword and
    literal of the registry's combined index that occurs in the text: the one lookup that
    the provider fingerprints and every pack's rules are then narrowed from.
    """

    __slots__ = ("grams", "lowered", "present", "words")

    def __init__(self, lowered: str, index: _Keywords | None = None) -> None:
        self.lowered = lowered
        self.words = set(_WORD.findall(lowered))
        # Every 3-character window of every word: a keyword's word lies inside a text word.
        self.grams = set(_GRAM.findall(lowered))
        self.present = index.found(self) if index is not None else None

    @staticmethod
    def of(text: str | Scan) -> Scan:
        return text if isinstance(text, Scan) else Scan(text)


class _Keywords:
    """Which of a set of lowercase keywords occur in a text: looked up, not scanned for.

    A keyword occurs anywhere (a substring, as `kw in text`), so each of its words lies
    inside a word of the text, and a word it encloses ("is" in "mailbox is full") is a whole
    word of the text. A keyword is indexed by one such key: a 3-character window of one of
    its words, or a word it encloses; the key chosen is the one the fewest `reference` texts
    (and keywords) contain, so that a text admits few candidates. Keywords without a key
    ("[cs", Japanese keywords) are tried on every text. Candidates are confirmed with `in`:
    the index only skips keywords that cannot occur, whichever key was chosen.
    """

    __slots__ = ("_always", "_by_gram", "_by_word")

    def __init__(self, keywords: Iterable[str], reference: Iterable[str] = ()) -> None:
        self._by_gram: dict[str, list[str]] = {}
        self._by_word: dict[str, list[str]] = {}
        self._always: list[str] = []
        unique = sorted(set(keywords))
        # How common each possible key is: in how many texts (reference and keywords) it is.
        common: Counter[str] = Counter()
        for text in (*(t.lower() for t in reference), *unique):
            scan = Scan(text)
            common.update(scan.grams | {" " + w for w in scan.words})
        for kw in unique:
            words = list(_WORD.finditer(kw))
            options = [" " + m.group(0) for m in words if m.start() > 0 and m.end() < len(kw)]
            options += [m.group(0)[i : i + 3] for m in words for i in range(len(m.group(0)) - 2)]
            if not options:
                self._always.append(kw)
                continue
            key = min(options, key=lambda k: (common[k], k))
            if key[0] == " ":  # a whole word
                self._by_word.setdefault(key[1:], []).append(kw)
            else:
                self._by_gram.setdefault(key, []).append(kw)

    def found(self, scan: Scan) -> set[str]:
        candidates = list(self._always)
        for index, keys in ((self._by_gram, scan.grams), (self._by_word, scan.words)):
            for key in index.keys() & keys:
                candidates.extend(index[key])
        lowered = scan.lowered
        return {kw for kw in candidates if kw in lowered}


_BREAKING_ESCAPES = frozenset("bBdDsSwWAZ")  # one-letter classes and assertions
_QUANTIFIERS = frozenset("?*+{")


def required_literals(pattern: regex.Pattern[str]) -> frozenset[str] | None:
    """Casefolded strings one of which occurs in any match of the pattern, or None if unsure.

    A conservative reading of the pattern: its branches (`a|b`), and in each the runs of
    plain characters that no quantifier makes optional and the groups that must match, the
    best of them (the longest shortest string). Classes and assertions end a run; escapes
    other than one-letter classes give up (None). Casefolding covers IGNORECASE, full case
    folding included ("ss" matches "ß"); a case-sensitive part is only tested more loosely.
    """
    if pattern.flags & regex.VERBOSE:
        return None  # spaces and '#' are not characters there
    found = _literals(pattern.pattern)
    return frozenset(s.casefold() for s in found) if found else None


def _literals(source: str) -> frozenset[str] | None:
    """Strings one of which occurs in any match of `source` (see required_literals)."""
    branches: list[frozenset[str]] = []
    choices: list[frozenset[str]] = []  # what the current branch needs, each way found
    run: list[str] = []

    def end_run() -> None:
        if run:
            choices.append(frozenset(["".join(run)]))
            run.clear()

    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            nxt = source[i + 1 : i + 2]
            if not nxt:
                return None
            if nxt.isascii() and nxt.isalnum():
                if nxt not in _BREAKING_ESCAPES:
                    return None
                end_run()
            else:
                run.append(nxt)
            i += 2
        elif c == "[":
            i = skip_class(source, i)
            end_run()
        elif c == "(":
            end = _group_end(source, i)
            if end < 0:
                return None
            end_run()
            inner = _group_body(source[i + 1 : end])
            if inner is not None and not _optional(source, end + 1):
                found = _literals(inner)
                if found:
                    choices.append(found)
            i = end + 1
        elif c == ")":
            return None  # unbalanced
        elif c in _QUANTIFIERS:
            if c in "?*{" and run:
                run.pop()  # the quantified character may be absent
            end_run()
            if c == "{":
                close = source.find("}", i)
                if close < 0:
                    return None
                i = close
            i += 1
        elif c in "|.^$":
            end_run()
            if c == "|":
                if not choices:
                    return None
                branches.append(_best(choices))
                choices.clear()
            i += 1
        else:
            run.append(c)
            i += 1
    end_run()
    if not choices:
        return None
    branches.append(_best(choices))
    return frozenset[str]().union(*branches)


def _best(choices: list[frozenset[str]]) -> frozenset[str]:
    return max(choices, key=lambda strings: min(map(len, strings)))


_GROUP_FLAGS = re.compile(r"\?([a-zA-Z]*)(?:-[a-zA-Z]+)?:")


def _group_body(body: str) -> str | None:
    """The pattern inside a group whose match is part of the whole match, else None
    (lookarounds, comments, conditionals, verbose groups...)."""
    if not body.startswith("?"):
        return body  # a capturing group
    if body[1:2] in (":", ">", "|"):
        return body[2:]
    named = re.match(r"\?P?<\w+>", body)
    if named:
        return body[named.end() :]
    flags = _GROUP_FLAGS.match(body)
    if flags and "x" not in flags.group(1):
        return body[flags.end() :]
    return None


def _optional(source: str, i: int) -> bool:
    """True when the quantifier at source[i] (if any) lets what precedes it be absent."""
    q = source[i : i + 1]
    if q in ("?", "*"):
        return True
    if q == "{":
        least = re.match(r"\{(\d+)", source[i:])
        return least is None or int(least.group(1)) == 0  # {,n}, {0,n}, fuzzy {e<=1}
    return False


def _group_end(source: str, i: int) -> int:
    """Index of the ')' closing the group that opens at source[i], or -1."""
    depth = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = skip_class(source, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class CompiledPack:
    """A pack with its keyword index, ready for the engine."""

    __slots__ = ("_keyword_rules", "_plain_rules", "advice", "keywords", "pack", "rules", "shared")

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.rules = pack.rules
        self.keywords = _Keywords(k for r in pack.rules for k in r.keywords)
        # keyword -> positions of the rules it admits; rules without keywords always run
        self._keyword_rules: dict[str, list[int]] = {}
        for i, rule in enumerate(pack.rules):
            for kw in rule.keywords:
                self._keyword_rules.setdefault(kw, []).append(i)
        self._plain_rules = [i for i, r in enumerate(pack.rules) if not r.keywords]
        self.advice = {a.key: a for a in pack.advice}
        # The generic pack's keywords are in the registry's combined index (every text needs
        # them); a provider pack's are looked up only once the provider is known.
        self.shared = pack.kind == "generic"

    def candidates(self, text: str | Scan) -> Iterator[Rule]:
        """Rules whose keywords occur (or that have none), in file order.

        For the generic pack, a scan made by the registry already knows which of its
        keywords occur: the pack only looks its rules up, it does not search again.
        """
        scan = Scan.of(text)
        found = scan.present if self.shared else None
        if found is None:
            found = self.keywords.found(scan)
        admitted = set(self._plain_rules)
        by_keyword = self._keyword_rules
        for kw in found:
            positions = by_keyword.get(kw)
            if positions is not None:
                admitted.update(positions)
        for i in sorted(admitted):
            yield self.rules[i]


class Registry:
    """An immutable, compiled set of signature packs. Build once, share across threads."""

    def __init__(self, packs: Iterable[Pack], advice: Iterable[AdviceSpec] = ()) -> None:
        ordered = sorted(packs, key=lambda p: (p.priority, p.id))
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
        # Each fingerprint pattern with the literals a match needs: a cheap `in` skips most.
        self._fingerprints = [
            (
                cp.pack.id,
                cp.pack.fingerprints,
                tuple((p, required_literals(p)) for p in cp.pack.fingerprint_patterns),
            )
            for cp in self._packs.values()
            if cp.pack.kind != "generic"
        ]
        # What admits a pack to the pattern searches: a fingerprint of it found in the text,
        # a literal one of its patterns needs, or a pattern with no known literal.
        self._fp_packs: dict[str, list[int]] = {}
        self._needs_packs: dict[str, list[int]] = {}
        self._always_packs: list[int] = []
        for i, (_, fps, patterns) in enumerate(self._fingerprints):
            for fp in fps:
                self._fp_packs.setdefault(fp, []).append(i)
            for _, needs in patterns:
                if needs is None:
                    self._always_packs.append(i)
                for n in needs or ():
                    self._needs_packs.setdefault(n, []).append(i)
        # One pre-filter for the whole registry: every rule keyword of every pack, every
        # fingerprint and every literal a fingerprint pattern needs, found once per text.
        self._index = _Keywords(
            [k for r in self.generic.rules for k in r.keywords]
            + list(self._fp_packs)
            + list(self._needs_packs),
            reference=[e.text for r in self.generic.rules for e in r.examples],
        )
        # What a string found in the text admits to the fingerprint searches, both ways.
        self._admits: dict[str, list[int]] = {}
        for table in (self._fp_packs, self._needs_packs):
            for key, positions in table.items():
                self._admits.setdefault(key, []).extend(positions)
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
        folded = original.casefold()
        if folded == scan.lowered:  # the usual case: the literals are keywords of this text
            admitted = {i for s in present for i in self._admits.get(s, ())}
        else:
            admitted = {i for s in present for i in self._fp_packs.get(s, ())}
            admitted.update(i for n, p in self._needs_packs.items() if n in folded for i in p)
        admitted.update(self._always_packs)
        for i in sorted(admitted):
            pack_id, words, patterns = self._fingerprints[i]
            if not present.isdisjoint(words):
                return pack_id
            for pat, needs in patterns:
                if needs is not None and not any(n in folded for n in needs):
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
        for origin, text in _builtin_texts():
            _merge(packs, load_pack_text(text, origin))
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
