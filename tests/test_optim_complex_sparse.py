"""What torch.optim accepts beyond real dense tensors: complex parameters, sparse gradients,
checkpoints whose ``step`` is a plain number, and a float32 tensor learning rate."""

from __future__ import annotations

import copy

import pytest
import torch

import optlib.optim

NAMES = optlib.optim.__all__
CONFIG = {  # settings that reach every branch that complex numbers could break
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.2},
    "RMSprop": {"momentum": 0.5, "centered": True, "weight_decay": 0.1},
    "Adadelta": {"weight_decay": 0.1},
    "Adam": {"amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"amsgrad": True},
    "Adamax": {"weight_decay": 0.1},
    "NAdam": {"decoupled_weight_decay": True, "weight_decay": 0.1},
    "RAdam": {"weight_decay": 0.1},
}


def twins(name: str, dtype: torch.dtype, seed: int = 0, **overrides):
    gen = torch.Generator().manual_seed(seed)
    p = torch.randn(4, 3, generator=gen, dtype=dtype).requires_grad_()
    q = p.detach().clone().requires_grad_()
    kwargs = {**CONFIG[name], **overrides}
    ours = getattr(optlib.optim, name)([p], **kwargs)
    theirs = getattr(torch.optim, name)([q], foreach=False, **kwargs)
    return (ours, p), (theirs, q), gen


def step_both(runs, gen, steps: int, sparse: bool = False) -> None:
    for _ in range(steps):
        p = runs[0][1]
        g = torch.randn(p.shape, generator=gen, dtype=p.dtype)
        if sparse:
            g = (g * (torch.rand(p.shape, generator=gen) < 0.5)).to_sparse()
        for opt, x in runs:
            x.grad = g.clone()
            opt.step()


def assert_same(runs, rtol: float) -> None:
    (ours, p), (theirs, q) = runs
    torch.testing.assert_close(p, q, rtol=rtol, atol=rtol)
    assert ours.state[p].keys() == theirs.state[q].keys()
    for key, value in theirs.state[q].items():
        torch.testing.assert_close(ours.state[p][key], value, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", NAMES)
def test_complex_parameters_as_in_torch(name: str) -> None:
    """torch updates a complex tensor as its view_as_real pairs; so does optlib (50 steps)."""
    ours, theirs, gen = twins(name, torch.complex128)
    step_both((ours, theirs), gen, 50)
    assert_same((ours, theirs), rtol=1e-12)
    assert ours[1].is_complex() and all(
        v.is_complex() for k, v in ours[0].state[ours[1]].items() if k not in ("step", "mu_product")
    )


@pytest.mark.parametrize("name", ["SGD", "Adagrad"])
@pytest.mark.parametrize("maximize", [False, True])
def test_sparse_gradients_as_in_torch(name: str, maximize: bool) -> None:
    ours, theirs, gen = twins(name, torch.float64, weight_decay=0, maximize=maximize)
    step_both((ours, theirs), gen, 20, sparse=True)
    assert_same((ours, theirs), rtol=1e-12)


def test_sparse_gradients_with_weight_decay_are_refused_like_torch() -> None:
    for cls in (optlib.optim.Adagrad, torch.optim.Adagrad):
        p = torch.zeros(3, requires_grad=True)
        p.grad = torch.ones(3).to_sparse()
        with pytest.raises(RuntimeError, match="weight_decay option is not compatible"):
            cls([p], weight_decay=0.1).step()


@pytest.mark.parametrize("name", [n for n in NAMES if n != "SGD"])
def test_a_plain_number_step_loads_and_steps_on(name: str) -> None:
    """Older torch and hand-made checkpoints store ``step`` as a number; torch turns it back
    into a 0-dim tensor on load, and the next step works. RMSprop and Adadelta too."""
    _, source, gen = twins(name, torch.float64)  # a torch run, saved after 3 steps
    ours, theirs, _ = twins(name, torch.float64)
    step_both((source,), gen, 3)
    saved = source[0].state_dict()
    for state in saved["state"].values():
        state["step"] = float(state["step"])
    # (torch's loader keeps tensors of the right dtype as they are: give each its own copy)
    ours[0].load_state_dict(copy.deepcopy(saved))
    theirs[0].load_state_dict(copy.deepcopy(saved))
    for _, x in (ours, theirs):
        x.data.copy_(source[1].data)
    step = ours[0].state[ours[1]]["step"]
    assert torch.is_tensor(step) and step.dtype == theirs[0].state[theirs[1]]["step"].dtype
    step_both((ours, theirs), gen, 3)
    assert_same((ours, theirs), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("AdamW", {}),
        ("Adam", {"decoupled_weight_decay": True}),
        ("NAdam", {}),
        ("RAdam", {"decoupled_weight_decay": True}),
    ],
)
def test_float32_tensor_lr_decays_in_float32_like_torch(name: str, overrides: dict) -> None:
    """torch computes ``1 - lr * weight_decay`` in the precision of a tensor lr (float32 here);
    in float64 arithmetic the parameters drifted 3e-7 from torch's in a few steps. What is
    left is torch's float32 step size ``lr / (1 - beta1^t)`` against optlib's float64 (2e-10)."""
    lr = torch.tensor(0.01)  # float32
    ours, theirs, gen = twins(name, torch.float64, lr=lr, weight_decay=0.1, **overrides)
    ours[0].param_groups[0]["lr"] = lr.clone()
    step_both((ours, theirs), gen, 30)
    assert_same((ours, theirs), rtol=1e-8)
