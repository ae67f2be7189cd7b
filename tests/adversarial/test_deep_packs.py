"""A user pack whose pattern nests groups deeper than the `regex` compiler recurses is a
`SignatureError` naming the pack, like any invalid pattern, not a bare RecursionError out of
`build_registry` (an undocumented exception). Found by this session's adversarial checks;
the same input through the keyword index is in test_prefilter.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bouncekit import SignatureError, build_registry, classify_reply

TEXT = "452 4.2.2 ACME message held"


def pack(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text(
        'id = "deep"\nname = "Deep"\nkind = "filter"\nfingerprints = ["acme"]\n\n'
        f'[[rules]]\nid = "held"\nreason = "mailbox_full"\npattern = \'{pattern}\'\n'
        f'examples = ["{TEXT}"]\n'
    )
    return path


@pytest.mark.parametrize("opening", ["(?:", "(", "(?:a|"])
@pytest.mark.parametrize("depth", [400, 5000])
def test_a_pattern_nested_too_deep_is_a_signature_error(
    tmp_path: Path, opening: str, depth: int
) -> None:
    path = pack(tmp_path, opening * depth + "acme" + ")" * depth)
    with pytest.raises(SignatureError, match=r"deep\.toml: rule 'held'\.pattern: invalid pattern"):
        build_registry([path], plugins=False)


def test_a_pattern_nested_a_little_still_loads(tmp_path: Path) -> None:
    registry = build_registry([pack(tmp_path, "(?:" * 50 + "acme" + ")" * 50)], plugins=False)
    assert classify_reply(TEXT, registry=registry).match.rule_id == "deep/held"
