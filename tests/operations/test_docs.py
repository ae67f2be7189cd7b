"""The documentation's code runs, and its generated pages follow the registry.

Every ```python block of docs/*.md and README.md is executed, page by page (blocks of a
page share one namespace, in order), from the repository's root, as a reader would paste
them. The site itself is built by CI with warnings as errors.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bouncekit import BlockType, default_registry

from ..conftest import ROOT

DOCS = ROOT / "docs"
_FENCE = re.compile(r"^(?P<fence>`{3,})python[ \t]*\n(?P<code>.*?)^(?P=fence)[ \t]*$", re.S | re.M)


def _pages() -> list[Path]:
    pages = [
        p
        for p in sorted(DOCS.rglob("*.md"))
        if not p.relative_to(DOCS).parts[0].startswith(("_", "."))
    ]
    return [*pages, ROOT / "README.md"]


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group("code")) for m in _FENCE.finditer(text)]


PAGES_WITH_CODE = [p for p in _pages() if _blocks(p)]


def test_the_docs_have_code_to_run() -> None:
    names = {p.name for p in PAGES_WITH_CODE}
    assert {"index.md", "concepts.md", "policy.md", "quickstart.md"} <= names


def test_readme_opening_example_is_found() -> None:
    # The README's block opens a file that does not exist ("bounce.eml"): the runner puts
    # the seed example there, so the README's own code is checked too.
    (first, *_) = _blocks(ROOT / "README.md")
    assert "parse_bounce" in first[1]


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from the root (paths like examples/... work); "bounce.eml" is the seed example.
    monkeypatch.chdir(ROOT)
    opened = open

    def open_docs(file: object, *args: object, **kwargs: object) -> object:
        if file == "bounce.eml":
            file = ROOT / "examples" / "hotmail-ip-block.eml"
        return opened(file, *args, **kwargs)  # type: ignore[call-overload]

    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}", "open": open_docs}
    for line, code in _blocks(page):
        compiled = compile(code, f"{page.relative_to(ROOT)}:{line}", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compiled, namespace)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bouncekit_docs", DOCS / "_ext" / "bouncekit_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_cover_every_pack_rule_and_block_type(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("# x\n")
    (tmp_path / "integrations.md").write_text("# someone else's page\n")
    (tmp_path / "zz-notes.md").write_text("# another\n")
    gen = _generator()
    gen.generate(tmp_path)
    registry = default_registry()
    for pack in registry.packs:
        page = (tmp_path / "_generated" / "providers" / f"{pack.id}.md").read_text()
        assert page.startswith(f"# {pack.name}\n")
        for rule in pack.rules:
            assert f"### `{rule.qualified_id}`" in page
            assert rule.examples[0].text.rstrip() in page
    for bt in BlockType:
        page = (tmp_path / "_generated" / "block-types" / f"{bt}.md").read_text()
        assert page.startswith(f"# Block type `{bt}`")
    ip_page = (tmp_path / "_generated" / "block-types" / "complaints.md").read_text()
    assert "[Outlook.com / Hotmail](../providers/microsoft.md) | `ip-complaints`" in ip_page
    # Pages added by others land in the "More" table of contents, integrations first.
    more = (tmp_path / "_generated" / "more.inc").read_text()
    assert more.index("integrations") < more.index("zz-notes")
    # A pack that disappears loses its page on the next build.
    stale = tmp_path / "_generated" / "providers" / "gone.md"
    stale.write_text("# gone\n")
    gen.generate(tmp_path)
    assert not stale.exists()


def test_sphinx_build_has_no_warning(tmp_path: Path) -> None:
    """Only where Sphinx is installed (the docs extra); CI builds the site anyway."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    if os.environ.get("BOUNCEKIT_SKIP_SPHINX"):
        pytest.skip("BOUNCEKIT_SKIP_SPHINX is set")
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
