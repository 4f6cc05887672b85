"""optlib.optim.SGD against torch.optim.SGD: same steps, same state, same interface, same errors.

Both optimizers see the same parameters and the same sequence of gradients (set by hand from
a seeded generator); after every few steps the parameters and every state tensor must be
equal. On CPU the two updates perform the same floating-point operations in the same order,
so the comparison is exact (``rtol=atol=0``), which is stricter than the 1e-6 (float32) /
1e-12 (float64) tolerances the brief allows.
"""

from __future__ import annotations

import copy
import inspect
import re

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from optlib.optim import SGD

SHAPES = [(3,), (2, 5), (1, 1, 7), ()]
PERF_FLAGS = {"foreach", "differentiable", "fused"}
HYPER = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")


def assert_equal(actual, expected):
    """Bitwise equality, with assert_close's readable report."""
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)


# -- strategies --------------------------------------------------------------------------


@st.composite
def hyperparameters(draw) -> dict:
    """A valid full set of SGD hyperparameters (nesterov only with momentum and no dampening)."""
    nesterov = draw(st.booleans())
    momentum = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.99)))
    dampening = draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0)))
    if nesterov:
        momentum = draw(st.floats(0.01, 0.99))
        dampening = 0.0
    return {
        "lr": draw(st.floats(1e-4, 1.0)),
        "momentum": momentum,
        "dampening": dampening,
        "weight_decay": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.1))),
        "nesterov": nesterov,
        "maximize": draw(st.booleans()),
    }


def _valid(cfg: dict) -> bool:
    return not cfg["nesterov"] or (cfg["momentum"] > 0 and cfg["dampening"] == 0)


@st.composite
def configurations(draw) -> dict:
    """Constructor defaults plus 1-3 parameter groups that override some of them."""
    defaults = draw(hyperparameters())
    groups = []
    for _ in range(draw(st.integers(1, 3))):
        own = draw(hyperparameters())
        keys = draw(st.lists(st.sampled_from(HYPER), unique=True))
        overrides = {k: own[k] for k in keys}
        if not _valid({**defaults, **overrides}):
            overrides["nesterov"] = False
        shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3))
        groups.append((shapes, overrides))
    return {
        "defaults": defaults,
        "groups": groups,
        "dtype": draw(st.sampled_from([torch.float32, torch.float64])),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


# -- helpers -----------------------------------------------------------------------------


def make_params(cfg: dict) -> list[list[torch.Tensor]]:
    gen = torch.Generator().manual_seed(cfg["seed"])
    return [
        [torch.randn(s, generator=gen, dtype=cfg["dtype"]).requires_grad_(True) for s in shapes]
        for shapes, _ in cfg["groups"]
    ]


def clone_params(params: list[list[torch.Tensor]]) -> list[list[torch.Tensor]]:
    return [[p.detach().clone().requires_grad_(True) for p in g] for g in params]


def build(cls, params, cfg: dict, **extra) -> torch.optim.Optimizer:
    groups = [{"params": ps, **ov} for ps, (_, ov) in zip(params, cfg["groups"])]
    return cls(groups, **cfg["defaults"], **extra)


def gradient_stream(params, cfg: dict, steps: int):
    """For each step, one gradient (or None) per parameter; the first parameter skips ~30%."""
    gen = torch.Generator().manual_seed(cfg["seed"] + 1)
    flat = [p for g in params for p in g]
    for _ in range(steps):
        grads = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in flat]
        if torch.rand((), generator=gen) < 0.3:
            grads[0] = None
        yield grads


def set_grads(params, grads) -> None:
    for p, g in zip((p for grp in params for p in grp), grads):
        p.grad = None if g is None else g.clone()


def assert_same_optimizer_state(opt_a, params_a, opt_b, params_b) -> None:
    flat_a = [p for g in params_a for p in g]
    flat_b = [p for g in params_b for p in g]
    for pa, pb in zip(flat_a, flat_b):
        assert_equal(pa, pb)
        sa, sb = opt_a.state.get(pa, {}), opt_b.state.get(pb, {})
        assert set(sa) == set(sb), f"state keys differ: {set(sa)} vs {set(sb)}"
        for key in sa:
            assert_equal(sa[key], sb[key])


def run_both(cfg: dict, steps: int, check_every: int = 10, **torch_extra):
    params_t = make_params(cfg)
    params_o = clone_params(params_t)
    opt_t = build(torch.optim.SGD, params_t, cfg, **torch_extra)
    opt_o = build(SGD, params_o, cfg)
    for i, grads in enumerate(gradient_stream(params_t, cfg, steps)):
        set_grads(params_t, grads)
        set_grads(params_o, grads)
        opt_t.step()
        opt_o.step()
        if i % check_every == 0 or i == steps - 1:
            assert_same_optimizer_state(opt_t, params_t, opt_o, params_o)
    return opt_t, params_t, opt_o, params_o


# -- parity ------------------------------------------------------------------------------


@given(configurations())
def test_parity_with_torch_over_100_steps(cfg):
    opt_t, _, opt_o, _ = run_both(cfg, steps=100)
    # The effective hyperparameters of every group agree too.
    for gt, go in zip(opt_t.param_groups, opt_o.param_groups):
        assert {k: go[k] for k in HYPER} == {k: gt[k] for k in HYPER}


@given(configurations())
def test_parity_with_torch_foreach_implementation(cfg):
    # torch's multi-tensor path reorders nothing on CPU either; the tolerances the brief
    # allows would be rtol 1e-6 (float32) / 1e-12 (float64), but equality holds.
    run_both(cfg, steps=30, foreach=True)


TENSOR_LRS = [torch.tensor(0.05), torch.tensor([0.05]), torch.tensor(0.3, dtype=torch.float64)]


@pytest.mark.parametrize("lr", TENSOR_LRS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_parity_with_a_tensor_learning_rate(lr, dtype):
    cfg = {
        "defaults": {"lr": lr, "momentum": 0.9, "nesterov": True},
        "groups": [(SHAPES, {})],
        "dtype": dtype,
        "seed": 7,
    }
    run_both(cfg, steps=50)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_parity_with_a_tensor_weight_decay(dtype):
    # torch.optim.SGD also takes weight_decay as a tensor
    cfg = {
        "defaults": {"lr": 0.1, "momentum": 0.5, "weight_decay": torch.tensor(0.01)},
        "groups": [(SHAPES, {})],
        "dtype": dtype,
        "seed": 11,
    }
    run_both(cfg, steps=50)


def test_parameters_without_gradients_get_no_state():
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = torch.ones(3)
    opt.step()
    assert set(opt.state[a]) == {"momentum_buffer"} and b not in opt.state
    assert_equal(b, torch.ones(2))
    # Without momentum there is no state at all, as in torch.
    opt = SGD([a], lr=0.1)
    opt.step()
    assert a not in opt.state


# -- closures ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_closure_returns_its_loss_and_runs_with_grad_enabled(dtype):
    target = torch.tensor([1.0, -2.0, 0.5], dtype=dtype)
    results = {}
    for cls in (torch.optim.SGD, SGD):
        p = torch.zeros(3, dtype=dtype, requires_grad=True)
        opt = cls([p], lr=0.1, momentum=0.8, weight_decay=0.01)
        seen_grad_mode, losses = [], []

        def closure():
            seen_grad_mode.append(torch.is_grad_enabled())
            opt.zero_grad()
            loss = ((p - target) ** 2).sum()
            loss.backward()
            losses.append(loss)
            return loss

        returned = []
        for _ in range(20):
            with torch.no_grad():  # step must switch grad mode back on for the closure
                returned.append(opt.step(closure))
        assert all(seen_grad_mode)
        assert all(r is l for r, l in zip(returned, losses))  # the closure's own loss object
        results[cls] = (p.detach(), torch.stack(returned).detach(), opt.state[p]["momentum_buffer"])
    for a, b in zip(results[torch.optim.SGD], results[SGD]):
        assert_equal(b, a)


def test_step_without_closure_returns_none():
    p = torch.ones(2, requires_grad=True)
    p.grad = torch.ones(2)
    assert SGD([p], lr=0.1).step() is None


# -- state_dict across the two implementations -----------------------------------------


def _without_perf_flags(sd: dict) -> dict:
    return {
        "state": sd["state"],
        "param_groups": [
            {k: v for k, v in g.items() if k not in PERF_FLAGS} for g in sd["param_groups"]
        ],
    }


@given(cfg=configurations(), k=st.integers(0, 30), first=st.sampled_from(["torch", "optlib"]))
def test_state_dict_moves_between_torch_and_optlib(cfg, k, first):
    """k steps with one implementation, load its state_dict into the other, continue; compare
    against an uninterrupted run of the first."""
    steps = 30
    classes = {"torch": torch.optim.SGD, "optlib": SGD}
    first_cls = classes[first]
    second_cls = classes["optlib" if first == "torch" else "torch"]

    params_ref = make_params(cfg)
    opt_ref = build(first_cls, params_ref, cfg)

    params = clone_params(params_ref)
    opt = build(first_cls, params, cfg)
    for i, grads in enumerate(gradient_stream(params_ref, cfg, steps)):
        if i == k:
            # A fresh optimizer of the other kind with default hyperparameters: everything
            # it needs (per-group hyperparameters and momentum buffers) comes from the dict.
            saved = copy.deepcopy(opt.state_dict())
            opt = second_cls([{"params": grp} for grp in params])
            opt.load_state_dict(saved)
            assert {k2: opt.param_groups[0][k2] for k2 in HYPER} == {
                k2: saved["param_groups"][0][k2] for k2 in HYPER
            }
        set_grads(params_ref, grads)
        set_grads(params, grads)
        opt_ref.step()
        opt.step()
    assert_same_optimizer_state(opt_ref, params_ref, opt, params)


@given(configurations())
def test_state_dicts_have_the_same_layout(cfg):
    opt_t, _, opt_o, _ = run_both(cfg, steps=5, check_every=5)
    sd_t, sd_o = _without_perf_flags(opt_t.state_dict()), _without_perf_flags(opt_o.state_dict())
    assert [sorted(g) for g in sd_t["param_groups"]] == [sorted(g) for g in sd_o["param_groups"]]
    ids = lambda sd: [g["params"] for g in sd["param_groups"]]  # noqa: E731
    assert ids(sd_t) == ids(sd_o)
    assert sd_t["state"].keys() == sd_o["state"].keys()
    for i, st_t in sd_t["state"].items():
        assert st_t.keys() == sd_o["state"][i].keys()
        for key in st_t:
            assert_equal(sd_o["state"][i][key], st_t[key])


# -- interface ---------------------------------------------------------------------------


def test_constructor_signature_matches_torch():
    ours = inspect.signature(SGD.__init__).parameters
    theirs = {
        n: p
        for n, p in inspect.signature(torch.optim.SGD.__init__).parameters.items()
        if n not in PERF_FLAGS
    }
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert ours[name].default == p.default, name
        assert ours[name].kind == p.kind, name
    assert issubclass(SGD, torch.optim.Optimizer)


def test_defaults_match_torch():
    p = torch.ones(1, requires_grad=True)
    ours = SGD([p]).defaults
    theirs = {k: v for k, v in torch.optim.SGD([p]).defaults.items() if k not in PERF_FLAGS}
    assert ours == theirs


INVALID = [
    {"lr": -0.1},
    {"lr": -1e-8},
    {"lr": torch.tensor(-0.5)},
    {"lr": torch.tensor([0.1, 0.2])},
    {"lr": torch.tensor([[0.1], [0.2]])},
    {"lr": 0.1, "momentum": -0.5},
    {"lr": 0.1, "weight_decay": -1e-3},
    {"lr": 0.1, "nesterov": True},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
    {"lr": 0.1, "momentum": 0.0, "dampening": 0.5, "nesterov": True},
    {"lr": -1.0, "momentum": -1.0, "weight_decay": -1.0, "nesterov": True},  # first check wins
    {"lr": 0.1, "momentum": -1.0, "weight_decay": -1.0},
]


def _error_text(cls, **kwargs) -> str:
    p = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError) as err:
        cls([p], **kwargs)
    return str(err.value)


@pytest.mark.parametrize(
    "kwargs", INVALID, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items())
)
def test_invalid_hyperparameters_raise_torchs_message(kwargs):
    expected = _error_text(torch.optim.SGD, **kwargs)
    assert _error_text(SGD, **kwargs) == expected
    with pytest.raises(ValueError, match=re.escape(expected)):
        SGD([torch.ones(2, requires_grad=True)], **kwargs)


@given(
    lr=st.floats(-10, 10),
    momentum=st.floats(-1, 1),
    dampening=st.floats(-1, 1),
    weight_decay=st.floats(-1, 1),
    nesterov=st.booleans(),
)
def test_validation_agrees_with_torch_everywhere(lr, momentum, dampening, weight_decay, nesterov):
    kwargs = dict(
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
    )
    p = torch.ones(2, requires_grad=True)
    outcome = {}
    for cls in (torch.optim.SGD, SGD):
        try:
            cls([p], **kwargs)
            outcome[cls] = None
        except ValueError as err:
            outcome[cls] = str(err)
    assert outcome[SGD] == outcome[torch.optim.SGD]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sparse_gradients_as_in_torch(momentum):
    # torch.optim.SGD takes sparse gradients; so does optlib's (moved from "are rejected")
    p, q = torch.arange(4.0, requires_grad=True), torch.arange(4.0, requires_grad=True)
    ours, theirs = SGD([p], lr=0.1, momentum=momentum), torch.optim.SGD([q], lr=0.1, momentum=momentum)
    for k in range(3):
        grad = torch.sparse_coo_tensor([[0, 2, k]], [1.0, 2.0, -1.0], (4,), check_invariants=True)
        p.grad, q.grad = grad.clone(), grad.clone()
        ours.step()
        theirs.step()
        torch.testing.assert_close(p, q, rtol=0, atol=0)
