"""Junk into every entry point of optlib.train and optlib.stopping (hypothesis).

Each call must either raise ``ValueError``/``TypeError`` whose message names one of the
function's arguments (``Invalid <argument>: ...``), or return a finite, correct result.
Anything else (an ``AttributeError`` from deep inside, a NaN, a silently wrong shape) fails.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import tempfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

import optlib.stopping as S
from optlib.train import (
    MiniBatches,
    accuracy,
    batch_indices,
    circles,
    cubic,
    fit,
    linear,
    mape,
    moons,
    sin_cos,
    spirals,
    train_val_split,
)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.integers(2**64, 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.just("a\x00b"),
    st.sampled_from(
        [
            [],
            {},
            (1, 2),
            [1.0],
            {"a": 1},
            np.int64(3),
            np.float32(0.5),
            np.array([1.0, 2.0]),
            np.bool_(True),
            object(),
            print,
        ]
    ),
    st.lists(st.integers(0, 3), max_size=3).map(torch.zeros),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(f, *args, names=None, **kwargs):
    """Call ``f``; an error must name an argument of ``f`` (or one of ``names``)."""
    allowed = set(inspect.signature(f).parameters) | set(names or ())
    try:
        return f(*args, **kwargs)
    except (ValueError, TypeError) as err:
        m = re.match(r"Invalid (\w+)\b", str(err))
        assert m and m.group(1) in allowed, f"{type(err).__name__}: {err}"
        return None


def finite(*tensors) -> bool:
    return all(bool(torch.isfinite(t).all()) for t in tensors)


X8, Y8 = moons(8, seed=0)
FIT_ARGS = [
    "model",
    "optimizer",
    "loss_fn",
    "X",
    "y",
    "epochs",
    "batch_size",
    "shuffle",
    "drop_last",
    "seed",
    "scheduler",
    "scheduler_interval",
    "val_data",
    "metrics",
    "stop",
    "checkpoint",
    "checkpoint_every",
    "resume",
    "record_params",
]


@SETTINGS
@given(name=st.sampled_from(FIT_ARGS), junk=JUNK)
def test_fit(name, junk):
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    args = dict(
        model=model,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        loss_fn=nn.CrossEntropyLoss(),
        X=X8,
        y=Y8,
        epochs=2,
        batch_size=4,
        progress=False,
    )
    if isinstance(junk, str):  # a file name inside the temporary folder below, never "/x"
        junk = junk.replace("/", "_")
    args[name] = junk
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:  # a junk checkpoint name is written here
        os.chdir(tmp)
        try:
            h = check(fit, **args, names={"checkpoint"})
        finally:
            os.chdir(cwd)
    if h is not None:
        assert all(math.isfinite(v) for v in h.losses) or h.diverged
        assert finite(*model.parameters())
        assert h.diverged or h.n_epochs == args["epochs"]  # junk is never a criterion


CRITERIA = [
    S.MaxSteps,
    S.MaxEpochs,
    S.TimeBudget,
    S.LossBelow,
    S.MetricThreshold,
    S.LossChangeBelow,
    S.Plateau,
    S.EarlyStopping,
    S.Divergence,
]


@SETTINGS
@given(cls=st.sampled_from(CRITERIA), data=st.data())
def test_stopping_criteria(cls, data):
    params = inspect.signature(cls).parameters
    args = {
        p: data.draw(JUNK)
        for p, v in params.items()
        if v.default is inspect.Parameter.empty or data.draw(st.booleans())
    }
    c = check(cls, **args)
    if c is None:
        return
    assert isinstance(c, S.Criterion) and repr(c)
    model = nn.Linear(1, 1)
    from optlib.train import History, TrainState

    h = History(
        steps={"loss": [1.0, 0.5], "lr": [0.1, 0.1], "grad_norm": [1.0, 1.0]},
        epochs={"epoch": [1], "step": [2], "train_loss": [0.7], "val_loss": [0.8], "time": [0.1]},
    )
    assert c(TrainState(step=2, epoch=1, elapsed=0.1, history=h, model=model)) in (True, False)
    assert S.replay(c, h) in (None, 1, 2)


@SETTINGS
@given(f=st.sampled_from([linear, cubic, sin_cos, circles, moons, spirals]), data=st.data())
def test_data_sets(f, data):
    keys = [
        k
        for k in ("n", "noise", "seed", "classes", "turns", "factor")
        if k in inspect.signature(f).parameters and data.draw(st.booleans())
    ]
    args = {k: data.draw(JUNK) for k in keys}
    out = check(f, **args)
    if out is not None:
        X, y = out
        assert len(X) == len(y) == args.get("n", len(X)) and finite(X, y)


@SETTINGS
@given(n=JUNK, batch_size=JUNK, shuffle=JUNK, drop_last=JUNK)
def test_batch_indices(n, batch_size, shuffle, drop_last):
    out = check(batch_indices, n, batch_size, shuffle=shuffle, drop_last=drop_last)
    if out is not None:
        assert sum(map(len, out)) <= n and all(len(b) <= batch_size for b in out)


@SETTINGS
@given(
    X=st.one_of(JUNK, st.just(X8)),
    y=st.one_of(JUNK, st.just(Y8)),
    batch_size=JUNK,
    seed=st.one_of(JUNK, st.just(0)),
)
def test_minibatches_and_split(X, y, batch_size, seed):
    mb = check(MiniBatches, X, y, batch_size, seed=seed)
    if mb is not None:
        assert sum(len(xb) for xb, _ in mb) == len(X)
    out = check(train_val_split, X, y, seed=seed)
    if out is not None:
        assert len(out[0]) + len(out[2]) == len(X)


@SETTINGS
@given(
    output=st.one_of(JUNK, st.lists(st.integers(0, 3), max_size=3).map(torch.randn)),
    target=st.one_of(
        JUNK, st.lists(st.integers(0, 3), max_size=2).map(lambda s: torch.randint(0, 2, s))
    ),
)
def test_metrics(output, target):
    a = check(accuracy, output, target)
    if a is not None:
        assert 0.0 <= a <= 1.0 or (math.isnan(a) and target.numel() == 0)
    m = check(mape, output, target)
    if m is not None:
        assert m >= 0 or math.isnan(m)


@pytest.mark.parametrize("content", [b"", b"\x80\x02}q\x00.", b"junk" * 100])
def test_resume_from_junk_files(tmp_path, content):
    path = tmp_path / "junk.pt"
    path.write_bytes(content)
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"Invalid checkpoint\b"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            nn.CrossEntropyLoss(),
            X8,
            Y8,
            resume=path,
            progress=False,
        )


@SETTINGS
@given(
    name=st.sampled_from(["path", "model", "optimizer", "scheduler", "history", "batches", "stop"]),
    junk=JUNK,
)
def test_save_and_load_checkpoint(name, junk):
    from optlib.train import History, load_checkpoint, save_checkpoint

    model = nn.Linear(2, 2)
    with tempfile.TemporaryDirectory() as tmp:
        args = dict(
            path=os.path.join(tmp, "run.pt"),
            model=model,
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            history=History(),
            batches=MiniBatches(X8, Y8, 4),
            stop=S.MaxEpochs(3),
        )
        if name == "path" and isinstance(junk, str):  # inside tmp, never "/x"
            junk = os.path.join(tmp, junk.replace("/", "_"))
        args[name] = junk
        check(save_checkpoint, **args)
        args.pop("history")  # "Invalid checkpoint: ..." is how a bad file is named
        loaded = check(load_checkpoint, **args, names={"checkpoint"})
        assert loaded is None or isinstance(loaded, History)
        assert not [f for f in os.listdir(tmp) if f.endswith(".tmp")]
