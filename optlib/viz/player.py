"""A self-contained HTML player that animates optimizer trajectories from their numbers.

The published book has no kernel, and a video of a contour plot is heavy
(``FuncAnimation.to_jshtml`` of 100 frames came to 21 MB). The player ships the numbers
instead: one small background image of the landscape, drawn once, and every trajectory as a
list of points and losses, rounded to 4 significant digits. A short inline script (no CDN, no
Python) draws the paths on a canvas, with play/pause, step, a scrub slider, speed, a legend
with the current loss of every run, and a loss-vs-step chart beside the landscape.

``Player`` takes only arrays and a :class:`Background`; :func:`player` makes the background
from a landscape first. Runs that diverged are drawn up to their last finite point and
marked; non-finite numbers never reach the page (JSON has no NaN).

The browser side lives in ``player.js`` and ``player.css`` next to this file; the same two
files are the widget view of :class:`optlib.viz.explorer.Explorer`.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping, Sequence

import numpy as np

from optlib.landscapes import Landscape
from optlib.viz.static import PALETTE, _items

__all__ = ["Background", "Player", "background", "player", "player_data"]

#: Significant digits of every number written into the page.
DIGITS = 4
#: The name of the one global function the static player defines (idempotently).
GLOBAL_NAME = "optlibPlayer"


@functools.lru_cache(maxsize=None)
def asset(name: str) -> str:
    """The text of ``player.js`` or ``player.css``, read from the package (works from a checkout)."""
    return resources.files("optlib.viz").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def compact_js() -> str:
    """``player.js`` without indentation and comments (what pages and widgets receive)."""
    # Indentation and whole-line comments only: safe for any code, and a third smaller.
    lines = (ln.strip() for ln in asset("player.js").splitlines())
    out, in_block = [], False
    for ln in lines:
        if in_block or ln.startswith("/*"):
            in_block = not ln.endswith("*/")
            continue
        if ln and not ln.startswith("//"):
            out.append(ln)
    return "\n".join(out)


@functools.lru_cache(maxsize=None)
def compact_css() -> str:
    """``player.css`` without comments and spare whitespace."""
    css = re.sub(r"/\*.*?\*/", "", asset("player.css"), flags=re.S)
    return re.sub(r"\s*([{};:,])\s*", r"\1", re.sub(r"\s+", " ", css)).strip()


@dataclass(frozen=True)
class Background:
    """A picture of the landscape and where it sits in data coordinates.

    Attributes:
        png: the image, PNG bytes; it fills the plot area exactly.
        extent: ``(x_min, x_max, y_min, y_max)`` of the image in data coordinates.
        aspect: height / width of the plot area.
        xlabel, ylabel: axis labels.
        title: a default title for players drawn on it.
        dim: 2 for a contour map (points are ``(x, y)``), 1 for a curve (points are ``x``
            and the height is the loss).
    """

    png: bytes
    extent: tuple[float, float, float, float]
    aspect: float
    xlabel: str = "x"
    ylabel: str = "y"
    title: str = ""
    dim: int = 2

    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def spec(self) -> dict[str, Any]:
        """The part of the player's JSON that describes the background."""
        return {
            "image": self.data_url(),
            "extent": [_r(v) for v in self.extent],
            "aspect": _r(self.aspect),
            "xlabel": self.xlabel,
            "ylabel": self.ylabel,
        }


def _use_log_levels(Z: np.ndarray) -> bool:
    """Log-spaced levels when most of the picture sits in a sliver of the range (Rosenbrock)."""
    lo = float(Z.min())
    spread = float(np.percentile(Z, 10)) - lo
    return bool(spread > 0 and (float(Z.max()) - lo) / spread > 100)


def background(
    landscape: Landscape,
    width: int = 600,
    levels: int = 24,
    log: bool | None = None,
    n: int = 200,
    show_minimizers: bool = True,
) -> Background:
    """Render a landscape once, as the small background image of a player.

    A 2-D landscape becomes filled contours (the same grey shading as
    :func:`optlib.viz.contour`) with its minimizers starred; a 1-D landscape becomes its curve.
    The image has no axes: the player draws them, so they stay sharp at any width.

    Args:
        landscape: a 1-D or 2-D landscape.
        width: image width in pixels (default: 600); the height follows the domain's shape.
        levels: number of contour levels (default: 24).
        log: log-spaced levels; ``None`` (default) decides from the values (on for
            Rosenbrock-like ranges).
        n: grid points per axis (default: 200).
        show_minimizers: star the known minimizers (default: True).
    """
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, LogNorm
    from matplotlib.figure import Figure

    if not isinstance(width, int) or not 100 <= width <= 4000:
        raise ValueError(f"Invalid width: {width} (must be an integer in [100, 4000])")
    if landscape.dim == 2:
        (x0, x1), (y0, y1) = landscape.domain
        aspect = (y1 - y0) / (x1 - x0)
        if not 1 / 3 <= aspect <= 3:
            aspect = 0.75
        X, Y, Z = (a.numpy() for a in landscape.grid(n))
        Z = np.where(np.isfinite(Z), Z, np.nanmax(np.where(np.isfinite(Z), Z, np.nan)))
    elif landscape.dim == 1:
        import torch

        (x0, x1), aspect = landscape.domain[0], 0.62
        xs = torch.linspace(x0, x1, 4 * n, dtype=torch.float64)
        fs = landscape(xs).numpy()
        pad = 0.08 * (fs.max() - fs.min() or 1.0)
        y0, y1 = float(fs.min() - pad), float(fs.max() + pad)
    else:
        raise ValueError(f"background needs a 1-D or 2-D landscape, {landscape.name} is {landscape.dim}-D")

    height = max(1, round(width * aspect))
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    if landscape.dim == 2:
        if log is None:
            log = _use_log_levels(Z)
        # Light greys (low is white): the colored paths keep their contrast everywhere.
        greys = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.36, 256)))
        if log:
            Zs = Z - (Z.min() - 1e-3 if Z.min() <= 0 else 0.0)
            lv = np.geomspace(Zs.min(), Zs.max(), levels)
            ax.contourf(X, Y, Zs, levels=lv, norm=LogNorm(), cmap=greys)
            ax.contour(X, Y, Zs, levels=lv, colors="0.55", linewidths=0.5)
        else:
            ax.contourf(X, Y, Z, levels=levels, cmap=greys)
            ax.contour(X, Y, Z, levels=levels, colors="0.55", linewidths=0.5)
        if show_minimizers:
            for m in landscape.minimizers:
                ax.plot(*m, marker="*", color="#F0E442", markersize=15, markeredgecolor="black")
        xlabel, ylabel = "x", "y"
    else:
        ax.plot(xs.numpy(), fs, color="0.3", lw=2)
        ax.fill_between(xs.numpy(), fs, y0, color="0.92")
        if show_minimizers:
            for (m,) in landscape.minimizers:
                fm = float(landscape(torch.tensor(m, dtype=torch.float64)))
                ax.plot(m, fm, marker="*", color="#F0E442", markersize=15, markeredgecolor="black")
        xlabel, ylabel = "x", "f(x)"
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return Background(
        png=_shrink_png(buf.getvalue()),
        extent=(float(x0), float(x1), float(y0), float(y1)),
        aspect=float(aspect),
        xlabel=xlabel,
        ylabel=ylabel,
        title=landscape.name,
        dim=landscape.dim,
    )


def _shrink_png(png: bytes, colors: int = 48) -> bytes:
    """A palette PNG: greys and a few marker colors need no 24-bit pixels (about 4x smaller)."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    im.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- the data ------------------------------------------------------------------------------


def _r(v: float) -> float:
    """Round to DIGITS significant digits (the JSON then spells it in a few characters)."""
    return float(f"{v:.{DIGITS}g}")


def _rl(a: np.ndarray) -> list[float]:
    return [float(f"{v:.{DIGITS}g}") for v in a.tolist()]


def _arrays(label: str, t: Any) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Points, losses and the recorded divergence step of a trajectory-like object."""
    if isinstance(t, Mapping):
        points, losses, d = t.get("points"), t.get("losses"), t.get("diverged_at")
    else:
        points, losses, d = getattr(t, "points", None), getattr(t, "losses", None), getattr(t, "diverged_at", None)
    if points is None or losses is None:
        raise ValueError(
            f"Invalid trajectory {label!r}: need points and losses (a Trajectory from "
            f"optlib.trajectory.run, or a dict with 'points' and 'losses')"
        )
    return np.asarray(points, dtype=np.float64), np.asarray(losses, dtype=np.float64).reshape(-1), d


def _trace(label: str, t: Any, color: str, dim: int) -> dict[str, Any]:
    points, losses, diverged_at = _arrays(label, t)
    if dim == 2:
        if points.ndim != 2 or points.shape[1] != 2:
            if points.size == 0:
                points = points.reshape(0, 2)
            else:
                raise ValueError(f"Invalid trajectory {label!r}: points must have shape (T, 2), got {points.shape}")
    else:
        points = points.reshape(-1)
    if len(points) != len(losses):
        raise ValueError(
            f"Invalid trajectory {label!r}: {len(points)} points but {len(losses)} losses"
        )
    finite = np.isfinite(losses) & (np.isfinite(points).all(axis=1) if dim == 2 else np.isfinite(points))
    n = int(np.argmin(finite)) if not finite.all() else len(finite)
    if n < len(finite):  # drawn up to the last finite point, marked as diverged there
        diverged_at = n if diverged_at is None else min(int(diverged_at), n)
    x, y = (points[:n, 0], points[:n, 1]) if dim == 2 else (points[:n], losses[:n])
    return {
        "label": label,
        "color": color,
        "x": _rl(x),
        "y": _rl(y),
        "loss": _rl(losses[:n]),
        "diverged_at": None if diverged_at is None else int(diverged_at),
    }


def player_data(
    trajectories: Mapping[str, Any] | Sequence[Any],
    background: Background | None = None,
    *,
    title: str = "",
    note: str = "",
    fps: float | None = None,
    loss_scale: str = "auto",
    colors: Sequence[str] = PALETTE,
) -> dict[str, Any]:
    """The JSON the player draws: finite, rounded numbers only. See :class:`Player`.

    With ``background=None`` the result has no image (the explorer widget sends the
    background once and only this part on every change).
    """
    if loss_scale not in ("auto", "log", "linear"):
        raise ValueError(f"Invalid loss_scale: {loss_scale!r} (must be 'auto', 'log' or 'linear')")
    if fps is not None and not (isinstance(fps, (int, float)) and 0 < fps <= 240):
        raise ValueError(f"Invalid fps: {fps} (must be in (0, 240])")
    dim = background.dim if background is not None else None
    items = _items(trajectories)
    if dim is None:  # guess from the first trajectory with points
        dim = 2
        for label, t in items:
            p, _, _ = _arrays(label, t)
            if p.size:
                dim = 2 if p.ndim == 2 and p.shape[-1] == 2 else 1
                break
    traces = [_trace(label, t, colors[i % len(colors)], dim) for i, (label, t) in enumerate(items)]
    steps = max([max(len(tr["x"]) - 1, tr["diverged_at"] or 0) for tr in traces] or [0])
    if loss_scale == "auto":
        allv = np.array([v for tr in traces for v in tr["loss"]], dtype=np.float64)
        positive = allv.size and allv.min() > 0
        loss_scale = "log" if positive and np.log10(allv.max()) - np.log10(allv.min()) > 2 else "linear"
    data: dict[str, Any] = {
        "v": 1,
        "title": title,
        "note": note,
        "fps": _r(fps if fps is not None else min(60.0, max(10.0, steps / 8))),
        "loss_scale": loss_scale,
        "traces": traces,
    }
    if background is not None:
        data.update(background.spec())
    return data


# -- the player ----------------------------------------------------------------------------

_BOOT = """(function () {
var s = document.currentScript, id = "%(id)s";
var root = s && s.parentNode && s.parentNode.id === id ? s.parentNode : document.getElementById(id);
if (!root || root.optlibPlayer) return;
if (typeof window.%(name)s !== "function") {
window.%(name)s = (function () {
%(js)s
return optlibPlayer;
})();
}
window.%(name)s(root, JSON.parse(root.querySelector("script.optlib-player-data").textContent));
})();"""


def _json_for_html(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    # Inside <script>, "</script>" or "<!--" in a label would end the element early.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Player:
    """An animation of trajectories that plays in any browser, with no kernel and no CDN.

    ``Player`` is what the published book shows: ``to_html()`` (and the notebook display)
    is one ``<div>`` with its own style, data and script. Several players on one page do not
    interfere: each has a unique id and its script touches only its own element.

    Controls: play/pause, first/previous/next/last step, a scrub slider, speed. Keyboard (when
    the player has focus): space plays or pauses, arrow keys step, Home/End jump.

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
        colors: Sequence[str] = PALETTE,
    ) -> None:
        if background is not None and not isinstance(background, Background):
            raise TypeError(f"background must be a Background (see viz.background), got {type(background).__name__}")
        self.background = background
        title = background.title if title is None and background is not None else (title or "")
        self.data = player_data(
            trajectories, background, title=title, note=note, fps=fps, loss_scale=loss_scale, colors=colors
        )
        if background is None:
            self.data.update(_extent_of(self.data["traces"]))

    @property
    def steps(self) -> int:
        """The last frame: the longest run's last step (or its divergence)."""
        return max([max(len(t["x"]) - 1, t["diverged_at"] or 0) for t in self.data["traces"]] or [0])

    def to_html(self) -> str:
        """The player as one self-contained HTML fragment, with a fresh unique id."""
        pid = f"optlib-player-{uuid.uuid4().hex[:12]}"
        script = _BOOT % {"id": pid, "name": GLOBAL_NAME, "js": compact_js()}
        return (
            f'<div class="optlib-player" id="{pid}" data-optlib-player="" tabindex="0">'
            f"<style>{compact_css()}</style>"
            '<p class="optlib-fallback">An animation of optimizer paths; it needs JavaScript '
            "(in Jupyter: run the cell, or trust the notebook).</p>"
            f'<script type="application/json" class="optlib-player-data">{_json_for_html(self.data)}</script>'
            f"<script>{script}</script></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path: str, title: str = "optlib player") -> None:
        """Write a standalone HTML page with this player (for slides, or to share)."""
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_escape(title)}</title></head>"
            f'<body style="max-width:980px;margin:1em auto;padding:0 1em">{self.to_html()}</body></html>'
        )
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(page)

    def __repr__(self) -> str:
        labels = ", ".join(t["label"] for t in self.data["traces"])
        return f"Player({labels}; {self.steps} steps)"


def _escape(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def _extent_of(traces: list[dict[str, Any]]) -> dict[str, Any]:
    """Without a background: a box around every point, 5% larger."""
    xs = [v for t in traces for v in t["x"]] or [0.0, 1.0]
    ys = [v for t in traces for v in t["y"]] or [0.0, 1.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    px, py = 0.05 * (x1 - x0 or 1.0), 0.05 * (y1 - y0 or 1.0)
    ext = [_r(x0 - px), _r(x1 + px), _r(y0 - py), _r(y1 + py)]
    aspect = (ext[3] - ext[2]) / (ext[1] - ext[0])
    return {"extent": ext, "aspect": _r(aspect if 1 / 3 <= aspect <= 3 else 0.75), "image": ""}


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
) -> Player:
    """A :class:`Player` of ``trajectories`` over a picture of ``landscape``.

    Args:
        landscape: the 1-D or 2-D landscape the runs explored.
        trajectories: as for :class:`Player`.
        title: default: the landscape's name.
        note, fps, loss_scale: as for :class:`Player`.
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
    )
