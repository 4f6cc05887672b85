"""Adamax: Adam with the infinity norm in place of the RMS."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_adam_args, check_param, scalar_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: Adam with a decaying infinity norm in place of the RMS (``torch.optim.Adamax``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`m_0 = u_0 = 0`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                  && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}            && \text{if } \lambda \ne 0 \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        u_t &\leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \hat m_t &\leftarrow m_t / (1 - \beta_1^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / u_t
        \end{aligned}

    :math:`u_t` is the limit :math:`p \to \infty` of Adam's :math:`v_t^{1/p}` built from
    :math:`|g_t|^p`; it needs no bias correction.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 2e-3).
        betas: decay rates :math:`(\beta_1, \beta_2)` of the gradient average and of the
            infinity norm (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`|g_t|` (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``exp_avg``: :math:`m_t`.
        ``exp_inf``: :math:`u_t`.

    References:
        Kingma & Ba (2015), "Adam: A method for stochastic optimization", Section 7.1 and
        Algorithm 2.

    .. note::
        Kingma & Ba's Algorithm 2 has no :math:`\epsilon`:
        :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)`. PyTorch adds :math:`\epsilon` to
        :math:`|g_t|` inside the maximum, so :math:`u_t \ge \epsilon` and a coordinate whose
        gradients are all zero is never divided by zero. The default ``lr=2e-3`` is the
        paper's :math:`\alpha = 0.002`. ``maximize`` is keyword-only, as in PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
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
            lr, eps, wd = float(group["lr"]), group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "Adamax")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_inf"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                m, u = state["exp_avg"], state["exp_inf"]
                # t <- t + 1
                state["step"] += 1
                t = state["step"].item()

                # g_t <- g_t + lambda theta_{t-1}
                if wd != 0:
                    g = g.add(p, alpha=wd)
                # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
                m.lerp_(g, 1 - beta1)
                # u_t <- max(beta2 u_{t-1}, |g_t| + eps)
                torch.maximum(u.mul_(beta2), g.abs().add_(eps), out=u)
                # m_hat_t <- m_t / (1 - beta1^t)
                m_hat = m / (1 - beta1**t)
                # theta_t <- theta_{t-1} - lr m_hat_t / u_t
                p.addcdiv_(m_hat, u, value=-lr)

        return loss
