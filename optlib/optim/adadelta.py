"""Adadelta: step sizes from the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_param, scalar_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta: steps sized by RMS of past steps over RMS of gradients (``torch.optim.Adadelta``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`v_0 = u_0 = 0`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                  && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}            && \text{if } \lambda \ne 0 \\
        v_t &\leftarrow \rho v_{t-1} + (1 - \rho)\, g_t^2 \\
        \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &\leftarrow \rho u_{t-1} + (1 - \rho)\, \Delta_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \Delta_t
        \end{aligned}

    :math:`v_t` estimates :math:`E[g^2]` and :math:`u_t` estimates :math:`E[\Delta\theta^2]`;
    their ratio gives the step the units of :math:`\theta`.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` that scales the update (default: 1.0).
        rho: decay rate :math:`\rho` of the running averages (default: 0.9).
        eps: :math:`\epsilon` added inside both square roots (default: 1e-6).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``square_avg``: :math:`v_t`.
        ``acc_delta``: :math:`u_t`.

    References:
        Zeiler (2012), "ADADELTA: An adaptive learning rate method".

    .. note::
        Zeiler's method has no learning rate: :math:`\Delta x_t = -\Delta_t` is applied as is.
        PyTorch's default ``lr=1.0`` reproduces it; another ``lr`` scales the applied step
        but not the :math:`\Delta_t` accumulated in :math:`u_t`. :math:`\epsilon` sits inside
        the square roots, as in the paper (:math:`\mathrm{RMS}[y] = \sqrt{E[y^2] + \epsilon}`).
        The default :math:`\rho = 0.9` is PyTorch's; Zeiler's experiments use
        :math:`\rho = 0.95`. ``maximize`` is keyword-only, as in PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Perform one update. ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, rho, eps, wd = float(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "Adadelta")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["acc_delta"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                v, u = state["square_avg"], state["acc_delta"]
                # t <- t + 1 (kept for PyTorch's state layout; the update does not use it)
                state["step"] += 1

                # g_t <- g_t + lambda theta_{t-1}
                if wd != 0:
                    g = g.add(p, alpha=wd)
                # v_t <- rho v_{t-1} + (1 - rho) g_t^2
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                # delta_t <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) g_t
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                # u_t <- rho u_{t-1} + (1 - rho) delta_t^2
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                # theta_t <- theta_{t-1} - lr delta_t
                p.add_(delta, alpha=-lr)

        return loss
