"""Check a student's own optimizer against a reference and name the first divergence.

:func:`check_optimizer` runs a ``torch.optim.Optimizer`` subclass and a reference class (any
``torch.optim`` or ``optlib.optim`` optimizer) side by side on the same seeded gradients and
compares parameters (and state tensors, when the student uses torch's key names) after every
step. Besides random configurations it probes the regimes where each classic mistake shows:
tiny gradients (eps placement), the first steps (bias correction, buffer initialization), a
learning-rate change mid-run (lr inside the momentum buffer), weight decay, ``maximize``,
``state_dict`` round trips. When a run diverges, the reference is re-run with each known
mistake injected (a *mutant*); a mutant that reproduces the student's numbers names the hint.

Example::

    report = check_optimizer(MyAdam, torch.optim.Adam)
    assert report.ok, str(report)
"""

from __future__ import annotations

import copy
import html
import inspect
import math
import random
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

__all__ = ["Divergence", "Report", "check_optimizer"]

PERF_FLAGS = {"foreach", "fused", "capturable", "differentiable"}
RTOL = {torch.float32: 2e-5, torch.float64: 1e-10}
SHAPES = [(3,), (2, 4), (5,)]


# -- the report -------------------------------------------------------------------------------


@dataclass
class Divergence:
    """Where the student's run first left the reference's."""

    scenario: str
    config: dict
    step: int
    param: int
    key: str  # "parameter", a state key, or "exception"
    expected: float
    got: float
    index: tuple = ()
    hint: str | None = None
    message: str = ""

    def __str__(self) -> str:
        what = "the parameter" if self.key == "parameter" else f"state[{self.key!r}]"
        if self.key == "exception":
            text = f"step {self.step}: {self.message}"
        else:
            text = (
                f"step {self.step}, parameter {self.param}, {what} at index {self.index}: "
                f"expected {self.expected:.10g}, got {self.got:.10g}"
            )
        text += f"\n  scenario: {self.scenario}; hyperparameters: {_fmt(self.config)}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class Report:
    """The outcome of :func:`check_optimizer`: ``ok``, the scenarios run, the first divergence."""

    optimizer: str
    reference: str
    scenarios: list[tuple[str, bool]] = field(default_factory=list)
    divergence: Divergence | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.divergence is None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = f"{self.optimizer} vs {self.reference}: "
        if self.ok:
            text = head + f"OK, {len(self.scenarios)} runs agree at every step."
        else:
            text = head + "FAILED at " + str(self.divergence)
        return "\n".join([text, *(f"  note: {n}" for n in self.notes)])

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#cf222e"
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td>"
            f"<td style='color:{'#1a7f37' if good else '#cf222e'}'>{'pass' if good else 'FAIL'}"
            "</td></tr>"
            for name, good in self.scenarios
        )
        detail = "" if self.ok else f"<pre>{html.escape(str(self.divergence))}</pre>"
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        verdict = "OK" if self.ok else "FAILED"
        return (
            f"<div><b style='color:{color}'>{html.escape(self.optimizer)} vs "
            f"{html.escape(self.reference)}: {verdict}</b>{detail}"
            f"<table><tr><th>run</th><th>result</th></tr>{rows}</table>{notes}</div>"
        )


def _fmt(config: dict) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in config.items()
    )


# -- mutants: the reference's update with one known mistake injected --------------------------
# Each core mirrors torch's update for one parameter; `bug` names the injected mistake.


def _decay(p: Tensor, g: Tensor, lr: float, wd: float, *, decoupled: bool) -> Tensor:
    """Weight decay as the mutants apply it: L2 on the gradient, or (the mistake) decoupled."""
    if wd and decoupled:
        p.mul_(1 - lr * wd)
    elif wd:
        g = g + wd * p
    return g


def _sgd(p: Tensor, g: Tensor, s: dict, h: dict, bug: str | None) -> None:
    lr, mu, damp, wd = (
        h["lr"],
        h.get("momentum", 0.0),
        h.get("dampening", 0.0),
        h["weight_decay"],
    )
    g = _decay(p, g, lr, wd, decoupled=bug == "decoupled")
    if mu:
        buf = s.get("momentum_buffer")
        if buf is None:
            scale = 1 - damp if bug == "zero_init" else (lr if bug == "lr_in_buffer" else 1.0)
            buf = s["momentum_buffer"] = g.clone() * scale
        else:
            dg = (1 - mu) * g if bug == "ema" else (1 - damp) * g
            buf.mul_(mu).add_(lr * dg if bug == "lr_in_buffer" else dg)
        if h.get("nesterov") and bug != "nesterov_buffer":
            d = g + mu * buf
        else:
            d = buf
        if bug == "lr_in_buffer":
            p.sub_(d if not h.get("nesterov") else lr * g + mu * buf)
            return
        g = d
    p.sub_(lr * g)


def _adam(p: Tensor, g: Tensor, s: dict, h: dict, bug: str | None) -> None:
    lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
    if bug == "betas_swapped":
        b1, b2 = b2, b1
    decoupled = h.get("_decoupled", False) != (bug == "decay_flip")
    if wd and decoupled:
        p.mul_(1 - lr * wd)
    elif wd:
        g = g + wd * p
    if not s:
        s["step"] = torch.tensor(0.0)
        s["exp_avg"], s["exp_avg_sq"] = torch.zeros_like(p), torch.zeros_like(p)
        if h.get("amsgrad"):
            s["max_exp_avg_sq"] = torch.zeros_like(p)
    s["step"] += 1
    t = s["step"].item()
    m = s["exp_avg"].mul_(b1).add_((1 - b1) * g)
    v = s["exp_avg_sq"].mul_(b2).add_((1 - b2) * g * g)
    bc1 = 1.0 if bug in ("no_bias_correction", "no_hat_m") else 1 - b1**t
    bc2 = 1.0 if bug in ("no_bias_correction", "no_hat_v") else 1 - b2**t
    if h.get("amsgrad") and bug == "amsgrad_vhat":
        v_hat = torch.maximum(s["max_exp_avg_sq"], v / bc2)
        s["max_exp_avg_sq"].copy_(v_hat)
    elif h.get("amsgrad"):
        v_hat = torch.maximum(s["max_exp_avg_sq"], v, out=s["max_exp_avg_sq"]) / bc2
    else:
        v_hat = v / bc2
    m_hat = m / bc1
    if bug == "eps_in_root":
        p.sub_(lr * m_hat / (v_hat + eps).sqrt())
    elif bug == "eps_on_param":
        p.sub_(lr * m_hat / v_hat.sqrt() + eps)
    else:
        p.sub_(lr * m_hat / (v_hat.sqrt() + eps))


def _rmsprop(p: Tensor, g: Tensor, s: dict, h: dict, bug: str | None) -> None:
    lr, alpha, eps, wd, mu = (
        h["lr"],
        h["alpha"],
        h["eps"],
        h["weight_decay"],
        h["momentum"],
    )
    if bug == "alpha_swapped":
        alpha = 1 - alpha
    g = _decay(p, g, lr, wd, decoupled=bug == "decoupled")
    if not s:
        s["step"], s["square_avg"] = torch.tensor(0.0), torch.zeros_like(p)
        if mu > 0:
            s["momentum_buffer"] = torch.zeros_like(p)
        if h["centered"]:
            s["grad_avg"] = torch.zeros_like(p)
    s["step"] += 1
    v = s["square_avg"].mul_(alpha).add_((1 - alpha) * g * g)
    var = v
    if h["centered"]:
        ga = s["grad_avg"].mul_(alpha).add_((1 - alpha) * g)
        var = v - ga * ga
    avg = (var + eps).sqrt() if bug == "eps_in_root" else var.sqrt() + eps
    if mu > 0:
        buf = s["momentum_buffer"].mul_(mu)
        if bug == "lr_in_buffer":
            p.sub_(buf.add_(lr * g / avg))
        else:
            p.sub_(lr * buf.add_(g / avg))
    else:
        p.sub_(lr * g / avg)


def _adagrad(p: Tensor, g: Tensor, s: dict, h: dict, bug: str | None) -> None:
    lr, eps, wd = h["lr"], h["eps"], h["weight_decay"]
    if not s:
        s["step"] = torch.tensor(0.0)
        s["sum"] = torch.full_like(p, h["initial_accumulator_value"])
    s["step"] += 1
    g = _decay(p, g, lr, wd, decoupled=bug == "decoupled")
    clr = lr / (1 + (s["step"].item() - 1) * h["lr_decay"])
    total = s["sum"].add_(g * g)
    std = (total + eps).sqrt() if bug == "eps_in_root" else total.sqrt() + eps
    p.sub_(clr * g / std)


def _adadelta(p: Tensor, g: Tensor, s: dict, h: dict, bug: str | None) -> None:
    lr, rho, eps, wd = h["lr"], h["rho"], h["eps"], h["weight_decay"]
    g = _decay(p, g, lr, wd, decoupled=bug == "decoupled")
    if not s:
        s["step"], s["square_avg"] = torch.tensor(0.0), torch.zeros_like(p)
        s["acc_delta"] = torch.zeros_like(p)
    s["step"] += 1
    r1, r2 = (1 - rho, rho) if bug == "rho_swapped_sq" else (rho, 1 - rho)
    sq = s["square_avg"].mul_(r1).add_(r2 * g * g)
    if bug == "acc_delta_first":  # the delta accumulator takes g^2, before it is used
        s["acc_delta"].mul_(rho).add_((1 - rho) * g * g)
    delta = (s["acc_delta"] + eps).sqrt() / (sq + eps).sqrt() * g
    r1, r2 = (1 - rho, rho) if bug == "rho_swapped_delta" else (rho, 1 - rho)
    if bug != "acc_delta_first":
        s["acc_delta"].mul_(r1).add_(r2 * delta * delta)
    p.sub_(lr * delta)


CORES = {"sgd": _sgd, "adam": _adam, "adamw": _adam, "rmsprop": _rmsprop,
         "adagrad": _adagrad, "adadelta": _adadelta}  # fmt: skip
HINTS = {
    "eps_in_root": "eps inside the square root (sqrt(v + eps) instead of sqrt(v) + eps)",
    "eps_on_param": "eps added to the parameter update, not to the denominator (d2l-en PR #2691)",
    "no_bias_correction": "missing bias correction (m and v used without the hats)",
    "no_hat_m": "missing bias correction on m (m used instead of m_hat)",
    "no_hat_v": "missing bias correction on v (v used instead of v_hat, uvadlc-notebooks #35)",
    "betas_swapped": "betas swapped (beta1 used for v and beta2 for m)",
    "decay_flip": "weight decay coupled vs decoupled mixed up (Adam adds wd*p to the gradient; "
    "AdamW shrinks p by lr*wd)",
    "decoupled": "weight decay decoupled (p shrunk by lr*wd) instead of added to the gradient",
    "amsgrad_vhat": "AMSGrad max taken over v_hat instead of v",
    "lr_in_buffer": "lr inside the momentum buffer (shows when the lr changes mid-run)",
    "zero_init": "momentum buffer started at zero, so dampening hits the first step "
    "(torch starts it at the first gradient)",
    "ema": "momentum as an EMA, buf = mu buf + (1 - mu) g, instead of torch's "
    "buf = mu buf + (1 - dampening) g (fastbook #174)",
    "nesterov_buffer": "nesterov mix-up: stepped along the buffer instead of g + momentum * buf",
    "alpha_swapped": "alpha and 1 - alpha swapped in the square average",
    "rho_swapped_sq": "Adadelta's rho and 1 - rho swapped in square_avg",
    "rho_swapped_delta": "Adadelta's rho and 1 - rho swapped in acc_delta",
    "acc_delta_first": "Adadelta's delta accumulator fed g^2 (rho applied to the wrong "
    "accumulator, d2l-en #1196)",
}
BUGS = {
    "sgd": ["lr_in_buffer", "zero_init", "ema", "nesterov_buffer", "decoupled"],
    "adam": ["eps_in_root", "eps_on_param", "no_bias_correction", "no_hat_m", "no_hat_v",
             "betas_swapped", "decay_flip", "amsgrad_vhat"],
    "rmsprop": ["eps_in_root", "lr_in_buffer", "alpha_swapped", "decoupled"],
    "adagrad": ["eps_in_root", "decoupled"],
    "adadelta": ["rho_swapped_sq", "rho_swapped_delta", "acc_delta_first", "decoupled"],
}  # fmt: skip
BUGS["adamw"] = BUGS["adam"]


class Mutant(Optimizer):
    """The reference's update (for SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta) with ``bug``."""

    def __init__(self, params: Any, family: str, bug: str | None, **defaults: Any) -> None:
        self.family, self.bug = family, bug
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:
        for group in self.param_groups:
            h = dict(
                group,
                _decoupled=self.family == "adamw" or group.get("decoupled_weight_decay"),
            )
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad if group.get("maximize") else p.grad
                CORES[self.family](p, g, self.state[p], h, self.bug)


# -- running one scenario ---------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    config: dict  # constructor keywords for both (student's accepted ones only)
    dtype: torch.dtype = torch.float64
    seed: int = 0
    steps: int = 8
    grad_scale: float = 1.0
    two_groups: bool = False
    missing: bool = False  # parameter 1 gets no gradient on the first steps
    lr_change: int | None = None  # after this step, every group's lr is multiplied by 0.1
    round_trip: int | None = None  # after this step, state_dict -> fresh instance -> load


def _params(sc: Scenario) -> list[Tensor]:
    gen = torch.Generator().manual_seed(sc.seed)
    return [torch.randn(s, generator=gen, dtype=torch.float64).to(sc.dtype) for s in SHAPES]


def _grads(sc: Scenario) -> list[list[Tensor | None]]:
    gen = torch.Generator().manual_seed(10_000 + sc.seed)
    out = []
    for t in range(1, sc.steps + 1):
        scale = sc.grad_scale * (0.05 if t > sc.steps // 2 and sc.name == "amsgrad" else 1.0)
        row = [scale * torch.randn(s, generator=gen, dtype=torch.float64) for s in SHAPES]
        if sc.missing and t <= 2:
            row[1] = None
        out.append([None if g is None else g.to(sc.dtype) for g in row])
    return out


def _build(cls: type, sc: Scenario, params: list[Tensor], extra: dict) -> Optimizer:
    cfg = dict(sc.config)
    if sc.two_groups:
        groups = [{"params": params[:2]}, {"params": params[2:], "lr": cfg["lr"] * 0.3}]
        return cls(groups, **cfg, **extra)
    return cls(params, **cfg, **extra)


def _run(cls: type, sc: Scenario, extra: dict | None = None) -> list[tuple[list, list]]:
    """Snapshots (parameters, state dicts) after each step; raises what the optimizer raises."""
    extra = extra or {}
    params = [p.clone().requires_grad_(True) for p in _params(sc)]
    opt = _build(cls, sc, params, extra)
    snaps = []
    for t, grads in enumerate(_grads(sc), start=1):
        for p, g in zip(params, grads, strict=True):
            p.grad = None if g is None else g.clone()
        opt.step()
        snaps.append(
            (
                [p.detach().clone() for p in params],
                [{k: _clone(v) for k, v in opt.state.get(p, {}).items()} for p in params],
            )
        )
        if sc.lr_change == t:
            for group in opt.param_groups:
                group["lr"] *= 0.1
        if sc.round_trip == t:
            saved = copy.deepcopy(opt.state_dict())
            opt = _build(cls, sc, params, extra)
            opt.load_state_dict(saved)
    return snaps


def _clone(v: Any) -> Any:
    return v.detach().clone() if isinstance(v, Tensor) else v


def _first_mismatch(a: Tensor, b: Tensor, rtol: float) -> tuple | None:
    """(index, expected, got) of the worst element when a and b differ beyond rtol x scale."""
    a, b = (
        torch.as_tensor(a, dtype=torch.float64),
        torch.as_tensor(b, dtype=torch.float64),
    )
    if a.shape != b.shape:
        return ((), float("nan"), float("nan"))
    err = (a - b).abs()
    scale = max(a.abs().max().item() if a.numel() else 0.0, 1e-300)
    if not torch.isfinite(b).all() or err.max().item() > rtol * scale:
        flat = int(torch.nan_to_num(err, nan=math.inf).flatten().argmax()) if a.numel() else 0
        idx = (
            tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), a.shape))
            if a.dim()
            else ()
        )
        return (idx, a.flatten()[flat].item(), b.flatten()[flat].item())
    return None


def _compare(ref: list, got: list, sc: Scenario, keys: bool) -> Divergence | None:
    rtol = RTOL[sc.dtype]
    for t, ((rp, rs), (gp, gs)) in enumerate(zip(ref, got, strict=True), start=1):
        for i, (a, b) in enumerate(zip(rp, gp, strict=True)):
            bad = _first_mismatch(a, b, rtol)
            if bad:
                return Divergence(sc.name, sc.config, t, i, "parameter", bad[1], bad[2], bad[0])
        if not keys:
            continue
        for i, (sa, sb) in enumerate(zip(rs, gs, strict=True)):
            for k, va in sa.items():
                if va is None or not isinstance(sb.get(k), (Tensor, int, float)):
                    continue
                bad = _first_mismatch(va, sb[k], rtol)
                if bad:
                    return Divergence(sc.name, sc.config, t, i, k, bad[1], bad[2], bad[0])
    return None


# -- configurations ---------------------------------------------------------------------------


def _accepted(cls: type) -> tuple[set[str], bool]:
    sig = inspect.signature(cls.__init__)
    names = {n for n in list(sig.parameters)[2:] if sig.parameters[n].kind.name != "VAR_KEYWORD"}
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    return names, var_kw


def _defaults(reference: type) -> dict:
    sig = inspect.signature(reference.__init__)
    out = {}
    for name, p in list(sig.parameters.items())[2:]:
        if name in PERF_FLAGS or p.default is inspect.Parameter.empty:
            continue
        if isinstance(p.default, (bool, int, float, tuple)) and not isinstance(p.default, Tensor):
            out[name] = p.default
    return out


def _draw(name: str, default: Any, rng: random.Random) -> Any:
    """A value around the reference's default, inside the valid range."""
    if isinstance(default, bool):
        return rng.random() < 0.5
    if isinstance(default, tuple):  # betas
        return (rng.choice([0.0, rng.uniform(0.5, 0.95)]), rng.uniform(0.8, 0.999))
    if name == "lr":
        return float(default) * 10 ** rng.uniform(-1, 1) if default else 10 ** rng.uniform(-3, -1)
    if "eps" in name:
        return rng.choice([1e-8, 1e-6, 1e-3, 0.1])
    if name == "weight_decay":
        return rng.choice([0.0, rng.uniform(0.01, 0.1)])
    if name in ("momentum", "dampening"):
        return rng.choice([0.0, rng.uniform(0.1, 0.95)])
    if name in ("alpha", "rho") or name.startswith("beta"):
        return rng.uniform(0.5, 0.999)
    if isinstance(default, float):
        return rng.choice([0.0, float(default), rng.uniform(0.0, 0.1)])
    return default


def _family(reference: type) -> str | None:
    name = reference.__name__.lower()
    return name if name in CORES else None


def check_optimizer(cls: type, reference: type, *, runs: int = 24, **options: Any) -> Report:
    """Run ``cls`` beside ``reference`` on many seeded configurations; report the first divergence.

    Args:
        cls: the student's :class:`torch.optim.Optimizer` subclass.
        reference: the class to match, e.g. ``torch.optim.Adam`` or ``optlib.optim.Adam``.
        runs: how many random configurations to draw besides the probes (default: 24).
        **options: hyperparameters fixed in every run, e.g. ``lr=0.1``.

    Returns:
        A :class:`Report`; ``report.ok`` is True when every run agrees at every step.

    Raises:
        TypeError: ``cls`` or ``reference`` is not an Optimizer class.
    """
    for arg, value in (("cls", cls), ("reference", reference)):
        if not isinstance(value, type):
            raise TypeError(f"{arg} must be a class (an Optimizer subclass), got {value!r}")
        if not issubclass(value, Optimizer):
            raise TypeError(f"{arg} must be a torch.optim.Optimizer subclass, got {value.__name__}")
    accepted, var_kw = _accepted(cls)
    defaults = _defaults(reference)
    unknown = set(options) - set(defaults) - {"lr"}
    if unknown:
        raise ValueError(f"options: {sorted(unknown)} are not keywords of {reference.__name__}")
    usable = {k: v for k, v in defaults.items() if var_kw or k in accepted}
    if "lr" not in usable and (var_kw or "lr" in accepted):
        usable["lr"] = options.get("lr", 1e-3)
    report = Report(cls.__name__, f"{reference.__module__}.{reference.__name__}")
    base = {**usable, **{k: v for k, v in options.items() if k in usable}}
    scenarios = _scenarios(reference, base, usable, options, runs)
    keys_checked = None
    for sc in scenarios:
        try:
            ref = _run(reference, sc)
        except ValueError:
            continue  # a drawn combination the reference refuses (e.g. nesterov without momentum)
        try:
            got = _run(cls, sc)
        except Exception as err:  # noqa: BLE001 - a student's error is a finding
            step = _failing_step(cls, sc)
            report.divergence = Divergence(
                sc.name, sc.config, step, -1, "exception", math.nan, math.nan,
                message=f"{cls.__name__} raised {type(err).__name__}: {err}",
            )  # fmt: skip
            report.scenarios.append((sc.name, False))
            return report
        if keys_checked is None and _keys(ref):  # decided on the first state there is
            keys_checked = _same_keys(ref, got)
            if not keys_checked:
                report.notes.append(
                    "the student's state keys differ from the reference's "
                    f"({_keys(got)} vs {_keys(ref)}): compared parameters only"
                )
        div = _compare(ref, got, sc, bool(keys_checked))
        report.scenarios.append((sc.name, div is None))
        if div is not None:
            div.hint = _diagnose(reference, sc, got, bool(keys_checked))
            report.divergence = div
            return report
    return report


def _failing_step(cls: type, sc: Scenario) -> int:
    for steps in range(1, sc.steps + 1):
        try:
            _run(cls, Scenario(**{**sc.__dict__, "steps": steps}))
        except Exception:  # noqa: BLE001
            return steps
    return sc.steps


def _keys(snaps: list) -> list[str]:
    return sorted({k for state in snaps[-1][1] for k, v in state.items() if v is not None})


def _same_keys(ref: list, got: list) -> bool:
    return all(
        {k for k, v in a.items() if v is not None} == {k for k, v in b.items() if v is not None}
        for a, b in zip(ref[-1][1], got[-1][1], strict=True)
    )


def _diagnose(reference: type, sc: Scenario, got: list, keys: bool) -> str | None:
    """The known mistake whose mutant reproduces the student's whole run of this scenario."""
    family = _family(reference)
    if family is None:
        return None
    config = dict(sc.config)
    if family == "adam" and "decoupled_weight_decay" in config:
        family = "adamw" if config["decoupled_weight_decay"] else "adam"
    # hyperparameters the student's class does not take run at the reference's defaults
    rest = {k: v for k, v in _defaults(reference).items() if k not in config}
    for bug in BUGS[family]:
        try:
            mutant = _run(Mutant, sc, {"family": family, "bug": bug, **rest})
        except (KeyError, ValueError, RuntimeError):
            continue
        if _compare(mutant, got, sc, keys) is None:
            return HINTS[bug]
    return None


def _scenarios(reference: type, base: dict, usable: dict, options: dict, runs: int) -> list:
    """The probes (each where one classic mistake shows), then seeded random configurations."""

    def with_(**over: Any) -> dict:
        cfg = dict(base)
        for k, v in over.items():
            if k in usable and k not in options:
                cfg[k] = v
        return cfg

    mom = {"momentum": 0.9} if "momentum" in usable else {}
    probes = [
        Scenario("defaults, the first steps", with_()),
        Scenario("tiny gradients (eps placement)", with_(), grad_scale=1e-6),
        Scenario("lr change after step 3", with_(**mom), lr_change=3),
        Scenario("weight decay on", with_(weight_decay=0.1, **mom)),
        Scenario("state_dict round trip after step 3", with_(**mom), round_trip=3),
        Scenario("two parameter groups, missing gradient", with_(**mom),
                 two_groups=True, missing=True),
        Scenario("float32", with_(**mom), dtype=torch.float32),
    ]  # fmt: skip
    if "dampening" in usable:
        probes.append(Scenario("dampening", with_(momentum=0.9, dampening=0.5)))
    if "nesterov" in usable:
        probes.append(Scenario("nesterov", with_(momentum=0.9, nesterov=True)))
    if "amsgrad" in usable:
        probes.append(Scenario("amsgrad", with_(amsgrad=True)))
    if "centered" in usable:
        probes.append(Scenario("centered", with_(centered=True, **mom)))
    if "maximize" in usable:
        probes.append(Scenario("maximize", with_(maximize=True, weight_decay=0.05, **mom)))
    rng = random.Random(0)
    for seed in range(runs):
        cfg = with_(**{k: _draw(k, v, rng) for k, v in usable.items()})
        probes.append(
            Scenario(
                f"random configuration {seed + 1}",
                cfg,
                seed=seed + 1,
                dtype=(torch.float64, torch.float32)[seed % 2],
                two_groups=seed % 3 == 0,
                missing=seed % 4 == 1,
                lr_change=4 if seed % 3 == 1 else None,
                round_trip=rng.randint(1, 7) if seed % 2 == 0 else None,
            )
        )
    return probes
