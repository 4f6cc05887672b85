r"""Mini-batches: shuffle the indices, then cut them into consecutive pieces.

An epoch is one pass over the :math:`n` training points. With a random permutation
:math:`\pi` of :math:`\{0, \dots, n-1\}` and batch size :math:`B`, batch :math:`k` is

.. math::

    \mathcal{B}_k = \{\pi_{kB}, \pi_{kB+1}, \dots, \pi_{\min((k+1)B,\, n) - 1}\},
    \qquad k = 0, \dots, \lceil n / B \rceil - 1,

so every point is used exactly once per epoch. When :math:`B` does not divide :math:`n` the
last batch holds the :math:`n \bmod B` remaining points; ``drop_last`` discards it (every step
then averages over the same number of points, at the cost of skipping a few per epoch).

A seeded :class:`torch.Generator` draws a fresh permutation each epoch, so epochs differ from
one another but a run repeats exactly. This is what ``torch.utils.data.DataLoader`` with
``shuffle=True`` does, without its per-sample collation (which costs more than a small
network's step).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor

from optlib._argcheck import MAX_SAMPLES, flag, integer, tensor
from optlib._argcheck import seed as check_seed

__all__ = ["MiniBatches", "batch_indices", "check_batch_size"]


def check_batch_size(batch_size: int) -> int:
    """``batch_size`` as an ``int``; ``ValueError`` unless it is an integer >= 1."""
    return integer("batch_size", batch_size, 1)


def batch_indices(
    n: int,
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
    generator: torch.Generator | None = None,
) -> list[Tensor]:
    """The index batches of one epoch over ``n`` points.

    Args:
        n: number of points (>= 1).
        batch_size: points per batch (>= 1).
        shuffle: permute the indices first (default: True); otherwise ``0, 1, ..., n-1``.
        drop_last: discard a last batch smaller than ``batch_size`` (default: False).
        generator: source of the permutation (default: None, the global torch generator).
            Pass a seeded one to make epochs reproducible; each call advances it.

    Returns:
        A list of ``int64`` index tensors: ``n // batch_size`` full batches, then the remainder
        unless ``drop_last``. Empty when ``drop_last`` and ``n < batch_size``.
    """
    n, batch_size = integer("n", n, 1, MAX_SAMPLES), check_batch_size(batch_size)
    shuffle, drop_last = flag("shuffle", shuffle), flag("drop_last", drop_last)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    batches = list(torch.split(order, batch_size))
    if drop_last and len(batches[-1]) < batch_size:
        batches.pop()
    return batches


class MiniBatches:
    """An iterable over ``(X_batch, y_batch)`` pairs; each ``iter()`` is a new epoch.

    It owns a :class:`torch.Generator` seeded with ``seed``, so the sequence of epochs is
    reproducible, and its :meth:`state_dict` (the generator state, a ``ByteTensor``) lets a
    checkpoint resume the sequence exactly.

    Args:
        X: inputs, first dimension ``n``.
        y: targets, first dimension ``n``.
        batch_size: points per batch; ``None`` means the full batch (default: None).
        shuffle: draw a new permutation every epoch (default: True).
        drop_last: discard a last, smaller batch (default: False).
        seed: seed of the permutations (default: 0).

    A full batch (``batch_size >= n``) is the data itself, in order: shuffling one batch
    changes nothing but the rounding of the loss's sum.
    """

    def __init__(
        self,
        X: Tensor,
        y: Tensor,
        batch_size: int | None = None,
        *,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int = 0,
    ) -> None:
        tensor("X", X), tensor("y", y)
        if len(X) != len(y):
            raise ValueError(
                f"Invalid y: {len(y)} targets for {len(X)} samples in X (must have the same length)"
            )
        if len(X) == 0:
            raise ValueError("Invalid X: the data set is empty (0 samples)")
        batch_size = check_batch_size(len(X) if batch_size is None else batch_size)
        if drop_last and batch_size > len(X):
            raise ValueError(
                f"Invalid batch_size: {batch_size} is larger than the {len(X)} samples, "
                "so drop_last=True leaves no batch"
            )
        self.X, self.y = X, y
        self.batch_size, self.shuffle = batch_size, flag("shuffle", shuffle)
        self.drop_last = flag("drop_last", drop_last)
        self.generator = torch.Generator().manual_seed(check_seed("seed", seed))

    def __len__(self) -> int:
        n, b = len(self.X), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        n = len(self.X)
        if self.batch_size >= n:  # full batch: the order does not matter, no copy needed
            yield self.X, self.y
            return
        on_cpu = self.X.device.type == "cpu"
        for idx in batch_indices(
            n,
            self.batch_size,
            shuffle=self.shuffle,
            drop_last=self.drop_last,
            generator=self.generator,
        ):
            if not on_cpu:
                idx = idx.to(self.X.device)
            yield self.X[idx], self.y[idx]

    def state_dict(self) -> dict[str, Tensor]:
        """The generator state, a ``ByteTensor`` (safe for ``torch.load(weights_only=True)``)."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.generator.set_state(state["generator"])
