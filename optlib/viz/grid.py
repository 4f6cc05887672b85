"""A slider over a precomputed grid of settings: curves of network training, in any browser.

Torch does not run in the page, so a demo that trains a network cannot recompute when a
reader moves a control. :class:`GridPlayer` ships the runs instead: optlib trains once per
value of one setting (batch size, init scale, learning rate, patience) at build time, and
the page holds every curve of every setting as numbers. A range slider picks the setting; the
chart redraws that setting's curves, with the curves of all other settings faint behind
them for context. Like :class:`~optlib.viz.Player` it is one self-contained ``<div>`` (no
CDN), reads the page's light or dark theme, and prints as a still of the chosen setting.

The data (one JSON object in the page, read by ``js/grid.js``)::

    {
      "v": 1,
      "title": "...", "note": "...",
      "axis": "batch size B",            # the setting's name: the slider's label
      "values": [1, 4, 16, 64],          # the setting's values, in slider order
      "labels": ["1", "4", "16", "64"],  # shown for each value
      "index": 0,                        # the setting shown first
      "xlabel": "epoch", "ylabel": "loss",
      "log_y": true,                     # y on a log scale (every finite value > 0)
      "xlim": [x0, x1], "ylim": [y0, y1],
      "context": true,                   # faint curves of the other settings
      "series": [                        # one line per series, in legend order
        {"name": "training loss", "color": "#0072B2", "dash": false,
         "x": [...],                     # T abscissae, shared by every setting
         "y": [[...], ...]}              # one list of T numbers per setting (null: no value)
      ]
    }

Every number is rounded to ``digits`` significant digits (default 4: relative error at most
``0.5 * 10**(1 - digits)``, 5e-4), which keeps the data of a grid of 8 settings x 3 series
x 100 points near 21 KB (the player's script and style, about 34 KB, come with every
fragment, as with :class:`~optlib.viz.Player`). Non-finite values (a run that diverged, or one
that stopped early and was padded with NaN) are shipped as ``null`` and leave a gap in the line.

The page API, on the element (``el.optlibPlayer``, as for the player):

- ``settings()`` -> ``{axis, value, label, index}`` of the setting shown;
- ``set({value})`` or ``set({index})`` shows another setting (the nearest value) at once;
- ``curves()`` -> ``[{name, x, y}]``: the shipped numbers of the shown setting, per series;
- ``state()`` -> ``{index, plot, drawn: [{name, color, pixels}], xlim, ylim, log_y}``: what
  the last redraw drew and where (``plot`` the plot box, ``pixels`` the canvas position of
  every point of the shown curve, null at a gap), for tests; ``destroy()``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optlib.viz._assets import library, style
from optlib.viz._schema import to_json

__all__ = ["GridPlayer", "quantize"]

# Mounts the grid on its own element; the page's namespace is made by the first fragment
# (a player's or a grid's) and carries mountGrid from this version on.
_BOOT = """(() => {
const root = document.getElementById("%(id)s");
if (!root || root.optlibPlayer) return;
const ns = window.optlibPlayer && window.optlibPlayer.mountGrid ? window.optlibPlayer
  : (window.optlibPlayer = %(lib)s);
ns.mountGrid(root, JSON.parse(root.querySelector("script.optlib-grid-data").textContent));
})();"""


def quantize(a: np.ndarray, digits: int) -> list[float | None]:
    """``a`` as a list rounded to ``digits`` significant digits; non-finite values -> None."""
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in a.tolist()]


def _curves_of(name: str, rows: Any, count: int) -> np.ndarray:
    """One series as a float64 array (settings, T), checked against the settings' count."""
    if isinstance(rows, np.ndarray) or hasattr(rows, "numpy"):
        rows = np.asarray(rows, dtype=np.float64)
        rows = list(rows) if rows.ndim == 2 else [rows]
    if not isinstance(rows, (Sequence, np.ndarray)) or isinstance(rows, str):
        raise TypeError(
            f"curves[{name!r}] must be a sequence of curves, one per setting, "
            f"got {type(rows).__name__}"
        )
    if len(rows) != count:
        raise ValueError(
            f"curves[{name!r}] has {len(rows)} curves but values has {count} settings "
            "(one curve per setting)"
        )
    arrays = [np.asarray(r, dtype=np.float64).reshape(-1) for r in rows]
    for i, a in enumerate(arrays):
        if len(a) != len(arrays[0]):
            raise ValueError(
                f"curves[{name!r}] is ragged: setting {i} has {len(a)} points, setting 0 "
                f"has {len(arrays[0])} (pad a run that stopped early with NaN)"
            )
    if not arrays[0].size:
        raise ValueError(f"curves[{name!r}] has no points")
    return np.stack(arrays)


def _x_of(name: str, x: Any, length: int) -> np.ndarray:
    """The abscissae of one series: ``x`` (one array, or one per series), or 0..T-1."""
    if isinstance(x, Mapping):
        x = x.get(name)
    if x is None:
        return np.arange(length, dtype=np.float64)
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    if len(xs) != length:
        raise ValueError(f"x has {len(xs)} values but curves[{name!r}] has {length} points")
    if not np.isfinite(xs).all():
        raise ValueError(f"x must be finite (series {name!r})")
    return xs


def _limits(lo: float, hi: float, log: bool) -> list[float]:
    """A y range around [lo, hi]: as it is on a log axis, 5% wider on a linear one."""
    if log:
        return [lo, hi] if hi > lo else [lo / 2, lo * 2]
    pad = 0.05 * (hi - lo) or 0.1 * abs(hi) or 1.0
    return [lo - pad, hi + pad]


class GridPlayer:
    """Curves for every value of one setting, and a slider that shows one setting at a time.

    Args:
        curves: ``{series name: curves}``, where ``curves`` holds one curve per setting
            (a sequence of 1-D arrays of one length, or a 2-D array ``(settings, T)``).
            Series may differ in length (per step, per epoch). NaN or infinite values
            leave a gap (a run that diverged, or stopped early and was padded with NaN).
        axis: the setting's name, the slider's label (``"batch size B"``).
        values: the setting's values, one per curve, in slider order.
        labels: the text shown for each value (default: the value, 4 significant digits).
        x: the abscissae: one array for all series, ``{series name: array}``, or ``None``
            for 0, 1, ... (default).
        xlabel, ylabel: axis labels (default ``"step"``, ``"loss"``).
        title, note: shown above the chart.
        log_y: y on a log scale; every finite value must then be positive (default: False).
        ylim: ``(low, high)`` of the y axis (default: every finite value of every setting,
            so the axes stay put while the slider moves).
        value: the setting shown first (default: the first).
        context: draw the other settings' curves faintly (default: True).
        colors: one colour per series (default: :data:`optlib.viz.PALETTE`).
        dashes: names of the series drawn dashed (default: none).
        digits: significant digits of the numbers shipped (default: 4).

    Example::

        losses = {"training loss": [fit(...).epochs["train_loss"] for B in sizes]}
        GridPlayer(losses, axis="batch size B", values=sizes, xlabel="epoch", log_y=True)
    """

    def __init__(
        self,
        curves: Mapping[str, Any],
        *,
        axis: str,
        values: Sequence[float],
        labels: Sequence[str] | None = None,
        x: Any = None,
        xlabel: str = "step",
        ylabel: str = "loss",
        title: str = "",
        note: str = "",
        log_y: bool = False,
        ylim: tuple[float, float] | None = None,
        value: float | None = None,
        context: bool = True,
        colors: Sequence[str] | None = None,
        dashes: Sequence[str] = (),
        digits: int = 4,
    ) -> None:
        from optlib.viz.static import PALETTE

        if not isinstance(curves, Mapping) or not curves:
            raise TypeError("curves must be a non-empty mapping {series name: curves}")
        if not isinstance(digits, int) or not 2 <= digits <= 9:
            raise ValueError(f"Invalid digits: {digits!r} (must be an int in [2, 9])")
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
        if not vals.size or not np.isfinite(vals).all():
            raise ValueError(f"values must be a non-empty sequence of finite numbers: {values!r}")
        if labels is None:
            labels = [f"{v:.4g}" for v in vals.tolist()]
        if len(labels) != len(vals):
            raise ValueError(f"labels has {len(labels)} entries but values has {len(vals)}")
        index = 0 if value is None else int(np.argmin(np.abs(vals - value)))
        if value is not None and not math.isclose(vals[index], value, rel_tol=1e-9):
            raise ValueError(f"value {value!r} is not one of values {vals.tolist()}")
        colors = list(colors or PALETTE)
        series, lo, hi, xlo, xhi = [], math.inf, -math.inf, math.inf, -math.inf
        for i, (name, rows) in enumerate(curves.items()):
            ys = _curves_of(str(name), rows, len(vals))
            xs = _x_of(str(name), x, ys.shape[1])
            fin = ys[np.isfinite(ys)]
            if log_y and (fin <= 0).any():
                raise ValueError(
                    f"log_y needs positive values, but curves[{name!r}] has {fin[fin <= 0][0]:.4g}"
                )
            if fin.size:
                lo, hi = min(lo, fin.min()), max(hi, fin.max())
            xlo, xhi = min(xlo, xs.min()), max(xhi, xs.max())
            series.append(
                {
                    "name": str(name),
                    "color": colors[i % len(colors)],
                    "dash": name in dashes,
                    "x": quantize(xs, digits),
                    "y": [quantize(row, digits) for row in ys],
                }
            )
        if not math.isfinite(lo):
            raise ValueError("curves has no finite value to draw")
        if ylim is not None:
            ylim = [float(ylim[0]), float(ylim[1])]
            if not ylim[0] < ylim[1] or (log_y and ylim[0] <= 0):
                raise ValueError(f"Invalid ylim: {ylim} (need low < high, low > 0 on log_y)")
        self.data: dict[str, Any] = {
            "v": 1,
            "title": title,
            "note": note,
            "axis": axis,
            "values": quantize(vals, 10),
            "labels": [str(s) for s in labels],
            "index": index,
            "xlabel": xlabel,
            "ylabel": ylabel,
            "log_y": bool(log_y),
            "xlim": quantize(np.array([xlo, xhi if xhi > xlo else xlo + 1]), digits),
            "ylim": quantize(np.array(ylim or _limits(lo, hi, log_y)), digits),
            "context": bool(context),
            "series": series,
        }

    def to_html(self) -> str:
        """The grid as one self-contained HTML fragment, with a fresh unique id."""
        gid = f"optlib-grid-{uuid.uuid4().hex[:12]}"
        script = _BOOT % {"id": gid, "lib": library()}
        return (
            f'<div class="optlib-player optlib-grid" id="{gid}" data-optlib-grid="">'
            f"<style>{style()}</style>"
            '<p class="optlib-fallback">Training curves for each value of a setting, with a '
            "slider; it needs JavaScript (in Jupyter: run the cell, or trust the notebook).</p>"
            f'<script type="application/json" class="optlib-grid-data">{to_json(self.data)}'
            f"</script><script>{script}</script></div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        names = ", ".join(s["name"] for s in self.data["series"])
        return f"GridPlayer({self.data['axis']}: {', '.join(self.data['labels'])}; {names})"
