"""RAdam: Adam with the variance of its adaptive learning rate rectified."""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import check_adam_args, check_param, scalar_state

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam: momentum SGD until Adam's adaptive step can be trusted (``torch.optim.RAdam``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`m_0 = v_0 = 0`, with
    :math:`\rho_\infty = 2 / (1 - \beta_2) - 1`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                  && \text{if maximize} \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
                                                              && \text{if decoupled weight decay} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}            && \text{else, if } \lambda \ne 0 \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat m_t &\leftarrow m_t / (1 - \beta_1^t) \\
        \rho_t &\leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        \text{if } \rho_t > 5: \quad
        l_t &\leftarrow \sqrt{1 - \beta_2^t} \,/\, (\sqrt{v_t} + \epsilon) \\
        r_t &\leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
                                   {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}} \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t\, r_t\, l_t \\
        \text{else}: \quad
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t
        \end{aligned}

    :math:`\rho_t` is the length of the simple moving average that :math:`v_t` approximates;
    while it is short the adaptive rate :math:`l_t` has too much variance (or none that is
    finite), so RAdam takes plain momentum steps. Afterwards :math:`r_t` scales the Adam step
    by the ratio of the variances, and tends to 1.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        betas: decay rates :math:`(\beta_1, \beta_2)` (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`\sqrt{v_t}` (default: 1e-8).
        weight_decay: weight decay :math:`\lambda` (default: 0).
        decoupled_weight_decay: decay :math:`\theta` directly, as in AdamW, instead of adding
            :math:`\lambda\theta` to the gradient (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``exp_avg``: :math:`m_t`.
        ``exp_avg_sq``: :math:`v_t`.

    References:
        Liu et al. (2020), "On the variance of the adaptive learning rate and beyond".
        Loshchilov & Hutter (2019), "Decoupled weight decay regularization".

    .. note::
        The threshold is PyTorch's :math:`\rho_t > 5` (the authors' code uses
        :math:`\rho_t \ge 5`); the paper's Algorithm 2 writes :math:`\rho_t > 4`, where
        :math:`r_t` is already finite. The paper's :math:`l_t = \sqrt{(1 - \beta_2^t)/v_t}`
        has no :math:`\epsilon`; PyTorch adds it to :math:`\sqrt{v_t}` before the bias
        correction, unlike :class:`~optlib.optim.Adam`, which adds it after. Weight decay is
        not in the paper.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)

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
            # rho_inf <- 2 / (1 - beta2) - 1
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                if p.grad is None:
                    continue
                check_param(p, "RAdam")
                g = -p.grad if group["maximize"] else p.grad

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_state(0.0)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                # t <- t + 1
                state["step"] += 1
                t = state["step"].item()

                if wd != 0 and group["decoupled_weight_decay"]:
                    # theta_{t-1} <- (1 - lr lambda) theta_{t-1}
                    p.mul_(1 - lr * wd)
                elif wd != 0:
                    # g_t <- g_t + lambda theta_{t-1}
                    g = g.add(p, alpha=wd)

                # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
                m.lerp_(g, 1 - beta1)
                # v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                # m_hat_t <- m_t / (1 - beta1^t)
                m_hat = m / (1 - beta1**t)
                # rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
                rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)

                if rho_t > 5:
                    # l_t <- sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
                    l = math.sqrt(1 - beta2**t) / v.sqrt().add_(eps)
                    # r_t <- sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))
                    r = math.sqrt(
                        (rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    )
                    # theta_t <- theta_{t-1} - lr r_t m_hat_t l_t
                    p.addcmul_(m_hat, l, value=-lr * r)
                else:
                    # theta_t <- theta_{t-1} - lr m_hat_t
                    p.add_(m_hat, alpha=-lr)

        return loss
