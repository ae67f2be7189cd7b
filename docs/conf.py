"""Sphinx configuration: MyST Markdown pages, plus pages generated from the registry.

Build: `pip install -e '.[docs]' && sphinx-build -W --keep-going -b html docs docs/_build/html`
(CI runs exactly this: any warning fails the build).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # document the checkout, not another installed copy

import bouncekit  # noqa: E402

project = "bouncekit"
author = "bouncekit developers"
copyright = "bouncekit developers"
release = version = bouncekit.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "bouncekit_docs"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "**/.*"]
myst_heading_anchors = 2
autodoc_member_order = "bysource"
autodoc_typehints = "description"
html_theme = "alabaster"
html_title = f"bouncekit {release}"
nitpicky = False
