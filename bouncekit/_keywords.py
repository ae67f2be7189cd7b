"""The pre-filter: which keywords and literals occur in a text, found in one pass.

`Keywords` compiles its keywords into one regular expression shaped as a trie (sibling
alternatives start with different characters, so the engine follows one path) and reads the
text with one `findall`: the longest keyword at each place the search stops, without
overlaps, with the character that follows it. What a match hides is worked out from the
keywords alone, once per keyword: the keywords inside it (present for sure), and those that
start inside it and run past its end (possible only if they go on with the next character:
confirmed with `in`). The answer is exactly the set of keywords that are substrings of the
text. `required_literals` reads a pattern for the strings one of which any match contains,
so that a pattern runs only when one of them occurs.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator

import regex

from bouncekit._pattern_safety import skip_class

# Siblings are tried in this order (any order finds the same matches: siblings start with
# different characters); the characters most common in replies first is a little faster.
_ORDER = {c: i for i, c in enumerate(" etsoraindcml5pu01hf2gby/4v-x:7wk39j,[]6@q()=_><'z")}


def _trie(words: list[str], depth: int = 0) -> list[str]:
    """The alternatives matching the longest of `words` (sorted, unique, sharing their first
    `depth` characters) from character `depth` on: one per next character, a shared run of
    characters written once, a keyword that ends where longer ones go on made optional by a
    greedy `?` (tried long first, so the longest keyword wins)."""
    groups: dict[str, list[str]] = {}
    for w in words:
        if len(w) > depth:
            groups.setdefault(w[depth], []).append(w)
    out = []
    for c in sorted(groups, key=lambda c: (_ORDER.get(c, len(_ORDER)), c)):
        group = groups[c]
        first, last = group[0], group[-1]  # sorted: what these two share, the group shares
        end = depth + 1
        while end < min(len(first), len(last)) and first[end] == last[end]:
            end += 1
        run = re.escape(first[depth:end])
        if len(group) == 1:
            out.append(run)
            continue
        inner = _trie(group, end)
        body = inner[0] if len(inner) == 1 and len(first) > end else f"(?:{'|'.join(inner)})"
        out.append(run + body + ("?" if len(first) == end else ""))
    return out


# What a match hides: the keywords inside it, the places in it where a longer keyword may
# start, and by next character the keywords that start there and go on with it.
_Hidden = tuple[tuple[str, ...], tuple[int, ...], dict[str, tuple[str, ...]]]
_NOTHING: _Hidden = ((), (), {})  # what many matches hide (never written to)
_OTHERS_KEPT = 16  # an entry's size up to which characters no keyword has are kept too


class Scan:
    """A lowercased text, and what a keyword index found in it, made once per diagnostic.

    `present`, when the registry made the scan (`Registry.scan`), holds every keyword and
    literal of the registry's combined index that occurs in the text: the one lookup that
    the provider fingerprints, the rules and the blocklists are then narrowed from.
    """

    __slots__ = ("index", "lowered", "present")

    def __init__(self, lowered: str, index: Keywords | None = None) -> None:
        self.lowered = lowered
        self.index = index
        self.present = index.found(lowered) if index is not None else None


class Keywords:
    """Which of a set of lowercase keywords occur in a lowercased text (`found`): exactly
    those that are substrings of it, as `kw in text` says, overlaps and all."""

    __slots__ = ("_alphabet", "_findall", "_hidden", "_keywords", "_pattern", "_sorted")

    def __init__(self, keywords: Iterable[str]) -> None:
        self._sorted = sorted(set(keywords))
        self._keywords = frozenset(self._sorted)
        # The search, compiled on first use (~20 ms for a registry's ~1,500 keywords): a
        # registry built and not yet used (`bouncekit check`) does not pay for it.
        self._findall: Callable[[str], list[tuple[str, str]]] | None = None
        self._pattern: re.Pattern[str] | None = None
        self._alphabet = frozenset("".join(self._sorted))  # what a keyword can go on with
        # keyword -> what a match of it hides (worked out on first sight: at most one entry
        # per keyword)
        self._hidden: dict[str, _Hidden] = {}

    def _source(self) -> str:
        words = [w for w in self._sorted if w]
        # group 1: the longest keyword where the search stands; group 2: the next character
        return f"({'|'.join(_trie(words))})(?=(.?))" if words else r"(?!)()()"

    def _compile(self) -> Callable[[str], list[tuple[str, str]]]:
        try:
            self._pattern = re.compile(self._source(), re.DOTALL)
        except (RecursionError, re.error):
            # Nested deeper than `re` (or `_trie`) recurses: a few hundred keywords each the
            # prefix of the next (a user pack may hold that). Each keyword is then looked for
            # plainly: the same answer, slower; what a match hides is nothing.
            words = [w for w in self._sorted if w]
            self._hidden.update(dict.fromkeys(words, _NOTHING))

            def plain(lowered: str) -> list[tuple[str, str]]:
                return [(w, "") for w in words if w in lowered]

            self._findall = plain
            return plain
        findall = self._findall = self._pattern.findall
        return findall

    def found(self, lowered: str) -> set[str]:
        present = {""} if "" in self._keywords else set()
        add, hidden = present.add, self._hidden
        maybe: set[str] = set()  # tried once each, after: a text may repeat a match 1000 times
        hits = (self._findall or self._compile())(lowered)
        # a long text repeats its matches: each is worked on once
        for match, after in hits if len(hits) <= 32 else set(hits):
            add(match)
            more = hidden.get(match)
            if more is None:
                more = self._hidden_by(match)
            if more is not _NOTHING:
                sure, offsets, going_on = more
                present.update(sure)
                if offsets and after:
                    more_words = going_on.get(after)
                    if more_words is None:
                        more_words = self._going_on(match, offsets, after)
                    maybe.update(more_words)
        for kw in maybe - present:
            if kw in lowered:
                add(kw)
        return present

    def _hidden_by(self, match: str) -> _Hidden:
        """What a match may hide, worked out on first sight and kept (one entry per keyword):
        the keywords inside it (those starting at each of its places are prefixes of the
        longest that does), and the places where a longer keyword may start and go on past
        its end (the search, which stops at the longest keyword at each place, skips them)."""
        assert self._pattern is not None  # compiled by the search that found the match
        matcher, keywords, words = self._pattern.match, self._keywords, self._sorted
        sure: set[str] = set()
        offsets: list[int] = []
        for i in range(len(match)):
            m = matcher(match, i)
            if m is not None:
                longest = m.group(1)
                sure.update(longest[:j] for j in range(1, len(longest) + 1))
            rest = match[i:]
            at = bisect_left(words, rest)
            # sorted: the keywords that start with `rest` follow `at`, `rest` itself first
            longer = at + (at < len(words) and words[at] == rest)
            if i and longer < len(words) and words[longer].startswith(rest):
                offsets.append(i)  # a keyword longer than `rest` starts with it
        sure &= keywords
        sure.discard(match)
        found: _Hidden = _NOTHING
        if sure or offsets:
            found = (tuple(sorted(sure)), tuple(offsets), {})
        self._hidden[match] = found
        return found

    def _going_on(self, match: str, offsets: tuple[int, ...], after: str) -> tuple[str, ...]:
        """The keywords that start at one of `offsets` of a match and go on with `after`,
        kept by the match's entry: for each character of the keywords, and for others while
        the entry is small (none goes on with those), so that entries stay few whatever texts
        hold."""
        going_on = self._hidden[match][2]
        if after not in self._alphabet:
            # No keyword goes on with it: answered without a search, kept or not. (Searched
            # each time once the entry was full, a text holding keywords followed by many
            # distinct such characters cost 2 us a match: time superlinear in its length.)
            if len(going_on) < _OTHERS_KEPT:
                going_on[after] = ()
            return ()
        words = self._sorted
        out: list[str] = []
        for i in offsets:
            start = match[i:] + after
            at = bisect_left(words, start)
            while at < len(words) and words[at].startswith(start):
                out.append(words[at])
                at += 1
        found = going_on[after] = tuple(out)
        return found


_BREAKING_ESCAPES = frozenset("bBdDsSwWAZ")  # one-letter classes and assertions
_QUANTIFIERS = frozenset("?*+{")


def positions(bits: int) -> Iterator[int]:
    """The positions of the set bits, lowest first: the pre-filter's stages keep the rules,
    packs or lists a text admits as the bits of an int (bit i: item i), so that admitting
    is an `|` and trying them in order needs no sort."""
    while bits:
        lowest = bits & -bits
        yield lowest.bit_length() - 1
        bits ^= lowest


def required_literals(
    pattern: regex.Pattern[str], *, expand: bool = False
) -> frozenset[str] | None:
    """Casefolded strings one of which occurs in any match of the pattern, or None if unsure.

    A conservative reading of the pattern: its branches (`a|b`), and in each the runs of
    plain characters that no quantifier makes optional and the groups that must match, the
    best of them (the longest shortest string). Classes and assertions end a run; escapes
    other than one-letter classes give up (None). Casefolding covers IGNORECASE, full case
    folding included ("ss" matches "ß"); a case-sensitive part is only tested more loosely.

    `expand`: a small class (`[45]`, `[0-7]`), a group of plain alternatives (`(?:us|eu)`)
    that must match, or an optional character goes on the run, spelt each way (at most
    `_MAX_SPELLINGS`): `\\.(?:us|eu)` needs ".us" or ".eu", not "us" or "eu". More strings,
    each rarer: for a lookup in a `Keywords` index (as many as it likes), not for a loop of
    `in` tests.
    """
    if pattern.flags & regex.VERBOSE:
        return None  # spaces and '#' are not characters there
    found = _literals(pattern.pattern, expand)
    if found and expand:
        # No spelling starts with white space (what follows it is in every match too): one
        # such keyword makes a `Keywords` search stop at every space of every text.
        found = frozenset(s.lstrip() for s in found)
    # İ casefolds to "i" + U+0307, yet `regex` lets it match a plain "i": the dot is left
    # out (a text's `fold_for_literals` holds a dotless copy for a text's own İ).
    return frozenset(s.casefold().replace("i\u0307", "i") for s in found) if found else None


def fold_for_literals(text: str) -> str:
    """`text` casefolded, to test `required_literals` with `in`. `regex`'s IGNORECASE lets
    `i` match U+0130 (İ), which casefolds to `i` + U+0307: a copy without the combining dot
    is added then, so a test never says no where the search would match."""
    folded = text.casefold()
    if "\u0307" in folded:
        folded += "\n" + folded.replace("i\u0307", "i")
    return folded


_MAX_SPELLINGS = 64  # ways a run may be spelt (required_literals' `expand`)


def _literals(source: str, expand: bool = False) -> frozenset[str] | None:
    """Strings one of which occurs in any match of `source` (see required_literals)."""
    branches: list[frozenset[str]] = []
    choices: list[frozenset[str]] = []  # what the current branch needs, each way found
    run = [""]  # the current run of plain characters, each way it may be spelt

    def end_run() -> None:
        if run != [""]:
            choices.append(frozenset(run))
            run[:] = [""]

    def extend(options: list[str], quantifier: str) -> None:
        """The run goes on with one of `options` (a class or group that must match here)."""
        if len(run) * len(options) > _MAX_SPELLINGS:
            end_run()
        run[:] = [s + o for s in run for o in options]
        if quantifier in ("+", "{"):  # repeated: what follows the first one is not next
            end_run()

    i = 0
    quantified = -1  # where the last quantifier read ended
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
                run[:] = [s + nxt for s in run]
            i += 2
        elif c == "[":
            end = skip_class(source, i)
            options = _class_chars(source[i:end]) if expand else None
            if options is None or _optional(source, end):
                end_run()
            else:
                extend(options, source[end : end + 1])
            i = end
        elif c == "(":
            end = _group_end(source, i)
            if end < 0:
                return None
            inner = _group_body(source[i + 1 : end])
            spellings = _spellings(inner) if expand and inner is not None else None
            if spellings is not None and not _optional(source, end + 1):
                extend(spellings, source[end + 1 : end + 2])
            else:
                end_run()
                if inner is not None and not _optional(source, end + 1):
                    found = _literals(inner, expand)
                    if found:
                        choices.append(found)
            i = end + 1
        elif c == ")":
            return None  # unbalanced
        elif c in _QUANTIFIERS:
            if i == quantified and c in "?+":
                i += 1  # lazy or possessive: the quantifier before it was read
                continue
            quantified = i + 1
            if c == "?" and expand and run != [""] and len(run) * 2 <= _MAX_SPELLINGS:
                # an optional character: the run goes on, spelt with and without it
                run[:] = run + [s[:-1] for s in run]
                i += 1
                continue
            if c in "?*{" and run != [""]:
                run[:] = [s[:-1] for s in run]  # the quantified character may be absent
            end_run()
            if c == "{":
                close = source.find("}", i)
                if close < 0:
                    return None
                i = quantified = close + 1
                continue
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
            run[:] = [s + c for s in run]
            i += 1
    end_run()
    if not choices:
        return None
    branches.append(_best(choices))
    return frozenset[str]().union(*branches)


_PLAIN = re.compile(r"[^\\\[\](){}?*+.^$]*+")  # characters that stand for themselves


def _spellings(body: str) -> list[str] | None:
    """The strings a group body of plain alternatives (`us|eu|uk`) matches, else None."""
    options = body.split("|")
    if len(options) > _MAX_SPELLINGS or not all(_PLAIN.fullmatch(o) for o in options):
        return None
    return options


def _class_chars(source: str) -> list[str] | None:
    """The characters a small plain class (`[45]`, `[0-7]`, `[.:]`) matches, else None
    (negated, nested, escaped, set operations, or more than a few characters)."""
    body = source[1:-1]
    if not body or body[0] == "^" or any(c in body for c in "[]\\&~|") or "--" in body:
        return None
    chars: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            lo, hi = ord(body[i]), ord(body[i + 2])
            if hi < lo or hi - lo > 9:
                return None
            chars += map(chr, range(lo, hi + 1))
            i += 3
        else:
            chars.append(body[i])
            i += 1
    return chars if len(chars) <= 10 else None


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
