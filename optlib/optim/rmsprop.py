"""RMSprop: divide the gradient by a running RMS of recent gradients; centered, with momentum."""

from __future__ import annotations

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_product_,
    add_quotient_,
    add_scaled_,
    check_lr,
    check_nonnegative,
    group_defaults,
    lerp_,
    nonzero,
    regularize,
    restorer,
    scalar_state,
    stepper,
    zeros,
)

__all__ = ["RMSprop", "rmsprop_"]


def rmsprop_(
    param: Tensor,
    grad: Tensor,
    square_avg: Tensor,
    grad_avg: Tensor | None,
    momentum_buffer: Tensor | None,
    *,
    lr: Hyper,
    alpha: Hyper,
    eps: Hyper,
    weight_decay: Hyper,
    momentum: Hyper,
    centered: bool,
    maximize: bool,
) -> None:
    r"""One RMSprop step on ``param``, in place (the algorithm and its notes: :class:`RMSprop`).

    ``square_avg``, ``grad_avg`` (``None`` unless ``centered``) and ``momentum_buffer``
    (``None`` without momentum) are :math:`v, \bar g, b`, updated in place. A hyperparameter
    may be a number or an ``(N, 1)`` tensor, one value per row.
    """
    # g_t <- -g_t (maximize); g_t <- g_t + lambda theta_{t-1} (weight decay)
    g = regularize(param, grad, lr, weight_decay, maximize)
    v = square_avg
    # v_t <- alpha v_{t-1} + (1 - alpha) g_t^2
    add_product_(v.mul_(alpha), 1 - alpha, g, g)
    if centered:
        g_bar = grad_avg
        # g_bar_t <- alpha g_bar_{t-1} + (1 - alpha) g_t
        lerp_(g_bar, g, 1 - alpha)
        # denom <- sqrt(v_t - g_bar_t^2) + eps
        denom = v.addcmul(g_bar, g_bar, value=-1).sqrt_().add_(eps)
    else:
        # denom <- sqrt(v_t) + eps
        denom = v.sqrt().add_(eps)
    if momentum_buffer is not None and nonzero(momentum):
        b = momentum_buffer
        # b_t <- mu b_{t-1} + g_t / denom
        b.mul_(momentum).addcdiv_(g, denom)
        # theta_t <- theta_{t-1} - lr b_t
        add_scaled_(param, -lr, b)
    else:
        # theta_t <- theta_{t-1} - lr g_t / denom
        add_quotient_(param, -lr, g, denom)


class RMSprop(Optimizer):
    r"""RMSprop: the gradient divided by a running RMS of past gradients (``torch.optim.RMSprop``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`v_0 = \bar g_0 = b_0 = 0`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                      && \text{if maximize} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}                && \text{if } \lambda \ne 0 \\
        v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1 - \alpha)\, g_t && \text{if centered} \\
        \tilde v_t &\leftarrow \begin{cases} v_t - \bar g_t^2 & \text{centered} \\
                                             v_t & \text{otherwise} \end{cases} \\
        b_t &\leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) && \text{if } \mu > 0 \\
        \theta_t &\leftarrow \begin{cases} \theta_{t-1} - \gamma\, b_t & \mu > 0 \\
                          \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
                          & \text{otherwise} \end{cases}
        \end{aligned}

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        alpha: smoothing constant :math:`\alpha` of the running averages (default: 0.99).
        eps: :math:`\epsilon` added to :math:`\sqrt{\tilde v_t}` (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient (default: 0).
        momentum: momentum factor :math:`\mu` (default: 0).
        centered: divide by an estimate of the gradient's standard deviation
            :math:`\sqrt{v_t - \bar g_t^2}` instead of its RMS (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``square_avg``: :math:`v_t`.
        ``momentum_buffer``: :math:`b_t` (only when ``momentum > 0``).
        ``grad_avg``: :math:`\bar g_t` (only when ``centered``).

    References:
        Tieleman & Hinton (2012), "Lecture 6.5 - RMSprop: Divide the gradient by a running
        average of its recent magnitude", COURSERA: Neural Networks for Machine Learning.
        Graves (2013), "Generating sequences with recurrent neural networks" (centered
        version with momentum, eqs. 38-41).

    .. note::
        :math:`\epsilon` is added outside the square root, as in PyTorch; the lecture has no
        :math:`\epsilon`, Graves adds it inside (:math:`\sqrt{v_t - \bar g_t^2 + \epsilon}`,
        with :math:`\epsilon = 10^{-4}`), and so does TensorFlow. The default
        :math:`\alpha = 0.99` is PyTorch's; the lecture suggests 0.9 (Graves: 0.95).
        As in PyTorch's SGD, the momentum buffer holds the normalized gradient without the
        learning rate, which multiplies the whole buffer; Graves puts the learning rate
        inside the buffer. The two agree while :math:`\gamma` is constant.
        ``maximize`` is keyword-only here: PyTorch's positional ``capturable`` and
        ``foreach`` precede it and are not kept. The update itself is :func:`rmsprop_`.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_nonnegative(momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(momentum=0, centered=False, maximize=False)
    step = stepper(rmsprop_)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        state = {"step": scalar_state(0.0), "square_avg": zeros(p)}
        if nonzero(group["momentum"]):
            state["momentum_buffer"] = zeros(p)
        if group["centered"]:
            state["grad_avg"] = zeros(p)
        return state

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        # t is kept for PyTorch's state layout; the update does not use it
        v, g_bar, b = state["square_avg"], state.get("grad_avg"), state.get("momentum_buffer")
        rmsprop_(p, grad, v, g_bar, b, **hp)
