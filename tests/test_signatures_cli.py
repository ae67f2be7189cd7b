"""`bouncekit signatures list|show` and `bouncekit check`, through the command's main()."""

from __future__ import annotations

from pathlib import Path

import pytest

from bouncekit import default_registry
from bouncekit.cli import main

REGISTRY = default_registry()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_pack_with_its_rule_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "signatures", "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    for pack in REGISTRY.packs:
        assert pack.id in lines
        assert f"{len(pack.rules)} rules" in lines[pack.id]
    assert "generic" in lines and "microsoft" in lines


def test_show_pack_prints_provider_domains_hosts_links_rules_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = REGISTRY.pack("microsoft").pack  # type: ignore[union-attr]
    code, out, _ = run(capsys, "signatures", "show", "microsoft")
    assert code == 0
    assert out.startswith(f"{pack.name} [microsoft] (provider")
    assert "hotmail.com" in out and "outlook.com" in out  # domains, all of them
    assert all(d in out for d in pack.domains)
    assert ".olc.protection.outlook.com" in out  # hosts
    assert all(f"\n  {fp}\n" in out for fp in pack.fingerprints)  # one a line
    for label, url in pack.links:
        assert f"{label}: {url}" in out
    for rule in pack.rules:
        assert f"- {rule.qualified_id}: {rule.reason}" in out
        for ex in rule.examples:
            assert f"example: {ex.text}" in out
        for ex in rule.counter_examples:
            assert f"counter-example: {ex.text}" in out


def test_show_one_rule_prints_its_fields_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    rule = REGISTRY.rule("microsoft/ip-complaints")
    assert rule is not None
    code, out, _ = run(capsys, "signatures", "show", "microsoft/ip-complaints")
    assert code == 0
    assert out.startswith("- microsoft/ip-complaints: ip_blocked (block / complaints)")
    assert f"keywords: {', '.join(rule.keywords)}" in out
    assert f"advice: {rule.advice}" in out
    assert all(f"example: {ex.text}" in out for ex in rule.examples)
    assert "domains" not in out  # only the rule


def test_show_a_bare_rule_id_when_only_one_pack_has_it(capsys: pytest.CaptureFixture[str]) -> None:
    owners: dict[str, list[str]] = {}
    for r in REGISTRY.rules():
        owners.setdefault(r.id, []).append(r.qualified_id)
    unique = next(rid for rid, qids in owners.items() if len(qids) == 1 and not REGISTRY.pack(rid))
    code, out, _ = run(capsys, "signatures", "show", unique)
    assert code == 0 and out.startswith(f"- {owners[unique][0]}:")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("signatures", "show"), 2, "needs an ID"),
        (("signatures", "show", "microsoftt"), 1, "did you mean microsoft"),
        (("signatures", "show", "microsoft/no-such-rule"), 1, "has no rule 'no-such-rule'"),
    ],
)
def test_show_errors(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: int, message: str
) -> None:
    got, _, err = run(capsys, *argv)
    assert got == code and message in err


GOOD = """
id = "acme"
fingerprints = ["acme-gw"]
[[rules]]
id = "held"
reason = "mailbox_full"
keywords = ["acme-gw-4"]
examples = ["452 4.2.2 ACME-GW-402 message held"]
"""
BAD = GOOD.replace('"452 4.2.2 ACME-GW-402 message held"', '"550 5.1.1 User unknown"')


def test_check_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good, bad, broken = tmp_path / "good.toml", tmp_path / "bad.toml", tmp_path / "broken.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    broken.write_text('id = "x"\n[[rules]]\nid = "Bad Id"\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", "--no-plugins", str(good))
    assert code == 0 and "1 rule(s): 1 example(s) passed, 0 failed" in out
    code, out, _ = run(capsys, "check", "--no-plugins", str(bad))
    assert code == 1 and "FAIL acme/held: decided by generic/" in out
    code, _, err = run(capsys, "check", "--no-plugins", str(broken))
    assert code == 1 and err.startswith("invalid: ") and "kebab-case" in err
    code, _, err = run(capsys, "check", "--no-plugins", str(tmp_path / "missing.toml"))
    assert code == 1 and "no such file" in err
