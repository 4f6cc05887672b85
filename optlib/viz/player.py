"""A self-contained HTML player that animates optimizer trajectories from their numbers.

The published book has no kernel, and a video of a contour plot is heavy
(``FuncAnimation.to_jshtml`` of 100 frames came to 21 MB). The player ships the numbers
instead: one small background image of the landscape, drawn once, and every trajectory as a
list of points and losses, rounded to 4 significant digits. A short inline script (no CDN, no
Python) draws the paths on a canvas, with play/pause, step, a scrub slider, speed, a legend
with the current loss of every run, and a loss-vs-step chart beside the landscape. It follows
the page's light or dark theme, and prints as a still of the complete runs.

This module assembles the HTML. The parts live next to it, one concern each:

- ``_schema.py``: the data the page receives (documented there, with the page API
  ``el.optlibPlayer``);
- ``_background.py``: the landscape rendered once by matplotlib (:func:`background`);
- ``_assets.py``: the script (``js/*.js``) and style (``player.css``), minified;
- ``explorer.py``: the same script as a widget's ES module.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from optlib.landscapes import Landscape
from optlib.viz._assets import library, style
from optlib.viz._background import Background, background
from optlib.viz._schema import DIGITS, extent_of, last_step, player_data, to_json

__all__ = ["DIGITS", "Background", "Player", "background", "player", "player_data"]

#: The one global the static players of a page share: the script's namespace.
GLOBAL_NAME = "optlibPlayer"

# Every fragment carries the library; the first one on a page defines the namespace, and each
# mounts the player on its own element (found by id, so several players never mix).
_BOOT = """(() => {
const id = "%(id)s", s = document.currentScript;
const root = s && s.parentNode && s.parentNode.id === id ? s.parentNode : document.getElementById(id);
if (!root || root.optlibPlayer) return;
window.%(name)s ??= %(lib)s;
window.%(name)s.mount(root, JSON.parse(root.querySelector("script.optlib-player-data").textContent));
})();"""  # noqa: E501 - JavaScript source, kept as written


class Player:
    """An animation of trajectories that plays in any browser, with no kernel and no CDN.

    ``Player`` is what the published book shows: ``to_html()`` (and the notebook display)
    is one ``<div>`` with its own style, data and script. Several players on one page do not
    interfere: each has a unique id and its script touches only its own element.

    Controls: play/pause, first/previous/next/last step, a scrub slider, speed. Keyboard (when
    the player has focus): space plays or pauses, arrow keys step, Home/End jump. It redraws
    in the page's dark theme when that is switched on, and prints as a still of the complete
    runs with their legend. Each frame draws only the new segments of the paths, so a run of
    100,000 steps plays as smoothly as one of 100. In the page, ``el.optlibPlayer`` gives the
    runs back and takes new ones (see ``optlib.viz._schema``).

    Args:
        trajectories: ``{label: trajectory}`` or a sequence of trajectories; each a
            :class:`~optlib.trajectory.Trajectory` or a dict with ``points`` ``(T, 2)`` (or
            ``(T,)`` on a 1-D landscape), ``losses`` ``(T,)`` and optionally ``diverged_at``.
            Non-finite values cut a run at its last finite point and mark it diverged.
        background: the picture under the paths, from :func:`background` (default: none,
            the paths are drawn on a plain panel spanning their points).
        title: shown above the player (default: the background's title).
        note: a line under the title (default: none).
        fps: frames (steps) per second at speed 1 (default: about 8 s for the whole run,
            between 10 and 60 fps).
        loss_scale: ``"log"``, ``"linear"`` or ``"auto"`` (default: log when every loss is
            positive and they span more than two decades).
        colors: one color per run, cycled (default: :data:`optlib.viz.PALETTE`, Okabe-Ito).
    """

    def __init__(
        self,
        trajectories: Mapping[str, Any] | Sequence[Any],
        background: Background | None = None,
        *,
        title: str | None = None,
        note: str = "",
        fps: float | None = None,
        loss_scale: str = "auto",
        colors: Sequence[str] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        if background is not None and not isinstance(background, Background):
            raise TypeError(
                "background must be a Background (see viz.background), "
                f"got {type(background).__name__}"
            )
        self.background = background
        title = background.title if title is None and background is not None else (title or "")
        self.data = player_data(
            trajectories,
            background,
            title=title,
            note=note,
            fps=fps,
            loss_scale=loss_scale,
            colors=colors,
            settings=settings,
        )
        if background is None:
            self.data.update(extent_of(self.data["traces"]))

    @property
    def steps(self) -> int:
        """The last frame: the longest run's last step (or its divergence)."""
        return last_step(self.data["traces"])

    def to_html(self) -> str:
        """The player as one self-contained HTML fragment, with a fresh unique id."""
        pid = f"optlib-player-{uuid.uuid4().hex[:12]}"
        script = _BOOT % {"id": pid, "name": GLOBAL_NAME, "lib": library()}
        return (
            f'<div class="optlib-player" id="{pid}" data-optlib-player="" tabindex="0">'
            f"<style>{style()}</style>"
            '<p class="optlib-fallback">An animation of optimizer paths; it needs JavaScript '
            "(in Jupyter: run the cell, or trust the notebook).</p>"
            '<script type="application/json" class="optlib-player-data">'
            f"{to_json(self.data)}</script>"
            f"<script>{script}</script></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path: str, title: str = "optlib player") -> None:
        """Write a standalone HTML page with this player (for slides, or to share)."""
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title, quote=True)}</title></head>"
            '<body style="max-width:980px;margin:1em auto;padding:0 1em">'
            f"{self.to_html()}</body></html>"
        )
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(page)

    def __repr__(self) -> str:
        labels = ", ".join(t["label"] for t in self.data["traces"])
        return f"Player({labels}; {self.steps} steps)"


def player(
    landscape: Landscape,
    trajectories: Mapping[str, Any] | Sequence[Any],
    *,
    title: str | None = None,
    note: str = "",
    fps: float | None = None,
    loss_scale: str = "auto",
    width: int = 600,
    log: bool | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Player:
    """A :class:`Player` of ``trajectories`` over a picture of ``landscape``.

    Args:
        landscape: the 1-D or 2-D landscape the runs explored.
        trajectories: as for :class:`Player`.
        title: default: the landscape's name.
        note, fps, loss_scale, settings: as for :class:`Player`.
        width, log: as for :func:`background`.

    Example::

        runs = {"SGD": run(L.valley, SGD, L.valley.start, 100, lr=0.4),
                "momentum": run(L.valley, SGD, L.valley.start, 100, lr=0.1, momentum=0.8)}
        viz.player(L.valley, runs)  # displays in a notebook, plays in the built book
    """
    return Player(
        trajectories,
        background(landscape, width=width, log=log),
        title=title,
        note=note,
        fps=fps,
        loss_scale=loss_scale,
        settings=settings,
    )
