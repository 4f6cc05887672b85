"""state_dicts move between optlib.optim and torch.optim both ways, mid-training.

Train with one library for k steps, save its state_dict (through torch.save / torch.load), load
it into a fresh optimizer of the other library built with *default* hyperparameters (so the
loaded groups must take over), and continue: the trajectory equals the uninterrupted run and
the run resumed in the first library.
Every state-creating flag is on (amsgrad, centered with momentum, ...), there are two groups,
and one parameter has no gradient on some steps.
"""

from __future__ import annotations

import io

import pytest
import torch
from torch import Tensor
from torch.optim import Optimizer

from optim_cases import CASES, PERF_FLAGS, RTOL, assert_close_scaled, assert_same_state

NAMES = list(CASES)
SHAPES = [(3,), (2, 5), (), (1, 1, 7)]
STEPS, SPLIT = 30, 12
NONE_PARAM = 2  # gets no gradient on every third step

# hyperparameters that switch on every state entry and every branch of the update
CONFIG = {
    "Adagrad": dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": dict(momentum=0.9, centered=True, weight_decay=0.01),
    "Adadelta": dict(lr=0.5, rho=0.95, weight_decay=0.01),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.01, amsgrad=True, weight_decay=0.05),
    "Adamax": dict(lr=0.01, weight_decay=0.01),
    "NAdam": dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": dict(lr=0.01, betas=(0.9, 0.99), weight_decay=0.01),
}


def gradients(dtype: torch.dtype) -> list[list[Tensor | None]]:
    gen = torch.Generator().manual_seed(3)
    seq = []
    for t in range(STEPS):
        grads = [torch.randn(s, generator=gen, dtype=dtype) for s in SHAPES]
        if t % 3 == 0:
            grads[NONE_PARAM] = None
        seq.append(grads)
    return seq


def build(cls: type[Optimizer], params: list[Tensor], **defaults) -> Optimizer:
    """Two groups; the second overrides the learning rate and maximizes."""
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.02, "maximize": True}]
    return cls(groups, **defaults)


def train(opt: Optimizer, params: list[Tensor], grads_seq: list[list[Tensor | None]]) -> None:
    for grads in grads_seq:
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.clone()
        opt.step()


def fresh_params(dtype: torch.dtype) -> list[Tensor]:
    gen = torch.Generator().manual_seed(5)
    return [torch.randn(s, generator=gen, dtype=dtype).requires_grad_() for s in SHAPES]


def through_disk(state_dict: dict) -> dict:
    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("direction", ["torch->optlib", "optlib->torch"])
@pytest.mark.parametrize("name", NAMES)
def test_resume_in_the_other_library(name: str, direction: str, dtype: torch.dtype) -> None:
    case = CASES[name]
    first, second = (case.theirs, case.ours)
    if direction == "optlib->torch":
        first, second = second, first
    extra_first = {"foreach": False} if first is case.theirs else {}
    grads_seq = gradients(dtype)

    # uninterrupted run of the library we start with
    ref_params = fresh_params(dtype)
    ref = build(first, ref_params, **CONFIG[name], **extra_first)
    train(ref, ref_params, grads_seq)

    # k steps and a save; then resume in the other library (built with default
    # hyperparameters) and, for comparison, in the same library
    params = fresh_params(dtype)
    opt = build(first, params, **CONFIG[name], **extra_first)
    train(opt, params, grads_seq[:SPLIT])
    saved = opt.state_dict()
    runs = {}
    for cls in (second, first):
        resumed_params = [p.detach().clone().requires_grad_() for p in params]
        resumed = build(cls, resumed_params)
        # (a copy each: load_state_dict keeps the very tensors it is given when no cast is due)
        resumed.load_state_dict(through_disk(saved))
        train(resumed, resumed_params, grads_seq[SPLIT:])
        runs[cls] = resumed, resumed_params

    other, other_params = runs[second]
    same, same_params = runs[first]
    where = f"{direction} vs resumed in the first library: "
    assert_same_state(other, same, other_params, same_params, RTOL[dtype], where)
    if name == "NAdam" and dtype == torch.float64:
        # torch's loader casts every state tensor but `step` to the parameter's dtype, so the
        # float32 mu_product comes back float64 and is rounded differently from then on, in
        # torch -> torch as well: compare the parameters at float32's tolerance.
        for p, q in zip(other_params, ref_params):
            assert_close_scaled(p.detach(), q.detach(), RTOL[torch.float32], f"{direction}")
    else:
        assert_same_state(other, ref, other_params, ref_params, RTOL[dtype], f"{direction}: ")


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_layout_matches_torch(name: str) -> None:
    """Same state keys, tensor dtypes and shapes, and the same group entries bar perf flags."""
    case = CASES[name]
    ours_params, theirs_params = fresh_params(torch.float32), fresh_params(torch.float32)
    ours = build(case.ours, ours_params, **CONFIG[name])
    theirs = build(case.theirs, theirs_params, **CONFIG[name], foreach=False)
    train(ours, ours_params, gradients(torch.float32)[:SPLIT])
    train(theirs, theirs_params, gradients(torch.float32)[:SPLIT])
    a, b = ours.state_dict(), theirs.state_dict()

    assert a["state"].keys() == b["state"].keys()
    for pid, state in a["state"].items():
        assert state.keys() == b["state"][pid].keys()
        for key, value in state.items():
            other = b["state"][pid][key]
            assert value.dtype == other.dtype and value.shape == other.shape
            assert value.device == other.device
    for ga, gb in zip(a["param_groups"], b["param_groups"]):
        assert ga == {k: v for k, v in gb.items() if k not in PERF_FLAGS}


@pytest.mark.parametrize("name", NAMES)
def test_loaded_state_has_torch_types(name: str) -> None:
    """After loading the same state_dict, optlib's state has the types torch's has (step stays
    a float32 CPU tensor; other tensors follow the parameter, as torch's loader casts them)."""
    case = CASES[name]
    params = fresh_params(torch.float64)
    source = build(case.theirs, params, **CONFIG[name], foreach=False)
    train(source, params, gradients(torch.float64)[:SPLIT])
    saved = source.state_dict()
    ours, theirs = build(case.ours, params), build(case.theirs, params)
    ours.load_state_dict(saved)
    theirs.load_state_dict(saved)
    for p in params:
        for key, value in theirs.state[p].items():
            mine = ours.state[p][key]
            assert (mine.dtype, mine.device, mine.shape) == (value.dtype, value.device, value.shape)
