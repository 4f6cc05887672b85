"""Smoke tests for the static plots: they draw what they are given, and refuse the wrong input."""

from __future__ import annotations

import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD
from optlib.trajectory import run


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs2d():
    return {
        "sgd": run(L.valley, SGD, L.valley.start, 25, lr=0.3),
        "momentum": run(L.valley, SGD, L.valley.start, 25, lr=0.3, momentum=0.6),
        "too large": run(L.valley, SGD, L.valley.start, 2000, lr=1.0),  # diverges
    }


@pytest.fixture(scope="module")
def runs1d():
    return {
        "small": run(L.parabola, SGD, 1.5, 20, lr=0.1),
        "too large": run(L.parabola, SGD, 1.5, 2000, lr=1.5),  # diverges
    }


def render(ax: Axes) -> None:
    """Draw the figure as a notebook would, with any warning an error (the book build is -W)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.canvas.draw()


def markers(ax: Axes) -> list[str]:
    return [line.get_marker() for line in ax.lines]


def legend_labels(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_no_matplotlib_in_numeric_modules():
    import subprocess
    import sys

    code = (
        "import sys, optlib, optlib.landscapes, optlib.gradcheck, optlib.optim, optlib.trajectory;"
        "import optlib.viz;"
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fixture_runs_diverge_as_intended(runs2d, runs1d):
    assert runs2d["too large"].diverged and not runs2d["sgd"].diverged
    assert runs1d["too large"].diverged and not runs1d["small"].diverged


@pytest.mark.parametrize("show_minimizers", [True, False])
def test_contour(runs2d, show_minimizers):
    ax = viz.contour(L.valley, runs2d, n=40, show_minimizers=show_minimizers)
    assert isinstance(ax, Axes)
    n_stars = len(L.valley.minimizers) if show_minimizers else 0
    # per trajectory: the path, its dots, and an end marker
    assert len(ax.lines) == n_stars + 3 * len(runs2d)
    assert markers(ax).count("*") == n_stars
    assert markers(ax).count("X") == 1  # the diverged run ends in a cross
    assert legend_labels(ax) == list(runs2d)
    assert ax.get_xlim() == L.valley.domain[0] and ax.get_ylim() == L.valley.domain[1]
    # the drawn path is the recorded path
    path = ax.lines[n_stars]
    np.testing.assert_array_equal(np.asarray(path.get_xydata()), runs2d["sgd"].points)
    render(ax)


def test_contour_log_levels_sequence_and_given_axes(runs2d):
    _, ax0 = plt.subplots()
    trajectories = [runs2d["sgd"].points, runs2d["momentum"].points]  # plain arrays work too
    ax = viz.contour(L.rosenbrock, trajectories, ax=ax0, n=40, log=True)
    assert ax is ax0
    assert len(ax.lines) == len(L.rosenbrock.minimizers) + 3 * 2
    assert "X" not in markers(ax)  # arrays carry no divergence flag
    assert legend_labels(ax) == ["run 0", "run 1"]
    render(ax)


def test_contour_without_trajectories():
    ax = viz.contour(L.himmelblau, n=30)
    assert len(ax.lines) == len(L.himmelblau.minimizers) and ax.get_legend() is None


def test_surface(runs2d):
    ax = viz.surface(L.valley, runs2d, n=20)
    assert isinstance(ax, Axes) and ax.name == "3d"
    assert len(ax.lines) == len(runs2d)
    assert legend_labels(ax) == list(runs2d)
    render(ax)
    assert len(viz.surface(L.saddle, n=20).lines) == 0


def test_curve(runs1d):
    ax = viz.curve(L.parabola, runs1d, n=50)
    assert isinstance(ax, Axes)
    # the landscape, one star per minimizer, and per trajectory its dots and an end marker
    assert len(ax.lines) == 1 + len(L.parabola.minimizers) + 2 * len(runs1d)
    assert markers(ax).count("X") == 1
    assert ax.get_xlim() == L.parabola.domain[0]
    ax = viz.curve(L.x_sin, {"small": runs1d["small"]}, n=50, show_minimizers=False)
    assert len(ax.lines) == 1 + 2 and "X" not in markers(ax)
    render(ax)


def test_curve_of_a_diverged_run_renders_cleanly(runs1d):
    ax = viz.curve(L.parabola, runs1d, n=50)
    render(ax)
    _, fs = L.parabola.grid(50)
    assert ax.get_ylim()[1] < 1e3 * float(fs.max())


def test_loss_curves(runs2d):
    # A diverged run on a linear axis (log axes: see the test below).
    ax = viz.loss_curves(runs2d, log=False)
    assert isinstance(ax, Axes)
    assert len(ax.lines) == len(runs2d) + 1  # one curve each, plus a cross for the diverged one
    assert markers(ax).count("X") == 1
    assert ax.get_yscale() == "linear"
    for line, t in zip(ax.lines, runs2d.values()):
        # Every loss a reader could read is drawn as is; only the overflow tail is clipped.
        y = line.get_ydata()
        readable = t.losses < 1e100
        np.testing.assert_array_equal(y[readable], t.losses[readable])
        assert np.all(y[~readable] == 1e100)
    assert legend_labels(ax) == list(runs2d)
    render(ax)


def test_loss_curves_log_scale(runs2d):
    converging = {k: t for k, t in runs2d.items() if not t.diverged}
    ax = viz.loss_curves({**converging, "list": [3.0, 2.0, 1.0], "array": np.array([1.0, 0.5])})
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == len(converging) + 2 and "X" not in markers(ax)
    assert legend_labels(ax) == [*converging, "list", "array"]
    render(ax)
    lo, hi = ax.get_ylim()
    assert lo <= min(t.losses.min() for t in converging.values()) and hi >= 3.0


def test_loss_curves_log_scale_with_a_diverged_run(runs2d):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = viz.loss_curves(runs2d)
    render(ax)
    lo, hi = ax.get_ylim()
    converging = [t for t in runs2d.values() if not t.diverged]
    assert lo <= min(t.losses.min() for t in converging)
    assert hi > 10 * max(t.losses.max() for t in converging)


@pytest.mark.parametrize(
    ("plot", "landscape"),
    [
        (viz.contour, L.parabola),
        (viz.contour, L.x_sin),
        (viz.surface, L.parabola),
        (viz.curve, L.bowl),
        (viz.curve, L.rosenbrock),
    ],
)
def test_wrong_dimension_is_rejected(plot, landscape):
    with pytest.raises(ValueError, match=re.escape(f"{landscape.name} is {landscape.dim}-D")):
        plot(landscape)
    assert plt.get_fignums() == []  # nothing half-drawn is left behind


def test_backend_is_headless():
    assert matplotlib.get_backend().lower() == "agg"


def test_heights_come_from_the_recorded_losses(runs2d, runs1d):
    # viz draws what a run recorded; it does not evaluate the landscape again on its points
    from optlib.trajectory import Trajectory

    t2 = runs2d["sgd"]
    marked = Trajectory(points=t2.points, losses=t2.losses + 0.5, diverged_at=None, label="shifted")
    ax = viz.surface(L.valley, {"shifted": marked}, n=20)
    np.testing.assert_array_equal(ax.lines[0].get_data_3d()[2], marked.losses)
    t1 = runs1d["small"]
    marked = Trajectory(points=t1.points, losses=t1.losses + 0.25, diverged_at=None, label="shifted")
    ax = viz.curve(L.parabola, {"shifted": marked}, n=50)
    path = [line for line in ax.lines if line.get_label() == "shifted"][0]
    np.testing.assert_array_equal(path.get_ydata(), marked.losses)
    # bare arrays carry no losses: those are computed
    ax = viz.curve(L.parabola, {"bare": t1.points}, n=50)
    path = [line for line in ax.lines if line.get_label() == "bare"][0]
    np.testing.assert_allclose(path.get_ydata(), t1.losses, rtol=1e-12)
