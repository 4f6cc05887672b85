r"""Metrics for :func:`~optlib.train.fit`: functions ``metric(output, target) -> float``.

A metric is what we report, not what we minimize: the loss must be differentiable, a metric
only has to mean something to a person (a share of correct labels, an error in percent).
"""

from __future__ import annotations

from torch import Tensor

from optlib._argcheck import real

__all__ = ["accuracy", "mape"]


def _tensors(output: object, target: object) -> None:
    for name, t in (("output", output), ("target", target)):
        if not isinstance(t, Tensor):
            raise TypeError(f"Invalid {name}: a {type(t).__name__} (must be a tensor)")


def accuracy(output: Tensor, target: Tensor) -> float:
    r"""Share of correct labels, :math:`\frac1n \sum_i [\arg\max_k o_{ik} = t_i]`.

    Args:
        output: logits or probabilities, shape ``(n, K)``; or shape ``(n,)`` / ``(n, 1)``
            logits of a binary classifier (class 1 when positive).
        target: integer labels, shape ``(n,)`` (or ``(n, 1)``).

    Raises:
        ValueError: if ``target`` does not hold one label per row of ``output``.
    """
    _tensors(output, target)
    if output.ndim == 0 or target.ndim == 0 or target.numel() != output.shape[0]:
        raise ValueError(
            f"Invalid target: shape {tuple(target.shape)} vs output "
            f"{tuple(output.shape)} (must hold one label per row of output)"
        )
    if output.ndim > 2:
        raise ValueError(
            f"Invalid output: shape {tuple(output.shape)} (must be (n, K), (n, 1) or (n,))"
        )
    if output.ndim == 2 and output.shape[1] > 1:
        pred = output.argmax(dim=1)
    else:
        pred = (output.reshape(-1) > 0).long()
    return (pred == target.reshape(-1)).float().mean().item()


def mape(output: Tensor, target: Tensor, eps: float = 1e-8) -> float:
    r"""Mean absolute percentage error.

    .. math::

        \text{MAPE} = \frac{100}{n} \sum_{i=1}^n \frac{|o_i - t_i|}{\max(|t_i|, \epsilon)}

    Scale-free, so "below 5 %" means the same for any units; undefined near zero targets,
    which ``eps`` only keeps finite.

    Args:
        output: predictions, any shape.
        target: targets, the same number of elements.
        eps: smallest denominator (default: 1e-8).
    """
    _tensors(output, target)
    eps = real("eps", eps, low=0, low_open=True, what="a number > 0")
    o, t = output.reshape(-1), target.reshape(-1)
    if o.shape != t.shape:
        raise ValueError(
            f"Invalid target: shape {tuple(target.shape)} vs output "
            f"{tuple(output.shape)} (must have as many elements)"
        )
    return (100 * (o - t).abs() / t.abs().clamp_min(eps)).mean().item()
