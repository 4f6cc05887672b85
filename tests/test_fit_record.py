"""fit(..., record_params=True): the parameters after every step, by hand and against a
hand-written loop; off by default; saved in checkpoints and continued on resume."""

import json

import pytest
import torch
from torch import nn
from torch.testing import assert_close

import optlib.optim
from optlib.train import SinCos, batch_indices, fit, sin_cos

X2 = torch.tensor([[1.0], [2.0]])
Y2 = torch.tensor([[2.0], [4.0]])


def line(w0: float = 0.0) -> nn.Linear:
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(w0)
    return model


def test_params_after_two_full_batch_steps_by_hand():
    # L(w) = ((w - 2)^2 + (2w - 4)^2) / 2: from w = 0 with lr 0.1, w = 1 then w = 1.5
    model = line(0.0)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=2, progress=False, record_params=True)
    assert_close(h.steps["params"], [[1.0], [1.5]])
    assert len(h.steps["params"]) == h.n_steps


def test_off_by_default_and_nothing_else_changes():
    runs = {}
    for record in (False, True):
        model = line(0.0)
        runs[record] = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(),
                           X2, Y2, epochs=3, progress=False, record_params=record)
    assert "params" not in runs[False].steps
    for key in ("loss", "lr", "grad_norm"):
        assert runs[False].steps[key] == runs[True].steps[key]
    assert runs[False].epochs["train_loss"] == runs[True].epochs["train_loss"]


def test_minibatch_path_equals_a_hand_written_loop():
    X, y = sin_cos(n=37, seed=3)
    model = SinCos(0.7, 1.9)
    h = fit(model, optlib.optim.SGD(model.parameters(), lr=0.05), nn.MSELoss(), X, y,
            epochs=3, batch_size=8, seed=11, progress=False, record_params=True)

    ref = SinCos(0.7, 1.9)
    opt = torch.optim.SGD(ref.parameters(), lr=0.05)
    g = torch.Generator().manual_seed(11)
    expected = []
    for _ in range(3):
        for idx in batch_indices(len(X), 8, generator=g):
            opt.zero_grad()
            nn.functional.mse_loss(ref(X[idx]), y[idx]).backward()
            opt.step()
            expected.append([ref.a.item(), ref.b.item()])
    assert len(expected) == 3 * 5  # 37 points in batches of 8: four full ones and a remainder
    assert_close(torch.tensor(h.steps["params"]), torch.tensor(expected))
    assert_close(torch.tensor(h.steps["params"][-1]), torch.stack([model.a, model.b]).detach())


def test_flat_order_follows_model_parameters_and_skips_frozen_ones():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    model[1].bias.requires_grad_(False)
    X, y = torch.randn(6, 2), torch.randn(6, 1)
    trainable = [p for p in model.parameters() if p.requires_grad]
    h = fit(model, torch.optim.SGD(trainable, lr=0.1), nn.MSELoss(), X, y, epochs=1,
            progress=False, record_params=True)
    flat = torch.cat([p.detach().reshape(-1) for p in trainable])
    assert len(h.steps["params"][-1]) == 2 * 3 + 3 + 3 == flat.numel()
    assert_close(torch.tensor(h.steps["params"][-1]), flat)


def test_history_with_params_is_plain_json():
    model = line(0.0)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=2, progress=False, record_params=True)
    assert json.loads(json.dumps(h.to_dict()))["steps"]["params"] == h.steps["params"]


def test_resume_continues_the_record_exactly(tmp_path):
    X, y = sin_cos(n=20, seed=1)

    def run(epochs, **kw):
        model = SinCos(1.0, 2.0)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
        return fit(model, opt, nn.MSELoss(), X, y, epochs=epochs, batch_size=6, seed=2,
                   progress=False, record_params=True, **kw)

    whole = run(4)
    ckpt = tmp_path / "run.pt"
    run(2, checkpoint=ckpt)
    resumed = run(4, resume=ckpt)
    assert len(resumed.steps["params"]) == resumed.n_steps == whole.n_steps
    assert_close(torch.tensor(resumed.steps["params"]), torch.tensor(whole.steps["params"]))


def test_resume_of_a_run_without_a_record_is_refused(tmp_path):
    ckpt = tmp_path / "run.pt"
    model = line(0.0)
    fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2, epochs=1,
        progress=False, checkpoint=ckpt)
    model = line(0.0)
    with pytest.raises(ValueError, match="Invalid record_params"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
            epochs=2, progress=False, resume=ckpt, record_params=True)


def test_every_parameter_groups_lr_is_recorded():
    # Two groups, each with its own lr, halved every step: "lr" stays group 0 (as before),
    # "lr/1" is group 1; a criterion can watch it after every step.
    from optlib.stopping import MetricThreshold

    model = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1))
    opt = torch.optim.SGD([{"params": model[0].parameters()},
                           {"params": model[1].parameters(), "lr": 0.4}], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    stop = MetricThreshold("lr/1", 0.06)
    assert stop.per_step
    h = fit(model, opt, nn.MSELoss(), X2, Y2, epochs=2, batch_size=1, shuffle=False,
            scheduler=sched, scheduler_interval="step", stop=stop, progress=False)
    assert_close(h.steps["lr"], [0.1, 0.05, 0.025, 0.0125])
    assert_close(h.steps["lr/1"], [0.4, 0.2, 0.1, 0.05])
    assert h.n_steps == 4 and "lr/1 = 0.05 at step 4" in h.stop_reason
    one = line()
    single = fit(one, torch.optim.SGD(one.parameters(), lr=0.1), nn.MSELoss(), X2, Y2,
                 epochs=1, progress=False)
    assert sorted(single.steps) == ["grad_norm", "loss", "lr"]  # one group: the old schema
