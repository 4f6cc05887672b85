"""trajectory.sweep and trajectory.run_many against one `run` per configuration.

A sweep solves N problems as one (N, d) tensor; it must give each configuration what a run of
its own gives: the same final loss, the same step at which the loss first fell below the
tolerance, and the same divergence step. The reference is always `run`, which itself is tested
against a hand-written loop and torch.optim in test_trajectory.py.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD, Adam
from optlib.trajectory import SweepResult, Trajectory, run, run_many, sweep


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def expected(landscape, optimizer, steps, tol, **cfg):
    """What one run of this configuration gives: (final loss, steps to tol, diverged at)."""
    traj = run(landscape, optimizer, steps=steps, **cfg)
    hit = np.nonzero(traj.losses < tol)[0]
    final = traj.losses[-1] if len(traj.losses) else np.nan
    return final, int(hit[0]) if len(hit) else -1, traj.diverged_at if traj.diverged else -1


def assert_matches_runs(result: SweepResult, landscape, optimizer, rtol=1e-12):
    shape = tuple(len(a) for a in result.axes.values())
    assert result.final_loss.shape == result.steps_to_tol.shape == result.diverged_at.shape == shape
    for index in np.ndindex(*shape):
        final, to_tol, diverged_at = expected(landscape, optimizer, result.steps, result.tol, **result.config(*index))
        assert result.diverged_at[index] == diverged_at, (index, result.config(*index))
        assert result.steps_to_tol[index] == to_tol, (index, result.config(*index))
        np.testing.assert_allclose(result.final_loss[index], final, rtol=rtol, atol=0, err_msg=str(result.config(*index)))


# -- hyperparameter grids ------------------------------------------------------------------


def test_lr_momentum_grid_equals_one_run_per_configuration():
    # valley: curvatures 0.2 and 4. Plain GD diverges for lr > 2/4; lr = 5 overflows (the
    # y error grows 19x per step) within the 300 steps, small lr never reaches the tolerance.
    lrs = np.array([1e-3, 0.05, 0.3, 0.55, 5.0])
    mus = np.array([0.0, 0.5, 0.9])
    result = sweep(L.valley, SGD, 300, {"lr": lrs, "momentum": mus}, tol=1e-6)
    assert list(result.axes) == ["lr", "momentum"] and result.label == "SGD"
    # every kind of outcome is on the grid, so the comparison below means something
    assert result.diverged.any() and result.converged.any()
    assert ((result.steps_to_tol < 0) & ~result.diverged).any()
    assert_matches_runs(result, L.valley, SGD)


def test_sweep_with_fixed_hyperparameters_and_a_given_start():
    result = sweep(L.rosenbrock, SGD, 200, {"lr": np.geomspace(1e-4, 3e-3, 4)}, x0=(-1.0, 1.5),
                   tol=1.0, momentum=0.8, dampening=0.1)
    assert result.hparams == {"momentum": 0.8, "dampening": 0.1} and result.start == (-1.0, 1.5)
    assert result.config(2) == {"x0": (-1.0, 1.5), "momentum": 0.8, "dampening": 0.1, "lr": float(result.axes["lr"][2])}
    assert_matches_runs(result, L.rosenbrock, SGD)


def test_one_dimensional_lr_sweep():
    # parabola: x <- (1 - 2 lr) x; lr > 1 diverges, lr = 0.5 lands on the minimum in one step
    result = sweep(L.parabola, SGD, 600, {"lr": [0.01, 0.2, 0.5, 0.9, 1.5]}, tol=1e-8)
    assert result.steps_to_tol[2] == 1 and result.diverged[4] and not result.diverged[:4].any()
    assert_matches_runs(result, L.parabola, SGD)


def test_per_row_hyperparameters_in_sgd_equal_separate_optimizers():
    # The mechanism under the sweep, checked directly: an (N, 1) lr and momentum in one group.
    torch.manual_seed(0)
    lr = torch.tensor([[0.1], [0.01], [0.5]], dtype=torch.float64)
    mu = torch.tensor([[0.0], [0.9], [0.5]], dtype=torch.float64)
    X = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    rows = [X[i].detach().clone().requires_grad_(True) for i in range(3)]
    batched = SGD([X], lr=0.1, momentum=0.5)
    batched.param_groups[0].update(lr=lr, momentum=mu)
    single = [SGD([r], lr=lr[i].item(), momentum=mu[i].item()) for i, r in enumerate(rows)]
    for _ in range(20):
        grads = torch.randn(3, 2, dtype=torch.float64)
        X.grad = grads.clone()
        batched.step()
        for i, (r, opt) in enumerate(zip(rows, single)):
            r.grad = grads[i].clone()
            opt.step()
    torch.testing.assert_close(X.detach(), torch.stack(rows).detach(), rtol=1e-14, atol=0)


# -- start-point grids ---------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [torch.optim.Adam, Adam], ids=["torch.Adam", "optlib.Adam"])
def test_start_point_grid_equals_one_run_per_start(optimizer):
    # Himmelblau has four minima: the starts split between basins; Adam is element-wise, so
    # the (N, 2) parameter keeps its rows independent.
    xs, ys = np.linspace(-4.5, 4.5, 4), np.linspace(-4, 4, 3)
    result = sweep(L.himmelblau, optimizer, 60, {"x0": xs, "y0": ys}, tol=1e-3, lr=0.1)
    assert result.converged.any() and (result.steps_to_tol < 0).any()
    assert result.config(1, 2)["x0"] == (xs[1], ys[2])
    assert_matches_runs(result, L.himmelblau, optimizer)


def test_start_point_sweep_along_one_axis_and_1d():
    result = sweep(L.himmelblau, SGD, 80, {"y0": np.linspace(-4, 4, 5)}, x0=(1.0, 0.0), lr=0.01)
    assert result.config(0)["x0"] == (1.0, -4.0)
    assert_matches_runs(result, L.himmelblau, SGD)
    result = sweep(L.x_sin, SGD, 100, {"x0": np.linspace(-1, 3, 7)}, lr=0.05, momentum=0.5)
    assert result.config(3)["x0"] == 1.0
    assert_matches_runs(result, L.x_sin, SGD)


def test_divergence_from_the_start_keeps_nan_final_loss():
    f = lambda p: torch.log(p[..., 0] + 2) + (p**2).sum(-1)  # noqa: E731  NaN for x < -2
    result = sweep(f, SGD, 5, {"x0": [0.5, -3.0]}, x0=(0.0, 0.5), lr=0.1)
    assert result.diverged_at.tolist() == [-1, 0]
    assert np.isfinite(result.final_loss[0]) and np.isnan(result.final_loss[1])


# -- errors --------------------------------------------------------------------------------


def torch_message(**kwargs) -> str:
    with pytest.raises(ValueError) as info:
        torch.optim.SGD([torch.zeros(2, requires_grad=True)], **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    ("grid", "fixed"),
    [
        ({"lr": [0.1, -0.1]}, {}),
        ({"momentum": [0.5, -0.2]}, {"lr": 0.1}),
        ({"momentum": [0.0, 0.5]}, {"lr": 0.1, "nesterov": True}),
    ],
)
def test_invalid_grid_values_raise_the_optimizers_own_message(grid, fixed):
    (name, values), = grid.items()
    bad = next(v for v in values if _invalid(name, v, fixed))
    with pytest.raises(ValueError, match=re.escape(torch_message(**{**fixed, name: bad}))):
        sweep(L.bowl, SGD, 10, grid, **fixed)


def _invalid(name, v, fixed) -> bool:
    try:
        torch.optim.SGD([torch.zeros(2, requires_grad=True)], **{**fixed, name: v})
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": {}}, "Invalid grid"),
        ({"grid": {"lr": []}}, "Invalid grid axis 'lr'"),
        ({"grid": {"lr": [[0.1, 0.2]]}}, "Invalid grid axis 'lr'"),
        ({"grid": {"lr": [0.1, np.nan]}}, "Invalid grid axis 'lr'"),
        ({"grid": {"lr": [0.1]}, "lr": 0.2}, "Invalid hparams: ['lr']"),
        ({"grid": {"lr": [0.1]}, "steps": -1}, "Invalid steps: -1"),
        ({"grid": {"lr": [0.1]}, "tol": 0.0}, "Invalid tol: 0.0"),
        ({"grid": {"lr": [0.1]}, "x0": (np.inf, 0.0)}, "Invalid x0"),
    ],
)
def test_invalid_arguments(kwargs, message):
    kwargs = {"steps": 10, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        sweep(L.bowl, SGD, **kwargs)


def test_y0_on_a_1d_landscape_and_a_non_rowwise_function_are_refused():
    with pytest.raises(ValueError, match="1-D"):
        sweep(L.parabola, SGD, 10, {"y0": [0.1]}, lr=0.1)
    with pytest.raises(ValueError, match="one value per point"):
        sweep(lambda p: (p**2).sum(), SGD, 10, {"lr": [0.1, 0.2]}, x0=(1.0, 1.0))


def test_a_hyperparameter_the_step_cannot_broadcast_is_refused_clearly():
    # torch.optim's steps take scalar hyperparameters only; optlib's take one per row
    with pytest.raises(ValueError, match=r"Adam does not support sweeping \['lr'\]"):
        sweep(L.bowl, torch.optim.Adam, 10, {"lr": [0.1, 0.2]})
    result = sweep(L.bowl, SGD, 10, {"momentum": [0.5, 0.9]}, lr=0.1, nesterov=True)
    assert_matches_runs(result, L.bowl, SGD)


def test_errors_inside_step_are_not_relabelled():
    class Broken(SGD):
        def step(self, closure=None):
            raise RuntimeError("boom")

    for grid, fixed in (({"lr": [0.1, 0.2]}, {}), ({"x0": [0.5, 1.0]}, {"lr": 0.1})):
        with pytest.raises(RuntimeError, match="^boom$"):
            sweep(L.parabola, Broken, 3, grid, **fixed)


# -- run_many ------------------------------------------------------------------------------


def test_run_many_equals_one_run_per_optimizer():
    spec = {
        "SGD": (SGD, {"lr": 1e-3}),
        "heavy ball": (SGD, {"lr": 1e-3, "momentum": 0.9}),
        "Adam": (Adam, {"lr": 0.05}),
        "torch Adam": (torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
        "too fast": (SGD, {"lr": 0.01}),  # diverges on Rosenbrock from this start
    }
    runs = run_many(L.rosenbrock, spec, (-1.5, 2.0), 200)
    assert list(runs) == list(spec) and runs["too fast"].diverged
    for label, (cls, hp) in spec.items():
        ref = run(L.rosenbrock, cls, (-1.5, 2.0), 200, **hp)
        got = runs[label]
        assert isinstance(got, Trajectory) and got.label == label
        assert got.diverged_at == ref.diverged_at
        torch.testing.assert_close(torch.from_numpy(got.points), torch.from_numpy(ref.points), rtol=1e-12, atol=0)
        torch.testing.assert_close(torch.from_numpy(got.losses), torch.from_numpy(ref.losses), rtol=1e-12, atol=0)


def test_run_many_in_1d_and_when_everything_diverges():
    runs = run_many(L.parabola, {"a": (SGD, {"lr": 0.1}), "b": (SGD, {"lr": 1.5})}, 1.5, 700)
    for label, lr in (("a", 0.1), ("b", 1.5)):
        ref = run(L.parabola, SGD, 1.5, 700, lr=lr)
        assert runs[label].diverged_at == ref.diverged_at
        np.testing.assert_array_equal(runs[label].points, ref.points)
    runs = run_many(L.parabola, {"b": (SGD, {"lr": 1.5})}, 1.5, 5000)  # stops early
    assert runs["b"].diverged_at == run(L.parabola, SGD, 1.5, 5000, lr=1.5).diverged_at


# -- the picture ---------------------------------------------------------------------------


def test_convergence_map_draws_the_sweep():
    lrs, mus = np.geomspace(1e-3, 5.0, 7), np.linspace(0, 0.9, 4)
    result = sweep(L.valley, SGD, 300, {"lr": lrs, "momentum": mus}, tol=1e-6)
    ax = viz.convergence_map(result)
    values = ax.collections[0].get_array()  # the heatmap: (momentum, lr) rows, masked where missing
    values = np.ma.asarray(values).reshape(len(mus), len(lrs))
    missing = result.diverged | (result.steps_to_tol < 0)
    assert (np.ma.getmaskarray(values) | np.isnan(values.filled(np.nan))).T.tolist() == missing.tolist()
    np.testing.assert_array_equal(values.filled(-1).T[~missing], result.steps_to_tol[~missing])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert ax.get_xlabel() == "learning rate" and ax.get_ylabel() == "momentum"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "diverged" and "not below" in labels[1]
    ax = viz.convergence_map(result, "final_loss")
    assert ax.collections[0].norm.__class__.__name__ == "LogNorm"


def test_convergence_map_one_axis_and_errors():
    result = sweep(L.parabola, SGD, 50, {"lr": [0.1, 0.3, 1.2]}, tol=1e-6)
    ax = viz.convergence_map(result, "final_loss")
    assert len(ax.lines) >= 1
    with pytest.raises(ValueError, match="Invalid value"):
        viz.convergence_map(result, "speed")
    result3 = sweep(L.bowl, SGD, 5, {"lr": [0.1], "momentum": [0.0], "x0": [1.0]})
    with pytest.raises(ValueError, match="1 or 2 axes"):
        viz.convergence_map(result3)
