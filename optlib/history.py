"""What a training run records, and what a stopping criterion sees while it runs.

A :class:`History` is plain lists of numbers and strings, so it can be plotted
(``optlib.viz.loss_curves({"run": history})`` reads ``history.losses`` and ``history.diverged``),
turned into JSON, and stored in a checkpoint that ``torch.load(weights_only=True)`` accepts.

This module is the schema of a run's record and depends on no other part of optlib:
:func:`optlib.train.fit` writes a History, :mod:`optlib.stopping` reads one, and neither
imports the other's internals through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from torch import nn

__all__ = ["STEP_KEYS", "History", "TrainState", "is_step_series", "lr_key"]

STEP_KEYS = ("loss", "lr", "grad_norm")
"""The step series every History holds (see :class:`History`)."""


def lr_key(group: int) -> str:
    """The step series of parameter group ``group``'s learning rate: ``"lr"`` for group 0
    (the name every History has always used), ``"lr/1"``, ``"lr/2"``, ... for the others."""
    return "lr" if group == 0 else f"lr/{group}"


def is_step_series(key: str) -> bool:
    """Whether ``key`` names a per-step series (else it is a per-epoch one)."""
    return key in STEP_KEYS or key == "params" or key.startswith("lr/")


@dataclass
class History:
    """The record of a :func:`~optlib.train.fit` run.

    Attributes:
        steps: one entry per optimizer step: ``"loss"`` (the mini-batch loss before the
            step), ``"lr"`` (the learning rate of the first parameter group used by the step)
            and ``"grad_norm"`` (the Euclidean norm of all gradients together); with more
            than one parameter group also ``"lr/1"``, ``"lr/2"``, ... (the learning rates of
            the other groups, see :func:`lr_key`); with
            ``fit(..., record_params=True)`` also ``"params"`` (the trainable parameters after
            the step, one flat list of floats).
        epochs: one entry per epoch: ``"epoch"`` (1, 2, ...), ``"step"`` (steps taken so far),
            ``"train_loss"`` (the batch-size weighted mean of the epoch's step losses),
            ``"val_loss"`` when there is validation data, ``"train_<metric>"`` and
            ``"val_<metric>"`` for each metric, and ``"time"`` (seconds since training began,
            summed over resumed runs). An epoch cut short by a stopping criterion is recorded
            too, with its smaller ``"step"``.
        stop_reason: why training stopped, in words.
        diverged: whether it stopped because the loss (or gradient) stopped being finite or a
            :class:`~optlib.stopping.Divergence` criterion fired.
    """

    steps: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in STEP_KEYS})
    epochs: dict[str, list[Any]] = field(default_factory=dict)
    stop_reason: str = ""
    diverged: bool = False

    @property
    def losses(self) -> list[float]:
        """The step losses (what :func:`optlib.viz.loss_curves` draws)."""
        return self.steps["loss"]

    @property
    def n_steps(self) -> int:
        return len(self.steps["loss"])

    @property
    def n_epochs(self) -> int:
        return len(self.epochs.get("epoch", []))

    def last(self, key: str) -> Any:
        """The latest value of a step or epoch series, or ``None`` if it is empty."""
        series = self.series(key)
        return series[-1] if series else None

    def series(self, key: str) -> list[Any]:
        """A step series (``"loss"``, ``"lr"``, ``"grad_norm"``, ...) or an epoch series."""
        if key in self.steps:
            return self.steps[key]
        if key in self.epochs:
            return self.epochs[key]
        raise KeyError(f"no series {key!r}; recorded: {sorted(self.steps) + sorted(self.epochs)}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, floats, ints and strings (JSON and ``weights_only`` safe)."""
        return {
            "steps": {k: list(v) for k, v in self.steps.items()},
            "epochs": {k: list(v) for k, v in self.epochs.items()},
            "stop_reason": self.stop_reason,
            "diverged": self.diverged,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(
            steps={k: list(v) for k, v in d["steps"].items()},
            epochs={k: list(v) for k, v in d["epochs"].items()},
            stop_reason=str(d["stop_reason"]),
            diverged=bool(d["diverged"]),
        )


@dataclass
class TrainState:
    """What a stopping criterion sees: counters, the clock, the record and the model.

    Attributes:
        step: optimizer steps taken so far.
        epoch: epochs completed so far (an epoch in progress does not count).
        elapsed: seconds of training so far (summed over resumed runs).
        history: everything recorded so far.
        model: the model being trained (early stopping copies its weights).
    """

    step: int
    epoch: int
    elapsed: float
    history: History
    model: nn.Module | None = None

    @property
    def loss(self) -> float | None:
        """The latest step loss."""
        return self.history.last("loss")
