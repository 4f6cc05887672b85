"""trajectory.run against a hand-written optimization loop; divergence; bad inputs."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from optlib import landscapes as L
from optlib.optim import SGD
from optlib.trajectory import Trajectory, run, steps_to


def hand_loop(f, x0, steps, opt_cls=torch.optim.SGD, scheduler=None, dtype=torch.float64, **hp):
    """The loop every chapter would otherwise write: record x_t and f(x_t), stop at non-finite."""
    x = torch.tensor(x0, dtype=dtype, requires_grad=True)
    opt = opt_cls([x], **hp)
    sched = scheduler(opt) if scheduler else None
    points, losses = [], []
    for t in range(steps + 1):
        opt.zero_grad()
        loss = f(x)
        if not (torch.isfinite(x).all() and torch.isfinite(loss)):
            return torch.stack(points) if points else None, losses, t
        points.append(x.detach().clone())
        losses.append(loss.item())
        if t < steps:
            loss.backward()
            opt.step()
            if sched:
                sched.step()
    return torch.stack(points), losses, None


CASES = [
    pytest.param(L.parabola, 1.5, {"lr": 0.1}, id="parabola-1d"),
    pytest.param(L.x_sin, 1.2, {"lr": 0.05, "momentum": 0.5}, id="x_sin-1d-momentum"),
    pytest.param(L.rosenbrock, (-1.5, 2.0), {"lr": 1e-3, "momentum": 0.9}, id="rosenbrock-2d"),
    pytest.param(
        L.himmelblau, (0.0, 0.0), {"lr": 0.01, "nesterov": True, "momentum": 0.7},
        id="himmelblau-2d-nesterov",
    ),
    pytest.param(L.valley, (-5.0, -2.0), {"lr": 0.4, "weight_decay": 0.01}, id="valley-2d-wd"),
]


@pytest.mark.parametrize(("landscape", "x0", "hp"), CASES)
@pytest.mark.parametrize("opt_cls", [torch.optim.SGD, SGD], ids=["torch", "optlib"])
def test_run_matches_a_hand_written_loop(landscape, x0, hp, opt_cls):
    steps = 60
    traj = run(landscape, opt_cls, x0, steps, **hp)
    points, losses, diverged_at = hand_loop(landscape, x0, steps, **hp)  # torch.optim.SGD
    assert diverged_at is None and not traj.diverged and traj.diverged_at is None
    assert isinstance(traj, Trajectory)
    assert isinstance(traj.points, np.ndarray) and isinstance(traj.losses, np.ndarray)
    assert traj.points.shape == (steps + 1,) + ((2,) if landscape.dim == 2 else ())
    assert traj.losses.shape == (steps + 1,)
    torch.testing.assert_close(torch.from_numpy(traj.points), points, rtol=0, atol=0)
    np.testing.assert_array_equal(traj.losses, np.asarray(losses))
    assert traj.points[0].tolist() == (list(x0) if landscape.dim == 2 else x0)
    assert traj.label == opt_cls.__name__ == "SGD"
    assert "diverged" not in traj.status and f"{steps} steps" in traj.status


def test_run_with_a_scheduler_and_a_plain_callable():
    f = lambda p: (p**2).sum() + torch.sin(3 * p).sum()  # noqa: E731
    sched = lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)  # noqa: E731
    traj = run(f, SGD, (1.0, -0.7, 0.2), 40, scheduler=sched, label="decay", lr=0.2, momentum=0.5)
    points, losses, _ = hand_loop(f, (1.0, -0.7, 0.2), 40, scheduler=sched, lr=0.2, momentum=0.5)
    torch.testing.assert_close(torch.from_numpy(traj.points), points, rtol=0, atol=0)
    np.testing.assert_array_equal(traj.losses, np.asarray(losses))
    assert traj.label == "decay" and traj.status.startswith("decay: 40 steps")


def test_run_float32():
    traj = run(L.rosenbrock, SGD, (-1.5, 2.0), 30, dtype=torch.float32, lr=1e-3)
    points, losses, _ = hand_loop(L.rosenbrock, (-1.5, 2.0), 30, dtype=torch.float32, lr=1e-3)
    assert traj.points.dtype == np.float32
    torch.testing.assert_close(torch.from_numpy(traj.points), points, rtol=0, atol=0)


def test_zero_steps_records_the_start():
    traj = run(L.bowl, SGD, (0.5, -0.5), 0, lr=0.1)
    assert traj.points.shape == (1, 2)
    assert traj.losses.tolist() == [L.bowl(torch.tensor([0.5, -0.5], dtype=torch.float64)).item()]


@pytest.mark.parametrize(
    ("landscape", "x0", "lr"),
    [
        # valley: y-curvature 4, lr 1 => y_{t+1} = (1 - 4) y_t = -3 y_t; f overflows in ~320 steps
        pytest.param(L.valley, L.valley.start, 1.0, id="valley-2d"),
        # parabola: x_{t+1} = (1 - 2 lr) x_t = -2 x_t, x^2 overflows after ~510 steps
        pytest.param(L.parabola, 1.5, 1.5, id="parabola-1d"),
    ],
)
def test_divergence_is_recorded_not_raised(landscape, x0, lr):
    steps = 2000
    traj = run(landscape, SGD, x0, steps, lr=lr)
    points, losses, diverged_at = hand_loop(landscape, x0, steps, lr=lr)
    assert diverged_at is not None and 0 < diverged_at < steps
    assert traj.diverged and traj.diverged_at == diverged_at
    assert len(traj.points) == len(traj.losses) == diverged_at  # every finite point, no more
    assert np.isfinite(traj.points).all() and np.isfinite(traj.losses).all()
    torch.testing.assert_close(torch.from_numpy(traj.points), points, rtol=0, atol=0)
    np.testing.assert_array_equal(traj.losses, np.asarray(losses))
    assert "diverged" in traj.status and f"step {diverged_at}" in traj.status


def test_divergence_at_the_start_keeps_no_point():
    traj = run(lambda p: (p**2).sum() / 0.0, SGD, (1.0, 2.0), 10, lr=0.1)
    assert traj.diverged_at == 0 and traj.points.shape == (0, 2) and traj.losses.shape == (0,)
    assert "diverged" in traj.status and "no finite point" in traj.status


@pytest.mark.parametrize("steps", [-1, 2.5, "10", None, 3.0])
def test_invalid_steps(steps):
    with pytest.raises(ValueError, match=re.escape(f"Invalid steps: {steps}")):
        run(L.bowl, SGD, (1.0, 1.0), steps, lr=0.1)


@pytest.mark.parametrize("x0", [math.nan, math.inf, (1.0, math.nan), (-math.inf, 0.0)])
def test_invalid_start(x0):
    with pytest.raises(ValueError, match=re.escape(f"Invalid x0: {x0}")):
        run(L.bowl if isinstance(x0, tuple) else L.parabola, SGD, x0, 10, lr=0.1)


def test_steps_to_is_the_first_step_below_tol():
    traj = run(L.bowl, SGD, (1.0, 1.0), 50, lr=0.1)
    tol = 1e-3
    t = traj.steps_to(tol)
    # Independent check: the loss of a bowl under GD falls monotonically, so the first step
    # below tol is preceded only by steps at or above it.
    assert t is not None and traj.losses[t] < tol
    assert all(loss >= tol for loss in traj.losses[:t])
    assert traj.steps_to(traj.losses.min() / 2) is None  # never that low
    assert traj.steps_to(traj.losses[0] * 2) == 0


@pytest.mark.parametrize("tol", [math.nan, math.inf])
def test_steps_to_rejects_a_non_finite_tol(tol):
    traj = run(L.bowl, SGD, (1.0, 1.0), 3, lr=0.1)
    with pytest.raises(ValueError, match="Invalid tol"):
        traj.steps_to(tol)


@pytest.mark.parametrize(
    ("losses", "first", "stays"),
    [
        ([3.0, 2.0, 0.5, 0.4, 0.1], 2, 2),  # dives straight in
        ([3.0, 0.5, 2.0, 0.5], 1, 3),  # swings out and back in
        ([3.0, 0.5, 2.0], 1, None),  # passes through and climbs out
        ([0.1, 0.2], 0, 0),  # starts inside
        ([3.0, 2.0], None, None),  # never
        ([], None, None),
    ],
)
def test_steps_to_first_and_staying(losses, first, stays):
    assert steps_to(losses, 1.0) == first
    assert steps_to(losses, 1.0, stay=True) == stays
    traj = Trajectory(points=np.zeros((len(losses), 2)), losses=np.array(losses), diverged_at=None)
    assert traj.steps_to(1.0) == first and traj.steps_to(1.0, stay=True) == stays


# -- until_blowup and run_each -------------------------------------------------------------


def test_until_blowup_cuts_where_the_loss_exceeds_factor_times_the_start():
    from optlib.trajectory import until_blowup

    t = run(L.parabola, SGD, 1.0, 60, lr=1.1)  # |x| grows by 1.2 per step, loss by 1.44
    assert not t.diverged  # far from overflowing
    cut = until_blowup(t, factor=1e3)
    k = int(np.flatnonzero(t.losses > 1e3 * t.losses[0])[0])
    assert cut.diverged_at == k == math.ceil(math.log(1e3) / math.log(1.44))
    np.testing.assert_array_equal(cut.points, t.points[:k])
    np.testing.assert_array_equal(cut.losses, t.losses[:k])
    assert (cut.losses <= 1e3 * t.losses[0]).all() and cut.label == t.label
    fine = run(L.parabola, SGD, 1.0, 60, lr=0.1)
    assert until_blowup(fine) is fine
    with pytest.raises(ValueError, match="Invalid factor"):
        until_blowup(fine, factor=0)


def test_run_each_equals_one_run_per_start():
    from optlib.trajectory import run_each

    starts = [(-1.5, 2.0), (0.0, 0.0), (1.2, 1.0)]
    trajs = run_each(L.rosenbrock, SGD, starts, 80, lr=1e-3, momentum=0.9)
    for x0, traj in zip(starts, trajs):
        single = run(L.rosenbrock, SGD, x0, 80, lr=1e-3, momentum=0.9)
        np.testing.assert_allclose(traj.points, single.points, rtol=1e-12)
        np.testing.assert_allclose(traj.losses, single.losses, rtol=1e-12)
    blown = run_each(L.parabola, SGD, [0.5, 3.0], 2000, lr=2.5)  # both overflow
    assert [t.diverged_at for t in blown] == [
        run(L.parabola, SGD, x0, 2000, lr=2.5).diverged_at for x0 in (0.5, 3.0)
    ]
    with pytest.raises(ValueError, match="Invalid starts"):
        run_each(L.parabola, SGD, [], 5, lr=0.1)
