"""optlib.optim's adaptive optimizers against torch.optim: same parameters and state, step by step.

Each optimizer and its ``torch.optim`` twin start from the same parameters (several groups
with their own hyperparameters, shapes ``()``, ``(3,)``, ``(2, 5)``, ``(1, 1, 7)``, float32
or float64) and see the same seeded gradients for 100 steps, one parameter getting none on
some steps. Every 25 steps the parameters and every state entry must agree within 1e-6
(float32) or 1e-12 (float64) of their scale (see ``optim_cases.assert_close_scaled``) with
both of torch's loops, ``foreach=False`` and ``foreach=True``. Fewer examples drive the steps
through closures. The mutation tests at the end show that these comparisons fail when a
formula is wrong.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import optlib.optim
from optim_cases import CASES, configurations, run_parity

NAMES = list(CASES)
# Closures cost an autograd pass per step and optimizer: the fast suite runs a third as many
# of them; the slow test runs the full count.
FEW = max(1, settings().max_examples // 3)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_parity_with_torch(name: str, data: st.DataObject) -> None:
    case = CASES[name]
    run_parity(case, data.draw(configurations(case)), foreach=(False, True))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=FEW)
@given(data=st.data())
def test_parity_with_closure(name: str, data: st.DataObject) -> None:
    case = CASES[name]
    run_parity(case, data.draw(configurations(case)), closure=True)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_parity_with_closure_slow(name: str, data: st.DataObject) -> None:
    case = CASES[name]
    run_parity(case, data.draw(configurations(case)), foreach=(False, True), closure=True)


# -- fixed cases ---------------------------------------------------------------------------

GROUPS = [([(3,), (2, 5)], {}), ([(), (1, 1, 7)], {"lr": 0.03})]


def torch_defaults(name: str, **overrides) -> dict:
    """torch's own defaults for the arguments optlib keeps, updated with ``overrides``."""
    sig = inspect.signature(getattr(torch.optim, name))
    keys = CASES[name].spec
    return {k: sig.parameters[k].default for k in keys} | overrides


def fixed(name: str, dtype: torch.dtype = torch.float64, **overrides) -> dict:
    return {
        "defaults": torch_defaults(name, **overrides),
        "groups": GROUPS,
        "dtype": dtype,
        "seed": 7,
        "grad_scale": 1.0,
        "none_param": 1,
    }


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr(name: str) -> None:
    """A 1-element tensor learning rate gives the same steps as in torch."""
    run_parity(CASES[name], fixed(name, lr=torch.tensor([0.01], dtype=torch.float64)))


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_tensor_betas(name: str) -> None:
    betas = (torch.tensor(0.8, dtype=torch.float64), torch.tensor([0.99], dtype=torch.float64))
    run_parity(CASES[name], fixed(name, betas=betas))


def test_adamw_is_adam_with_decoupled_weight_decay() -> None:
    torch.manual_seed(0)
    a, b = torch.randn(5, requires_grad=True), torch.randn(5, requires_grad=True)
    b.data.copy_(a.data)
    opt_w = optlib.optim.AdamW([a], lr=0.1, amsgrad=True)
    opt_a = optlib.optim.Adam(
        [b], lr=0.1, amsgrad=True, weight_decay=1e-2, decoupled_weight_decay=True
    )
    assert isinstance(opt_w, optlib.optim.Adam)
    for _ in range(20):
        a.grad = torch.randn(5)
        b.grad = a.grad.clone()
        opt_w.step()
        opt_a.step()
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_adagrad_group_initial_accumulator() -> None:
    """As torch 2.13: every sum starts at the constructor's initial_accumulator_value.

    A group's own value stays in the group but is ignored, also for a group added later; the
    runs (state and parameters) equal torch's step for step.
    """
    torch.manual_seed(0)
    ps = [torch.randn(3, requires_grad=True) for _ in range(3)]
    qs = [p.detach().clone().requires_grad_() for p in ps]

    def build(cls, params):
        opt = cls(
            [{"params": [params[0]], "initial_accumulator_value": 0.5}, {"params": [params[1]]}],
            lr=0.1,
            initial_accumulator_value=0.25,
        )
        opt.add_param_group({"params": [params[2]], "initial_accumulator_value": 2.0})
        return opt

    ours, theirs = build(optlib.optim.Adagrad, ps), build(torch.optim.Adagrad, qs)
    assert ours.param_groups[0]["initial_accumulator_value"] == 0.5  # kept, as in torch
    for _ in range(5):
        for p, q in zip(ps, qs, strict=True):
            p.grad = torch.randn(3)
            q.grad = p.grad.clone()
        ours.step()
        theirs.step()
    for p, q in zip(ps, qs, strict=True):
        torch.testing.assert_close(ours.state[p]["sum"], theirs.state[q]["sum"], rtol=0, atol=0)
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_step_dtype_follows_default_dtype() -> None:
    """Like torch, the step counter is float64 under a float64 default dtype."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for name in NAMES:
            p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
            p.grad, q.grad = torch.ones(2), torch.ones(2)
            ours, theirs = CASES[name].ours([p]), CASES[name].theirs([q])
            ours.step()
            theirs.step()
            for key, value in theirs.state[q].items():
                assert ours.state[p][key].dtype == value.dtype, (name, key)
                assert ours.state[p][key].device == value.device, (name, key)
    finally:
        torch.set_default_dtype(old)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "Adagrad"])
def test_sparse_gradients_are_refused_where_torch_refuses_them(name: str) -> None:
    # Adagrad and SGD take sparse gradients (tests/test_optim_complex_sparse.py), as in torch
    for cls in (CASES[name].ours, CASES[name].theirs):
        p = torch.zeros(3, requires_grad=True)
        p.grad = torch.zeros(3).to_sparse()
        with pytest.raises(RuntimeError, match="does not support sparse gradients"):
            cls([p]).step()


# -- the tests can fail --------------------------------------------------------------------

# (module, exact source text, wrong text, optimizer, hyperparameters that exercise the line)
MUTATIONS = [
    ("adam", "bias_correction1 = 1 - beta1**step", "bias_correction1 = 1 - beta1 ** (step + 1)",
     "Adam", {}),
    ("adam", "v_hat = v / bias_correction2", "v_hat = v", "Adam", {}),
    ("adam", "v_hat.sqrt_().add_(eps)", "v_hat.add_(eps).sqrt_()", "Adam", {"eps": 1e-3}),
    ("adam", "v = torch.maximum(", "_ = torch.maximum(", "Adam", {"amsgrad": True}),
    ("_common", "param.mul_(1 - lr * weight_decay)", "param.mul_(1 - weight_decay)", "Adam",
     {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("_common", "g = -grad if maximize else grad", "g = grad", "Adam", {"maximize": True}),
    ("adagrad", "lr_t = lr / (1 + (step - 1) * lr_decay)", "lr_t = lr / (1 + step * lr_decay)",
     "Adagrad", {"lr_decay": 0.05}),
    ("adagrad", "s.sqrt().add_(eps)", "s.add(eps).sqrt_()", "Adagrad", {"eps": 1e-2}),
    ("rmsprop", "lerp_(g_bar, g, 1 - alpha)", "lerp_(g_bar, g, alpha)", "RMSprop",
     {"centered": True}),
    ("rmsprop", "b.mul_(momentum).addcdiv_(g, denom)", "b.mul_(momentum).add_(g)", "RMSprop",
     {"momentum": 0.9}),
    ("adadelta", "add_product_(u.mul_(rho), 1 - rho, delta, delta)",
     "add_product_(u.mul_(rho), 1 - rho, g, g)", "Adadelta", {}),
    ("adamax", "g.abs().add_(eps)", "g.abs()", "Adamax", {"eps": 1e-2}),
    ("adamax", "m_hat = m / (1 - beta1**step)", "m_hat = m", "Adamax", {}),
    ("nadam", "0.96 ** ((step + 1) * psi)", "0.96 ** (step * psi)", "NAdam", {}),
    ("nadam", "isinstance(mu, Tensor) else mu)", "isinstance(mu, Tensor) else beta1)", "NAdam", {}),
    ("radam", "rectified = rho_t > 5", "rectified = rho_t > 4", "RAdam", {}),
    ("radam", "l_t = sqrt(1 - beta2**step) / v.sqrt().add_(eps)", "l_t = 1 / v.sqrt().add_(eps)",
     "RAdam", {}),
]


@pytest.mark.parametrize(
    "module, original, wrong, name, overrides",
    MUTATIONS,
    ids=[f"{m[0]}: {m[2]}" for m in MUTATIONS],
)
def test_parity_catches_a_wrong_formula(module, original, wrong, name, overrides) -> None:
    """Change one formula in a copy of optlib's source: the parity check must fail.

    The same configuration passes with the real source, so the failure is the mutation's.
    """
    mod = importlib.import_module(f"optlib.optim.{module}")
    source = inspect.getsource(mod)
    assert source.count(original) == 1, f"{original!r} no longer appears once in {module}.py"
    namespace: dict = {"__name__": f"mutant_{module}"}
    exec(compile(source.replace(original, wrong), f"<mutant {module}.py>", "exec"), namespace)
    if module == "_common":  # a shared helper: run the optimizer's module with the mutant
        helpers, namespace = namespace, {"__name__": f"mutant_{name.lower()}"}
        opt_source = inspect.getsource(importlib.import_module(f"optlib.optim.{name.lower()}"))
        exec(compile(opt_source, f"<{name.lower()}.py>", "exec"), namespace)
        namespace["regularize"] = helpers["regularize"]

    for dtype in (torch.float32, torch.float64):
        config = fixed(name, dtype, **overrides)
        run_parity(CASES[name], config)
        with pytest.raises(AssertionError):
            run_parity(CASES[name], config, ours_cls=namespace[name])
