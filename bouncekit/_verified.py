"""Write the verified manifest of the built-in signature patterns: `python -m bouncekit._verified`.

Each built-in pack is loaded as a user pack would be, every pattern compiled and put through
`_pattern_safety.check_pattern` (the load-time check); if any fails, nothing is written. The
manifest then lists each pattern's `pattern_key` and compiled flags, and the registry loads
those patterns without checking or compiling them (see `_schema.LazyPattern`).
`tests/test_verified.py` fails while the manifest and the packs disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from bouncekit._errors import SignatureError
from bouncekit._registry import _builtin_texts
from bouncekit._schema import MANIFEST, REGENERATE, Pack, load_pack_text, pattern_key

HEADER = f"""\
# The built-in signature patterns that compiled and passed the load-time safety check
# (_pattern_safety.check_pattern) when recorded: they load unchecked and compile on first
# use. One line per pattern: a hash of its flags and source (_schema.pattern_key), then the
# compiled pattern's flags. Do not edit; after changing a pattern, run
#   {REGENERATE}
"""


def pack_patterns(pack: Pack) -> list[tuple[str, int]]:
    """(source, flags) of every pattern of a pack: rules, then fingerprints."""
    found = [r.pattern for r in pack.rules if r.pattern is not None]
    found += pack.fingerprint_patterns
    return [(p.pattern, p.flags) for p in found]


def manifest_text(texts: Iterable[tuple[str, str]] | None = None) -> str:
    """The manifest for the packs `texts` ((origin, TOML text); the built-in ones by default).

    Each pack is loaded without the manifest, so that every pattern is compiled and checked:
    a pattern that fails raises SignatureError, and is never recorded."""
    lines = set()
    for origin, text in _builtin_texts() if texts is None else texts:
        for source, flags in pack_patterns(load_pack_text(text, origin)):
            lines.add(f"{pattern_key(source)} {flags}\n")
    return HEADER + "".join(sorted(lines))


def manifest_path() -> Path:
    return Path(str(resources.files("bouncekit") / "signatures" / MANIFEST))


def main(argv: list[str] | None = None) -> int:
    """Rewrite the manifest; with --check, only say whether it is up to date (exit 1 if not)."""
    args = sys.argv[1:] if argv is None else argv
    path = manifest_path()
    try:
        text = manifest_text()
    except SignatureError as exc:
        print(f"not written: {exc}", file=sys.stderr)
        return 1
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if "--check" in args:
        if text != current:
            print(f"{path} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if text != current:
        path.write_text(text, encoding="utf-8")
    print(f"{path}: {text.count(chr(10)) - HEADER.count(chr(10))} patterns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
