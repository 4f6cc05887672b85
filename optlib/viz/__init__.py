"""Pictures of landscapes, trajectories and loss curves, and the animation player.

``viz`` draws recorded numbers: it takes arrays (or :class:`~optlib.trajectory.Trajectory`
records, which are arrays with a label) and never runs an optimizer itself. The one exception
is :class:`Explorer`, a widget whose job is to recompute trajectories when a control moves; it
does so through :func:`optlib.trajectory.run_many`, never with optimizer math of its own.
matplotlib, ipywidgets and anywidget are imported only when used, so ``import optlib.viz``
stays light.

- :mod:`optlib.viz.static`: matplotlib figures (:func:`contour`, :func:`surface`,
  :func:`curve`, :func:`loss_curves`, :func:`convergence_map`).
- :mod:`optlib.viz.player`: a self-contained HTML player that animates trajectories in the
  browser from their numbers (:class:`Player`, :func:`player`, :func:`background`); its parts
  are ``_schema`` (the data and the page API), ``_background`` (the landscape image),
  ``_assets`` (the script ``js/*.js`` and ``player.css``) and ``_contours`` (the contour
  levels it shares with :func:`contour`).
- :mod:`optlib.viz.explorer`: the same player inside a live widget with controls
  (:class:`Explorer`); imported on first use.
"""

from typing import Any

from optlib.viz.grid import GridPlayer
from optlib.viz.player import Background, Player, background, player
from optlib.viz.static import (
    PALETTE,
    TrajectoryLike,
    contour,
    convergence_map,
    curve,
    loss_curves,
    surface,
)

__all__ = [
    "PALETTE",
    "Background",
    "Explorer",
    "GridPlayer",
    "Player",
    "TrajectoryLike",
    "background",
    "contour",
    "convergence_map",
    "curve",
    "loss_curves",
    "player",
    "surface",
]


def __getattr__(name: str) -> Any:
    # The explorer needs ipywidgets and anywidget: loaded when first asked for (PEP 562).
    if name == "Explorer":
        from optlib.viz.explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'optlib.viz' has no attribute {name!r}")
