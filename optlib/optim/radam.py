"""RAdam: Adam with the variance of its adaptive learning rate rectified."""

from __future__ import annotations

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_product_,
    add_scaled_,
    check_adam_args,
    group_defaults,
    lerp_,
    regularize,
    restorer,
    scalar_state,
    sqrt,
    stepper,
    where,
    zeros,
)

__all__ = ["RAdam", "radam_"]


def radam_(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    *,
    step: float,
    lr: Hyper,
    beta1: Hyper,
    beta2: Hyper,
    eps: Hyper,
    weight_decay: Hyper,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    r"""One RAdam step on ``param``, in place (the algorithm and its notes: :class:`RAdam`).

    ``step`` is :math:`t`, counting this step; ``exp_avg`` and ``exp_avg_sq`` are :math:`m`
    and :math:`v`, updated in place. A hyperparameter may be a number or an ``(N, 1)``
    tensor, one value per row; then rows with :math:`\rho_t \le 5` take the momentum step.
    """
    # g_t <- -g_t (maximize); weight decay: g_t + lambda theta, or theta shrinks (decoupled)
    g = regularize(param, grad, lr, weight_decay, maximize, decoupled_weight_decay)
    m, v = exp_avg, exp_avg_sq
    # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
    lerp_(m, g, 1 - beta1)
    # v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
    add_product_(v.mul_(beta2), 1 - beta2, g, g)
    # m_hat_t <- m_t / (1 - beta1^t)
    m_hat = m / (1 - beta1**step)
    # rho_inf <- 2 / (1 - beta2) - 1
    rho_inf = 2 / (1 - beta2) - 1
    # rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
    rho_t = rho_inf - 2 * step * beta2**step / (1 - beta2**step)
    rectified = rho_t > 5
    if not rectified.any() if isinstance(rectified, Tensor) else not rectified:
        # theta_t <- theta_{t-1} - lr m_hat_t
        add_scaled_(param, -lr, m_hat)
        return
    # l_t <- sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
    l_t = sqrt(1 - beta2**step) / v.sqrt().add_(eps)
    # r_t <- sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))
    r_t = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    # (per row: r_t l_t <- 1 where rho_t <= 5, the momentum step above)
    r_t, l_t = where(rectified, r_t, 1.0), where(rectified, l_t, 1.0)
    # theta_t <- theta_{t-1} - lr r_t m_hat_t l_t
    add_product_(param, -lr * r_t, m_hat, l_t)


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
        not in the paper. The update itself is :func:`radam_`.
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
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(maximize=False, decoupled_weight_decay=False)
    step = stepper(radam_)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        return {"step": scalar_state(0.0), "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        radam_(p, grad, state["exp_avg"], state["exp_avg_sq"], step=t, **hp)
