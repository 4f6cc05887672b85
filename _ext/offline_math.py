"""Serve MathJax from the book's own ``_static/`` folder, so that formulas render offline.

Sphinx loads MathJax 3 from a CDN by default; a page opened from disk without a network then
shows raw TeX. The files come from the PyPI package ``sphinx-mathjax-offline`` (pinned in
requirements.txt; it ships MathJax 3.2.2). We do not load that package as an extension: it
copies all 24 MB of MathJax (SVG output, MathML input, speech maps) into every build. This
extension copies only what the book's configuration uses: the ``tex-chtml`` component, the TeX
extensions MathJax autoloads (``\\boldsymbol``, ``\\cancel``, ...), the CHTML fonts, and the
context menu with its accessibility modules.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx

PACKAGE = "sphinx-mathjax-offline"
# Relative to the package's static/mathjax folder; mathjax_path names the first.
PARTS = [
    "tex-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "ui",
    "a11y",
    "adaptors",
]
MATHJAX_PATH = "mathjax/tex-chtml.js"  # under _static/, where Sphinx looks for it


def mathjax_source() -> Path:
    """The folder holding MathJax's files inside the installed package."""
    root = Path(metadata.distribution(PACKAGE).locate_file(f"{PACKAGE}/static/mathjax"))
    if not (root / PARTS[0]).is_file():
        raise FileNotFoundError(f"MathJax not found in {root}; reinstall {PACKAGE}")
    return root


def use_local_mathjax(app: Sphinx, config) -> None:
    config.mathjax_path = MATHJAX_PATH


def copy_mathjax(app: Sphinx) -> None:
    """Copy before the pages are written, so that their script tags get a checksum (?v=)."""
    if app.builder.format != "html":
        return
    src, dst = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        if (src / part).is_dir():
            shutil.copytree(src / part, dst / part, dirs_exist_ok=True)
        else:
            (dst / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / part, dst / part)


def setup(app: Sphinx) -> dict:
    mathjax_source()  # fail at start-up, not after a six-minute build
    app.connect("config-inited", use_local_mathjax)
    app.connect("builder-inited", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
