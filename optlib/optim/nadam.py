"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from optlib.optim._common import (
    Hyper,
    add_product_,
    add_quotient_,
    check_adam_args,
    check_nonnegative,
    group_defaults,
    lerp_,
    number,
    regularize,
    restorer,
    rows,
    scalar_state,
    stepper,
    zeros,
)

__all__ = ["NAdam", "nadam_"]


def nadam_(
    param: Tensor,
    grad: Tensor,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    mu_product: Tensor,
    *,
    step: float,
    lr: Hyper,
    beta1: Hyper,
    beta2: Hyper,
    eps: Hyper,
    weight_decay: Hyper,
    momentum_decay: Hyper,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    r"""One NAdam step on ``param``, in place (the algorithm and its notes: :class:`NAdam`).

    ``step`` is :math:`t`, counting this step; ``exp_avg``, ``exp_avg_sq`` and the 0-dim
    ``mu_product`` are :math:`m, v, \Pi`, updated in place. A hyperparameter may be a number
    or an ``(N, 1)`` tensor, one value per row (then ``mu_product`` is ``(N, 1)`` too).
    """
    # g_t <- -g_t (maximize); weight decay: g_t + lambda theta, or theta shrinks (decoupled)
    g = regularize(param, grad, lr, weight_decay, maximize, decoupled_weight_decay)
    m, v, psi = exp_avg, exp_avg_sq, momentum_decay
    # mu_t <- beta1 (1 - 0.5 * 0.96^(t psi)),  mu_{t+1} likewise
    mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi))
    # Pi_t <- Pi_{t-1} mu_t (rounded to Pi's float32, as in PyTorch)
    mu_product.mul_(mu.to(mu_product.dtype) if isinstance(mu, Tensor) else mu)
    pi = number(mu_product)
    # m_t <- beta1 m_{t-1} + (1 - beta1) g_t
    lerp_(m, g, 1 - beta1)
    # v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
    add_product_(v.mul_(beta2), 1 - beta2, g, g)
    # v_hat_t <- v_t / (1 - beta2^t)
    v_hat = v / (1 - beta2**step)
    denom = v_hat.sqrt_().add_(eps)
    # theta_t <- theta_{t-1} - lr m_hat_t / (sqrt(v_hat_t) + eps), one term at a time
    # of m_hat_t = (1 - mu_t) g_t / (1 - Pi_t) + mu_{t+1} m_t / (1 - Pi_t mu_{t+1})
    add_quotient_(param, -lr * (1 - mu) / (1 - pi), g, denom)
    add_quotient_(param, -lr * mu_next / (1 - pi * mu_next), m, denom)


class NAdam(Optimizer):
    r"""NAdam: Adam whose momentum step looks ahead like Nesterov's (``torch.optim.NAdam``).

    For each parameter :math:`\theta` with gradient :math:`g_t = \nabla f_t(\theta_{t-1})`,
    starting from :math:`m_0 = v_0 = 0` and :math:`\Pi_0 = 1`:

    .. math::

        \begin{aligned}
        g_t &\leftarrow -g_t                                  && \text{if maximize} \\
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
                                                              && \text{if decoupled weight decay} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}            && \text{else, if } \lambda \ne 0 \\
        \mu_t &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{\,t\psi}\big) \\
        \mu_{t+1} &\leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{\,(t+1)\psi}\big) \\
        \Pi_t &\leftarrow \Pi_{t-1}\, \mu_t \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat m_t &\leftarrow \frac{\mu_{t+1}\, m_t}{1 - \Pi_t \mu_{t+1}}
                            + \frac{(1 - \mu_t)\, g_t}{1 - \Pi_t} \\
        \hat v_t &\leftarrow v_t / (1 - \beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    :math:`\hat m_t` mixes the momentum one step ahead (weight :math:`\mu_{t+1}`) with the
    fresh gradient (weight :math:`1 - \mu_t`), each bias-corrected by the product of the
    momentum factors so far: Nesterov's look-ahead without a second gradient evaluation.

    Args:
        params: iterable of parameters or of dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 2e-3).
        betas: :math:`(\beta_1, \beta_2)`, the momentum and the decay rate of the squared
            gradient average (default: (0.9, 0.999)).
        eps: :math:`\epsilon` added to :math:`\sqrt{\hat v_t}` (default: 1e-8).
        weight_decay: weight decay :math:`\lambda` (default: 0).
        momentum_decay: :math:`\psi` of the momentum schedule (default: 4e-3).
        decoupled_weight_decay: decay :math:`\theta` directly, as in AdamW, instead of adding
            :math:`\lambda\theta` to the gradient (default: False).
        maximize: maximize the objective instead of minimizing it (default: False).

    State (per parameter):
        ``step``: :math:`t`, a 0-dim float32 CPU tensor (float64 under a float64 default dtype).
        ``mu_product``: :math:`\Pi_t`, a 0-dim tensor like ``step``.
        ``exp_avg``: :math:`m_t`.
        ``exp_avg_sq``: :math:`v_t`.

    References:
        Dozat (2016), "Incorporating Nesterov momentum into Adam".
        Loshchilov & Hutter (2019), "Decoupled weight decay regularization".

    .. note::
        The schedule :math:`\mu_t = \beta_1 (1 - \frac12 0.96^{t/250})` is Dozat's, with
        :math:`\psi = 1/250 = 0.004`. As in PyTorch (and Keras), :math:`m_t` averages with
        the constant :math:`\beta_1` and the schedule enters only the look-ahead mix and its
        bias correction. :math:`\Pi_t` is kept as a float32 tensor, so it is rounded to
        float32 every step like PyTorch's. The step applies the two terms of
        :math:`\hat m_t` one after the other, as PyTorch does: a single combined update
        rounds :math:`\theta` once instead of twice per step, and in float32 that drifts by
        a few 1e-6 from PyTorch over 100 small steps. Weight decay is not in the paper.
        The update itself is :func:`nadam_`.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        check_nonnegative(momentum_decay=momentum_decay)
        super().__init__(params, group_defaults(locals()))

    __setstate__ = restorer(maximize=False, decoupled_weight_decay=False)
    step = stepper(nadam_)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        # Pi_0 <- 1 (one per row when the momentum schedule is swept)
        pi = rows(scalar_state(1.0), group["betas"][0], group["momentum_decay"])
        return {
            "step": scalar_state(0.0),
            "mu_product": pi,
            "exp_avg": zeros(p),
            "exp_avg_sq": zeros(p),
        }

    def _update(self, p: Tensor, grad: Tensor, state: dict, hp: dict, t: float) -> None:
        m, v, pi = state["exp_avg"], state["exp_avg_sq"], state["mu_product"]
        nadam_(p, grad, m, v, pi, step=t, **hp)
