"""The fit loop: hand-computed steps, parity with a hand-written loop, history, stops, errors."""

import copy
import io
import json
import math
import warnings

import pytest
import torch
from torch import nn
from torch.testing import assert_close

import optlib.optim
from optlib.stopping import Divergence, EarlyStopping, LossBelow, MaxSteps
from optlib.train import History, accuracy, batch_indices, fit, mape, moons

X2 = torch.tensor([[1.0], [2.0]])
Y2 = torch.tensor([[2.0], [4.0]])


def line(w0: float = 0.0) -> nn.Linear:
    """The one-parameter model y = w x."""
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(w0)
    return model


def mlp(seed: int = 0, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(dropout), nn.Linear(16, 2))


def test_two_full_batch_sgd_steps_by_hand():
    # L(w) = ((w - 2)^2 + (2w - 4)^2) / 2,  L'(w) = (2(w - 2) + 4(2w - 4)) / 2
    # w0 = 0: L = 10,  L' = -10, w1 = 0 + 0.1 * 10 = 1
    # w1 = 1: L = 2.5, L' = -5,  w2 = 1 + 0.1 * 5 = 1.5
    model = line(0.0)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=2, progress=False)
    assert_close(model.weight.item(), 1.5)
    assert_close(h.steps["loss"], [10.0, 2.5])
    assert_close(h.steps["grad_norm"], [10.0, 5.0])
    assert h.steps["lr"] == [0.1, 0.1]
    assert h.epochs["epoch"] == [1, 2] and h.epochs["step"] == [1, 2]
    assert_close(h.epochs["train_loss"], [10.0, 2.5])
    assert h.stop_reason == "finished 2 epochs (2 steps)" and not h.diverged


def test_two_single_point_steps_by_hand_and_the_epoch_mean():
    # batch 1, no shuffle: first (1, 2): L = 4, g = 2*1*(0 - 2) = -4, w = 0.4
    # then (2, 4): L = (0.8 - 4)^2 = 10.24, g = 2*2*(0.8 - 4) = -12.8, w = 0.4 + 1.28 = 1.68
    model = line(0.0)
    h = fit(model, optlib.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=1, batch_size=1, shuffle=False, progress=False)
    assert_close(model.weight.item(), 1.68)
    assert_close(h.losses, [4.0, 10.24])
    assert_close(h.steps["grad_norm"], [4.0, 12.8])
    assert_close(h.epochs["train_loss"], [(4.0 + 10.24) / 2])


@pytest.mark.parametrize("opt", [torch.optim.Adam, optlib.optim.SGD])
def test_same_as_a_hand_written_loop(opt):
    X, y = moons(90, seed=1)
    ref = mlp(3, dropout=0.2)
    model = mlp(3, dropout=0.2)
    kw = dict(lr=0.01) if opt is torch.optim.Adam else dict(lr=0.1, momentum=0.9)
    ref_opt, fit_opt = opt(ref.parameters(), **kw), opt(model.parameters(), **kw)
    loss_fn = nn.CrossEntropyLoss()

    torch.manual_seed(11)
    g = torch.Generator().manual_seed(5)
    losses = []
    for _ in range(3):
        for idx in batch_indices(len(X), 16, generator=g):
            ref_opt.zero_grad()
            loss = loss_fn(ref(X[idx]), y[idx])
            loss.backward()
            ref_opt.step()
            losses.append(loss.item())

    torch.manual_seed(11)
    h = fit(model, fit_opt, loss_fn, X, y, epochs=3, batch_size=16, seed=5, progress=False)
    assert h.losses == losses
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        assert torch.equal(p, q)
    assert h.epochs["step"] == [6, 12, 18]  # ceil(90 / 16) = 6 batches per epoch


def test_drop_last_and_epochs_zero():
    X, y = moons(50)
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, opt, nn.CrossEntropyLoss(), X, y, epochs=2, batch_size=16, drop_last=True,
            progress=False)
    assert h.n_steps == 6 and h.epochs["step"] == [3, 6]
    before = [p.detach().clone() for p in model.parameters()]
    h0 = fit(model, opt, nn.CrossEntropyLoss(), X, y, epochs=0, progress=False)
    assert h0.n_steps == 0 and h0.n_epochs == 0 and "finished 0 epochs" in h0.stop_reason
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), before))


def test_scheduler_per_epoch_and_per_step():
    model = line()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, opt, nn.MSELoss(), X2, Y2, epochs=3, batch_size=1, shuffle=False,
            scheduler=sched, progress=False)
    assert_close(h.steps["lr"], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    model = line()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, opt, nn.MSELoss(), X2, Y2, epochs=2, batch_size=1, shuffle=False,
            scheduler=sched, scheduler_interval="step", progress=False)
    assert_close(h.steps["lr"], [0.1, 0.05, 0.025, 0.0125])


def test_reduce_lr_on_plateau_gets_the_validation_loss():
    model = line()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    # Validation wants w = -2 while training moves w = 0 -> 1 -> 1.5: the validation loss
    # grows (22.5 after epoch 1, 30.625 after epoch 2), so after epoch 2 the lr halves.
    h = fit(model, opt, nn.MSELoss(), X2, Y2, epochs=3, val_data=(X2, -Y2), scheduler=sched,
            progress=False)
    assert_close(h.epochs["val_loss"][:2], [22.5, 30.625])
    assert h.steps["lr"] == [0.1, 0.1, 0.05]


def test_validation_and_metrics_are_recorded():
    X, y = moons(120, seed=2)
    Xv, yv = moons(40, seed=3)
    model = mlp(1)
    h = fit(model, torch.optim.Adam(model.parameters(), lr=0.02), nn.CrossEntropyLoss(), X, y,
            epochs=3, batch_size=32, val_data=(Xv, yv), metrics={"acc": accuracy},
            progress=False)
    assert list(h.epochs) == ["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc",
                              "time"]
    with torch.no_grad():
        out = model(Xv)
    assert_close(h.epochs["val_loss"][-1], nn.functional.cross_entropy(out, yv).item())
    assert h.epochs["val_acc"][-1] == (out.argmax(1) == yv).float().mean().item()
    assert all(0 <= a <= 1 for a in h.epochs["train_acc"])
    assert h.epochs["time"] == sorted(h.epochs["time"])


def test_metrics_by_hand():
    assert accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), torch.tensor([0, 1, 1])) \
        == pytest.approx(2 / 3)
    assert accuracy(torch.tensor([0.3, -2.0]), torch.tensor([1, 1])) == 0.5
    # |110 - 100| / 100 = 10 %, |45 - 50| / 50 = 10 %, |2 - 4| / 4 = 50 %: mean 70 / 3
    assert mape(torch.tensor([110.0, 45.0, 2.0]), torch.tensor([100.0, 50.0, 4.0])) \
        == pytest.approx(70 / 3)


def test_train_mode_is_restored():
    model = mlp(dropout=0.5)
    model.eval()
    fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), *moons(20),
        epochs=1, progress=False)
    assert not model.training


def test_a_step_criterion_stops_inside_an_epoch():
    X, y = moons(40)
    model = mlp()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), X, y,
            epochs=5, batch_size=16, stop=MaxSteps(4), progress=False)
    assert h.n_steps == 4 and h.epochs["step"] == [3, 4] and h.epochs["epoch"] == [1, 2]
    assert "step budget" in h.stop_reason and not h.diverged


def test_an_epoch_criterion_stops_at_the_end_of_an_epoch():
    model = line()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=50, stop=LossBelow(1.0), progress=False)
    # train losses 10, 2.5, then w2 = 1.5: L = (0.25 + 1) / 2 = 0.625 < 1
    assert_close(h.epochs["train_loss"], [10.0, 2.5, 0.625])
    assert h.stop_reason.startswith("train_loss = 0.625 at epoch 3")


def test_early_stopping_restores_the_best_weights():
    # The model walks from w = 0 towards 2 while validation wants w = -2: epoch 1 is the best.
    first = line()
    fit(first, torch.optim.SGD(first.parameters(), lr=0.1), nn.MSELoss(), X2, Y2, epochs=1,
        progress=False)
    model = line()
    stop = EarlyStopping(patience=2)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=20, val_data=(X2, -Y2), stop=stop, progress=False)
    assert h.n_epochs == 3 and stop.best_epoch == 1
    assert "restored the weights of epoch 1" in h.stop_reason
    assert torch.equal(model.weight, first.weight)


def test_a_non_finite_loss_stops_and_keeps_the_last_finite_parameters():
    X, y = moons(64)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.99)
    yr = y.float().unsqueeze(1) * 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = fit(model, opt, nn.MSELoss(), X, yr, epochs=100, batch_size=8, progress=False)
    assert h.diverged and h.stop_reason.startswith("diverged: loss is ")
    assert "keeps its last finite parameters" in h.stop_reason
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert all(math.isfinite(v) for v in h.losses)


def test_a_step_to_infinity_is_undone():
    # w1 = 0 + 1e38 * 10 overflows float32 to inf: the model must keep w0.
    model = line(0.0)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=1e38), nn.MSELoss(), X2, Y2,
            epochs=3, progress=False)
    assert h.diverged and model.weight.item() == 0.0
    assert "(those after step 0)" in h.stop_reason
    # ... also when the overflowing step was the last one.
    model = line(0.0)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=1e38), nn.MSELoss(), X2, Y2,
            epochs=1, progress=False)
    assert h.diverged and model.weight.item() == 0.0 and h.n_steps == 1
    assert "step 1 made the parameters non-finite" in h.stop_reason


def test_a_blow_up_restores_parameters_and_buffers_exactly():
    # The forward pass that meets the nan also updates the batch-norm running statistics: the
    # model must come back as it was after the last good step, buffers included, bit for bit.
    X, y = moons(64)
    target = 100 * y.float().unsqueeze(1)

    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(16, 1))
        return model, torch.optim.SGD(model.parameters(), lr=1e20, momentum=0.9)

    model, opt = make()
    torch.manual_seed(1)
    h = fit(model, opt, nn.MSELoss(), X, target, epochs=5, batch_size=8, progress=False)
    assert h.diverged
    kept = int(h.stop_reason.rsplit("after step ", 1)[1].rstrip(")"))
    assert all(torch.isfinite(t).all() for t in model.state_dict().values())

    ref, ref_opt = make()
    torch.manual_seed(1)
    fit(ref, ref_opt, nn.MSELoss(), X, target, epochs=5, batch_size=8, stop=MaxSteps(kept),
        progress=False)
    for (k, a), b in zip(model.state_dict().items(), ref.state_dict().values(), strict=True):
        assert torch.equal(a, b), k


def test_rewind_replays_to_any_logged_step():
    from optlib.train.rewind import Rewind

    X, y = moons(40)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.3),
                          nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    def step(xb, yb):
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()

    rewind = Rewind(model, opt, sched, step, steps_done=0, every=3)
    states = {0: copy.deepcopy(model.state_dict())}
    for t in range(1, 8):
        idx = torch.arange(5 * t, 5 * t + 5) % 40
        step(X[idx], y[idx])
        rewind.record(X[idx], y[idx], t)
        states[t] = copy.deepcopy(model.state_dict())
    assert rewind.saved_step == 6
    for target in (7, 6):
        rewind.to_step(target)
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                     states[target].values()))
    with pytest.raises(RuntimeError, match="cannot rewind to step 5"):
        rewind.to_step(5)


def test_a_non_finite_gradient_stops_before_the_step():
    model = line(2.0)  # fits X2 -> Y2 exactly: sqrt(|r|) has an infinite slope at r = 0
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1),
            lambda out, t: (out - t).abs().sqrt().mean(), X2, Y2, epochs=3, progress=False)
    assert h.diverged and h.stop_reason.startswith("diverged: gradient norm is nan at step 1")
    assert model.weight.item() == 2.0 and h.n_steps == 0


def test_the_divergence_criterion_marks_the_history():
    model = line()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=2.0), nn.MSELoss(), X2, Y2,
            epochs=50, stop=Divergence(factor=10.0), progress=False)
    assert h.diverged and "times its first value" in h.stop_reason and h.n_steps < 50


def test_history_is_plain_data_and_plots():
    import matplotlib.pyplot as plt

    from optlib.viz import loss_curves

    model = line()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=3, val_data=(X2, Y2), metrics={"mape": mape}, progress=False)
    d = json.loads(json.dumps(h.to_dict()))
    assert History.from_dict(d) == h
    ax = loss_curves({"sgd": h})
    assert len(ax.lines[0].get_ydata()) == 3
    plt.close(ax.figure)


def test_progress_bar_writes_to_the_stream_and_nothing_when_off(capsys):
    model = line()
    stream = io.StringIO()
    fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2, epochs=4,
        file=stream)
    text = stream.getvalue()
    assert "fit" in text and "4/4" in text and "train_loss" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2, epochs=4,
            progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def _fit(**kw):
    model = line()
    args = dict(X=X2, y=Y2, epochs=1, progress=False)
    args.update(kw)
    X, y = args.pop("X"), args.pop("y")
    return fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X, y, **args)


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=-4), "batch_size"),
        (dict(batch_size=3, drop_last=True), "batch_size"),
        (dict(epochs=-1), "epochs"),
        (dict(epochs=1.5), "epochs"),
        (dict(y=torch.zeros(3, 1)), "y"),
        (dict(X=torch.zeros(0, 1), y=torch.zeros(0, 1)), "X"),
        (dict(stop=EarlyStopping()), "stop"),
        (dict(scheduler_interval="batch"), "scheduler_interval"),
        (dict(checkpoint_every=0), "checkpoint_every"),
        (dict(val_data=(X2, Y2[:1])), "val_data"),
    ],
)
def test_bad_input_names_the_argument(kw, name):
    with pytest.raises(ValueError, match=rf"Invalid {name}\b"):
        _fit(**kw)
