"""Stopping criteria on hand-made histories: when each fires, what it says, how they compose."""

import math

import pytest
import torch
from torch import nn

from optlib.stopping import (
    AllOf,
    AnyOf,
    Divergence,
    EarlyStopping,
    LossBelow,
    LossChangeBelow,
    MaxEpochs,
    MaxSteps,
    MetricThreshold,
    Plateau,
    TimeBudget,
)
from optlib.train import History, TrainState


def state_with(step=0, epoch=0, elapsed=0.0, model=None, **series):
    """A state whose history holds the given step series ("loss") and epoch series."""
    h = History()
    for key, values in series.items():
        (h.steps if key in h.steps else h.epochs)[key] = list(values)
    return TrainState(step=step, epoch=epoch, elapsed=elapsed, history=h, model=model)


def fires_first_at(criterion, key, values, **kw):
    """Feed ``values`` one at a time; return the 1-based length at which it first fires."""
    for k in range(1, len(values) + 1):
        if criterion(state_with(step=k, epoch=k, **{key: values[:k]}, **kw)):
            return k
    return None


def test_max_steps():
    c = MaxSteps(5)
    assert not c(state_with(step=4)) and c.reason == ""
    assert c(state_with(step=5))
    assert "step budget" in c.reason and "5 steps" in c.reason
    assert c.per_step


def test_max_epochs():
    c = MaxEpochs(3)
    assert not c(state_with(epoch=2))
    assert c(state_with(epoch=3)) and "3 epochs" in c.reason
    assert not c.per_step


def test_time_budget():
    c = TimeBudget(10)
    assert not c(state_with(elapsed=9.99))
    assert c(state_with(elapsed=10.0)) and "10 s" in c.reason and "time" in c.reason
    assert c.per_step


def test_loss_below():
    c = LossBelow(0.1)
    assert fires_first_at(c, "train_loss", [0.5, 0.2, 0.09, 0.3]) == 3
    assert "train_loss = 0.09" in c.reason and "epoch 3" in c.reason and "0.1" in c.reason
    step_level = LossBelow(0.1, monitor="loss")
    assert step_level.per_step
    assert fires_first_at(step_level, "loss", [1.0, 0.05]) == 2 and "step 2" in step_level.reason


def test_metric_threshold_on_a_validation_metric():
    c = MetricThreshold("val_mape", 5.0)
    assert fires_first_at(c, "val_mape", [12.0, 6.0, 4.9]) == 3
    assert "val_mape = 4.9" in c.reason and "below" in c.reason
    up = MetricThreshold("val_accuracy", 0.9, mode="max")
    assert fires_first_at(up, "val_accuracy", [0.8, 0.9, 0.95]) == 3
    assert "above" in up.reason
    assert up.monitors() == {"val_accuracy"}


def test_loss_change_below():
    c = LossChangeBelow(0.01)
    # |0.5 - 1.0| = 0.5, then |0.495 - 0.5| = 0.005 < 0.01
    assert fires_first_at(c, "train_loss", [1.0, 0.5, 0.495]) == 3
    assert "converged" in c.reason and "0.005" in c.reason and "epoch 2 and epoch 3" in c.reason
    rel = LossChangeBelow(0.02, relative=True)
    # relative changes: 0.5 / 1.0 = 0.5, then 0.005 / 0.5 = 0.01 < 0.02
    assert fires_first_at(rel, "train_loss", [1.0, 0.5, 0.495]) == 3
    assert fires_first_at(LossChangeBelow(0.02, relative=True), "train_loss", [1.0, 0.9]) is None


def test_plateau_of_the_moving_average():
    c = Plateau(window=2, tol=0.01)
    values = [1.0, 0.8, 0.6, 0.5, 0.52, 0.49, 0.51, 0.5]
    # windows of 2: means 0.9 -> 0.55 (gain 0.35), 0.55 -> 0.505 (0.045), 0.505 -> 0.505 (0)
    assert fires_first_at(c, "train_loss", values) == 8
    assert "plateau" in c.reason and "0.505" in c.reason
    assert fires_first_at(Plateau(window=2, tol=0.01), "train_loss", values[:3]) is None
    up = Plateau(window=1, tol=0.05, monitor="val_accuracy", mode="max")
    assert fires_first_at(up, "val_accuracy", [0.5, 0.7, 0.8, 0.82]) == 4  # +0.02 < 0.05


def test_early_stopping_waits_patience_epochs_and_restores_the_best_weights():
    model = nn.Linear(1, 1, bias=False)
    c = EarlyStopping(patience=2)
    losses = [1.0, 0.5, 0.6, 0.7, 0.1]
    fired = None
    for epoch in range(1, len(losses) + 1):
        with torch.no_grad():
            model.weight.fill_(float(epoch))  # "the weights after epoch k" are k
        state = state_with(epoch=epoch, val_loss=losses[:epoch], model=model)
        assert c(state) == c(state)  # asking twice per epoch does not count twice
        if c.triggered:
            fired = epoch
            break
    assert fired == 4 and c.best_epoch == 2 and c.best == 0.5
    assert "patience 2" in c.reason and "epoch 2" in c.reason and "restored" in c.reason
    c.on_stop(state)
    assert model.weight.item() == 2.0


def test_early_stopping_min_delta_mode_max_and_no_restore():
    c = EarlyStopping(patience=2, min_delta=0.1)
    assert fires_first_at(c, "val_loss", [1.0, 0.95, 0.9, 0.5]) == 3  # 0.05, 0.1 too small
    up = EarlyStopping(patience=1, monitor="val_accuracy", mode="max", restore_best_weights=False)
    model = nn.Linear(1, 1)
    before = model.weight.detach().clone()
    assert fires_first_at(up, "val_accuracy", [0.5, 0.9, 0.9], model=model) == 3
    assert "restored" not in up.reason
    up.on_stop(state_with(model=model))
    assert torch.equal(model.weight, before)


def test_early_stopping_state_dict_and_reset():
    model = nn.Linear(2, 1)
    c = EarlyStopping(patience=3)
    c(state_with(epoch=2, val_loss=[1.0, 0.5], model=model))
    saved = c.state_dict()
    d = EarlyStopping(patience=3)
    d.load_state_dict(saved)
    assert (d.best, d.best_epoch, d.wait) == (0.5, 2, 0)
    assert torch.equal(d.state_dict()["best_state"]["weight"], model.weight)
    c.reset()
    assert c.best == math.inf and c.best_epoch == 0 and c.state_dict()["best_state"] == {}


def test_divergence():
    c = Divergence(threshold=10.0)
    assert fires_first_at(c, "loss", [1.0, 2.0, 11.0]) == 3
    assert c.diverged and "diverged" in c.reason and "step 3" in c.reason and "10" in c.reason
    f = Divergence(factor=5.0)
    assert fires_first_at(f, "loss", [1.0, 4.0, 6.0]) == 3 and "6 times" in f.reason
    n = Divergence()
    assert fires_first_at(n, "loss", [1.0, 2.0, float("nan")]) == 3
    assert n.reason == "diverged: loss is nan at step 3"
    assert not n(state_with(loss=[1.0])) and not n.diverged


def test_or_stops_when_any_holds_and_names_those_that_do():
    c = MaxSteps(10) | LossBelow(0.1)
    assert isinstance(c, AnyOf) and c.per_step
    assert not c(state_with(step=5, train_loss=[0.5]))
    assert c(state_with(step=5, train_loss=[0.05]))
    assert c.reason.startswith("train_loss = 0.05") and "step budget" not in c.reason
    assert c(state_with(step=10, train_loss=[0.05]))
    assert "step budget" in c.reason and "; " in c.reason and "train_loss" in c.reason


def test_and_stops_only_when_all_hold():
    c = LossBelow(0.1) & MaxEpochs(3)
    assert isinstance(c, AllOf) and not c.per_step
    assert not c(state_with(epoch=2, train_loss=[0.5, 0.05]))
    assert not c(state_with(epoch=3, train_loss=[0.5, 0.05, 0.2]))
    assert c(state_with(epoch=3, train_loss=[0.5, 0.05, 0.02]))
    assert " and " in c.reason and "epoch budget" in c.reason


def test_composition_flattens_and_propagates():
    a, b, d = MaxSteps(1), MaxEpochs(1), Divergence(threshold=1.0)
    c = (a | b) | d
    assert c.criteria == [a, b, d]
    assert c.monitors() == {"loss"}
    assert c(state_with(loss=[2.0])) and c.diverged
    mixed = (a & b) | d
    assert len(mixed.criteria) == 2 and isinstance(mixed.criteria[0], AllOf)
    assert repr(mixed) == "((MaxSteps(max_steps=1) & MaxEpochs(max_epochs=1)) | " \
                          "Divergence(threshold=1.0, factor=None, monitor='loss'))"
    model = nn.Linear(1, 1, bias=False)
    es = EarlyStopping(patience=1)
    combo = MaxSteps(1000) | es
    with torch.no_grad():
        model.weight.fill_(1.0)
    combo(state_with(epoch=1, val_loss=[1.0], model=model))
    with torch.no_grad():
        model.weight.fill_(2.0)
    assert combo(state_with(epoch=2, val_loss=[1.0, 2.0], model=model))
    combo.on_stop(state_with(model=model))
    assert model.weight.item() == 1.0
    restored = MaxSteps(1000) | EarlyStopping(patience=1)
    restored.load_state_dict(combo.state_dict())
    assert restored.criteria[1].best_epoch == 1
    with pytest.raises(TypeError):
        MaxSteps(1) | 3


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: MaxSteps(0), "max_steps"),
        (lambda: MaxSteps(2.5), "max_steps"),
        (lambda: MaxEpochs(-1), "max_epochs"),
        (lambda: TimeBudget(0), "seconds"),
        (lambda: LossBelow(float("nan")), "threshold"),
        (lambda: MetricThreshold("val_mape", 5.0, mode="under"), "mode"),
        (lambda: LossChangeBelow(0), "tol"),
        (lambda: Plateau(window=0), "window"),
        (lambda: Plateau(window=3, tol=-1), "tol"),
        (lambda: EarlyStopping(patience=0), "patience"),
        (lambda: EarlyStopping(mode="best"), "mode"),
        (lambda: EarlyStopping(monitor="loss"), "monitor"),
        (lambda: EarlyStopping(min_delta=-0.1), "min_delta"),
        (lambda: Divergence(factor=0.5), "factor"),
    ],
)
def test_bad_arguments_name_the_argument(make, name):
    with pytest.raises(ValueError, match=rf"Invalid {name}\b"):
        make()


def test_mode_is_min_or_max_everywhere_and_old_words_get_a_hint():
    for make in (lambda m: MetricThreshold("val_accuracy", 0.9, mode=m),
                 lambda m: Plateau(3, mode=m), lambda m: EarlyStopping(mode=m)):
        assert make("min").mode == "min" and make("max").mode == "max"
    with pytest.raises(ValueError, match=r"Invalid mode: 'above' .*'above' is now 'max'"):
        MetricThreshold("val_accuracy", 0.9, mode="above")
    with pytest.raises(ValueError, match=r"Invalid mode: 'below' .*'below' is now 'min'"):
        MetricThreshold("val_accuracy", 0.9, mode="below")


def test_numpy_numbers_are_numbers():
    import numpy as np

    assert MaxEpochs(np.int64(3)).max_epochs == 3 and type(MaxSteps(np.int32(4)).max_steps) is int
    assert EarlyStopping(patience=np.int64(2), min_delta=np.float32(0.5)).min_delta == 0.5
    assert Plateau(np.int64(2), tol=np.float64(0.1)).window == 2
    with pytest.raises(ValueError, match=r"Invalid max_epochs\b"):
        MaxEpochs(True)


def test_replay_answers_as_a_real_run_would():
    from optlib.stopping import replay
    from optlib.train import fit, moons

    X, y = moons(60, noise=0.3, seed=0)

    def train(stop=None, epochs=40):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        return fit(model, torch.optim.SGD(model.parameters(), lr=0.2), nn.CrossEntropyLoss(),
                   X, y, epochs=epochs, batch_size=16, val_data=(X, y), stop=stop,
                   progress=False)

    ref = train()
    for make in (lambda: Plateau(8, tol=1e-2, monitor="loss"),  # a step criterion
                 lambda: LossBelow(0.45),                        # an epoch criterion
                 lambda: MaxSteps(30) | LossChangeBelow(0.02, relative=True)):
        stopped = train(make())
        assert stopped.n_steps < ref.n_steps
        assert replay(make(), ref) == stopped.n_steps
    assert replay(MaxSteps(10_000), ref) is None
    with pytest.raises(TypeError, match=r"Invalid criterion\b"):
        replay(5, ref)
