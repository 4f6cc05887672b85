"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_scaled_,
    group_defaults,
    nonzero,
    regularize,
    restorer,
    stepper,
)

__all__ = ["SGD", "sgd_"]


def sgd_(
    param: Tensor,
    grad: Tensor,
    momentum_buffer: Tensor | None,
    *,
    lr: Hyper,
    momentum: Hyper,
    dampening: Hyper,
    weight_decay: Hyper,
    nesterov: bool,
    maximize: bool,
) -> Tensor | None:
    """One SGD step on ``param``, in place (the algorithm and its notes: :class:`SGD`).

    ``momentum_buffer`` is :math:`b_{t-1}` (``None`` before the first step); the buffer
    :math:`b_t` is returned (``None`` without momentum), updated in place when it existed.
    A hyperparameter may be a number or an ``(N, 1)`` tensor, one value per row.
    """
    # g_t <- -g_t (maximize); g_t <- g_t + lambda theta_{t-1} (weight decay)
    g = regularize(param, grad, lr, weight_decay, maximize)
    b = momentum_buffer
    if nonzero(momentum):
        if b is None:
            # b_1 <- g_1
            b = g.detach().clone()
        else:
            # b_t <- mu b_{t-1} + (1 - tau) g_t
            add_scaled_(b.mul_(momentum), 1 - dampening, g)
        # g_t <- g_t + mu b_t (Nesterov), or g_t <- b_t
        g = add_scaled_(g.clone(), momentum, b) if nesterov else b
    # theta_t <- theta_{t-1} - lr g_t
    add_scaled_(param, -lr, g)
    return b


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                 && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}           && \text{if } \lambda \ne 0 \\
        b_t &\leftarrow \begin{cases} g_t & t = 1 \\
                                      \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases}
                                                             && \text{if } \mu \ne 0 \\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \text{nesterov} \\
                                      b_t & \text{otherwise} \end{cases}
                                                             && \text{if } \mu \ne 0 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma g_t
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        momentum: momentum factor :math:`\mu` (default: 0).
        dampening: dampening :math:`\tau` of the gradient added to the buffer (default: 0).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``
            (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter, only when ``momentum != 0``):
        ``momentum_buffer``: :math:`b_t`.

    References:
        Robbins & Monro (1951), "A stochastic approximation method".
        Polyak (1964), "Some methods of speeding up the convergence of iteration methods".
        Sutskever et al. (2013), "On the importance of initialization and momentum in deep
        learning".

    .. note::
        Like PyTorch, the buffer starts as the first gradient (not as :math:`(1-\tau) g_1`),
        and the learning rate multiplies the whole buffer. Sutskever et al. write momentum as
        :math:`v_t = \mu v_{t-1} - \gamma g_t`, :math:`\theta_t = \theta_{t-1} + v_t`; the two
        agree while :math:`\gamma` is constant and differ after a learning-rate change.
        Nesterov here is the "look-ahead in the gradient" form :math:`g_t + \mu b_t`, not a
        gradient evaluated at a look-ahead point. Sparse gradients are supported as in
        PyTorch (without weight decay); complex parameters are updated as they are, which
        for these linear steps is the same as updating their real and imaginary parts.
        The update itself is :func:`sgd_`.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:  # torch's SGD checks this way round: a NaN lr passes
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(nesterov=False, maximize=False)
    step = stepper(sgd_, sparse=True, complex_as_real=False)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        return {}  # the momentum buffer starts as the first gradient, in sgd_

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: None) -> None:
        b = sgd_(p, grad, state.get("momentum_buffer"), **hp)
        if b is not None:
            state["momentum_buffer"] = b
