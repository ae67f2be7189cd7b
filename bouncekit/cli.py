"""The `bouncekit` command: parse bounces in batch, browse signatures, check a pack.

`bouncekit parse` reads files, folders (plain or Maildir), mbox files and `-` (standard
input); it prints each result (text, `--json`, `--jsonl` or `--csv`), then a summary table
(provider x category x block type) and the incidents found: sender-side blocks grouped by
provider, block type, blocked IP and rule, with the recipients to keep.

Exit codes: 0 success; 1 a check failed, or an input could not be read (the others are
still parsed and reported); 2 usage error (bad option, nothing to read).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta

from bouncekit._batch import (
    Parsed,
    Progress,
    Tally,
    count_files,
    csv_writer,
    iter_inputs,
    jsonl_lines,
    parse_all,
    render_summary,
    summary_data,
    text_stream,
)
from bouncekit._check import check_paths
from bouncekit._registry import default_registry
from bouncekit._schema import Pack, Rule
from bouncekit._types import Bounce, BounceReport
from bouncekit.incidents import Incident, IncidentDetector


def _summary(report: BounceReport, lang: str, explain: bool) -> str:
    lines = [
        f"kind: {report.kind}"
        + (f"  defects: {', '.join(report.defects)}" if report.defects else "")
    ]
    if not report.bounces:
        lines.append("  no recipient found")
    for b in report.bounces:
        lines.extend(_bounce_lines(b, lang, explain))
    return "\n".join(lines)


def _bounce_lines(b: Bounce, lang: str, explain: bool) -> list[str]:
    codes = " ".join(x for x in (str(b.smtp_code or ""), str(b.enhanced_status or "")) if x)
    head = f"- {b.recipient or '(recipient unknown)'}: {b.category}"
    if b.block_type:
        head += f" / {b.block_type}"
    head += f" ({b.reason}{', ' + codes if codes else ''}{', permanent' if b.permanent else ''})"
    out = [head]
    if b.provider:
        out.append(f"  provider: {b.provider.name} [{b.provider.id}]")
    if b.remote_mta or b.smtp_command:
        out.append(
            f"  remote: {b.remote_mta or '?'}" + (f" at {b.smtp_command}" if b.smtp_command else "")
        )
    if b.blocklist or b.blocked_ip:
        out.append(f"  blocklist: {b.blocklist or '-'}  blocked ip: {b.blocked_ip or '-'}")
    if b.diagnostic:
        out.append(f"  said: {b.diagnostic[:300]}")
    out.append(f"  advice ({b.advice.action}, fixer: {b.advice.fixer}): {b.advice.text(lang)}")
    for link in b.advice.links:
        out.append(f"    {link}")
    if explain:
        m = b.match
        out.append(
            f"  decided by: stage {m.stage}"
            + (f", rule {m.rule_id}" if m.rule_id else "")
            + (f" ({m.detail})" if m.detail else "")
            + (f"; evidence from {b.source}" if b.source else "")
        )
        out.append(f"  provenance: {b.provenance or '-'}, confidence: {b.confidence}")
    return out


def _render(p: Parsed, args: argparse.Namespace, single: bool) -> str:
    """One parsed input in the chosen output format (CSV is written separately)."""
    assert p.report is not None
    if args.json:
        return json.dumps(p.report.to_dict(), ensure_ascii=False, indent=2)
    if args.jsonl:
        return "\n".join(jsonl_lines(p))
    text = _summary(p.report, args.lang, args.explain)
    return text if single else f"== {p.label}\n{text}"


def cmd_parse(args: argparse.Namespace) -> int:
    files: list[str] = args.files or ["-"]
    if not args.files and sys.stdin.isatty():
        print("bouncekit parse: give files, folders, or - to read standard input", file=sys.stderr)
        return 2
    out = text_stream(sys.stdout)
    err = sys.stderr
    machine = bool(args.json or args.jsonl or args.csv)
    jobs = args.jobs or os.cpu_count() or 1
    show_progress = args.progress == "always" or (args.progress == "auto" and err.isatty())
    progress = Progress(err, count_files(files) if show_progress else None, show_progress)
    first: Parsed | None = None
    write_csv = csv_writer(out) if args.csv and not args.summary_only else None
    # Files come in name order, not time order: close incidents at the end, not by date.
    detector = IncidentDetector(quiet=timedelta(hours=args.incident_gap), ordered=False)
    incidents: list[Incident] = []
    tally = Tally()
    status = 0
    done_files, last_file = 0, None
    for p in parse_all(iter_inputs(files, args.format), jobs):
        source = p.label.rpartition("#")[0] if "#" in p.label else p.label
        if source != last_file:
            done_files, last_file = done_files + 1, source
        tally.add(p)
        if p.report is None:
            progress.clear()
            print(f"bouncekit: {p.label}: {p.error}", file=err)
            status = 1
            continue
        for b in p.report.bounces:
            incidents.extend(detector.add(p.when, b))
        if not args.summary_only:
            progress.clear()
            if write_csv is not None:
                write_csv(p, args.lang)
            elif first is None and tally.messages + tally.unreadable == 1:
                first = p  # held back: its "== name" header depends on whether more follow
            else:
                if first is not None:
                    print(_render(first, args, single=False), file=out)
                    first = None
                print(_render(p, args, single=False), file=out)
        progress.update(done_files, tally.messages + tally.unreadable)
    if first is not None:
        print(_render(first, args, single=tally.messages + tally.unreadable == 1), file=out)
    incidents.extend(detector.flush())
    progress.update(done_files, tally.messages + tally.unreadable, force=True)
    progress.clear()
    wanted = args.summary or args.summary_only
    if args.summary_only and (args.json or args.jsonl):
        data = summary_data(tally, incidents)
        print(json.dumps(data, ensure_ascii=False, indent=2 if args.json else None), file=out)
    elif wanted or (not machine and tally.messages + tally.unreadable > 1):
        text = render_summary(tally, incidents, args.lang, top=args.top)
        if machine and not args.summary_only:
            print(text, file=err)
        else:
            print(("\n" if not args.summary_only else "") + text, file=out)
    return status


def _pack_lines(pack: Pack) -> list[str]:
    """Who the pack is about: provider, how it is recognised, where to get help."""
    out = [f"{pack.name} [{pack.id}] ({pack.kind}, priority {pack.priority}, from {pack.origin})"]
    for label, values in (("domains", pack.domains), ("hosts", pack.hosts)):
        if values:
            out.append(f"{label} ({len(values)}): {', '.join(values)}")
    # Fingerprints may hold commas: one a line.
    for label, values in (
        ("fingerprints", pack.fingerprints),
        ("fingerprint patterns", tuple(p.pattern for p in pack.fingerprint_patterns)),
    ):
        if values:
            out.append(f"{label} ({len(values)}):")
            out.extend(f"  {value}" for value in values)
    if pack.links:
        out.append("links:")
        out.extend(f"  {label}: {url}" for label, url in pack.links)
    out.append(f"rules ({len(pack.rules)}), tried in this order:")
    return out


def _rule_lines(rule: Rule) -> list[str]:
    """One rule: what it means, when it fires, and the examples it must decide."""
    kind = f"{rule.category}" + (f" / {rule.block_type}" if rule.block_type else "")
    out = [f"- {rule.qualified_id}: {rule.reason} ({kind})"]
    details = (
        ("permanent", "" if rule.permanent is None else str(rule.permanent).lower()),
        ("blocklist", rule.blocklist or ""),
        ("advice", rule.advice or ""),
        ("keywords", ", ".join(rule.keywords)),
        ("pattern", rule.pattern.pattern if rule.pattern is not None else ""),
        ("status", ", ".join(rule.status)),
        ("codes", ", ".join(str(c) for c in rule.codes)),
        ("links", " ".join(rule.links)),
        ("source", rule.source),
    )
    out.extend(f"    {label}: {value}" for label, value in details if value)
    for ex in rule.examples:
        out.append(f"    example: {ex.text}")
    for ex in rule.counter_examples:
        out.append(f"    counter-example: {ex.text}")
    return out


def cmd_signatures(args: argparse.Namespace) -> int:
    registry = default_registry()
    if args.action == "list":
        for pack in registry.packs:
            plugin = "" if pack.origin.startswith("bouncekit/") else f"  ({pack.origin})"
            print(f"{pack.id:16} {pack.kind:9} {len(pack.rules):3} rules  {pack.name}{plugin}")
        return 0
    if not args.id:
        print("bouncekit: signatures show needs an ID (a pack, or pack/rule)", file=sys.stderr)
        return 2
    pack_id, _, rule_id = args.id.partition("/")
    cp = registry.pack(pack_id)
    if cp is None and not rule_id:
        # A bare rule id is enough when only one pack has it.
        owners = [r for r in registry.rules() if r.id == pack_id]
        if len(owners) == 1:
            print("\n".join(_rule_lines(owners[0])))
            return 0
        if owners:
            names = ", ".join(r.qualified_id for r in owners)
            print(f"bouncekit: {pack_id!r} is a rule of several packs: {names}", file=sys.stderr)
            return 1
    if cp is None:
        near = difflib.get_close_matches(pack_id, [p.id for p in registry.packs], n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        print(f"bouncekit: no pack {pack_id!r}{hint}", file=sys.stderr)
        return 1
    if rule_id:
        rule = registry.rule(args.id)
        if rule is None:
            print(f"bouncekit: pack {pack_id!r} has no rule {rule_id!r}", file=sys.stderr)
            return 1
        print("\n".join(_rule_lines(rule)))
        return 0
    lines = _pack_lines(cp.pack)
    for rule in cp.rules:
        lines.extend(_rule_lines(rule))
    print("\n".join(lines))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = check_paths(args.paths, plugins=not args.no_plugins)
    if report.error is not None:
        print(f"invalid: {report.error}", file=sys.stderr)
        return 1
    failed = report.failed
    for r in failed:
        what = "counter-example decided by its rule" if r.counter else f"decided by {r.decided_by}"
        print(f"FAIL {r.rule}: {what}: {r.example[:120]}")
    print(
        f"{len(report.files)} file(s), {report.rules} rule(s): "
        f"{len(report.results) - len(failed)} example(s) passed, {len(failed)} failed"
    )
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bouncekit",
        description="Why an email bounced, and what to do.",
        epilog="exit codes: 0 success; 1 a check failed or an input could not be read; "
        "2 usage error",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "parse",
        help="classify bounce messages: files, folders, Maildirs, mbox files, - for stdin",
        description="Classify bounces, then summarise them and list the incidents found.",
        epilog="exit codes: 0 every input read; 1 an input could not be read (the others "
        "are still reported); 2 usage error or nothing to read",
    )
    p.add_argument("files", nargs="*", metavar="PATH", help="file, folder, Maildir, mbox, or -")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print each full result as JSON")
    fmt.add_argument("--jsonl", action="store_true", help="one JSON object per recipient")
    fmt.add_argument("--csv", action="store_true", help="one CSV row per recipient")
    p.add_argument("--explain", action="store_true", help="show which stage and rule decided")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="language of the advice")
    p.add_argument(
        "--summary",
        action="store_true",
        help="always print the summary (on stderr with --json/--jsonl/--csv)",
    )
    p.add_argument(
        "--summary-only",
        action="store_true",
        help="print only the summary and incidents (as one JSON object with --json/--jsonl)",
    )
    p.add_argument("--top", type=_positive, default=10, help="incidents listed (default 10)")
    p.add_argument(
        "--incident-gap",
        type=float,
        default=6.0,
        metavar="HOURS",
        help="quiet time that ends an incident (default 6)",
    )
    p.add_argument(
        "-j", "--jobs", type=_non_negative, default=1, help="worker processes (0: one per CPU)"
    )
    p.add_argument(
        "--format",
        choices=("auto", "message", "mbox"),
        default="auto",
        help="how to read files: auto (mbox when a file starts with a From line and is "
        "not named *.eml), one message per file, or mbox",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_parse)
    s = sub.add_parser("signatures", help="list signature packs, or show one")
    s.add_argument("action", choices=("list", "show"))
    s.add_argument("id", nargs="?", help="pack id, or pack/rule")
    s.set_defaults(func=cmd_signatures)
    c = sub.add_parser("check", help="validate signature pack files and run their examples")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--no-plugins", action="store_true", help="ignore installed plugin packs")
    c.set_defaults(func=cmd_check)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
