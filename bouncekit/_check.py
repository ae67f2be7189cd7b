"""Run every example of a registry's rules through the full engine (for CI and plugin authors).

An example passes when *its own* rule decides it (so a rule shadowed by an earlier one is
caught); a counter-example passes when its rule does not decide it. `check_paths` is what
`bouncekit check PATH` runs: load the pack files on top of the built-in packs (and the
installed plugins, unless told not to), then run the examples of the rules those files
define, in the merged registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from bouncekit._api import classify_reply
from bouncekit._errors import SignatureError
from bouncekit._registry import Registry, build_registry, pack_files
from bouncekit._schema import Example, Rule


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: str  # qualified id
    example: str
    counter: bool
    decided_by: str | None
    ok: bool


def run_example(
    registry: Registry, rule: Rule, example: Example, counter: bool = False
) -> ExampleResult:
    bounce = classify_reply(
        example.text,
        code=example.code,
        recipient=example.recipient,
        remote_host=example.remote_mta,
        registry=registry,
    )
    decided = bounce.match.rule_id
    ok = (decided != rule.qualified_id) if counter else (decided == rule.qualified_id)
    return ExampleResult(rule.qualified_id, example.text, counter, decided, ok)


def _results(registry: Registry, rules: list[Rule]) -> list[ExampleResult]:
    results: list[ExampleResult] = []
    for rule in rules:
        results.extend(run_example(registry, rule, ex) for ex in rule.examples)
        results.extend(
            run_example(registry, rule, ex, counter=True) for ex in rule.counter_examples
        )
    return results


def check_examples(registry: Registry, pack_ids: set[str] | None = None) -> list[ExampleResult]:
    """Results for every example and counter-example of the rules (of `pack_ids`, if given)."""
    rules = [r for r in registry.rules() if pack_ids is None or r.pack in pack_ids]
    return _results(registry, rules)


@dataclass(slots=True)
class CheckReport:
    """What `bouncekit check` found: a load error, or the example results of the files."""

    files: list[str] = field(default_factory=list)
    error: str | None = None
    results: list[ExampleResult] = field(default_factory=list)
    rules: int = 0

    @property
    def failed(self) -> list[ExampleResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed


def _builtin_origin(path: Path) -> str | None:
    """The registry origin of `path` when it is one of the built-in pack files."""
    folder = resources.files("bouncekit") / "signatures"
    try:
        builtin_dir = Path(str(folder)).resolve()
    except OSError:  # pragma: no cover - a zipped install has no directory to compare
        return None
    if path.resolve().parent == builtin_dir:
        return f"bouncekit/signatures/{path.name}"
    return None


def check_paths(paths: list[str | Path], *, plugins: bool = True) -> CheckReport:
    """Validate the pack files at `paths` and run the examples of the rules they define.

    A built-in pack file (`bouncekit/signatures/x.toml`) is checked in place, not loaded
    twice; any other file is loaded after the built-in packs and plugins, as a user would.
    """
    report = CheckReport()
    extra: list[Path] = []
    origins: set[str] = set()
    try:
        for path in paths:
            for f in pack_files(path):
                report.files.append(str(f))
                builtin = _builtin_origin(f)
                if builtin is not None:
                    origins.add(builtin)
                else:
                    extra.append(f)
                    origins.add(str(f))
        registry = build_registry(extra, plugins=plugins)
    except SignatureError as exc:
        report.error = str(exc)
        return report
    rules = [r for r in registry.rules() if r.origin in origins]
    report.rules = len(rules)
    report.results = _results(registry, rules)
    return report
