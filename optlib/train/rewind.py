"""Going back to the last finite state after a blow-up, without a copy at every step.

When training diverges, the step that overflowed may have left parameters at ``inf`` or
``nan``, and the forward pass that noticed it may have spoiled buffers such as batch-norm
running statistics. The fix is to go back to the state after an earlier step. Copying the model
before every step would cost a noticeable share of a small network's step, so
:class:`Rewind` keeps a copy only every ``every`` steps (and only of a finite state), together
with the optimizer, scheduler and random states, and remembers the batches since. To go back,
it restores the copy and replays those batches: the same operations on the same data give the
same numbers (bit for bit on a CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.optim import Optimizer

__all__ = ["Rewind", "all_finite"]


def _clone(obj: Any) -> Any:
    """A copy of a state dict: tensors cloned, containers rebuilt, everything else shared."""
    if isinstance(obj, Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return type(obj)((k, _clone(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_clone(v) for v in obj)
    return obj


def all_finite(model: nn.Module) -> bool:
    """Whether every floating-point parameter and buffer of ``model`` is finite."""
    return all(
        bool(torch.isfinite(t).all()) for t in model.state_dict().values() if t.is_floating_point()
    )


class Rewind:
    """Snapshots every ``every`` steps plus a replay log; see the module docstring.

    Args:
        model: the model being trained.
        optimizer: its optimizer.
        scheduler: its scheduler, or ``None``.
        replay: ``replay(xb, yb)`` performs one training step exactly as the loop does.
        steps_done: the number of steps already taken (the snapshot's step).
        every: steps between snapshots (default: 64).
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer: Optimizer,
        scheduler: Any | None,
        replay: Callable[[Tensor, Tensor], None],
        steps_done: int,
        every: int = 64,
    ) -> None:
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.replay, self.every = replay, every
        self.batches: list[tuple[Tensor, Tensor]] = []
        self._save(steps_done)

    def _save(self, step: int) -> None:
        self.saved_step = step
        self.saved = _clone(
            {
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            }
        )
        self.rng = torch.get_rng_state()
        self.cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
        self.batches = []

    def record(self, xb: Tensor, yb: Tensor, step: int) -> None:
        """Log the batch of step ``step``, just taken; take a snapshot when one is due."""
        self.batches.append((xb, yb))
        if len(self.batches) >= self.every and all_finite(self.model):
            self._save(step)

    def to_step(self, step: int) -> None:
        """Put model, optimizer, scheduler and RNG in their state after step ``step``."""
        n = step - self.saved_step
        if not 0 <= n <= len(self.batches):
            raise RuntimeError(
                f"cannot rewind to step {step}: the log covers steps "
                f"{self.saved_step}..{self.saved_step + len(self.batches)}"
            )
        saved = _clone(self.saved)  # loading may alias the saved tensors
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(self.rng)
        if self.cuda_rng:
            torch.cuda.set_rng_state_all(self.cuda_rng)
        for xb, yb in self.batches[:n]:
            self.replay(xb, yb)

    def to_last_finite(self, step: int) -> int:
        """After step ``step`` went wrong: the latest of ``step``, ``step - 1`` whose state is
        finite (or the earliest one logged). Returns the step the model now holds."""
        if all_finite(self.model):
            return step
        first = max(step - 1, self.saved_step)
        for target in range(step, first - 1, -1):
            self.to_step(target)
            if all_finite(self.model):
                return target
        return first
