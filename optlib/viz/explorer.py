"""The explorer: the player inside a live widget whose controls recompute the runs.

One object, two lives (DESIGN.md). In a live kernel an :class:`Explorer` is an ipywidgets UI:
a tab per optimizer (show it or not, learning rate on a log slider, momentum or betas where
the optimizer has them), the start point and the number of steps. Moving a control
recomputes the trajectories through :func:`optlib.trajectory.run_many` (never with optimizer
math of its own) and the player redraws. In the published book there is no kernel:
``_repr_mimebundle_`` also returns the static :class:`~optlib.viz.player.Player` for the
current (default) settings as ``text/html``, which the book's ``nb_mime_priority_overrides``
picks.

Why anywidget: the player is a canvas drawn by JavaScript, and an ``ipywidgets.HTML`` does not
run ``<script>``. A custom ipywidgets view would need a compiled JupyterLab extension;
anywidget (``anywidget==0.11.0``, pinned) loads an ES module from a Python string instead, so
the widget view *is* the static player's script (``js/*.js``, see ``_assets.py``) plus a
ten-line ``render``. One source for both lives, no build step, and it works in JupyterLab,
Notebook 7, VS Code and Colab.
"""

from __future__ import annotations

import functools
import html
import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any

import anywidget
import ipywidgets as W
import torch
import traitlets

from optlib.landscapes import Landscape
from optlib.trajectory import Trajectory, run_many
from optlib.viz._assets import library, style
from optlib.viz._background import Background, background
from optlib.viz._schema import player_data
from optlib.viz.player import Player
from optlib.viz.static import PALETTE

__all__ = ["Explorer", "PlayerWidget"]

# The widget's ES module: the player library as a module-scoped constant (no global), and
# anywidget's render(): mount on the view's element, setData on every change.
_ESM_GLUE = """
export default {
  render({ model, el }) {
    let player = null;
    const redraw = () => {
      const data = model.get("data");
      if (!data || !data.traces) return;
      const spec = { ...model.get("background"), ...data };
      if (player) player.setData(spec);
      else player = optlibPlayer.mount(el, spec);
    };
    model.on("change:data", redraw);
    model.on("change:background", redraw);
    redraw();
    if (!player) model.send({ type: "optlib-player-ready" });
    return () => {
      model.off("change:data", redraw);
      model.off("change:background", redraw);
      if (player) player.destroy();
    };
  },
};
"""


class PlayerWidget(anywidget.AnyWidget):
    """The player as a widget view: ``background`` is sent once, ``data`` on every change.

    Both are synced only once a view exists: the view asks for them with a message when it
    renders. A kernel without a front end (the book build) therefore never records them in
    the notebook's widget state, and the built page does not carry the numbers twice (its
    ``text/html`` player already has them).
    """

    _esm = f"const optlibPlayer = {library()};\n{_ESM_GLUE}"
    _css = style()
    background = traitlets.Dict().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.latest: dict[str, dict[str, Any]] = {"background": {}, "data": {}}
        self.live = False
        self.on_msg(self._on_view_message)

    def show(self, **parts: dict[str, Any]) -> None:
        """Set ``background`` and/or ``data``; synced now if a view exists, else on its request."""
        self.latest.update(parts)
        if self.live:
            with self.hold_sync():
                for name, value in parts.items():
                    setattr(self, name, value)

    def _on_view_message(self, widget: Any, content: Any, buffers: Any) -> None:
        if (
            isinstance(content, dict)
            and content.get("type") == "optlib-player-ready"
            and not self.live
        ):
            self.live = True
            self.show(**self.latest)


# Hyperparameters that get a control when an optimizer's constructor has them. The others
# (eps, weight_decay, dampening, ...) keep the value given to the Explorer, or the default.
_SLIDERS = {
    "momentum": ("momentum", 0.0, 0.99, 0.01),
    "alpha": ("alpha (smoothing)", 0.5, 0.999, 0.001),
    "rho": ("rho (decay)", 0.5, 0.999, 0.001),
}
_BETAS = (("beta1", 0.0, 0.999, 0.001), ("beta2", 0.9, 0.9999, 0.0001))
_FLAGS = ("nesterov", "amsgrad", "centered")


class _Styles:
    """The few layout and style models every control of one explorer shares."""

    def __init__(self) -> None:
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_int import SliderStyle

        self.slider = SliderStyle(description_width="initial")
        self.check = CheckboxStyle()
        self.plain = W.Layout()
        self.box = W.Layout(width="auto", margin="0 12px 0 0")
        self.row = W.Layout(flex_flow="row wrap", align_items="center")


def _defaults(cls: type) -> dict[str, Any]:
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}


@functools.lru_cache(maxsize=16)
def _background(landscape: Landscape) -> Background:
    # several explorers on one landscape (a chapter often has a few) share one picture
    return background(landscape)


def _freeze(hp: Mapping[str, Any]) -> tuple:
    return tuple(
        sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in hp.items())
    )


class Explorer:
    """Optimizers racing on a landscape, with controls; a static player where there is no kernel.

    Args:
        landscape: a 1-D or 2-D landscape.
        optimizers: ``{label: optimizer class}`` or ``{label: (class, hparams)}``, e.g.
            ``{"SGD": (SGD, {"lr": 0.01}), "Adam": (Adam, {"lr": 0.1})}``; every class is
            an element-wise ``torch.optim.Optimizer``.
        x0: the start point (default: ``landscape.start``).
        steps: number of steps (default: 100).
        lr_range: range of the log learning-rate sliders (default: 1e-4 to 10; widened to
            hold every given lr).
        title: shown above the player (default: the landscape's name).
        show: labels shown at first (default: all).

    Attributes:
        controls: every control by name: ``"x0"``, ``"y0"``, ``"steps"``, and per optimizer
            ``"<label>.show"``, ``"<label>.lr"``, ``"<label>.momentum"``, ``"<label>.beta1"``,
            ``"<label>.beta2"``, ... (only the ones the optimizer has). Setting a control's
            ``value`` from code recomputes, as moving it does.
        message: the text shown for invalid settings ("" when all is well).
        widget: the ipywidgets container that a notebook displays.

    Example::

        from optlib import landscapes as L, viz
        from optlib.optim import SGD, Adam
        viz.Explorer(L.rosenbrock, {"SGD": (SGD, {"lr": 1e-3}),
                                    "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
                                    "Adam": (Adam, {"lr": 0.05})}, steps=300)
    """

    def __init__(
        self,
        landscape: Landscape,
        optimizers: Mapping[str, Any],
        *,
        x0: float | Sequence[float] | None = None,
        steps: int = 100,
        lr_range: tuple[float, float] = (1e-4, 10.0),
        title: str | None = None,
        show: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(landscape, Landscape) or landscape.dim not in (1, 2):
            raise ValueError(
                f"Invalid landscape: {landscape!r} (need a 1-D or 2-D optlib Landscape)"
            )
        if not isinstance(optimizers, Mapping) or not optimizers:
            raise ValueError(
                "Invalid optimizers: give a non-empty {label: class or (class, hparams)}"
            )
        if not isinstance(steps, int) or not 1 <= steps <= 100_000:
            raise ValueError(f"Invalid steps: {steps} (must be an integer in [1, 100000])")
        lo, hi = lr_range
        if not 0 < lo < hi:
            raise ValueError(f"Invalid lr_range: {lr_range} (need 0 < low < high)")
        self.landscape = landscape
        self.title = landscape.name if title is None else title
        self._specs: dict[str, tuple[type, dict[str, Any]]] = {}
        for label, entry in optimizers.items():
            cls, hp = entry if isinstance(entry, tuple) else (entry, {})
            if not callable(cls):
                raise ValueError(f"Invalid optimizer for {label!r}: {cls!r} is not a class")
            self._specs[str(label)] = (cls, {**_defaults(cls), **dict(hp)})
        shown = set(self._specs) if show is None else {str(s) for s in show}
        if not shown <= set(self._specs):
            raise ValueError(
                f"Invalid show: {sorted(shown - set(self._specs))} are not optimizer labels"
            )
        self._colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(self._specs)}
        self._cache: dict[tuple, Trajectory] = {}
        self._trajectories: dict[str, Trajectory] = {}
        self.message = ""

        start = landscape.start if x0 is None else x0
        start = (
            (float(start),) if isinstance(start, (int, float)) else tuple(float(v) for v in start)
        )
        if len(start) != landscape.dim:
            raise ValueError(f"Invalid x0: {x0} ({landscape.name} is {landscape.dim}-D)")
        lrs = [
            float(hp["lr"])
            for _, hp in self._specs.values()
            if isinstance(hp.get("lr"), (int, float)) and hp["lr"] > 0
        ]
        lo, hi = min([lo, *lrs]), max([hi, *lrs])
        self.controls: dict[str, W.ValueWidget] = {}
        self.widget = self._build(start, steps, (lo, hi), shown)
        self._background: Background = _background(landscape)
        self.player_widget.show(background={**self._background.spec(), "title": self.title})
        self.update()

    # -- the UI --------------------------------------------------------------------------

    def _control(self, name: str, widget: W.ValueWidget) -> W.ValueWidget:
        self.controls[name] = widget
        widget.observe(self._on_change, names="value")
        return widget

    def _build(
        self, start: tuple[float, ...], steps: int, lr_range: tuple[float, float], shown: set[str]
    ) -> W.VBox:
        # One layout and one style model shared by all controls: every widget model lands in
        # the notebook's saved widget state (and in the built page), so fewer is lighter.
        styles = _Styles()

        def slider(name: str, cls: type, **kw: Any) -> W.ValueWidget:
            return self._control(
                name, cls(continuous_update=False, style=styles.slider, layout=styles.plain, **kw)
            )

        def checkbox(name: str, value: bool, description: str) -> W.ValueWidget:
            return self._control(
                name,
                W.Checkbox(
                    value=value,
                    description=description,
                    indent=False,
                    style=styles.check,
                    layout=styles.box,
                ),
            )

        pages = []
        for label, (_cls, hp) in self._specs.items():
            rows = [checkbox(f"{label}.show", label in shown, "show")]
            if "lr" in hp:
                lr = (
                    float(hp["lr"])
                    if isinstance(hp["lr"], (int, float)) and hp["lr"] > 0
                    else lr_range[0]
                )
                rows.append(
                    slider(
                        f"{label}.lr",
                        W.FloatLogSlider,
                        value=lr,
                        base=10,
                        step=0.05,
                        min=math.log10(lr_range[0]),
                        max=math.log10(lr_range[1]),
                        description="learning rate",
                        readout_format=".3g",
                    )
                )
            for key, (desc, a, b, st) in _SLIDERS.items():
                if key in hp and isinstance(hp[key], (int, float)):
                    rows.append(
                        slider(
                            f"{label}.{key}",
                            W.FloatSlider,
                            value=min(max(float(hp[key]), a), b),
                            min=a,
                            max=b,
                            step=st,
                            description=desc,
                            readout_format=".3g",
                        )
                    )
            if "betas" in hp:
                for (key, a, b, st), v in zip(_BETAS, hp["betas"], strict=True):
                    rows.append(
                        slider(
                            f"{label}.{key}",
                            W.FloatSlider,
                            value=min(max(float(v), a), b),
                            min=a,
                            max=b,
                            step=st,
                            description=key,
                            readout_format=".4g",
                        )
                    )
            for key in _FLAGS:
                if key in hp and isinstance(hp[key], bool):
                    rows.append(checkbox(f"{label}.{key}", hp[key], key))
            pages.append(W.HBox(rows, layout=styles.row))
        tabs = W.Tab(children=pages)
        tabs.titles = tuple(self._specs)

        place = []
        # a 1-D landscape has one start slider, x0
        for k, (name, (a, b)) in enumerate(zip(("x0", "y0"), self.landscape.domain, strict=False)):
            place.append(
                slider(
                    name,
                    W.FloatSlider,
                    value=start[k],
                    min=a,
                    max=b,
                    step=(b - a) / 200,
                    description=f"start {'xy'[k]}",
                    readout_format=".3g",
                )
            )
        place.append(
            slider(
                "steps", W.IntSlider, value=steps, min=1, max=max(1000, steps), description="steps"
            )
        )
        self._message_widget = W.HTML(value="")
        self.player_widget = PlayerWidget()
        return W.VBox(
            [tabs, W.HBox(place, layout=styles.row), self._message_widget, self.player_widget]
        )

    def _on_change(self, change: Any) -> None:
        self.update()

    # -- the numbers -----------------------------------------------------------------------

    def settings(self, label: str) -> tuple[type, dict[str, Any]]:
        """The optimizer class and hyperparameters that the controls of ``label`` describe."""
        cls, hp = self._specs[label]
        hp = dict(hp)
        c = self.controls
        for key in ("lr", *_SLIDERS, *_FLAGS):
            if f"{label}.{key}" in c:
                hp[key] = c[f"{label}.{key}"].value
        if f"{label}.beta1" in c:
            hp["betas"] = (float(c[f"{label}.beta1"].value), float(c[f"{label}.beta2"].value))
        return cls, hp

    @property
    def start(self) -> float | tuple[float, float]:
        if self.landscape.dim == 1:
            return float(self.controls["x0"].value)
        return (float(self.controls["x0"].value), float(self.controls["y0"].value))

    @property
    def steps(self) -> int:
        return int(self.controls["steps"].value)

    @property
    def trajectories(self) -> dict[str, Trajectory]:
        """The runs on show, by label, as of the last update."""
        return dict(self._trajectories)

    def update(self) -> None:
        """Recompute what changed and redraw.

        Invalid settings become a message, never a traceback.
        """
        errors: list[str] = []
        try:
            x0, steps = self.start, self.steps
            todo: dict[str, tuple[type, dict[str, Any]]] = {}
            keys: dict[str, tuple] = {}
            for label in self._specs:
                if not self.controls[f"{label}.show"].value:
                    continue
                cls, hp = self.settings(label)
                keys[label] = (label, cls, _freeze(hp), x0, steps)
                if keys[label] in self._cache:
                    continue
                try:  # the optimizer's own validation, with torch's messages
                    cls(
                        [torch.zeros(self.landscape.dim, dtype=torch.float64, requires_grad=True)],
                        **hp,
                    )
                except (ValueError, TypeError) as err:
                    errors.append(f"{label}: {err}")
                    del keys[label]
                    continue
                todo[label] = (cls, hp)
            if todo:
                for label, traj in run_many(self.landscape, todo, x0, steps).items():
                    self._cache[keys[label]] = traj
            while len(self._cache) > 256:
                self._cache.pop(next(iter(self._cache)))
            self._trajectories = {label: self._cache[k] for label, k in keys.items()}
            self.player_widget.show(data=self._data())
        except Exception as err:  # noqa: BLE001 - a widget shows a message, not a traceback
            errors.append(f"could not compute the runs: {type(err).__name__}: {err}")
        self.message = "; ".join(errors)
        self._message_widget.value = (
            f'<div role="alert" style="color:#953800;background:#fff1e5;border:1px solid #ffc680;'
            f'border-radius:6px;padding:4px 8px">'
            f"Invalid settings: {html.escape(self.message)}</div>"
            if self.message
            else ""
        )

    def _colors_on_show(self) -> list[str]:
        # a run keeps its color when others are hidden
        return [self._colors[label] for label in self._trajectories] or list(PALETTE)

    def _data(self) -> dict[str, Any]:
        return player_data(
            self._trajectories, None, title=self.title, colors=self._colors_on_show()
        )

    def page_settings(self) -> dict[str, Any] | None:
        """The runs on show in the page API's terms (``el.optlibPlayer.settings()``).

        ``{landscape, start, steps, runs: [{label, optimizer, hparams}]}``: ``landscape`` is the
        attribute name in :mod:`optlib.landscapes`, ``optimizer`` the class name in
        :mod:`optlib.optim`, ``hparams`` its constructor keywords. ``None`` when a run cannot be
        named so (a student's own optimizer or landscape): only Python can recompute those.
        """
        import optlib.landscapes
        import optlib.optim

        name = next((k for k, v in vars(optlib.landscapes).items() if v is self.landscape), None)
        if name is None:
            return None
        runs = []
        for label in self._trajectories:
            cls, hp = self.settings(label)
            if getattr(optlib.optim, cls.__name__, None) is not cls:
                return None
            hparams = {k: list(v) if isinstance(v, tuple) else v for k, v in hp.items()}
            if not all(
                v is None or isinstance(v, (bool, int, float, str, list)) for v in hparams.values()
            ):
                return None
            runs.append({"label": label, "optimizer": cls.__name__, "hparams": hparams})
        start = self.start
        return {
            "landscape": name,
            "start": [start] if isinstance(start, float) else list(start),
            "steps": self.steps,
            "runs": runs,
        }

    # -- the two lives ---------------------------------------------------------------------

    def player(self) -> Player:
        """The static player of the current settings (what the published book shows)."""
        settings = self.page_settings()
        note = (
            "Move the controls, or drag on the landscape to move the start: the page recomputes "
            "the runs."
            if settings is not None
            else "A recording of an explorer: run the notebook to move its controls."
        )
        return Player(
            self._trajectories,
            self._background,
            title=self.title,
            colors=self._colors_on_show(),
            note=note,
            settings=settings,
        )

    def to_html(self) -> str:
        return self.player().to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_() or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self) -> str:
        return f"Explorer({self.landscape.name}: {', '.join(self._specs)}; {self.steps} steps)"
