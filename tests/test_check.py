"""optlib.check: correct students pass, a catalogue of classic mistakes fails with the right hint.

The wrong classes reproduce errata the field shipped: d2l-en #1196 (Adadelta's accumulators),
uvadlc-notebooks #35 (Adam without a hat), d2l-en PR #2691 (eps outside the denominator),
fastbook #174 (momentum as an EMA vs torch's convention).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch.optim import Optimizer

import optlib.optim
from optlib.check import BUGS, HINTS, Mutant, check_optimizer


class Student(Optimizer):
    """The loop every student writes once; subclasses fill in ``update``."""

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    g = -p.grad if group.get("maximize") else p.grad
                    self.update(p, g, self.state[p], group)


# -- correct from-scratch implementations -----------------------------------------------------


class MySGD(Student):
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, maximize=False):  # fmt: skip
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                      "weight_decay": weight_decay, "nesterov": nesterov,
                                      "maximize": maximize})  # fmt: skip

    def update(self, p, g, state, group):
        mu = group["momentum"]
        g = g + group["weight_decay"] * p
        if mu:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.clone()
            else:
                state["momentum_buffer"] = mu * state["momentum_buffer"] + self.push(
                    g, group
                )
            buf = state["momentum_buffer"]
            g = g + mu * buf if group["nesterov"] else buf
        p.sub_(group["lr"] * g)

    def push(self, g, group):
        """What one gradient adds to the buffer."""
        return (1 - group["dampening"]) * g


class MyAdam(Student):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):  # fmt: skip
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                      "amsgrad": amsgrad})  # fmt: skip

    def update(self, p, g, state, group):
        lr, wd = group["lr"], group["weight_decay"]
        if self.decoupled:
            p.mul_(1 - lr * wd)
        else:
            g = g + wd * p
        if not state:
            state.update(
                step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p)
            )
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = torch.zeros_like(p)
        state["step"] += 1
        t, (b1, b2) = state["step"], group["betas"]
        # m_t <- beta1 m + (1 - beta1) g;  v_t <- beta2 v + (1 - beta2) g^2
        m, v = self.moments(state, g, b1, b2)
        m_hat, v_hat = self.hats(m, v, b1, b2, t)
        if group["amsgrad"]:
            v_hat = self.amsgrad_max(state, v, b2, t)
        p.sub_(self.step_of(m_hat, v_hat, lr, group["eps"]))

    def moments(self, state, g, b1, b2):
        state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        return state["exp_avg"], state["exp_avg_sq"]

    def amsgrad_max(self, state, v, b2, t):
        state["max_exp_avg_sq"] = torch.maximum(state["max_exp_avg_sq"], v)
        return state["max_exp_avg_sq"] / (1 - b2**t)

    def hats(self, m, v, b1, b2, t):
        return m / (1 - b1**t), v / (1 - b2**t)

    def step_of(self, m_hat, v_hat, lr, eps):
        return lr * m_hat / (v_hat.sqrt() + eps)


class MyAdamW(MyAdam):
    decoupled = True

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


class MyRMSprop(Student):
    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0
    ):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                      "momentum": momentum})  # fmt: skip

    def update(self, p, g, state, group):
        lr, alpha, mu = group["lr"], group["alpha"], group["momentum"]
        g = g + group["weight_decay"] * p
        if not state:
            state.update(step=0, square_avg=torch.zeros_like(p))
            if mu:
                state["momentum_buffer"] = torch.zeros_like(p)
        state["step"] += 1
        state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        scaled = g / self.root(state["square_avg"], group["eps"])
        if mu:
            state["momentum_buffer"] = self.buffer(
                state["momentum_buffer"], mu, scaled, lr
            )
            p.sub_(self.apply(state["momentum_buffer"], lr))
        else:
            p.sub_(lr * scaled)

    def root(self, v, eps):
        return v.sqrt() + eps

    def buffer(self, buf, mu, scaled, lr):
        return mu * buf + scaled

    def apply(self, buf, lr):
        return lr * buf


class MyAdagrad(Student):
    """Correct, but under its own state key names: the checker compares parameters only."""

    def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "eps": eps, "weight_decay": weight_decay})

    def update(self, p, g, state, group):
        g = g + group["weight_decay"] * p
        state["G"] = state.get("G", torch.zeros_like(p)) + g * g
        p.sub_(group["lr"] * g / (state["G"].sqrt() + group["eps"]))


class MyAdadelta(Student):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(
            params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay}
        )

    def update(self, p, g, state, group):
        rho, eps = group["rho"], group["eps"]
        g = g + group["weight_decay"] * p
        if not state:
            state.update(
                step=0, square_avg=torch.zeros_like(p), acc_delta=torch.zeros_like(p)
            )
        state["step"] += 1
        state["square_avg"] = rho * state["square_avg"] + (1 - rho) * g * g
        delta = (
            (state["acc_delta"] + eps).sqrt() / (state["square_avg"] + eps).sqrt() * g
        )
        state["acc_delta"] = self.delta_acc(state, rho, g, delta)
        p.sub_(group["lr"] * delta)

    def delta_acc(self, state, rho, g, delta):
        return rho * state["acc_delta"] + (1 - rho) * delta * delta


CORRECT = [
    (MySGD, torch.optim.SGD),
    (MyAdam, torch.optim.Adam),
    (MyAdamW, torch.optim.AdamW),
    (MyRMSprop, torch.optim.RMSprop),
    (MyAdagrad, torch.optim.Adagrad),
    (MyAdadelta, torch.optim.Adadelta),
]


@pytest.mark.parametrize("cls, reference", CORRECT, ids=lambda c: c.__name__)
def test_correct_students_pass(cls, reference):
    report = check_optimizer(cls, reference)
    assert report.ok, str(report)
    assert "OK" in str(report) and len(report.scenarios) > 20


@pytest.mark.parametrize("name", optlib.optim.__all__)
def test_optlib_optimizers_pass_against_torch(name):
    report = check_optimizer(
        getattr(optlib.optim, name), getattr(torch.optim, name), runs=12
    )
    assert report.ok, str(report)
    assert not report.notes  # same state keys: state tensors were compared too


def test_state_keys_of_its_own_means_parameters_only():
    report = check_optimizer(MyAdagrad, torch.optim.Adagrad)
    assert report.ok and "compared parameters only" in str(report)


# -- the catalogue of classic mistakes --------------------------------------------------------


class SGDLrInBuffer(MySGD):
    """buf <- mu buf + lr g; p <- p - buf: equal to torch until the lr changes."""

    def update(self, p, g, state, group):
        mu, lr, buf = group["momentum"], group["lr"], state.get("momentum_buffer")
        g = g + group["weight_decay"] * p
        if not mu:
            return p.sub_(lr * g)
        push = lr * g if buf is None else lr * (1 - group["dampening"]) * g
        state["momentum_buffer"] = push if buf is None else mu * buf + push
        p.sub_(
            lr * g + mu * state["momentum_buffer"]
            if group["nesterov"]
            else state["momentum_buffer"]
        )


class SGDAsEMA(MySGD):
    """fastbook #174: momentum written as an average, buf <- mu buf + (1 - mu) g."""

    def push(self, g, group):
        return (1 - group["momentum"]) * g


class SGDNesterovOnBuffer(MySGD):
    def update(self, p, g, state, group):
        super().update(p, g, state, {**group, "nesterov": False})


class AdamEpsInRoot(MyAdam):
    def step_of(self, m_hat, v_hat, lr, eps):
        return lr * m_hat / (v_hat + eps).sqrt()


class AdamNoHat(MyAdam):
    """uvadlc-notebooks #35: v used where v_hat belongs."""

    def hats(self, m, v, b1, b2, t):
        return m / (1 - b1**t), v


class AdamNoBiasCorrection(MyAdam):
    def hats(self, m, v, b1, b2, t):
        return m, v


class AdamEpsOnParam(MyAdam):
    """d2l-en PR #2691: eps added to the step rather than to the denominator."""

    def step_of(self, m_hat, v_hat, lr, eps):
        return lr * m_hat / v_hat.sqrt() + eps


class AdamBetasSwapped(MyAdam):
    """``beta2, beta1 = group["betas"]``."""

    def update(self, p, g, state, group):
        super().update(p, g, state, {**group, "betas": group["betas"][::-1]})


class AdamWCoupled(MyAdamW):
    decoupled = False


class AdamAMSGradOnVHat(MyAdam):
    def amsgrad_max(self, state, v, b2, t):
        state["max_exp_avg_sq"] = torch.maximum(
            state["max_exp_avg_sq"], v / (1 - b2**t)
        )
        return state["max_exp_avg_sq"]


class RMSpropEpsInRoot(MyRMSprop):
    def root(self, v, eps):
        return (v + eps).sqrt()


class RMSpropLrInBuffer(MyRMSprop):
    def buffer(self, buf, mu, scaled, lr):
        return mu * buf + lr * scaled

    def apply(self, buf, lr):
        return buf


class AdadeltaWrongAccumulator(MyAdadelta):
    """d2l-en #1196: the delta accumulator fed with the squared gradient."""

    def update(self, p, g, state, group):
        rho, eps = group["rho"], group["eps"]
        g = g + group["weight_decay"] * p
        if not state:
            state.update(
                step=0, square_avg=torch.zeros_like(p), acc_delta=torch.zeros_like(p)
            )
        state["step"] += 1
        state["square_avg"] = rho * state["square_avg"] + (1 - rho) * g * g
        state["acc_delta"] = rho * state["acc_delta"] + (1 - rho) * g * g
        delta = (
            (state["acc_delta"] + eps).sqrt() / (state["square_avg"] + eps).sqrt() * g
        )
        p.sub_(group["lr"] * delta)


class AdadeltaRhoSwapped(MyAdadelta):
    def delta_acc(self, state, rho, g, delta):
        return (1 - rho) * state["acc_delta"] + rho * delta * delta


WRONG = [
    (SGDLrInBuffer, torch.optim.SGD, "lr inside the momentum buffer"),
    (SGDAsEMA, torch.optim.SGD, "fastbook #174"),
    (SGDNesterovOnBuffer, torch.optim.SGD, "nesterov mix-up"),
    (AdamEpsInRoot, torch.optim.Adam, "eps inside the square root"),
    (AdamNoHat, torch.optim.Adam, "v used instead of v_hat"),
    (AdamNoBiasCorrection, torch.optim.Adam, "missing bias correction (m and v"),
    (AdamEpsOnParam, torch.optim.Adam, "eps added to the parameter"),
    (AdamBetasSwapped, torch.optim.Adam, "betas swapped"),
    (AdamWCoupled, torch.optim.AdamW, "coupled vs decoupled"),
    (AdamAMSGradOnVHat, torch.optim.Adam, "AMSGrad max taken over v_hat"),
    (RMSpropEpsInRoot, torch.optim.RMSprop, "eps inside the square root"),
    (RMSpropLrInBuffer, torch.optim.RMSprop, "lr inside the momentum buffer"),
    (
        AdadeltaWrongAccumulator,
        torch.optim.Adadelta,
        "rho applied to the wrong accumulator",
    ),
    (AdadeltaRhoSwapped, optlib.optim.Adadelta, "rho and 1 - rho swapped in acc_delta"),
]


@pytest.mark.parametrize(
    "cls, reference, hint", WRONG, ids=lambda c: getattr(c, "__name__", "")
)
def test_each_classic_mistake_fails_with_its_hint(cls, reference, hint):
    report = check_optimizer(cls, reference)
    assert not report.ok and not report
    text = str(report)
    assert f"step {report.divergence.step}," in text and report.divergence.step >= 1
    assert "expected" in text and "got" in text
    assert hint in (report.divergence.hint or ""), text


class AdamOnlyAtDefaults(MyAdam):
    """Accepts betas and eps but ignores them: right at the defaults, wrong elsewhere."""

    def update(self, p, g, state, group):
        super().update(p, g, state, {**group, "betas": (0.9, 0.999), "eps": 1e-8})


def test_a_class_right_only_at_the_defaults_is_caught():
    report = check_optimizer(AdamOnlyAtDefaults, torch.optim.Adam)
    assert not report.ok
    assert report.divergence.scenario.startswith("random configuration")
    assert report.scenarios[0] == ("defaults, the first steps", True)


class AdamDriftsLate(MyAdam):
    """A mistake no mutant knows: the step doubles from step 6 on. No hint is invented."""

    def step_of(self, m_hat, v_hat, lr, eps):
        return super().step_of(m_hat, v_hat, lr, eps) * (
            2 if self.state_steps() > 5 else 1
        )

    def state_steps(self):
        return max(int(s["step"]) for s in self.state.values())


def test_an_unknown_mistake_names_its_step_and_no_hint():
    report = check_optimizer(AdamDriftsLate, torch.optim.Adam)
    assert (
        not report.ok and report.divergence.step == 6 and report.divergence.hint is None
    )
    assert "step 6," in str(report) and "hint" not in str(report)


class SGDRaises(MySGD):
    def update(self, p, g, state, group):
        if "momentum_buffer" in state:
            raise RuntimeError("buffer shape")
        super().update(p, g, state, group)


def test_an_exception_is_reported_with_its_step():
    report = check_optimizer(SGDRaises, torch.optim.SGD)
    assert not report.ok and report.divergence.step == 2
    assert "step 2: SGDRaises raised RuntimeError: buffer shape" in str(report)


def test_options_fix_hyperparameters():
    report = check_optimizer(MySGD, torch.optim.SGD, lr=0.1, momentum=0.5)
    assert report.ok, str(report)
    # a student that only accepts lr is still checked (no maximize, no momentum probes)

    class PlainSGD(Student):
        def __init__(self, params, lr=1e-3):
            super().__init__(params, {"lr": lr})

        def update(self, p, g, state, group):
            p.sub_(group["lr"] * g)

    assert check_optimizer(PlainSGD, torch.optim.SGD).ok
    assert not any(
        "maximize" in name
        for name, _ in check_optimizer(PlainSGD, torch.optim.SGD).scenarios
    )


def test_html_is_a_green_or_red_table():
    good = check_optimizer(MySGD, torch.optim.SGD, runs=2)._repr_html_()
    bad = check_optimizer(AdamEpsInRoot, torch.optim.Adam, runs=2)._repr_html_()
    assert "<table>" in good and "#1a7f37" in good and "#cf222e" not in good
    assert "#cf222e" in bad and "eps inside the square root" in bad


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="cls must be a class"):
        check_optimizer(MySGD([torch.zeros(1)]), torch.optim.SGD)
    with pytest.raises(TypeError, match="cls must be a torch.optim.Optimizer subclass"):
        check_optimizer(dict, torch.optim.SGD)
    with pytest.raises(TypeError, match="reference must be a class"):
        check_optimizer(MySGD, "SGD")
    with pytest.raises(ValueError, match="options"):
        check_optimizer(MySGD, torch.optim.SGD, betas=(0.9, 0.9))


def test_importing_optlib_does_not_import_the_checker():
    code = "import optlib, optlib.optim, sys; print('optlib.check' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


MUTANTS = [(family, bug) for family, bugs in BUGS.items() for bug in bugs]
TORCH = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
         "adagrad": "Adagrad", "adadelta": "Adadelta"}  # fmt: skip


@pytest.mark.parametrize("family, bug", MUTANTS)
def test_every_mutant_is_caught_and_diagnosed_as_itself(family, bug):
    """The probes reach every known mistake, and no other mutant explains it first."""

    class Injected(Mutant):
        def __init__(self, params, **kw):
            super().__init__(params, family, bug, **kw)

    report = check_optimizer(Injected, getattr(torch.optim, TORCH[family]), runs=4)
    assert not report.ok and report.divergence.hint == HINTS[bug], str(report)


class SGDOwnKeys(MySGD):
    """Correct, with the buffer under its own name: the note must say so."""

    def update(self, p, g, state, group):
        torch_state = {"momentum_buffer": state.pop("buf")} if "buf" in state else {}
        super().update(p, g, torch_state, group)
        if "momentum_buffer" in torch_state:
            state["buf"] = torch_state["momentum_buffer"]


def test_own_key_names_are_noticed_even_when_the_first_run_has_no_state():
    report = check_optimizer(SGDOwnKeys, torch.optim.SGD, runs=4)
    assert report.ok and "compared parameters only" in str(report), str(report)
