"""Adamax: Adam with the infinity norm in place of the RMS."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_quotient_,
    check_adam_args,
    group_defaults,
    lerp_,
    regularize,
    restorer,
    scalar_state,
    stepper,
    zeros,
)

__all__ = ["Adamax", "adamax_"]


def adamax_(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_inf: Tensor,
    *,
    step: float,
    lr: Hyper,
    beta1: Hyper,
    beta2: Hyper,
    eps: Hyper,
    weight_decay: Hyper,
    maximize: bool,
) -> None:
    """One Adamax step on ``param``, in place (the algorithm and its notes: :class:`Adamax`).

    ``step`` is :math:`t`, counting this step; ``exp_avg`` and ``exp_inf`` are :math:`m` and
    :math:`u`, updated in place. A hyperparameter may be a number or an ``(N, 1)`` tensor.
    """
    # g_t <- -g_t (maximize); g_t <- g_t + lambda theta_{t-1} (weight decay)
    g = regularize(param, grad, lr, weight_decay, maximize)
    m, u = exp_avg, exp_inf
    # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
    lerp_(m, g, 1 - beta1)
    # u_t <- max(beta2 u_{t-1}, |g_t| + eps)
    torch.maximum(u.mul_(beta2), g.abs().add_(eps), out=u)
    # m_hat_t <- m_t / (1 - beta1^t)
    m_hat = m / (1 - beta1**step)
    # theta_t <- theta_{t-1} - lr m_hat_t / u_t
    add_quotient_(param, -lr, m_hat, u)


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
        paper's :math:`\alpha = 0.002`. ``maximize`` is keyword-only, as in PyTorch. The
        update itself is :func:`adamax_`.
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
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(maximize=False)
    step = stepper(adamax_)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        return {"step": scalar_state(0.0), "exp_avg": zeros(p), "exp_inf": zeros(p)}

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        adamax_(p, grad, state["exp_avg"], state["exp_inf"], step=t, **hp)
