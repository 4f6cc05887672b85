r"""When to stop training: small criteria that compose with ``|`` and ``&``.

A criterion looks at the state of a run (a :class:`~optlib.history.TrainState`: steps,
epochs, elapsed time, the recorded history and the model) and answers "stop now?". When it
says yes, its :attr:`~Criterion.reason` says why, in words. Criteria combine:

.. math::

    (c_1 \mid c_2)(s) = c_1(s) \lor c_2(s), \qquad (c_1 \,\&\, c_2)(s) = c_1(s) \land c_2(s),

so ``MaxEpochs(200) | EarlyStopping(patience=10)`` stops at whichever comes first, and
``LossBelow(1e-3) & MaxEpochs(10)`` stops at the first epoch after the tenth with a small loss.

A criterion reads a series by name (its ``monitor``): the step series ``"loss"``, ``"lr"``,
``"lr/1"``, ..., ``"grad_norm"`` (checked after every step) or an epoch series such as
``"train_loss"``, ``"val_loss"``, ``"val_mape"`` (checked at the end of every epoch; see
:class:`~optlib.history.History`). :func:`~optlib.train.fit` checks before training that
every monitored series will exist. Criteria that compare values say which way is better with
one word, ``mode="min"`` (a loss, an error) or ``mode="max"`` (an accuracy). :func:`replay`
asks a criterion after the fact, on a recorded run.

References:
    Prechelt (1998), "Early stopping - but when?", in *Neural Networks: Tricks of the Trade*.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, sec. 7.8 (early stopping).
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Literal

from torch import Tensor

from optlib._argcheck import flag, integer, real
from optlib.history import History, TrainState, is_step_series

__all__ = [
    "AllOf",
    "AnyOf",
    "Criterion",
    "Divergence",
    "EarlyStopping",
    "LossBelow",
    "LossChangeBelow",
    "MaxEpochs",
    "MaxSteps",
    "MetricThreshold",
    "Plateau",
    "TimeBudget",
    "replay",
]

Mode = Literal["min", "max"]


def _values(state: TrainState, monitor: str) -> list[float]:
    h = state.history
    return h.steps.get(monitor, []) if is_step_series(monitor) else h.epochs.get(monitor, [])


def _where(monitor: str, index: int) -> str:
    """``index`` is 0-based in the series; steps and epochs are counted from 1."""
    return f"{'step' if is_step_series(monitor) else 'epoch'} {index + 1}"


def _mode(mode: str) -> None:
    if not isinstance(mode, str) or mode not in ("min", "max"):
        old = {"below": " ('below' is now 'min')", "above": " ('above' is now 'max')"}
        hint = old.get(mode, "") if isinstance(mode, str) else ""
        raise ValueError(f"Invalid mode: {mode!r} (must be 'min' or 'max'){hint}")


def _monitor(monitor: str) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"Invalid monitor: {monitor!r} (must be the name of a recorded series)")
    return monitor


def nonfinite_reason(what: str, value: float, where: str) -> str:
    """The words of a divergence stop; shared by :class:`Divergence` and ``fit``."""
    return f"diverged: {what} is {value} at {where}"


class Criterion:
    """Base class: subclasses implement :meth:`_check`, returning a reason or ``None``.

    Attributes:
        reason: why it last said "stop" ("" if it did not).
        triggered: whether its last answer was "stop".
        diverged: whether it stopped because the run diverged.
        per_step: whether it must be checked after every step (else once per epoch).
    """

    per_step: bool = False

    def __init__(self) -> None:
        self.reason = ""
        self.triggered = False
        self.diverged = False

    def _check(self, state: TrainState) -> str | None:
        raise NotImplementedError

    def __call__(self, state: TrainState) -> bool:
        self.diverged = False
        reason = self._check(state)
        self.triggered = reason is not None
        self.reason = reason or ""
        return self.triggered

    def monitors(self) -> set[str]:
        """The series this criterion reads."""
        monitor = getattr(self, "monitor", None)
        return {monitor} if monitor else set()

    def reset(self) -> None:
        """Forget everything from a previous run (``fit`` calls it before a fresh run)."""
        self.reason, self.triggered, self.diverged = "", False, False

    def on_stop(self, state: TrainState) -> None:
        """Called by ``fit`` once training has stopped (early stopping restores weights)."""

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint must keep to resume this criterion (tensors and plain values)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass

    def __or__(self, other: Criterion) -> AnyOf:
        return AnyOf(self, other)

    def __and__(self, other: Criterion) -> AllOf:
        return AllOf(self, other)

    def __repr__(self) -> str:
        names = inspect.signature(type(self).__init__).parameters
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in names if hasattr(self, k))
        return f"{type(self).__name__}({args})"


class _Composite(Criterion):
    joiner = ""

    def __init__(self, *criteria: Criterion) -> None:
        super().__init__()
        flat: list[Criterion] = []
        for c in criteria:
            if not isinstance(c, Criterion):
                raise TypeError(
                    f"Invalid criteria: {c!r} (can only combine stopping criteria, "
                    f"got {type(c).__name__})"
                )
            flat.extend(c.criteria if type(c) is type(self) else [c])
        self.criteria = flat
        self.per_step = any(c.per_step for c in flat)

    def _answers(self, state: TrainState) -> list[bool]:
        # Ask every criterion, even after one says yes: stateful ones (early stopping) must
        # see every epoch.
        return [c(state) for c in self.criteria]

    def _join(self) -> str:
        fired = [c for c in self.criteria if c.triggered]
        self.diverged = any(c.diverged for c in fired)
        return self.joiner.join(c.reason for c in fired)

    def monitors(self) -> set[str]:
        return set().union(*(c.monitors() for c in self.criteria))

    def reset(self) -> None:
        super().reset()
        for c in self.criteria:
            c.reset()

    def on_stop(self, state: TrainState) -> None:
        for c in self.criteria:
            c.on_stop(state)

    def state_dict(self) -> dict[str, Any]:
        return {"criteria": [c.state_dict() for c in self.criteria]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for c, s in zip(self.criteria, state["criteria"], strict=True):
            c.load_state_dict(s)

    def __repr__(self) -> str:
        return "(" + f" {self.symbol} ".join(map(repr, self.criteria)) + ")"


class AnyOf(_Composite):
    """Stop when any of the criteria holds (``c1 | c2``); the reason lists those that hold."""

    joiner, symbol = "; ", "|"

    def _check(self, state: TrainState) -> str | None:
        return self._join() if any(self._answers(state)) else None


class AllOf(_Composite):
    """Stop when all of the criteria hold at once (``c1 & c2``)."""

    joiner, symbol = " and ", "&"

    def _check(self, state: TrainState) -> str | None:
        return self._join() if all(self._answers(state)) else None


class MaxSteps(Criterion):
    """Stop after ``max_steps`` optimizer steps (checked after every step).

    Args:
        max_steps: the step budget (>= 1).
    """

    per_step = True

    def __init__(self, max_steps: int) -> None:
        max_steps = integer("max_steps", max_steps, 1)
        super().__init__()
        self.max_steps = max_steps

    def _check(self, state: TrainState) -> str | None:
        if state.step >= self.max_steps:
            return f"reached the step budget: {state.step} steps (max_steps={self.max_steps})"
        return None


class MaxEpochs(Criterion):
    """Stop after ``max_epochs`` epochs.

    Args:
        max_epochs: the epoch budget (>= 1).
    """

    def __init__(self, max_epochs: int) -> None:
        max_epochs = integer("max_epochs", max_epochs, 1)
        super().__init__()
        self.max_epochs = max_epochs

    def _check(self, state: TrainState) -> str | None:
        if state.epoch >= self.max_epochs:
            return f"reached the epoch budget: {state.epoch} epochs (max_epochs={self.max_epochs})"
        return None


class TimeBudget(Criterion):
    """Stop once training has run for ``seconds`` (checked after every step).

    Args:
        seconds: the time budget in seconds (> 0).
    """

    per_step = True

    def __init__(self, seconds: float) -> None:
        seconds = real("seconds", seconds, low=0, low_open=True, what="a number > 0")
        super().__init__()
        self.seconds = seconds

    def _check(self, state: TrainState) -> str | None:
        if state.elapsed >= self.seconds:
            return f"ran out of time: {state.elapsed:.3g} s of a {self.seconds:g} s budget"
        return None


class MetricThreshold(Criterion):
    r"""Stop when the latest value of ``monitor`` reaches ``threshold``.

    ``mode="min"`` (a quantity to minimize, such as a loss or an error) stops at
    :math:`v_t < \text{threshold}`, ``mode="max"`` (a score, such as accuracy) at
    :math:`v_t > \text{threshold}`. The monitor may be any series, for instance a validation
    metric that is not the training loss: ``MetricThreshold("val_mape", 5.0)``.

    Args:
        monitor: the series to watch, e.g. ``"val_mape"``, ``"val_accuracy"``.
        threshold: the value to reach.
        mode: ``"min"`` or ``"max"``, as in :class:`EarlyStopping` and :class:`Plateau`
            (default: ``"min"``).
    """

    def __init__(self, monitor: str, threshold: float, mode: Mode = "min") -> None:
        _mode(mode)
        threshold = real("threshold", threshold)
        super().__init__()
        self.monitor, self.threshold, self.mode = _monitor(monitor), threshold, mode
        self.per_step = is_step_series(monitor)

    def _check(self, state: TrainState) -> str | None:
        values = _values(state, self.monitor)
        if not values:
            return None
        v = values[-1]
        crossed = v < self.threshold if self.mode == "min" else v > self.threshold
        if crossed:
            side = "below" if self.mode == "min" else "above"
            return (
                f"{self.monitor} = {v:.4g} at {_where(self.monitor, len(values) - 1)} is "
                f"{side} the threshold {self.threshold:g}"
            )
        return None


class LossBelow(MetricThreshold):
    """Stop when the loss falls below ``threshold`` (``MetricThreshold(monitor, threshold)``).

    Args:
        threshold: the target loss.
        monitor: which loss (default: ``"train_loss"``, the epoch's mean; ``"loss"`` for the
            step loss, ``"val_loss"`` for the validation loss).
    """

    def __init__(self, threshold: float, monitor: str = "train_loss") -> None:
        super().__init__(monitor, threshold, "min")


class LossChangeBelow(Criterion):
    r"""Stop when the loss changes by less than ``tol`` from one epoch to the next.

    .. math::

        |L_t - L_{t-1}| < \text{tol} \qquad\text{or, if relative,}\qquad
        |L_t - L_{t-1}| < \text{tol}\cdot|L_{t-1}|

    Args:
        tol: the tolerance (> 0).
        monitor: the series (default: ``"train_loss"``).
        relative: compare the change with :math:`|L_{t-1}|` (default: False).
    """

    def __init__(self, tol: float, monitor: str = "train_loss", relative: bool = False) -> None:
        tol = real("tol", tol, low=0, low_open=True, what="a number > 0")
        super().__init__()
        self.tol, self.monitor, self.relative = tol, _monitor(monitor), flag("relative", relative)
        self.per_step = is_step_series(monitor)

    def _check(self, state: TrainState) -> str | None:
        values = _values(state, self.monitor)
        if len(values) < 2:
            return None
        prev, last = values[-2], values[-1]
        change = abs(last - prev)
        bound = self.tol * abs(prev) if self.relative else self.tol
        if change < bound:
            kind = "relative change" if self.relative else "change"
            return (
                f"converged: {self.monitor} changed by {change:.3g} between "
                f"{_where(self.monitor, len(values) - 2)} and "
                f"{_where(self.monitor, len(values) - 1)} ({kind} tolerance {self.tol:g})"
            )
        return None


class Plateau(Criterion):
    r"""Stop when the moving average over ``window`` values stops improving by ``tol``.

    With :math:`\bar L_t = \frac1w \sum_{i=t-w+1}^{t} L_i`, the mean of the last :math:`w`
    values, it compares two consecutive, non-overlapping windows and stops when

    .. math::

        \bar L_{t-w} - \bar L_t < \text{tol} \quad(\text{mode min}), \qquad
        \bar L_t - \bar L_{t-w} < \text{tol} \quad(\text{mode max}).

    Averaging smooths the noise of mini-batch losses, so a plateau is not mistaken for one
    unlucky epoch. It needs :math:`2w` values before it can fire.

    Args:
        window: the window :math:`w` (>= 1).
        tol: the smallest improvement that counts (default: 1e-4).
        monitor: the series (default: ``"train_loss"``; ``"loss"`` for step losses).
        mode: ``"min"`` for losses, ``"max"`` for scores like accuracy (default: ``"min"``).
    """

    def __init__(
        self, window: int, tol: float = 1e-4, monitor: str = "train_loss", mode: Mode = "min"
    ) -> None:
        window = integer("window", window, 1)
        tol = real("tol", tol, low=0, what="a number >= 0")
        _mode(mode)
        super().__init__()
        self.window, self.tol, self.monitor, self.mode = window, tol, _monitor(monitor), mode
        self.per_step = is_step_series(monitor)

    def _check(self, state: TrainState) -> str | None:
        values, w = _values(state, self.monitor), self.window
        if len(values) < 2 * w:
            return None
        before = sum(values[-2 * w : -w]) / w
        after = sum(values[-w:]) / w
        gain = before - after if self.mode == "min" else after - before
        if gain < self.tol:
            return (
                f"plateau: the mean {self.monitor} over the last {w} went from "
                f"{before:.4g} to {after:.4g} (improvement {gain:.3g} < tol {self.tol:g})"
            )
        return None


class EarlyStopping(Criterion):
    r"""Stop when ``monitor`` has not improved for ``patience`` epochs; restore the best weights.

    After each epoch :math:`t` with value :math:`v_t`, an improvement is
    :math:`v_t < v^* - \delta` (mode min) or :math:`v_t > v^* + \delta` (mode max), where
    :math:`v^*` is the best value so far and :math:`\delta` = ``min_delta``. An improvement
    resets a counter and keeps a copy of the model's weights; otherwise the counter grows, and
    training stops when it reaches ``patience``. Then, if ``restore_best_weights``, the model
    gets back the weights of the best epoch.

    Args:
        patience: epochs without improvement to wait (>= 1) (default: 5).
        monitor: an epoch series (default: ``"val_loss"``).
        mode: ``"min"`` or ``"max"`` (default: ``"min"``).
        min_delta: the smallest change that counts as an improvement (default: 0).
        restore_best_weights: load the best weights when it stops (default: True).

    .. note::
        Like Keras' ``EarlyStopping``, it restores the weights only when it is the criterion
        that stops training, not when another one (say a step budget) does.
    """

    def __init__(
        self,
        patience: int = 5,
        monitor: str = "val_loss",
        mode: Mode = "min",
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
    ) -> None:
        patience = integer("patience", patience, 1)
        if is_step_series(_monitor(monitor)):
            raise ValueError(f"Invalid monitor: {monitor!r} (early stopping needs an epoch series)")
        _mode(mode)
        min_delta = real("min_delta", min_delta, low=0, what="a number >= 0")
        super().__init__()
        self.patience, self.monitor, self.mode = patience, monitor, mode
        self.min_delta = min_delta
        self.restore_best_weights = flag("restore_best_weights", restore_best_weights)
        self._clear()

    def _clear(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch, self.wait, self._seen = 0, 0, 0
        self._best_state: dict[str, Tensor] = {}

    def reset(self) -> None:
        super().reset()
        self._clear()

    def _improved(self, v: float) -> bool:
        if not math.isfinite(v):
            return False
        if self.mode == "min":
            return v < self.best - self.min_delta
        return v > self.best + self.min_delta

    def _check(self, state: TrainState) -> str | None:
        values = _values(state, self.monitor)
        while self._seen < len(values):  # each epoch once, however often we are asked
            v = values[self._seen]
            self._seen += 1
            if self._improved(v):
                self.best, self.best_epoch, self.wait = v, self._seen, 0
                if self.restore_best_weights and state.model is not None:
                    self._best_state = {
                        k: t.detach().clone() for k, t in state.model.state_dict().items()
                    }
            else:
                self.wait += 1
        if self.wait >= self.patience:
            restore = (
                f"; restored the weights of epoch {self.best_epoch}"
                if self.restore_best_weights and self._best_state
                else ""
            )
            return (
                f"early stopping: {self.monitor} has not improved for {self.wait} epochs "
                f"(patience {self.patience}); best {self.best:.4g} at epoch "
                f"{self.best_epoch}{restore}"
            )
        return None

    def on_stop(self, state: TrainState) -> None:
        if self.triggered and self.restore_best_weights and self._best_state and state.model:
            state.model.load_state_dict(self._best_state)

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "seen": self._seen,
            "best_state": dict(self._best_state),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])
        self.wait, self._seen = int(state["wait"]), int(state["seen"])
        self._best_state = dict(state["best_state"])


class Divergence(Criterion):
    r"""Stop when ``monitor`` is not finite, exceeds ``threshold``, or grows by ``factor``.

    With :math:`v_1` the first value and :math:`v_t` the latest, it fires when
    :math:`v_t \notin \mathbb{R}`, when :math:`v_t > \text{threshold}`, or when
    :math:`v_t > \text{factor}\cdot v_1`. ``fit`` always stops on a non-finite loss or gradient
    by itself (with the same words) and keeps the last finite parameters; this criterion adds
    the earlier warnings of a blow-up.

    Args:
        threshold: the largest acceptable value (default: None, no limit).
        factor: the largest acceptable growth over the first value (> 1) (default: None).
        monitor: the series (default: ``"loss"``, the step loss, checked every step).
    """

    def __init__(
        self, threshold: float | None = None, factor: float | None = None, monitor: str = "loss"
    ) -> None:
        if threshold is not None:
            threshold = real("threshold", threshold)
        if factor is not None:
            factor = real("factor", factor, low=1, low_open=True, what="a finite number > 1")
        super().__init__()
        self.threshold, self.factor, self.monitor = threshold, factor, _monitor(monitor)
        self.per_step = is_step_series(monitor)

    def _check(self, state: TrainState) -> str | None:
        values = _values(state, self.monitor)
        if not values:
            return None
        v, where = values[-1], _where(self.monitor, len(values) - 1)
        if not math.isfinite(v):
            reason = nonfinite_reason(self.monitor, v, where)
        elif self.threshold is not None and v > self.threshold:
            reason = f"diverged: {self.monitor} = {v:.4g} at {where} exceeds {self.threshold:g}"
        elif self.factor is not None and values[0] > 0 and v > self.factor * values[0]:
            reason = (
                f"diverged: {self.monitor} = {v:.4g} at {where} is {v / values[0]:.3g} "
                f"times its first value {values[0]:.4g} (factor {self.factor:g})"
            )
        else:
            return None
        self.diverged = True
        return reason


def _prefix(history: History, steps: int, epochs: int) -> History:
    """The record as it stood after ``steps`` steps and ``epochs`` complete epochs."""
    return History(
        steps={k: v[:steps] for k, v in history.steps.items()},
        epochs={k: v[:epochs] for k, v in history.epochs.items()},
    )


def replay(criterion: Criterion, history: History) -> int | None:
    """The step at which ``criterion`` would have stopped the run recorded in ``history``.

    A criterion reads only the record, so it can be asked after the fact, without training
    again. ``replay`` asks it exactly when :func:`~optlib.train.fit` does: after every step if
    it is a step criterion (:attr:`Criterion.per_step`), and at the end of every epoch. A run
    stopped by the criterion is the beginning of the recorded one, so the answer equals the
    ``history.n_steps`` of that run. The criterion is reset first; the clock it sees is the
    recorded ``"time"`` of the last complete epoch (0 before the first).

    Args:
        criterion: any criterion, or a combination.
        history: a finished run's record (from ``fit``), or a History whose ``steps["loss"]``
            holds step losses (then only the steps are replayed).

    Returns:
        The number of steps taken when it fires, or ``None`` if it never does.
    """
    if not isinstance(criterion, Criterion):
        raise TypeError(f"Invalid criterion: {criterion!r} (must be an optlib.stopping criterion)")
    if not isinstance(history, History):
        raise TypeError(f"Invalid history: {type(history).__name__} (must be a History)")
    criterion.reset()
    ends = list(history.epochs.get("step", []))
    times = list(history.epochs.get("time", []))
    epoch = 0
    for step in range(1, history.n_steps + 1):
        state = TrainState(
            step=step,
            epoch=epoch,
            elapsed=times[epoch - 1] if epoch else 0.0,
            history=_prefix(history, step, epoch),
        )
        if criterion.per_step and criterion(state):
            return step
        while epoch < len(ends) and ends[epoch] == step:
            epoch += 1
            state.epoch, state.history = epoch, _prefix(history, step, epoch)
            state.elapsed = times[epoch - 1] if epoch <= len(times) else state.elapsed
            if criterion(state):
                return step
    return None
