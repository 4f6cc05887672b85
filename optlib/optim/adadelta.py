"""Adadelta: step sizes from the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_product_,
    add_scaled_,
    check_lr,
    check_nonnegative,
    group_defaults,
    regularize,
    restorer,
    scalar_state,
    stepper,
    zeros,
)

__all__ = ["Adadelta", "adadelta_"]


def adadelta_(
    param: Tensor,
    grad: Tensor,
    square_avg: Tensor,
    acc_delta: Tensor,
    *,
    lr: Hyper,
    rho: Hyper,
    eps: Hyper,
    weight_decay: Hyper,
    maximize: bool,
) -> None:
    """One Adadelta step on ``param``, in place (the algorithm and notes: :class:`Adadelta`).

    ``square_avg`` and ``acc_delta`` are :math:`v` and :math:`u`, updated in place. A
    hyperparameter may be a number or an ``(N, 1)`` tensor, one value per row.
    """
    # g_t <- -g_t (maximize); g_t <- g_t + lambda theta_{t-1} (weight decay)
    g = regularize(param, grad, lr, weight_decay, maximize)
    v, u = square_avg, acc_delta
    # v_t <- rho v_{t-1} + (1 - rho) g_t^2
    add_product_(v.mul_(rho), 1 - rho, g, g)
    # delta_t <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) g_t
    delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
    # u_t <- rho u_{t-1} + (1 - rho) delta_t^2
    add_product_(u.mul_(rho), 1 - rho, delta, delta)
    # theta_t <- theta_{t-1} - lr delta_t
    add_scaled_(param, -lr, delta)


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
        :math:`\rho = 0.95`. ``maximize`` is keyword-only, as in PyTorch. The update
        itself is :func:`adadelta_`.
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
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_nonnegative(weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(maximize=False)
    step = stepper(adadelta_)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        return {"step": scalar_state(0.0), "square_avg": zeros(p), "acc_delta": zeros(p)}

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        # t is kept for PyTorch's state layout; the update does not use it
        adadelta_(p, grad, state["square_avg"], state["acc_delta"], **hp)
