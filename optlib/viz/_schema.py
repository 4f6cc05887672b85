"""The numbers a player draws: one JSON object, written by Python, read by ``js/schema.js``.

Only finite numbers, rounded to :data:`DIGITS` significant digits, ever reach the page (JSON
has no NaN, and a browser's ``JSON.parse`` refuses it). A run that diverged is cut at its last
finite point and carries the step where it left the finite world.

The data (version ``v: 1``)::

    {
      "v": 1,
      "dim": 2,                      # 2: points are (x, y); 1: points are x, the height is the loss
      "title": "Rosenbrock", "note": "",
      "fps": 37.5,                   # steps per second at speed 1
      "loss_scale": "log",           # or "linear"
      "image": "data:image/png;base64,...",   # the background ("" for none)
      "extent": [x_min, x_max, y_min, y_max], # of the image, in data coordinates
      "aspect": 0.75,                # height / width of the plot area
      "xlabel": "x", "ylabel": "y",
      "settings": {...},             # optional: how the runs were made (see below)
      "traces": [                    # in run order
        {"label": "Adam", "color": "#0072B2",
         "x": [...], "y": [...],     # the points' coordinates (1-D: y is the loss)
         "loss": [...],              # f at each point; the three lists have one length
         "diverged_at": null}        # or the first step that was not finite
      ]
    }

The page API. ``js/player.js`` mounts a player on an element and hangs a handle on it,
``el.optlibPlayer``, with:

- ``trajectories()`` -> ``[{label, points, losses, diverged_at}]`` in run order, the same
  shape as :class:`~optlib.trajectory.Trajectory`: ``points`` is ``[[x, y], ...]`` in 2-D and
  ``[x, ...]`` in 1-D, ``losses`` ``[...]``, ``diverged_at`` a step or ``null``.
- ``setData(data)`` redraws from new data. ``data`` may be partial: what it lacks (the
  background, the title, ...) is kept. Its traces may carry ``points`` and ``losses`` (the
  form ``trajectories()`` returns, what an engine in the page computes) instead of the columns
  ``x``, ``y``, ``loss``; a trace without ``color`` gets the palette colour of its place.
- ``settings()`` -> the ``settings`` object of the data when it has one (for a live
  explorer: ``{landscape, start, steps, runs: [{label, optimizer, hparams}]}``, as the
  controls stand now), else ``null``.
- ``set(partial_settings)`` (a live explorer only) merges ``{start, steps, runs: [{optimizer,
  hparams}, ...]}`` into the settings (``hparams`` key by key, ``runs`` by position; a new
  ``optimizer`` starts from its defaults and keeps the learning rate) and recomputes at once;
  it returns ``settings()``. A start outside the picture is clamped to it, with a note.

Live explorers. When ``settings`` names a landscape of :mod:`optlib.landscapes` and every
run's optimizer is a class of :mod:`optlib.optim`, the player bundles the engine
(``engine.js``, equal to optlib to round-off, tests/test_engine.py) and shows the controls:
per run the optimizer, the learning rate (log slider), momentum / alpha / rho / betas / eps
(eps on a log slider) where it has them, and its flags; the start (sliders, or click and drag
on the landscape) and the steps; and a 3-D toggle that shows the landscape as a surface. The
runs are recomputed on every input; a run whose settings are invalid is left out and the
player shows ``"Invalid settings: <label>: <message>"``, the message Python's constructor
gives.
- ``state()`` -> ``{step, steps, playing, markers: [...]}``, for tests; ``destroy()``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["DIGITS", "player_data", "rounded", "to_json"]

#: Significant digits of every number written into the page.
DIGITS = 4


def rounded(v: float) -> float:
    """``v`` rounded to :data:`DIGITS` significant digits (JSON spells it in a few characters)."""
    return float(f"{v:.{DIGITS}g}")


def _rounded_list(a: np.ndarray) -> list[float]:
    return [float(f"{v:.{DIGITS}g}") for v in a.tolist()]


def items(trajectories: Mapping[str, Any] | Sequence[Any] | None) -> list[tuple[str, Any]]:
    """``(label, trajectory)`` pairs of a mapping, or of a sequence (labels from ``.label``)."""
    if trajectories is None:
        return []
    if isinstance(trajectories, Mapping):
        return list(trajectories.items())
    return [(getattr(t, "label", "") or f"run {i}", t) for i, t in enumerate(trajectories)]


def _arrays(label: str, t: Any) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Points, losses and the recorded divergence step of a trajectory-like object."""
    get = t.get if isinstance(t, Mapping) else lambda k: getattr(t, k, None)
    points, losses, diverged_at = get("points"), get("losses"), get("diverged_at")
    if points is None or losses is None:
        raise ValueError(
            f"Invalid trajectory {label!r}: need points and losses (a Trajectory from "
            f"optlib.trajectory.run, or a dict with 'points' and 'losses')"
        )
    return (
        np.asarray(points, dtype=np.float64),
        np.asarray(losses, dtype=np.float64).reshape(-1),
        diverged_at,
    )


def _dim_of(trajectories: list[tuple[str, Any]]) -> int:
    """2 unless the first trajectory with points has one coordinate per point."""
    for label, t in trajectories:
        p, _, _ = _arrays(label, t)
        if p.size:
            return 2 if p.ndim == 2 and p.shape[-1] == 2 else 1
    return 2


def _trace(label: str, t: Any, color: str, dim: int) -> dict[str, Any]:
    points, losses, diverged_at = _arrays(label, t)
    if dim == 2:
        if points.size == 0:
            points = points.reshape(0, 2)
        elif points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"Invalid trajectory {label!r}: points must have shape (T, 2), got {points.shape}"
            )
    else:
        points = points.reshape(-1)
    if len(points) != len(losses):
        raise ValueError(
            f"Invalid trajectory {label!r}: {len(points)} points but {len(losses)} losses"
        )
    finite = np.isfinite(losses) & (
        np.isfinite(points).all(axis=1) if dim == 2 else np.isfinite(points)
    )
    n = int(np.argmin(finite)) if not finite.all() else len(finite)
    if n < len(finite):  # drawn up to the last finite point, marked as diverged there
        diverged_at = n if diverged_at is None else min(int(diverged_at), n)
    x, y = (points[:n, 0], points[:n, 1]) if dim == 2 else (points[:n], losses[:n])
    return {
        "label": label,
        "color": color,
        "x": _rounded_list(x),
        "y": _rounded_list(y),
        "loss": _rounded_list(losses[:n]),
        "diverged_at": None if diverged_at is None else int(diverged_at),
    }


def last_step(traces: list[dict[str, Any]]) -> int:
    """The last frame: the longest run's last step (or its divergence)."""
    return max([max(len(t["x"]) - 1, t["diverged_at"] or 0) for t in traces] or [0])


def player_data(
    trajectories: Mapping[str, Any] | Sequence[Any],
    background: Any = None,
    *,
    title: str = "",
    note: str = "",
    fps: float | None = None,
    loss_scale: str = "auto",
    colors: Sequence[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data a player draws (the schema above). See :class:`optlib.viz.Player`.

    With ``background=None`` the result has no image and no extent (the explorer widget sends
    the background once and only this part on every change).
    """
    from optlib.viz.static import PALETTE

    if loss_scale not in ("auto", "log", "linear"):
        raise ValueError(f"Invalid loss_scale: {loss_scale!r} (must be 'auto', 'log' or 'linear')")
    if fps is not None and not (isinstance(fps, (int, float)) and 0 < fps <= 240):
        raise ValueError(f"Invalid fps: {fps} (must be in (0, 240])")
    colors = PALETTE if colors is None else colors
    pairs = items(trajectories)
    dim = background.dim if background is not None else _dim_of(pairs)
    traces = [_trace(label, t, colors[i % len(colors)], dim) for i, (label, t) in enumerate(pairs)]
    steps = last_step(traces)
    if loss_scale == "auto":
        allv = np.array([v for tr in traces for v in tr["loss"]], dtype=np.float64)
        positive = allv.size and allv.min() > 0
        loss_scale = (
            "log" if positive and np.log10(allv.max()) - np.log10(allv.min()) > 2 else "linear"
        )
    data: dict[str, Any] = {
        "v": 1,
        "dim": dim,
        "title": title,
        "note": note,
        "fps": rounded(fps if fps is not None else min(60.0, max(10.0, steps / 8))),
        "loss_scale": loss_scale,
        "traces": traces,
    }
    if settings is not None:
        data["settings"] = dict(settings)
    if background is not None:
        data.update(background.spec())
    return data


def extent_of(traces: list[dict[str, Any]]) -> dict[str, Any]:
    """Without a background: a box around every point, 5% larger."""
    xs = [v for t in traces for v in t["x"]] or [0.0, 1.0]
    ys = [v for t in traces for v in t["y"]] or [0.0, 1.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    px, py = 0.05 * (x1 - x0 or 1.0), 0.05 * (y1 - y0 or 1.0)
    ext = [rounded(x0 - px), rounded(x1 + px), rounded(y0 - py), rounded(y1 + py)]
    aspect = (ext[3] - ext[2]) / (ext[1] - ext[0])
    return {"extent": ext, "aspect": rounded(aspect if 1 / 3 <= aspect <= 3 else 0.75), "image": ""}


def to_json(data: Mapping[str, Any]) -> str:
    """The data as JSON that is safe inside ``<script>``: no NaN, no ``</script>``, no ``<!--``."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
