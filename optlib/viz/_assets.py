"""The player's script and style, read from the package and minified once per process.

The script is written in small files under ``js/``, one concern each, concatenated in the
order of :data:`PARTS` inside one function scope: what one file defines at its top level the
next ones use, and nothing but the namespace object that the last file returns leaves the
scope. :func:`library` is that expression; the two lives wrap it differently:

- the static player (``player.py``): ``window.optlibPlayer ??= <library>;`` then
  ``optlibPlayer.mount(el, data)``, one global for the whole page;
- the widget (``explorer.py``): ``const optlibPlayer = <library>;`` and an ``export default``,
  an ES module with no global at all.

Minified with ``rjsmin`` and ``rcssmin`` (pinned in requirements.txt): they understand the
languages' strings, regular expressions and template literals, which a line-based stripper
does not.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["PARTS", "asset", "library", "style"]

#: The script's files, in the order they are concatenated (each uses what the earlier define).
PARTS = (
    "engine.js",  # the 2-D world of optlib (landscapes, update rules), in scope as ENGINE
    "js/format.js",  # numbers and axis ticks as text
    "js/schema.js",  # the data (see _schema.py) -> the model the drawing reads; trajectories()
    "js/geometry.js",  # panel layout, data -> pixel projections, loss-axis scales
    "js/theme.js",  # colours from the CSS custom properties; theme and print watchers
    "js/render.js",  # canvas layers, incremental path drawing, axes, markers
    "js/controls.js",  # the DOM: title, canvases, legend, buttons, slider, speed
    "js/keyboard.js",  # keys when the player has focus
    "js/grid.js",  # mountGrid(): a slider over a precomputed grid of settings (grid.py)
    "js/surface.js",  # the 3-D view: the landscape as a shaded surface, rotatable
    "js/live.js",  # an explorer's controls: the engine recomputes the runs in the page
    "js/player.js",  # mount(): state, playback, print still, the element's API
)


@functools.cache
def asset(name: str) -> str:
    """The text of a file next to this module (``player.css``, ``js/render.js``, ...)."""
    return resources.files("optlib.viz").joinpath(name).read_text(encoding="utf-8")


#: engine.js defines its one global when loaded on its own (tests/test_engine.py); inside the
#: player's scope it is a constant, so the player still leaves nothing but its namespace.
_ENGINE_GLOBAL = "globalThis.optlibEngine = "


def _part(name: str) -> str:
    text = asset(name)
    if name == "engine.js":
        assert text.count(_ENGINE_GLOBAL) == 1, "engine.js must define optlibEngine once"
        text = text.replace(_ENGINE_GLOBAL, "const ENGINE = ")
    return text


@functools.cache
def library(minify: bool = True) -> str:
    """The player's script as one expression whose value is the namespace ``{mount, version}``."""
    body = "\n".join(_part(part) for part in PARTS)
    code = f'(() => {{\n"use strict";\n{body}\n}})()'
    if not minify:
        return code
    import rjsmin

    return rjsmin.jsmin(code)


@functools.cache
def style(minify: bool = True) -> str:
    """``player.css``, minified."""
    css = asset("player.css")
    if not minify:
        return css
    import rcssmin

    return rcssmin.cssmin(css)
