"""The `bouncekit` command: parse bounces, browse signatures, check a pack.

Exit codes: 0 success, 1 a check failed (or an input could not be read), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bouncekit._api import parse_bounce
from bouncekit._check import check_examples
from bouncekit._errors import SignatureError
from bouncekit._registry import build_registry, default_registry
from bouncekit._types import Bounce, BounceReport


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
    return out


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def cmd_parse(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            data = _read(path)
        except OSError as exc:
            print(f"bouncekit: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        report = parse_bounce(data)
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            if len(args.files) > 1:
                print(f"== {path}")
            print(_summary(report, args.lang, args.explain))
    return status


def cmd_signatures(args: argparse.Namespace) -> int:
    registry = default_registry()
    if args.action == "list":
        for pack in registry.packs:
            print(f"{pack.id:16} {pack.kind:9} {len(pack.rules):3} rules  {pack.name}")
        return 0
    if not args.id:
        print("bouncekit: signatures show needs an ID (a pack, or pack/rule)", file=sys.stderr)
        return 2
    pack_id, _, rule_id = args.id.partition("/")
    cp = registry.pack(pack_id)
    if cp is None:
        print(f"bouncekit: no pack {pack_id!r}", file=sys.stderr)
        return 1
    pack = cp.pack
    if not rule_id:
        print(f"{pack.name} [{pack.id}] ({pack.kind}, from {pack.origin})")
        if pack.domains:
            more = " ..." if len(pack.domains) > 12 else ""
            print(f"  domains: {', '.join(pack.domains[:12])}{more}")
        if pack.hosts:
            print(f"  hosts: {', '.join(pack.hosts)}")
        for label, url in pack.links:
            print(f"  {label}: {url}")
    for rule in pack.rules:
        if rule_id and rule.id != rule_id:
            continue
        kind = f"{rule.category}" + (f"/{rule.block_type}" if rule.block_type else "")
        print(f"- {rule.qualified_id}: {rule.reason} ({kind}) advice={rule.advice or '-'}")
        if rule_id:
            if rule.keywords:
                print(f"  keywords: {', '.join(rule.keywords)}")
            if rule.pattern is not None:
                print(f"  pattern: {rule.pattern.pattern}")
        for ex in rule.examples if rule_id else rule.examples[:1]:
            print(f"    e.g. {ex.text[:160]}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        registry = build_registry(args.paths, plugins=not args.no_plugins)
    except SignatureError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    own = set()
    for path in args.paths:
        p = Path(path)
        for f in sorted(p.glob("*.toml")) if p.is_dir() else [p]:
            from bouncekit._schema import load_pack_text

            pack = load_pack_text(f.read_text(encoding="utf-8"), str(f))
            own.add(pack.extends or pack.id)
    results = check_examples(registry, own or None)
    failed = [r for r in results if not r.ok]
    for r in failed:
        what = "counter-example decided by its rule" if r.counter else f"decided by {r.decided_by}"
        print(f"FAIL {r.rule}: {what}: {r.example[:120]}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bouncekit", description="Why an email bounced, and what to do."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="classify bounce messages (files, or - for stdin)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--explain", action="store_true", help="show which stage and rule decided")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="language of the advice")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
