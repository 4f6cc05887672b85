"""Bad input to fit, checkpoints and metrics: a clear error before anything changes (issue 18).

Each case names the argument in its message (``Invalid <argument>: ...``) and leaves the model
as it was: nothing is trained, nothing is loaded, no file is left behind.
"""

import os
import warnings

import numpy as np
import pytest
import torch
from torch import nn

import optlib.optim
from optlib.stopping import EarlyStopping, MaxEpochs, MaxSteps
from optlib.train import accuracy, batch_indices, fit, load_checkpoint, mape, moons, spirals

X, Y = moons(64, noise=0.2, seed=0)
XR = torch.linspace(-1, 1, 64).unsqueeze(1)
YR = 4 * XR


def net(seed: int = 0, hidden: int = 8) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))


def params_of(model: nn.Module) -> list[torch.Tensor]:
    return [t.detach().clone() for t in model.state_dict().values()]


def unchanged(model: nn.Module, before: list[torch.Tensor]) -> bool:
    return all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), before, strict=True))


def classify(model=None, opt=None, **kw):
    model = model or net()
    opt = opt or torch.optim.SGD(model.parameters(), lr=0.1)
    args = dict(epochs=2, batch_size=16, progress=False)
    args.update(kw)
    return fit(
        model,
        opt,
        args.pop("loss_fn", nn.CrossEntropyLoss()),
        args.pop("X", X),
        args.pop("y", Y),
        **args,
    )


def raises_before_any_step(exc, match, model=None, opt=None, **kw):
    """fit(...) raises ``exc`` matching ``match`` and the model is untouched."""
    model = model or net()
    before = params_of(model)
    with pytest.raises(exc, match=match):
        classify(model, opt, **kw)
    assert unchanged(model, before)


# 1. A checkpoint with numpy scalars in it must load with weights_only=True.


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda p: optlib.optim.SGD(p, lr=np.float64(0.1), momentum=np.float32(0.9)),
        lambda p: torch.optim.Adam(p, lr=np.float64(0.01), betas=(np.float64(0.9), 0.999)),
    ],
)
def test_every_checkpoint_fit_writes_loads_with_weights_only(tmp_path, make_opt):
    model = net()
    opt = make_opt(model.parameters())
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=np.float64(0.5))
    path = tmp_path / "run.pt"
    seen = []

    class Spy(MaxEpochs):  # asked after every epoch: load the file of the epoch before
        def _check(self, state):
            if path.exists():
                seen.append(torch.load(path, weights_only=True))
            return super()._check(state)

    def train(model, opt, sched, **kw):
        stop = EarlyStopping(patience=9, monitor="train_loss") | Spy(10)
        return classify(model, opt, scheduler=sched, stop=stop, **kw)

    train(model, opt, sched, epochs=3, checkpoint=path)
    seen.append(torch.load(path, weights_only=True))
    assert len(seen) == 3  # after epochs 1, 2 and 3
    for ckpt in seen:
        assert type(ckpt["optimizer"]["param_groups"][0]["lr"]) is float
        assert not any(isinstance(v, np.generic) for v in ckpt["scheduler"].values())
    resumed_model = net(5)
    resumed_opt = make_opt(resumed_model.parameters())
    resumed_sched = torch.optim.lr_scheduler.StepLR(resumed_opt, 1, gamma=np.float64(0.5))
    h = train(resumed_model, resumed_opt, resumed_sched, epochs=4, resume=path)
    assert h.n_epochs == 4 and h.stop_reason.startswith("finished 4 epochs")
    assert not list(tmp_path.glob("*.tmp"))


# 2. Shapes of output and target.


def test_a_target_that_would_broadcast_is_refused_on_the_first_batch():
    model = nn.Linear(1, 1)
    before = params_of(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before MSELoss warns about broadcasting
        with pytest.raises(ValueError, match=r"Invalid y: shape \(64,\) vs model output \(64, 1\)"):
            fit(
                model,
                torch.optim.SGD(model.parameters(), lr=0.1),
                nn.MSELoss(),
                XR,
                YR.reshape(-1),
                epochs=1,
                progress=False,
            )
    assert unchanged(model, before)
    fit(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        nn.MSELoss(),
        XR,
        YR,
        epochs=300,
        progress=False,
    )  # the right shape learns the slope 4
    assert abs(model.weight.item() - 4) < 0.05


def test_accuracy_and_mape_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"Invalid target: shape \(5,\) vs output \(1, 3\)"):
        accuracy(torch.zeros(1, 3), torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"Invalid target"):
        mape(torch.ones(4, 1), torch.ones(3, 1))
    assert accuracy(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([1, 1])) == 0.5
    assert accuracy(torch.tensor([[2.0], [-1.0]]), torch.tensor([[1], [1]])) == 0.5


# 3. Optimizer and scheduler must act on the model.


def test_an_optimizer_or_scheduler_not_tied_to_the_model_is_refused():
    model, other = net(), net(1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    other_opt = torch.optim.SGD(other.parameters(), lr=0.1)
    raises_before_any_step(ValueError, r"Invalid optimizer\b.*none of the model", model, other_opt)
    raises_before_any_step(
        TypeError, r"Invalid scheduler\b.*not a learning-rate", model, opt, scheduler=opt
    )
    raises_before_any_step(
        ValueError,
        r"Invalid scheduler\b.*another optimizer",
        model,
        opt,
        scheduler=torch.optim.lr_scheduler.StepLR(other_opt, 1),
    )
    raises_before_any_step(
        TypeError,
        r"Invalid scheduler: the class StepLR",
        model,
        opt,
        scheduler=torch.optim.lr_scheduler.StepLR,
    )


# 4. The checkpoint path is checked before training.


def test_a_bad_checkpoint_path_is_refused_up_front(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for path, match in [
        (tmp_path, "is a directory"),
        (tmp_path / "missing" / "run.pt", "does not exist"),
        (a_file / "run.pt", "does not exist"),
        ("/proc/optlib-run.pt", "cannot write"),
    ]:
        raises_before_any_step(ValueError, rf"Invalid checkpoint\b.*{match}", checkpoint=path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # no .tmp left


# 5. Resuming: the whole file is checked before anything is loaded.


@pytest.fixture
def sgd_checkpoint(tmp_path):
    model = net()
    path = tmp_path / "sgd.pt"
    classify(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        epochs=6,
        checkpoint=path,
        stop=MaxEpochs(50),
    )
    return path


@pytest.mark.parametrize(
    "case, match",
    [
        ("adam", r"written with optimizer SGD, not Adam"),
        ("radam_from_adam", r"written with optimizer Adam, not RAdam"),
        ("wider", r"'0.weight' has shape \(8, 2\) in the file and \(16, 2\)"),
        ("criterion", r"written with stop MaxEpochs, not MaxSteps"),
        ("fewer_epochs", r"Invalid epochs: 3, but the checkpoint .* already holds 6 epochs"),
    ],
)
def test_resume_into_other_objects_changes_nothing(sgd_checkpoint, tmp_path, case, match):
    path = sgd_checkpoint
    model = net(3, hidden=16 if case == "wider" else 8)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    stop = MaxEpochs(50)
    kw = dict(epochs=8)
    if case == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    if case == "radam_from_adam":
        first = net()
        path = tmp_path / "adam.pt"
        classify(first, torch.optim.Adam(first.parameters(), lr=0.01), epochs=1, checkpoint=path)
        opt, stop = torch.optim.RAdam(model.parameters(), lr=0.01), None
    if case == "criterion":
        stop = MaxSteps(1000)
    if case == "fewer_epochs":
        kw["epochs"] = 3
    before, opt_before = params_of(model), opt.state_dict()
    with pytest.raises(ValueError, match=match):
        classify(model, opt, resume=path, stop=stop, **kw)
    assert unchanged(model, before) and opt.state_dict() == opt_before


def test_a_file_without_class_names_is_checked_by_its_settings(sgd_checkpoint, tmp_path):
    ckpt = torch.load(sgd_checkpoint, weights_only=True)
    del ckpt["kinds"]  # as written before the class names were saved
    old = tmp_path / "old.pt"
    torch.save(ckpt, old)
    model = net(3)
    raises_before_any_step(
        ValueError,
        r"Invalid checkpoint\b.*lacks the optimizer settings "
        r"\[.*'betas'.*\] \(group 0\)",
        model,
        torch.optim.Adam(model.parameters()),
        resume=old,
        stop=MaxEpochs(50),
        epochs=8,
    )


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", os.urandom(256)])
def test_an_unreadable_file_is_an_invalid_checkpoint(tmp_path, sgd_checkpoint, content):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(content)
    raises_before_any_step(ValueError, r"Invalid checkpoint\b.*cannot be read", resume=bad)
    half = tmp_path / "half.pt"
    half.write_bytes(sgd_checkpoint.read_bytes()[: sgd_checkpoint.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"Invalid checkpoint\b"):
        load_checkpoint(half, net())
    with pytest.raises(ValueError, match=r"Invalid checkpoint\b"):
        load_checkpoint(tmp_path / "nothing-here.pt", net())


def test_resume_to_as_many_epochs_as_the_checkpoint_holds_is_honest(sgd_checkpoint):
    model = net(3)
    h = classify(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        epochs=6,
        resume=sgd_checkpoint,
        stop=MaxEpochs(50),
    )
    assert h.n_epochs == 6 and h.stop_reason == f"finished 6 epochs ({h.n_steps} steps)"


# The rest: numpy integers, wrong kinds, frozen models, non-scalar losses.


def test_numpy_integers_are_integers():
    model = net()
    h = classify(
        model,
        epochs=np.int64(2),
        batch_size=np.int32(16),
        seed=np.int64(3),
        stop=MaxEpochs(np.int64(5)) | MaxSteps(np.int16(100)),
    )
    ref = classify(net(), epochs=2, batch_size=16, seed=3)
    assert h.losses == ref.losses
    assert [len(b) for b in batch_indices(np.int64(10), np.int64(4))] == [4, 4, 2]
    assert len(moons(np.int64(10))[0]) == 10
    assert len(spirals(np.int64(9), classes=np.int8(3))[0]) == 9
    with pytest.raises(ValueError, match=r"Invalid batch_size\b"):
        classify(batch_size=True)


@pytest.mark.parametrize(
    "kw, exc, name",
    [
        (dict(stop=5), TypeError, "stop"),
        (dict(metrics={"acc": 5}), TypeError, "metrics"),
        (dict(metrics=[accuracy]), TypeError, "metrics"),
        (dict(metrics={"bad": lambda out, t: accuracy(out[:1], t)}), ValueError, "metrics"),
        (dict(loss_fn=nn.CrossEntropyLoss(reduction="none")), ValueError, "loss_fn"),
        (dict(loss_fn="mse"), TypeError, "loss_fn"),
        (dict(X=X.numpy()), TypeError, "X"),
        (dict(X=torch.tensor(1.0), y=torch.tensor(1)), ValueError, "X"),
        (dict(y=Y.numpy()), TypeError, "y"),
        (dict(val_data=(X.numpy(), Y)), TypeError, "val_data"),
        (dict(val_data=(X[:, :1], Y)), ValueError, "val_data"),
        (dict(epochs="3"), ValueError, "epochs"),
        (dict(seed=0.5), ValueError, "seed"),
    ],
)
def test_bad_input_is_refused_before_any_step(kw, exc, name):
    raises_before_any_step(exc, rf"Invalid {name}\b", **kw)


def test_mse_with_reduction_none_and_a_frozen_model():
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match=r"Invalid loss_fn: it returned shape \(64, 1\)"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            nn.MSELoss(reduction="none"),
            XR,
            YR,
            progress=False,
        )
    frozen = net()
    for p in frozen.parameters():
        p.requires_grad_(False)
    raises_before_any_step(ValueError, r"Invalid model\b.*no trainable parameters", frozen)


def test_resume_with_other_metrics_or_from_a_hand_made_checkpoint(sgd_checkpoint, tmp_path):
    model = net(3)
    raises_before_any_step(
        ValueError,
        r"Invalid resume\b.*same metrics and val_data",
        model,
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        resume=sgd_checkpoint,
        stop=MaxEpochs(50),
        epochs=8,
        metrics={"acc": accuracy},
    )
    from optlib.train import save_checkpoint

    from optlib.train import MiniBatches

    bare = tmp_path / "bare.pt"
    save_checkpoint(bare, net(), torch.optim.SGD(net().parameters(), lr=0.1))
    raises_before_any_step(ValueError, r"Invalid checkpoint\b.*shuffling generator", resume=bare)
    save_checkpoint(
        bare, net(), torch.optim.SGD(net().parameters(), lr=0.1), batches=MiniBatches(X, Y, 16)
    )  # no history in it: the record starts here
    h = classify(net(), resume=bare, epochs=1)
    assert h.n_epochs == 1 and h.n_steps == 4
    broken = torch.load(sgd_checkpoint, weights_only=True)
    broken["history"] = {"steps": 3}
    torch.save(broken, tmp_path / "broken.pt")
    raises_before_any_step(
        ValueError,
        r"Invalid checkpoint\b.*malformed history",
        resume=tmp_path / "broken.pt",
        stop=MaxEpochs(50),
        epochs=8,
        opt=None,
    )
