#!/usr/bin/env python3
"""Compare bouncekit's verdicts with the provider reference tables (providers.md).

For every table row whose *source* cell starts with ✔ (official documentation) or ● (seen in
a real bounce), the row's literal example text is classified with `classify_reply`, text
alone, and three things are compared with the row: the provider (the section's provider id),
hard/soft (against `Bounce.permanent`) and the block type (the row's first block type, mapped
to ours; recipient-side types such as unknown-recipient map to "no block type").

It prints agreement per provider and overall, then lists the misses. It never fails on a
figure (exit 0 whenever the file could be read): it measures, the reader judges.

    python tools/check_reference.py [PATH] [--misses N] [--provider ID] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT.parent / "shared" / "reference" / "providers.md"

# Section number -> provider id (the ids other tools compare against).
SECTION_PROVIDER: dict[str, str] = {
    "1": "microsoft",
    "2": "microsoft365",
    "3": "yahoo",
    "4": "orange",
    "5": "laposte",
    "6": "sfr",
    "7": "free",
    "8": "bouygues",
    "9": "google",
    "10": "apple",
    "11": "gmx",
    "12": "tonline",
    "13": "yandex",
    "14": "mailru",
    "15": "comcast",
    "16": "cox",
    "17": "spectrum",
    "18": "att",
    "19": "godaddy",
    "20": "zoho",
    "21": "tencent",
    "22": "netease",
    "23": "naver",
    "24.1": "proofpoint",
    "24.2": "mimecast",
    "24.3": "cisco",
    "24.4": "trendmicro",
    "24.5": "messagelabs",
    "24.6": "barracuda",
}

# The reference's block-type vocabulary (its §0.2) -> ours. None: not a block (the address
# or the receiver is at fault, or a transient deferral such as greylisting, which we file as
# soft). `relay-denied` is a policy refusal in our model (Reason.RELAY_DENIED -> policy).
BLOCK_TYPE: dict[str, str | None] = {
    "ip-reputation": "ip_reputation",
    "named-blocklist": "named_blocklist",
    "complaints": "complaints",
    "auth": "auth",
    "rdns": "rdns",
    "content-spam": "content_spam",
    "virus": "virus",
    "rate-limit": "rate_limit",
    "policy": "policy",
    "protocol": "protocol",
    "tls": "tls",
    "sender-invalid": "sender_invalid",
    "sender-account": "sender_account",
    "relay-denied": "policy",
    "greylisting": None,
    "unknown-recipient": None,
    "mailbox-full": None,
    "disabled-account": None,
    "domain-not-exist": None,
    "too-large": None,
    "system": None,
    "routing": None,
    "unknown": None,
}

_HEADING = re.compile(r"^#{2,3}\s+(\d+(?:\.\d+)?)\.?\s")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BACKTICK = re.compile(r"`([^`]+)`")
_PAREN = re.compile(r"\([^)]*\)")


@dataclass(frozen=True, slots=True)
class Row:
    """One trusted row of a provider table."""

    section: str
    provider: str
    line: int
    code: str
    text: str
    hard: bool | None  # None: the row does not say one way (e.g. "soft / hard")
    block_type: str | None  # ours; None = no block type
    block_raw: str
    unverified: bool = False  # the text cell itself says "(? literal ...)": a shape, not seen


@dataclass(slots=True)
class Outcome:
    row: Row
    provider: str | None
    permanent: bool
    block_type: str | None
    rule: str | None

    @property
    def provider_ok(self) -> bool:
        return self.provider == self.row.provider

    @property
    def hard_ok(self) -> bool | None:
        return None if self.row.hard is None else self.permanent == self.row.hard

    @property
    def block_ok(self) -> bool | None:
        if self.row.block_raw not in BLOCK_TYPE:
            return None
        return self.block_type == self.row.block_type


def parse_hard(cell: str) -> bool | None:
    """The row's hard/soft: the word marked "in effect"/"in practice" if both appear."""
    low = cell.lower()
    words = re.findall(r"\b(hard|soft)\b", low)
    if not words:
        return None
    marked = re.search(r"\b(hard|soft)\b\s+(?:in effect|in practice)", low)
    if marked:
        return marked.group(1) == "hard"
    if len(set(words)) > 1 or "→" in low or "->" in low:
        return None
    if "hard code" in low and ("transient" in low or "temporary" in low):
        return None  # "a hard code, but transient": the row itself is undecided
    return words[0] == "hard"


def parse_block(cell: str) -> str:
    """The first block type of a cell such as "rate-limit, ip-reputation" or "auth (DMARC)"."""
    first = re.split(r"[,/;]", _PAREN.sub("", cell))[0]
    return first.strip().strip("?").strip().lower()


def literal(cell: str) -> str | None:
    """The first backtick span of the literal-text cell (ellipses left as they are)."""
    m = _BACKTICK.search(cell)
    return m.group(1).strip() if m else None


def rows(path: Path) -> Iterator[Row | tuple[str, int, str]]:
    """Trusted rows; a (section, line, code) triple for a trusted row without literal text."""
    section: str | None = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _HEADING.match(line)
        if m:
            section = m.group(1)
            continue
        if section not in SECTION_PROVIDER or not line.startswith("|"):
            continue
        cells = [c.strip() for c in _CELL_SPLIT.split(line.strip())[1:-1]]
        if len(cells) != 7 or cells[0] == "code/pattern" or set(cells[0]) <= {"-", ":"}:
            continue
        code, text_cell, _meaning, block_cell, hard_cell, _fix, source = cells
        if not source.startswith(("✔", "●")):
            continue
        text = literal(text_cell)
        if text is None:
            yield (section, lineno, code)
            continue
        raw = parse_block(block_cell)
        yield Row(
            section=section,
            provider=SECTION_PROVIDER[section],
            line=lineno,
            code=code,
            text=text.replace("\\|", "|"),
            hard=parse_hard(hard_cell),
            block_type=BLOCK_TYPE.get(raw),
            block_raw=raw,
            unverified="(? literal" in text_cell,
        )


def judge(row: Row) -> Outcome:
    from bouncekit import classify_reply

    b = classify_reply(row.text)
    return Outcome(
        row=row,
        provider=b.provider.id if b.provider else None,
        permanent=b.permanent,
        block_type=str(b.block_type) if b.block_type else None,
        rule=b.match.rule_id or str(b.match.stage),
    )


@dataclass(slots=True)
class Tally:
    rows: int = 0
    provider: int = 0
    hard_n: int = 0
    hard: int = 0
    block_n: int = 0
    block: int = 0
    missing_literal: list[str] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.rows += 1
        self.provider += o.provider_ok
        if o.hard_ok is not None:
            self.hard_n += 1
            self.hard += o.hard_ok
        if o.block_ok is not None:
            self.block_n += 1
            self.block += o.block_ok


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def _line(name: str, t: Tally) -> str:
    return (
        f"{name:14} {t.rows:4}  provider {_pct(t.provider, t.rows)} ({t.provider}/{t.rows})"
        f"  hard/soft {_pct(t.hard, t.hard_n)} ({t.hard}/{t.hard_n})"
        f"  block type {_pct(t.block, t.block_n)} ({t.block}/{t.block_n})"
    )


def _miss_lines(o: Outcome) -> Iterator[str]:
    what = []
    if not o.provider_ok:
        what.append(f"provider {o.provider} != {o.row.provider}")
    if o.hard_ok is False:
        what.append(f"permanent {o.permanent} but row says {'hard' if o.row.hard else 'soft'}")
    if o.block_ok is False:
        what.append(f"block type {o.block_type} != {o.row.block_type} ({o.row.block_raw})")
    yield f"- §{o.row.section} line {o.row.line} {o.row.code}: {'; '.join(what)} [{o.rule}]"
    yield f"    {o.row.text[:160]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="providers.md")
    ap.add_argument("--misses", type=int, default=1000, help="list at most N misses")
    ap.add_argument("--provider", help="only this provider id")
    ap.add_argument("--json", action="store_true", help="print figures and misses as JSON")
    args = ap.parse_args(argv)
    path = Path(args.path)
    if not path.is_file():
        print(f"check_reference: {path}: no such file", file=sys.stderr)
        return 2

    per: dict[str, Tally] = {}
    total = Tally()
    seen = Tally()  # without the rows whose literal is marked "(? literal)"
    outcomes: list[Outcome] = []
    for item in rows(path):
        if isinstance(item, tuple):
            sec, lineno, code = item
            pid = SECTION_PROVIDER[sec]
            if args.provider in (None, pid):
                per.setdefault(pid, Tally()).missing_literal.append(f"line {lineno} {code}")
                total.missing_literal.append(f"§{sec} line {lineno} {code}")
            continue
        if args.provider not in (None, item.provider):
            continue
        o = judge(item)
        outcomes.append(o)
        per.setdefault(item.provider, Tally()).add(o)
        total.add(o)
        if not item.unverified:
            seen.add(o)
    misses = [o for o in outcomes if not o.provider_ok or o.hard_ok is False or o.block_ok is False]

    if args.json:
        print(
            json.dumps(
                {
                    "total": asdict(total),
                    "literal_seen": asdict(seen),
                    "providers": {k: asdict(v) for k, v in per.items()},
                    "misses": [
                        {
                            "section": o.row.section,
                            "line": o.row.line,
                            "code": o.row.code,
                            "text": o.row.text,
                            "expected": {
                                "provider": o.row.provider,
                                "hard": o.row.hard,
                                "block_type": o.row.block_type,
                            },
                            "got": {
                                "provider": o.provider,
                                "permanent": o.permanent,
                                "block_type": o.block_type,
                                "rule": o.rule,
                            },
                        }
                        for o in misses
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0

    print(f"reference: {path}  (rows marked ✔ or ● with a literal text)")
    for pid in SECTION_PROVIDER.values():
        if pid in per and per[pid].rows:
            print(_line(pid, per[pid]))
    print(_line("OVERALL", total))
    if seen.rows != total.rows:
        print(_line("  literal seen", seen))
        print(f"  ({total.rows - seen.rows} row(s) whose text cell is marked '(? literal)')")
    if total.missing_literal:
        print(f"{len(total.missing_literal)} trusted row(s) without a literal text, not counted")
    print(f"\n{len(misses)} row(s) with a miss:")
    for o in misses[: args.misses]:
        for line in _miss_lines(o):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
