#!/usr/bin/env bash
# Packaging check: build the sdist and the wheel (the wheel is built *from* the sdist, so
# the sdist must carry everything), `twine check` both, verify that every data file of the
# package (signature packs, advice, blocklists, py.typed) is in both archives, then install
# the wheel in a fresh venv and run the seed case against the installed copy, from outside
# the source tree so that nothing is imported from the checkout.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
PY="${PYTHON:-$repo/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "+ python -m build"
"$PY" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "+ twine check --strict"
"$PY" -m twine check --strict "$work"/dist/*

version="$("$PY" -c 'import re,sys; print(re.search(r"^__version__ = \"([^\"]+)\"", open("bouncekit/__init__.py").read(), re.M).group(1))')"
wheel="$work/dist/bouncekit-$version-py3-none-any.whl"
sdist="$work/dist/bouncekit-$version.tar.gz"
[ -f "$wheel" ] && [ -f "$sdist" ] || { echo "expected $wheel and $sdist"; ls "$work/dist"; exit 1; }

echo "+ every package data file is in the sdist and the wheel"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$repo" ls-files bouncekit | grep -v '\.py$' >"$work/data.txt"
else
  (cd "$repo" && find bouncekit -type f ! -name '*.py' ! -name '*.pyc' ! -path '*/__pycache__/*' | sort) >"$work/data.txt"
fi
"$PY" - "$wheel" "$sdist" "$work/data.txt" "$version" <<'PYEOF'
import sys, tarfile, zipfile
wheel, sdist, listing, version = sys.argv[1:]
data = [line.strip() for line in open(listing) if line.strip()]
assert any(d.startswith("bouncekit/signatures/") for d in data), "no signature pack found"
assert any(d.startswith("bouncekit/advice/") for d in data), "no advice file found"
in_wheel = set(zipfile.ZipFile(wheel).namelist())
in_sdist = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
missing = [d for d in data if d not in in_wheel] + [f"sdist:{d}" for d in data if d not in in_sdist]
if missing:
    sys.exit(f"missing from the archives: {missing}")
print(f"  {len(data)} data files in both archives (version {version})")
PYEOF

echo "+ fresh venv, install the wheel"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel"

echo "+ seed case against the installed copy"
cd "$work"
"$work/venv/bin/python" - "$repo" "$version" <<'PYEOF'
import sys
from pathlib import Path
repo, version = Path(sys.argv[1]), sys.argv[2]
import bouncekit
from bouncekit import BlockType, Category, Fixer, default_registry, parse_bounce
assert str(repo) not in bouncekit.__file__, f"imported from the checkout: {bouncekit.__file__}"
assert bouncekit.__version__ == version, bouncekit.__version__
packs = {p.id for p in default_registry().packs}
# Every built-in pack file of the source tree is loaded from the installed copy. Each pack
# file declares its id on an `id = "..."` line of its own.
import re
expected = set()
for f in sorted((repo / "bouncekit" / "signatures").glob("*.toml")):
    m = re.search(r'^id\s*=\s*"([^"]+)"', f.read_text(encoding="utf-8"), re.M)
    expected.add(m.group(1) if m else f.stem)
assert expected <= packs, f"packs missing from the installed copy: {sorted(expected - packs)}"
# The verified manifest ships and is read: the built-in patterns load uncompiled.
from bouncekit._schema import LazyPattern
assert all(isinstance(r.pattern, LazyPattern) for r in default_registry().rules() if r.pattern)
report = parse_bounce((repo / "examples" / "hotmail-ip-block.eml").read_bytes())
(b,) = report.bounces
assert (b.recipient, b.category, b.block_type) == ("x@hotmail.com", Category.BLOCK, BlockType.COMPLAINTS), b
assert b.match.rule_id == "microsoft/ip-complaints", b.match
assert b.advice.fixer is Fixer.IP_OWNER and b.advice.fr, b.advice
print(f"  installed bouncekit {version} from {Path(bouncekit.__file__).parent}: {len(packs)} packs; "
      f"seed case -> {b.category}/{b.block_type} by {b.match.rule_id}")
PYEOF
"$work/venv/bin/bouncekit" parse --explain "$repo/examples/hotmail-ip-block.eml" >"$work/seed.txt"
grep -q "decided by: stage provider_rule, rule microsoft/ip-complaints" "$work/seed.txt" \
  || { cat "$work/seed.txt"; echo "installed CLI did not explain the seed case"; exit 1; }
echo "  installed CLI explains the seed case"
echo "wheel check: ok"
