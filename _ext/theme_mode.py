"""Give the theme an explicit colour mode, so that no page logs an error at load.

pydata-sphinx-theme (under sphinx-book-theme) starts each page with
``dataset.mode = localStorage.getItem("mode") || "{{ default_mode }}"``; Jupyter Book leaves
``default_mode`` unset, so a first visit reads ``""`` and the theme's script logs
``Got invalid theme mode: . Resetting to auto.`` as a console error. ``auto`` (follow the
reader's system setting) is what the theme then falls back to; we set it (the theme reads it
from ``html_context``), unless the book's configuration chose a mode itself.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def default_to_auto(app: Sphinx, config) -> None:
    config.html_context.setdefault("default_mode", "auto")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", default_to_auto)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
