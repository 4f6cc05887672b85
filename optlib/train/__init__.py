"""Training small networks: data made in code, mini-batches, a ``fit`` loop, checkpoints.

- :mod:`optlib.train.data`: seeded toy data sets (lines, cubics, ``sin(b cos(a x))``, circles,
  moons, spirals) and a train/validation split; no downloads.
- :mod:`optlib.train.batching`: shuffle-and-partition mini-batches with a seeded generator.
- :mod:`optlib.train.loop`: the ``fit`` loop, returning a :class:`~optlib.history.History`
  that :mod:`optlib.viz` draws; stopping criteria come from :mod:`optlib.stopping`.
- :mod:`optlib.train.checks`: what ``fit`` checks before its first step.
- :mod:`optlib.train.checkpoint`: save a run to one file and resume it bit for bit.
- :mod:`optlib.train.metrics`: accuracy and MAPE.
- :mod:`optlib.train.progress`: the progress bar.
- :mod:`optlib.train.rewind`: after a blow-up, back to the last finite state.
"""

from optlib.history import History, TrainState
from optlib.train.batching import MiniBatches, batch_indices
from optlib.train.checkpoint import load_checkpoint, save_checkpoint
from optlib.train.data import (
    SinCos,
    circles,
    cubic,
    linear,
    moons,
    sin_cos,
    sin_cos_loss,
    spirals,
    train_val_split,
)
from optlib.train.loop import fit
from optlib.train.metrics import accuracy, mape

__all__ = [
    "History",
    "MiniBatches",
    "SinCos",
    "TrainState",
    "accuracy",
    "batch_indices",
    "circles",
    "cubic",
    "fit",
    "linear",
    "load_checkpoint",
    "mape",
    "moons",
    "save_checkpoint",
    "sin_cos",
    "sin_cos_loss",
    "spirals",
    "train_val_split",
]
