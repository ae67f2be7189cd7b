"""Refuse signature patterns that can backtrack badly, before a registry uses them.

Two checks, both cheap enough to run on every pattern at load:

* a static scan for *nested* quantifiers: a group that holds an unbounded, backtracking
  quantifier (`+`, `*`, `{n,}`) and is itself repeated, as in `(?:\\w+\\s?)+`. Possessive
  or atomic forms (`\\w++`, `(?>...)`) and bounded gaps (`(?:\\w++\\W{1,3}){0,4}`) pass;
* a quick *pump*: the pattern is searched in a few short strings built to make neighbouring
  quantifiers fight over the same characters (its own words, letters, punctuation), under a
  CPU-time budget. A pattern that runs out of budget cannot load.

The per-pattern pump test of the test suite is longer; this one only keeps an unsafe plugin
pattern out of a running process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import regex

PUMP_LENGTH = 512  # characters per pump string
PUMP_BUDGET = 0.1  # seconds of this thread's CPU per search
STOPPER = 2  # the regex `timeout=` (process CPU time, all threads) is this many budgets


class UnsafePattern(ValueError):
    """A pattern with nested quantifiers, or one that ran out of budget on a pump."""


@dataclass(slots=True)
class _Frame:
    unbounded: bool = False  # the group's body holds a backtracking unbounded quantifier
    atomic: bool = False  # (?>...): no backtracking into it from outside
    lookaround: bool = False


def skip_class(src: str, i: int) -> int:
    """Index just past the character class that starts at src[i] == '[' (V1 nested sets)."""
    depth = 0
    n = len(src)
    start = i
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
            i += 1
            if src.startswith("^", i):
                i += 1
            if src.startswith("]", i) and depth == 1 and i == start + 1 + (src[start + 1] == "^"):
                i += 1  # a leading ']' is a literal
            continue
        if c == "]":
            depth -= 1
            i += 1
            if depth == 0:
                return i
            continue
        i += 1
    return n


def _skip_escape(src: str, i: int) -> int:
    """Index just past the escape at src[i] == '\\' (with \\p{..}, \\x{..}, \\L<..>)."""
    if i + 1 >= len(src):
        return len(src)
    c = src[i + 1]
    j = i + 2
    if c in "pPNxXu" and src.startswith("{", j):
        end = src.find("}", j)
        return len(src) if end < 0 else end + 1
    if c == "L" and src.startswith("<", j):
        end = src.find(">", j)
        return len(src) if end < 0 else end + 1
    return j


_QUANT = regex.compile(r"\*|\+|\?|\{(\d*)(,?)(\d*)\}")


def _quantifier(src: str, i: int) -> tuple[int, bool, bool, bool] | None:
    """(end, repeats, unbounded, possessive) of a quantifier at src[i], or None."""
    m = _QUANT.match(src, i)
    if m is None:
        return None
    tok = m.group(0)
    if tok.startswith("{"):
        lo, comma, hi = m.group(1), m.group(2), m.group(3)
        if not lo and not hi:
            return None  # "{}" or "{,}" is a literal brace
        unbounded = bool(comma) and not hi
        high = None if unbounded else int(hi or lo)
        repeats = unbounded or (high is not None and high > 1)
    else:
        unbounded = tok in "*+"
        repeats = unbounded
    end = m.end()
    possessive = src.startswith("+", end)
    if possessive or src.startswith("?", end):
        end += 1
    return end, repeats, unbounded, possessive


def nested_quantifier(src: str) -> str | None:
    """A short description of the first nested quantifier in `src`, or None when there is none."""
    stack = [_Frame()]
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        group: _Frame | None = None
        if c == "\\":
            i = _skip_escape(src, i)
        elif c == "[":
            i = skip_class(src, i)
        elif c == "(":
            if src.startswith("(?#", i):
                end = src.find(")", i)
                i = n if end < 0 else end + 1
                continue
            frame = _Frame(
                atomic=src.startswith("(?>", i),
                lookaround=src.startswith(("(?=", "(?!", "(?<=", "(?<!"), i),
            )
            flags = regex.match(r"\(\?[a-zA-Z\-]+\)", src[i:])
            if flags:  # an inline flag group has no body
                i += flags.end()
                continue
            stack.append(frame)
            i += 1
            continue
        elif c == ")":
            if len(stack) > 1:
                group = stack.pop()
            i += 1
        else:
            i += 1
        q = _quantifier(src, i)
        if q is not None:
            end, repeats, unbounded, possessive = q
            inner = group is not None and group.unbounded and not group.atomic
            if inner and repeats and not possessive:
                return f"nested quantifier before position {end}: {src[max(0, end - 40) : end]!r}"
            if (unbounded and not possessive) or (inner and not possessive):
                stack[-1].unbounded = True
            i = end
        elif group is not None and group.unbounded and not group.atomic and not group.lookaround:
            stack[-1].unbounded = True
    return None


_WORD = regex.compile(r"(?<!\\)(?<!\\[pPNxXuL]\{[^}]{0,20})[A-Za-z]{2,}")


def pump_strings(src: str) -> tuple[str, ...]:
    """Short strings that make neighbouring quantifiers of `src` share characters."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(src)))[:24]
    own = " ".join(words) + " " if words else "a "
    fillers = (own, "a ", "a", "a.a-a@a ", "1.", "ab1 ", " \t")
    out = []
    for filler in fillers:
        body = (filler * (PUMP_LENGTH // max(1, len(filler)) + 1))[:PUMP_LENGTH]
        out.append(body + "\x00!")  # a failing suffix forces every alternative to be tried
    return tuple(out)


def check_pattern(
    pattern: regex.Pattern[str], budget: float = PUMP_BUDGET, *, pump: bool = True
) -> None:
    """Raise UnsafePattern if `pattern` has nested quantifiers or (with `pump`) runs out of
    budget on a pump."""
    why = nested_quantifier(pattern.pattern)
    if why:
        raise UnsafePattern(why)
    if not pump:
        return
    for pump_text in pump_strings(pattern.pattern):
        # `timeout=` counts the CPU time of the whole process (all threads): it only stops a
        # runaway search. The verdict is this thread's own CPU time, so that other busy
        # threads cannot make a linear pattern look unsafe.
        for _attempt in range(3):
            started = time.thread_time()
            try:
                pattern.search(pump_text, timeout=budget * STOPPER)
                stopped = False
            except TimeoutError:
                stopped = True
            spent = time.thread_time() - started
            if spent > budget:
                raise UnsafePattern(
                    f"over {budget * 1000:.0f} ms of CPU on a {len(pump_text)}-character pump "
                    f"{pump_text[:24]!r}..."
                )
            if not stopped:
                break
        else:
            raise UnsafePattern(f"no verdict on a pump {pump_text[:24]!r}... (machine too busy)")
