"""Shared test helpers: where the shared corpus is, and small readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai"
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


def corpus_file(name: str) -> bytes:
    """A file of the shared corpus; skips the test where the corpus is absent (an sdist)."""
    path = CORPUS / "eml" / name
    if not path.exists():
        pytest.skip("shared corpus not available")
    return path.read_bytes()


def corpus_paths() -> list[Path]:
    """Every file of the shared corpus, in name order; skips the test where it is absent."""
    folder = CORPUS / "eml"
    if not folder.is_dir():
        pytest.skip("shared corpus not available")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def corpus_labels() -> dict[str, list[dict[str, object]]]:
    path = CORPUS / "labels.json"
    if not path.exists():
        return {}
    data: dict[str, list[dict[str, object]]] = json.loads(path.read_text())
    return data
