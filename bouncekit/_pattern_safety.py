"""Refuse signature patterns that can backtrack badly, before a registry uses them.

Two checks, both cheap enough to run on every pattern at load:

* a static scan for *nested* quantifiers: a group that holds an unbounded, backtracking
  quantifier (`+`, `*`, `{n,}`) and is itself repeated, as in `(?:\\w+\\s?)+`. Possessive
  or atomic forms (`\\w++`, `(?>...)`) and bounded gaps (`(?:\\w++\\W{1,3}){0,4}`) pass;
* a quick *pump* against the budget of the test suite (BUDGET_64K: 10 ms of CPU on a 64 KB
  pump): the pattern is searched in a few 256-character strings built to make neighbouring
  quantifiers fight over the same characters (its own words, letters, punctuation), each
  followed by the pattern's literal runs so that `regex`'s required-literal shortcut cannot
  hide the cost. The worst one is searched again at 2 KB. A pattern whose time, projected to 64 KB,
  comes near the budget, or that grows faster than linearly, is searched at 64 KB (best of
  3, this thread's CPU time): over BUDGET_64K it cannot load. Linear, cheap patterns (all the
  built-in ones) never reach the 64 KB search, so the check stays cheap at load. On a host
  slower than the reference machine the budget grows in proportion (`machine_factor`, a
  reference search timed once): the test suite asserts the budget itself, on the reference
  machine; a slow host must not refuse to load a pack that passed it.

tests/test_patterns_pump.py pumps with many more strings and asserts the same budget.
The built-in patterns are checked once, when `python -m bouncekit._verified` records them in
the verified manifest, rather than in every process (see `_schema.LazyPattern`).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import regex

BUDGET_64K = 0.010  # seconds of this thread's CPU for a search of a 64 KB pump (issue #6)
PUMP_LENGTH = 256  # characters per short pump string
LONG_PUMP = 2048  # the worst short pump, again at this length: linear, and how fast?
FULL_PUMP = 65536  # the length BUDGET_64K is for
PUMP_BUDGET = 0.1  # seconds of this thread's CPU per short search: a runaway stops here
# A typical gap pattern and the pump that makes it work, and its time at 64 KB on the machine
# BUDGET_64K was measured on (best of 7): at load, the budget scales with this machine's
# speed relative to that one, so that a slow host cannot refuse a linear pattern.
REFERENCE = (r"(?:mailbox|inbox|account|user)\W{1,3}(?:\w++\W{1,3}){0,3}?(?:full|quota)", "user a ")
REFERENCE_64K = 0.005
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


@functools.lru_cache(maxsize=1024)
def pump_fillers(src: str) -> tuple[str, ...]:
    """What the short pumps repeat: the pattern's own words, letters, a recurring trigger word,
    address and code characters, white space."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(src)))[:24]
    own = " ".join(words) + " " if words else "a "
    return (own, "a ", "a", "host ", "a.a-a@a ", "1.", "ab1 ", " \t", " ")


# An opening parenthesis with what follows it that is not a pattern: "(?:", "(?<=", "(?P<x>"...
_GROUP_OPEN = regex.compile(r"\((?:\?(?:[:>=!|]|<[=!]|P?<\w+>|[a-zA-Z\-]*[:)]|#[^)]*\)))?")


def literal_runs(src: str) -> tuple[str, ...]:
    """The runs of plain characters of a pattern (escaped punctuation included), lowercased:
    among them, every literal `regex` may require of a match."""
    runs: list[str] = []
    run: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and not src[i + 1].isalnum():
            run.append(src[i + 1])
            i += 2
            continue
        if c == "{" and _QUANT.match(src, i) is None:
            run.append(c)  # a literal brace
            i += 1
            continue
        if c == "\\" or c == "[" or c in "()|?*+{}^$.":
            if len(run) > 1:
                runs.append("".join(run).lower())
            run = []
            if c == "\\":
                i = _skip_escape(src, i)
            elif c == "[":
                i = skip_class(src, i)
            elif c in "({":
                m = (_GROUP_OPEN if c == "(" else _QUANT).match(src, i)
                i = m.end() if m else i + 1
            else:
                i += 1
            continue
        run.append(c)
        i += 1
    if len(run) > 1:
        runs.append("".join(run).lower())
    return tuple(dict.fromkeys(runs))


def pump_text(src: str, filler: str, length: int) -> str:
    """`filler` repeated to `length` characters, then on a line of their own (out of reach of
    a `.*`) the pattern's literal runs, and a failing end. The runs matter: `regex` skips a
    search whose required literal is absent, so a pump without them can hide the whole cost."""
    body = (filler * (length // max(1, len(filler)) + 1))[:length]
    return body + _tail(src)


@functools.lru_cache(maxsize=1024)
def _tail(src: str) -> str:
    return "\n" + " ".join(literal_runs(src)) + "\x00!"


def _cpu(pattern: regex.Pattern[str], text: str, stop: float | None = None) -> float:
    """This thread's CPU time for one search; with `stop`, a runaway is stopped (inf).

    `timeout=` counts the CPU time of the whole process (all threads) and slows the search
    down by half again: it guards the searches whose cost is not yet known to be bounded."""
    started = time.thread_time()
    try:
        if stop is None:
            pattern.search(text)
        else:
            pattern.search(text, timeout=stop)
    except TimeoutError:
        return float("inf")
    return time.thread_time() - started


def check_pattern(
    pattern: regex.Pattern[str], budget: float = PUMP_BUDGET, *, pump: bool = True
) -> None:
    """Raise UnsafePattern if `pattern` has nested quantifiers or (with `pump`) runs out of
    `budget` on a short pump, grows faster than linearly, or needs more than BUDGET_64K on
    its worst pump at 64 KB."""
    why = nested_quantifier(pattern.pattern)
    if why:
        raise UnsafePattern(why)
    if not pump:
        return
    src = pattern.pattern
    worst, worst_filler = -1.0, "a"
    for filler in pump_fillers(src):
        text = pump_text(src, filler, PUMP_LENGTH)
        # The verdict is this thread's own CPU time, so that other busy threads cannot make
        # a linear pattern look unsafe; a search over budget is tried again before it counts.
        spent = _cpu(pattern, text, budget * STOPPER)
        if spent > budget:
            spent = _cpu(pattern, text, budget * STOPPER)
        if spent > budget:
            raise UnsafePattern(
                f"over {budget * 1000:.0f} ms of CPU on a {PUMP_LENGTH}-character pump "
                f"of {filler!r}"
            )
        if spent > worst:
            worst, worst_filler = spent, filler
    # The worst pump again, without the stopper (its cost is now known to be small), short
    # and 8 times longer: the slope says linear or not, the long time how far from budget.
    short = _cpu(pattern, pump_text(src, worst_filler, PUMP_LENGTH))
    long_text = pump_text(src, worst_filler, LONG_PUMP)
    long = _cpu(pattern, long_text)
    scale = FULL_PUMP / LONG_PUMP
    for _attempt in range(2):
        superlinear = long > 1e-4 and long > 2 * short * (LONG_PUMP / PUMP_LENGTH)
        if not superlinear and long * scale <= 0.8 * BUDGET_64K:
            return  # linear and well within budget: the usual case, decided in ~0.2 ms
        long = min(long, _cpu(pattern, long_text))  # a busy moment, or the pattern?
    superlinear = long > 1e-4 and long > 2 * short * (LONG_PUMP / PUMP_LENGTH)
    limit = BUDGET_64K * machine_factor()
    if not superlinear and long * scale <= 0.8 * limit:
        return
    if superlinear and long * scale * scale > 100 * BUDGET_64K:
        raise UnsafePattern(
            f"grows faster than linearly: {short * 1e3:.2f} ms of CPU at {PUMP_LENGTH} "
            f"characters, {long * 1e3:.2f} ms at {LONG_PUMP} (pump of {worst_filler!r})"
        )
    # Near the budget: the test suite's own measure, best of 3 at 64 KB.
    text = pump_text(src, worst_filler, FULL_PUMP)
    full = float("inf")
    for _ in range(3):
        full = min(full, _cpu(pattern, text))
        if full <= limit:
            return
    raise UnsafePattern(
        f"{full * 1e3:.1f} ms of CPU on a {FULL_PUMP}-character pump of {worst_filler!r} "
        f"(the budget is {BUDGET_64K * 1e3:.0f} ms, {limit * 1e3:.1f} ms on this machine)"
    )


@functools.lru_cache(maxsize=1)
def machine_factor() -> float:
    """How much slower than the reference machine this one runs the REFERENCE search (>= 1):
    measured once per process, and only when a pattern comes near the budget."""
    pattern = regex.compile(REFERENCE[0], regex.IGNORECASE | regex.VERSION1)
    text = pump_text(REFERENCE[0], REFERENCE[1], FULL_PUMP)
    return max(1.0, min(_cpu(pattern, text) for _ in range(5)) / REFERENCE_64K)
