"""Batch reading for `bouncekit parse`: inputs, parallel parsing, progress, tables.

Inputs are read lazily, one message at a time, so a 2 GB mbox costs the memory of its
largest message, not of the file. Results come back in input order, with `--jobs N` too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

import regex

from bouncekit._api import parse_bounce
from bouncekit._registry import default_registry
from bouncekit._types import BounceReport
from bouncekit.incidents import Incident

# An mbox "From " separator line: `From sender  Thu Jul  2 12:05:05 2020` (asctime date).
_FROM_LINE = regex.compile(
    rb"From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +"
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +\d{1,2}:\d\d(?::\d\d)? +"
    rb"(?:[A-Z]{3,5} +|[+-]\d{4} +)?(\d{4})\b"
)
_ESCAPED_FROM = regex.compile(rb"^>(>*From )")
_DATE = regex.compile(rb"(?im)^date:[ \t]*([^\r\n]{1,200})")
_SINGLE_SUFFIXES = (".eml", ".msg", ".txt")
READ_LIMIT = 64 * 1024 * 1024  # one message larger than this is refused, not read


@dataclass(frozen=True, slots=True)
class Item:
    """One message to parse, or an input that could not be read (`error` set)."""

    label: str
    data: bytes = b""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    label: str
    report: BounceReport | None
    when: datetime | None
    error: str | None = None


# --- inputs ------------------------------------------------------------------------------


def is_from_line(line: bytes) -> bool:
    return _FROM_LINE.match(line) is not None


def split_mbox(lines: Iterable[bytes], label: str) -> Iterator[Item]:
    """Split an mbox (mboxo or mboxrd) into messages, one at a time.

    A message starts at a `From ` line in asctime form that opens the file or follows a
    blank line; `>From ` lines lose one `>` (mboxrd quoting, harmless for mboxo).
    """
    current: list[bytes] = []
    previous_blank = True
    n = 0
    for line in lines:
        if previous_blank and is_from_line(line):
            if current:
                n += 1
                yield Item(f"{label}#{n}", _join(current))
            current = [line]
        else:
            current.append(_ESCAPED_FROM.sub(rb"\1", line) if line[:1] == b">" else line)
        previous_blank = line in (b"\n", b"\r\n")
    if current:
        n += 1
        yield Item(f"{label}#{n}", _join(current))


def _join(lines: list[bytes]) -> bytes:
    data = b"".join(lines)
    # The separator's blank line belongs to mbox, not to the message.
    return data[:-1] if data.endswith(b"\n\n") else data


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _read_file(path: Path, fmt: str) -> Iterator[Item]:
    label = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.readline()
            mbox = fmt == "mbox" or (
                fmt == "auto"
                and is_from_line(head)
                and not path.name.lower().endswith(_SINGLE_SUFFIXES)
            )
            if mbox:
                yield from split_mbox(_chain(head, fh), label)
                return
            rest = fh.read(READ_LIMIT + 1 - len(head))
    except OSError as exc:
        yield Item(label, error=exc.strerror or str(exc))
        return
    data = head + rest
    if len(data) > READ_LIMIT:
        yield Item(label, error=f"larger than {READ_LIMIT} bytes")
    else:
        yield Item(label, data)


def _chain(first: bytes, rest: IO[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _files_of(folder: Path) -> Iterator[Path]:
    """Message files of a folder: a Maildir's new/ and cur/, or every file below, sorted."""
    if is_maildir(folder):
        for sub in ("new", "cur"):
            yield from sorted(p for p in (folder / sub).iterdir() if not p.name.startswith("."))
        return
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "tmp")
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def iter_inputs(
    paths: Iterable[str], fmt: str = "auto", stdin: IO[bytes] | None = None
) -> Iterator[Item]:
    """Every message of the given files, folders (Maildir or plain), mboxes and `-` (stdin)."""
    for raw in paths:
        if raw == "-":
            source = stdin if stdin is not None else sys.stdin.buffer
            head = source.readline()
            if fmt == "mbox" or (fmt == "auto" and is_from_line(head)):
                yield from split_mbox(_chain(head, source), "<stdin>")
            else:
                yield Item("<stdin>", head + source.read())
            continue
        path = Path(raw)
        if path.is_dir():
            for f in _files_of(path):
                yield from _read_file(f, fmt)
        else:
            yield from _read_file(path, fmt)


def count_files(paths: Iterable[str]) -> int | None:
    """How many files the inputs hold (for the progress bar); None when stdin is read."""
    total = 0
    for raw in paths:
        if raw == "-":
            return None
        path = Path(raw)
        total += sum(1 for _ in _files_of(path)) if path.is_dir() else 1
    return total


# --- parsing -----------------------------------------------------------------------------


def message_date(data: bytes) -> datetime | None:
    """The Date of the bounce itself (its first header block), else of its mbox From line."""
    end = data.find(b"\n\n")
    crlf = data.find(b"\r\n\r\n")
    if crlf != -1 and (end == -1 or crlf < end):
        end = crlf
    head = data[: end if end != -1 else 64 * 1024][: 64 * 1024]
    m = _DATE.search(head)
    if m is not None:
        try:
            when = parsedate_to_datetime(m.group(1).decode("latin-1").strip())
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    first = data[: data.find(b"\n") + 1]
    if is_from_line(first):
        text = first.decode("latin-1").split(None, 2)[2].strip()
        try:
            return datetime.strptime(" ".join(text.split()[:5]), "%a %b %d %H:%M:%S %Y").replace(
                tzinfo=UTC
            )
        except ValueError:
            return None
    return None


def parse_item(item: Item) -> Parsed:
    """Parse one message (runs in a worker process with `--jobs`)."""
    if item.error is not None:
        return Parsed(item.label, None, None, item.error)
    return Parsed(item.label, parse_bounce(item.data), message_date(item.data))


def _parse_chunk(items: list[Item]) -> list[Parsed]:
    return [parse_item(i) for i in items]


def parse_all(items: Iterable[Item], jobs: int = 1, chunk: int = 16) -> Iterator[Parsed]:
    """Parse in input order; with `jobs > 1`, in worker processes, a bounded window ahead."""
    if jobs <= 1:
        for item in items:
            yield parse_item(item)
        return
    # Build the registry before the workers start: where processes fork (Linux), they
    # inherit it compiled instead of each compiling every pack again.
    default_registry()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[list[Parsed]]] = deque()
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= chunk:
                pending.append(pool.submit(_parse_chunk, batch))
                batch = []
                while len(pending) > 2 * jobs:  # bounded memory: a few chunks in flight
                    yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(_parse_chunk, batch))
        while pending:
            yield from pending.popleft().result()


# --- progress ----------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal's stderr; silent when stderr is not a TTY."""

    WIDTH = 24

    def __init__(self, stream: IO[str], total: int | None, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, done_files: int, messages: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and self._shown and now - self._last < 0.1:
            return
        self._last = now
        elapsed = now - self.start
        rate = messages / elapsed if elapsed > 0 else 0.0
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * done_files // self.total)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"[{bar}] {done_files}/{self.total} files, {messages} messages"
        else:
            line = f"{messages} messages"
        line += f", {rate:.0f}/s, {elapsed:.1f}s"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


# --- output ------------------------------------------------------------------------------

CSV_FIELDS = (
    "input", "date", "kind", "recipient", "category", "reason", "sisimai_reason",
    "block_type", "smtp_code", "enhanced_status", "provider", "blocklist", "blocked_ip",
    "remote_mta", "rule", "stage", "action", "fixer", "advice", "diagnostic",
    "provenance", "confidence",
)  # fmt: skip


def csv_rows(p: Parsed, lang: str) -> list[dict[str, Any]]:
    """One row per recipient (a report without any gets one row with its kind)."""
    assert p.report is not None
    base = {
        "input": p.label,
        "date": p.when.isoformat() if p.when else "",
        "kind": p.report.kind.value,
    }
    if not p.report.bounces:
        return [base]
    rows = []
    for b in p.report.bounces:
        rows.append(
            {
                **base,
                "recipient": b.recipient or "",
                "category": b.category.value,
                "reason": b.reason.value,
                "sisimai_reason": b.reason.sisimai,
                "block_type": b.block_type.value if b.block_type else "",
                "smtp_code": b.smtp_code or "",
                "enhanced_status": str(b.enhanced_status or ""),
                "provider": b.provider.id if b.provider else "",
                "blocklist": b.blocklist or "",
                "blocked_ip": b.blocked_ip or "",
                "remote_mta": b.remote_mta or "",
                "rule": b.match.rule_id or "",
                "stage": b.match.stage.value,
                "action": b.advice.action.value,
                "fixer": b.advice.fixer.value,
                "advice": b.advice.text(lang),
                "diagnostic": b.diagnostic,
                "provenance": b.provenance,
                "confidence": b.confidence.value,
            }
        )
    return rows


def csv_writer(out: IO[str]) -> Callable[[Parsed, str], None]:
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, restval="", lineterminator="\n")
    writer.writeheader()

    def write(p: Parsed, lang: str) -> None:
        writer.writerows(csv_rows(p, lang))

    return write


def jsonl_lines(p: Parsed) -> list[str]:
    """One JSON object per recipient, with the report's context (input, date, kind)."""
    assert p.report is not None
    base: dict[str, Any] = {
        "input": p.label,
        "date": p.when.isoformat() if p.when else None,
        "kind": p.report.kind.value,
        "defects": list(p.report.defects),
    }
    if not p.report.bounces:
        return [json.dumps(base, ensure_ascii=False)]
    return [json.dumps({**base, **b.to_dict()}, ensure_ascii=False) for b in p.report.bounces]


# --- summary -----------------------------------------------------------------------------

_WORDS = {
    "en": {
        "summary": "Summary",
        "messages": "messages",
        "recipients": "recipients",
        "unreadable": "unreadable",
        "provider": "provider",
        "category": "category",
        "block_type": "block type",
        "count": "count",
        "incidents": "Incidents (the sender was refused: keep these recipients)",
        "none": "no incident",
        "bounces": "bounces",
        "from": "from",
        "to": "to",
        "fixer": "who can fix it",
        "keep": "do not suppress",
        "more": "more",
        "said": "said",
        "smaller": "smaller incidents not shown",
        "anyone": "(provider not identified)",
        "condemned": "(none: each also hard-bounced or complained)",
    },
    "fr": {
        "summary": "Résumé",
        "messages": "messages",
        "recipients": "destinataires",
        "unreadable": "illisibles",
        "provider": "fournisseur",
        "category": "catégorie",
        "block_type": "type de blocage",
        "count": "nombre",
        "incidents": "Incidents (l'expéditeur a été refusé : gardez ces destinataires)",
        "none": "aucun incident",
        "bounces": "rejets",
        "from": "du",
        "to": "au",
        "fixer": "qui peut corriger",
        "keep": "ne pas supprimer",
        "more": "de plus",
        "said": "réponse",
        "smaller": "incidents plus petits non affichés",
        "anyone": "(fournisseur non identifié)",
        "condemned": "(aucun : chacun a aussi eu un rejet définitif ou une plainte)",
    },
}


@dataclass(slots=True)
class Tally:
    """Counts by provider x category x block type, kept while the results stream by."""

    messages: int = 0
    unreadable: int = 0
    recipients: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    cells: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # provider id or ""
    names: dict[str, str] = field(default_factory=dict)  # provider id -> name

    def add(self, p: Parsed) -> None:
        if p.report is None:
            self.unreadable += 1
            return
        self.messages += 1
        self.kinds[p.report.kind.value] += 1
        for b in p.report.bounces:
            self.recipients += 1
            if b.provider is not None:
                self.names[b.provider.id] = b.provider.name
            provider = b.provider.id if b.provider else ""
            self.cells[
                (provider, b.category.value, b.block_type.value if b.block_type else "")
            ] += 1

    def rows(self) -> list[tuple[str, str, str, int]]:
        """(provider name or "-", category, block type or "-", count), largest first."""
        rows = [(self.names.get(p, "-"), c, bt or "-", n) for (p, c, bt), n in self.cells.items()]
        return sorted(rows, key=lambda r: (-r[3], r[:3]))


def summary_data(tally: Tally, incidents: list[Incident]) -> dict[str, Any]:
    """The summary as plain data (`--summary-only --json`): counts, then incidents."""
    return {
        "messages": tally.messages,
        "unreadable": tally.unreadable,
        "recipients": tally.recipients,
        "kinds": dict(tally.kinds.most_common()),
        "counts": [
            {"provider": p or None, "category": c, "block_type": bt or None, "count": n}
            for (p, c, bt), n in sorted(tally.cells.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "incidents": [i.to_dict() for i in _ranked(incidents)],
    }


def _ranked(incidents: list[Incident]) -> list[Incident]:
    return sorted(incidents, key=lambda i: (-i.recipient_count, -i.bounces, i.rule))


def _table(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _when(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else "?"


def render_summary(
    tally: Tally, incidents: list[Incident], lang: str = "en", top: int = 10, show: int = 5
) -> str:
    """The summary table and the incidents, biggest first, as text."""
    w = _WORDS.get(lang, _WORDS["en"])
    kinds = ", ".join(f"{k} {n}" for k, n in tally.kinds.most_common())
    lines = [
        f"== {w['summary']}: {tally.messages} {w['messages']} ({kinds or '-'}), "
        f"{tally.recipients} {w['recipients']}"
        + (f", {tally.unreadable} {w['unreadable']}" if tally.unreadable else ""),
        "",
    ]
    rows: list[tuple[str, ...]] = [(w["provider"], w["category"], w["block_type"], w["count"])]
    for provider, category, block_type, n in tally.rows():
        rows.append((provider, category, block_type, str(n)))
    if len(rows) > 1:
        lines.extend(_table(rows, right={3}))
    lines += ["", f"== {w['incidents']}: {len(incidents)}"]
    if not incidents:
        lines.append(f"  {w['none']}")
    ranked = _ranked(incidents)
    for n, inc in enumerate(ranked[:top], 1):
        who = inc.provider.name if inc.provider else w["anyone"]
        head = f"{n}. {who}: {inc.block_type or '-'}"
        if inc.blocked_ip:
            head += f", IP {inc.blocked_ip}"
        if inc.blocklist:
            head += f", {inc.blocklist}"
        head += f" [{inc.rule}]"
        lines.append(head)
        lines.append(
            f"   {inc.recipient_count} {w['recipients']}, {inc.bounces} {w['bounces']}, "
            f"{w['from']} {_when(inc.first_seen)} {w['to']} {_when(inc.last_seen)}"
        )
        lines.append(f"   {w['said']}: {inc.example[:160]}")
        lines.append(f"   {w['fixer']}: {inc.advice.fixer} ({inc.advice.action})")
        first = inc.advice.text(lang).replace("\n", " ").split(". ")[0].rstrip(".")
        lines.append(f"   {first[:1].upper()}{first[1:]}.")
        for link in inc.links[:3]:
            lines.append(f"   {link}")
        keep = ", ".join(inc.keep[:show]) or w["condemned"]
        extra = len(inc.keep) - show
        lines.append(f"   {w['keep']}: {keep}" + (f" (+{extra} {w['more']})" if extra > 0 else ""))
    if len(ranked) > top:
        lines.append(f"   ... {len(ranked) - top} {w['smaller']}")
    return "\n".join(lines)


def text_stream(s: IO[str]) -> IO[str]:
    """A text stream that never fails on a character the terminal cannot show."""
    if isinstance(s, io.TextIOWrapper) and s.errors == "strict":
        s.reconfigure(errors="replace")
    return s
