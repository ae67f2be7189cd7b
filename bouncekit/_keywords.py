"""The pre-filter: which keywords and literals can occur in a text, found without a scan.

A text is read once (`Scan`): lowercased, cut into words. Each keyword index (`Keywords`)
then admits the few keywords the text's words can hold, and confirms them with `in`.
`required_literals` reads a pattern for the strings one of which any match contains, so
that a pattern runs only when one of them occurs. Built once per registry or table; nothing
here keeps anything from one text to the next.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import regex

from bouncekit._pattern_safety import skip_class

# A word, for the keyword indexes: a run of ASCII letters and digits of the lowercased text
# (a Japanese sentence adds no words; its keywords are among those tried on every text).
_WORD = re.compile(r"[a-z0-9]+")
_NO_WORDS: frozenset[str] = frozenset()


def _keys(words: Iterable[str]) -> set[str]:
    """What words offer the indexes: each word whole (marked by a leading space, which no
    window has) and its 3-character windows."""
    return {" " + w for w in words} | {w[i : i + 3] for w in words for i in range(len(w) - 2)}


def words_of(strings: Iterable[str]) -> set[str]:
    """The words the strings spell (what a registry's vocabulary is made of)."""
    return {w for s in strings for w in _WORD.findall(s.lower())}


class Scan:
    """A lowercased text and its words, made once per diagnostic and read by every index.

    The words a `vocabulary` knows are looked up by the indexes built with it (what each
    admits was worked out when the index was built); only the others are cut into keys.
    `present`, when the registry made the scan (`Registry.scan`), holds every keyword and
    literal of the registry's combined index that occurs in the text: the one lookup that
    the provider fingerprints and the generic rules are then narrowed from.
    """

    __slots__ = ("index", "lowered", "others", "present", "unknown", "vocabulary", "words")

    def __init__(
        self,
        lowered: str,
        vocabulary: frozenset[str] = _NO_WORDS,
        index: Keywords | None = None,
    ) -> None:
        self.lowered = lowered
        self.words = set(_WORD.findall(lowered))
        self.vocabulary = vocabulary
        unknown = self.words - vocabulary
        self.unknown = _keys(unknown) if unknown else _NO_WORDS
        self.others = " ".join(unknown)  # where a one- or two-letter keyword may still be
        self.index = index
        self.present = index.found(self) if index is not None else None

    @staticmethod
    def of(text: str | Scan) -> Scan:
        return text if isinstance(text, Scan) else Scan(text)


class Keywords:
    """Which of a set of lowercase keywords occur in a text: looked up, not scanned for.

    A keyword occurs anywhere (a substring, as `kw in text`), so each of its words lies
    inside a word of the text, and a word it encloses ("is" in "mailbox is full") is a whole
    word of the text. A keyword is indexed by one such key: a 3-character window of one of
    its words, or a word it encloses; the key chosen is the one the fewest `reference`
    texts (and keywords) offer, so that a text admits few candidates. A keyword of one short
    word ("de") occurs when a text word contains it; the rest ("[cs", Japanese keywords)
    are tried on every text. What each word of the `vocabulary` admits is worked out here,
    once. Candidates are confirmed with `in`: the index only skips keywords that cannot occur.
    """

    __slots__ = ("_always", "_ascii_always", "_by_key", "_short", "_table", "_vocabulary")

    def __init__(
        self,
        keywords: Iterable[str],
        reference: Iterable[str] = (),
        vocabulary: frozenset[str] = _NO_WORDS,
    ) -> None:
        self._by_key: dict[str, list[str]] = {}
        self._short: list[str] = []
        self._always: list[str] = []
        unique = sorted(set(keywords))
        # How common each key is: in how many texts (reference and keywords) it is offered.
        common: Counter[str] = Counter()
        for text in (*(t.lower() for t in reference), *unique):
            common.update(_keys(set(_WORD.findall(text))))
        for kw in unique:
            words = [m.group(0) for m in _WORD.finditer(kw)]
            options = [k for k in _keys(words) if k[0] != " "]
            options += [
                " " + m.group(0)
                for m in _WORD.finditer(kw)
                if m.start() > 0 and m.end() < len(kw)  # a word it encloses
            ]
            if options:
                key = min(options, key=lambda k: (common[k], k))
                self._by_key.setdefault(key, []).append(kw)
            elif words == [kw]:
                self._short.append(kw)
            else:
                self._always.append(kw)
        self._ascii_always = [k for k in self._always if k.isascii()]
        self._vocabulary = vocabulary
        # word -> (the one-word keywords it contains: present for sure, the keywords keyed
        # by it: to confirm in the whole text); the words that admit nothing are left out
        self._table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        one_word = {k for k in unique if _WORD.fullmatch(k)}
        by_key = self._by_key
        for word in vocabulary:
            keyed = [k for key in _keys([word]) if key in by_key for k in by_key[key]]
            holds = [k for k in keyed if k in one_word and k in word]
            holds += [k for k in self._short if k in word]
            maybe = tuple(k for k in keyed if k not in one_word)
            if holds or maybe:
                self._table[word] = (tuple(holds), maybe)

    def found(self, scan: Scan) -> set[str]:
        present: set[str] = set()
        # A keyword with a character beyond ASCII cannot be in an ASCII text.
        candidates = list(self._always if not scan.lowered.isascii() else self._ascii_always)
        if scan.vocabulary is self._vocabulary:
            keys, others = scan.unknown, scan.others
            table = self._table
            for word in table.keys() & scan.words:
                holds, maybe = table[word]
                present.update(holds)
                candidates += maybe
        else:  # a scan made for another vocabulary: every word is worked out here
            keys, others = _keys(scan.words), " ".join(scan.words)
        by_key = self._by_key
        for key in by_key.keys() & keys:
            candidates += by_key[key]
        if others:
            present.update(k for k in self._short if k in others)
        lowered = scan.lowered
        present.update(kw for kw in candidates if kw in lowered)
        return present


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


def fold_for_literals(text: str) -> str:
    """`text` casefolded, to test `required_literals` with `in`. `regex`'s IGNORECASE lets
    `i` match U+0130 (İ), which casefolds to `i` + U+0307: a copy without the combining dot
    is added then, so a test never says no where the search would match."""
    folded = text.casefold()
    if "\u0307" in folded:
        folded += "\n" + folded.replace("i\u0307", "i")
    return folded


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
