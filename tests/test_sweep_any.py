"""A sweep of any optlib optimizer over any of its hyperparameters equals one run per cell.

`sweep` puts an (N, 1) tensor of values in the optimizer's parameter group and the update
cores broadcast it, one value per row; a cell must then follow the path `run` gives it with
the same scalar values, to round-off (a tensor power may differ from Python's in the last bit,
and torch's vectorized ``addcmul`` may fuse a multiply-add that the broadcast path rounds twice).
Cells where sign-like steps hop chaotically around a minimum amplify such last-bit differences
(seen: 2e-7 for RMSprop with lr = 3 and alpha = 0.5 on Rosenbrock), so the grids avoid them.
Each grid crosses the learning rate with another hyperparameter and includes values where the
optimizer diverges, so the divergence step is compared too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from optlib import landscapes as L
from optlib import optim
from optlib.trajectory import run, sweep

LRS = [1e-3, 0.05, 0.3, 3.0]
GRIDS = [
    ("SGD", {"momentum": [0.0, 0.5, 0.9]}, {}),
    ("SGD", {"dampening": [0.0, 0.5]}, {"momentum": 0.9}),
    ("SGD", {"momentum": [0.3, 0.9]}, {"nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"weight_decay": [0.0, 0.1]}, {}),
    ("Adagrad", {"lr_decay": [0.0, 0.1]}, {}),
    ("Adagrad", {"eps": [1e-10, 0.1]}, {"weight_decay": 0.1}),
    ("RMSprop", {"lr": [1e-3, 0.05, 0.3], "alpha": [0.5, 0.9, 0.99]}, {}),
    ("RMSprop", {"momentum": [0.0, 0.9]}, {"centered": True}),
    ("RMSprop", {"eps": [1e-8, 0.5]}, {"weight_decay": 0.05}),
    ("Adadelta", {"rho": [0.5, 0.9, 1.0]}, {}),
    ("Adadelta", {"eps": [1e-6, 1e-2]}, {"weight_decay": 0.1}),
    ("Adam", {"beta1": [0.0, 0.5, 0.9]}, {}),
    ("Adam", {"beta2": [0.5, 0.999]}, {"amsgrad": True}),
    ("Adam", {"weight_decay": [0.0, 0.1]}, {"decoupled_weight_decay": True}),
    ("Adam", {"eps": [1e-8, 1.0]}, {"maximize": False}),
    ("AdamW", {"weight_decay": [0.0, 0.01, 0.5]}, {}),
    ("Adamax", {"beta1": [0.0, 0.9], "beta2": [0.5, 0.999]}, {}),
    ("NAdam", {"beta1": [0.5, 0.9]}, {}),
    (
        "NAdam",
        {"momentum_decay": [0.0, 4e-3, 0.1]},
        {"decoupled_weight_decay": True, "weight_decay": 0.1},
    ),
    ("RAdam", {"beta2": [0.5, 0.9, 0.999]}, {}),  # rho_t > 5 never, after 5 steps, after 6
    ("RAdam", {"beta1": [0.0, 0.9]}, {"weight_decay": 0.1}),
]


def assert_cells_equal_runs(result, landscape, optimizer, rtol=1e-10):
    shape = tuple(len(a) for a in result.axes.values())
    for index in np.ndindex(*shape):
        cfg = result.config(*index)
        traj = run(landscape, optimizer, steps=result.steps, **cfg)
        assert result.diverged_at[index] == (traj.diverged_at if traj.diverged else -1), cfg
        hit = np.flatnonzero(traj.losses < result.tol)
        assert result.steps_to_tol[index] == (hit[0] if len(hit) else -1), cfg
        final = traj.losses[-1] if len(traj.losses) else np.nan
        np.testing.assert_allclose(result.final_loss[index], final, rtol=rtol, err_msg=str(cfg))


@pytest.mark.parametrize(
    ("name", "grid", "fixed"),
    GRIDS,
    ids=[f"{g[0]}-{'-'.join(k for k in g[1] if k != 'lr')}" for g in GRIDS],
)
def test_lr_by_hyperparameter_grid_equals_single_runs(name, grid, fixed):
    optimizer = getattr(optim, name)
    result = sweep(L.rosenbrock, optimizer, 40, {"lr": LRS, **grid}, tol=1.0, **fixed)
    assert_cells_equal_runs(result, L.rosenbrock, optimizer)
    assert not result.diverged.all()


@pytest.mark.parametrize("name", optim.__all__)
def test_hyperparameter_and_start_point_grid(name):
    """Start points and the learning rate in one grid, on a 1-D and a 2-D landscape."""
    optimizer = getattr(optim, name)
    result = sweep(L.himmelblau, optimizer, 25, {"lr": [0.01, 0.2], "x0": [-4.0, 0.5, 3.0]})
    assert_cells_equal_runs(result, L.himmelblau, optimizer)
    result = sweep(L.parabola, optimizer, 25, {"x0": [-2.0, 1.0], "lr": [0.01, 0.5]})
    assert_cells_equal_runs(result, L.parabola, optimizer)


def test_a_swept_beta_keeps_the_other_one_and_is_validated():
    result = sweep(L.bowl, optim.Adam, 5, {"beta2": [0.9, 0.99]}, lr=0.1)
    assert result.hparams["betas"] == (0.9, 0.999)
    assert result.config(1)["betas"] == (0.9, 0.99)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.5"):
        sweep(L.bowl, optim.Adam, 5, {"beta1": [0.9, 1.5]})
    with pytest.raises(ValueError, match="both swept and fixed"):
        sweep(L.bowl, optim.Adam, 5, {"beta1": [0.9]}, betas=(0.9, 0.99))


def test_per_row_state_scalar_in_nadam():
    """NAdam's mu_product is a state scalar; swept beta1 makes it one per row, in float32."""
    x = torch.zeros(3, 2, dtype=torch.float64, requires_grad=True)
    opt = optim.NAdam([x])
    opt.param_groups[0]["betas"] = (
        torch.tensor([[0.5], [0.9], [0.99]], dtype=torch.float64),
        0.999,
    )
    x.grad = torch.ones(3, 2, dtype=torch.float64)
    opt.step()
    pi = opt.state[x]["mu_product"]
    assert pi.shape == (3, 1) and pi.dtype == torch.float32
