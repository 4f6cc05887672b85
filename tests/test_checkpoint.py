"""Checkpoints: an interrupted run, resumed into fresh objects, equals an uninterrupted one."""

import pickle

import pytest
import torch
from torch import nn

from optlib.stopping import EarlyStopping, MaxEpochs
from optlib.train import MiniBatches, fit, load_checkpoint, moons, save_checkpoint, train_val_split

X, Y = moons(120, noise=0.2, seed=0)
XT, YT, XV, YV = train_val_split(X, Y, val_fraction=0.25, seed=0)
EPOCHS = 6


def build(init_seed: int):
    """A fresh model (dropout draws from the global generator), optimizer, scheduler, stop."""
    torch.manual_seed(init_seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    stop = EarlyStopping(patience=50) | MaxEpochs(100)  # tracks state, never fires here
    return model, opt, sched, stop


def run(model, opt, sched, stop, epochs, **kw):
    return fit(model, opt, nn.CrossEntropyLoss(), XT, YT, epochs=epochs, batch_size=16, seed=3,
               scheduler=sched, val_data=(XV, YV), stop=stop, progress=False, **kw)


def assert_same_run(a, b):
    """Bit for bit: parameters, optimizer state, scheduler, criteria and history (not clocks)."""
    (ma, oa, sa, ca, ha), (mb, ob, sb, cb, hb) = a, b
    for p, q in zip(ma.parameters(), mb.parameters(), strict=True):
        assert torch.equal(p, q)
    sda, sdb = oa.state_dict(), ob.state_dict()
    assert sda["param_groups"] == sdb["param_groups"]
    for k in sda["state"]:
        for name, t in sda["state"][k].items():
            assert torch.equal(t, sdb["state"][k][name]), name
    assert sa.state_dict() == sb.state_dict()
    es_a, es_b = ca.criteria[0].state_dict(), cb.criteria[0].state_dict()
    assert {k: v for k, v in es_a.items() if k != "best_state"} == \
           {k: v for k, v in es_b.items() if k != "best_state"}
    for k, t in es_a["best_state"].items():
        assert torch.equal(t, es_b["best_state"][k])
    assert ha.steps == hb.steps
    assert {k: v for k, v in ha.epochs.items() if k != "time"} == \
           {k: v for k, v in hb.epochs.items() if k != "time"}
    assert ha.stop_reason == hb.stop_reason


def test_resume_equals_the_uninterrupted_run_bit_for_bit(tmp_path):
    model, opt, sched, stop = objs = build(0)
    torch.manual_seed(100)
    whole = objs + (run(*objs, EPOCHS),)

    objs = build(0)
    torch.manual_seed(100)
    run(*objs, 2, checkpoint=tmp_path / "run.pt")
    del objs
    torch.manual_seed(999)  # the global generator moves on: the checkpoint must restore it
    fresh = build(1)  # a different initialization, overwritten by the checkpoint
    resumed = fresh + (run(*fresh, EPOCHS, resume=tmp_path / "run.pt"),)
    assert_same_run(whole, resumed)
    assert resumed[-1].n_epochs == EPOCHS and resumed[-1].epochs["epoch"] == list(range(1, 7))


class Interrupt(nn.Module):
    """A loss that raises KeyboardInterrupt on its ``at``-th call, like Ctrl-C in a notebook."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at, self.calls = at, 0

    def forward(self, out, target):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return nn.functional.cross_entropy(out, target)


def test_an_interrupted_run_resumes_from_its_last_checkpoint(tmp_path):
    objs = build(0)
    torch.manual_seed(100)
    whole = objs + (run(*objs, EPOCHS),)

    model, opt, sched, stop = build(0)
    torch.manual_seed(100)
    path = tmp_path / "run.pt"
    with pytest.raises(KeyboardInterrupt):
        fit(model, opt, Interrupt(at=24), XT, YT, epochs=EPOCHS, batch_size=16, seed=3,
            scheduler=sched, val_data=(XV, YV), stop=stop, progress=False, checkpoint=path)
    assert not (tmp_path / "run.pt.tmp").exists()
    # 90 points in batches of 16: 6 steps and 1 validation call per epoch. Call 24 is the
    # third step of epoch 4, so 3 epochs were saved.
    saved = load_checkpoint(path, build(5)[0], restore_rng=False)
    assert saved.n_epochs == 3 and saved.n_steps == 18
    fresh = build(2)
    resumed = fresh + (run(*fresh, EPOCHS, resume=path),)
    assert_same_run(whole, resumed)


def test_checkpoint_every_and_the_final_epoch(tmp_path):
    model, opt, sched, stop = build(0)
    path = tmp_path / "every.pt"
    run(model, opt, sched, stop, 5, checkpoint=path, checkpoint_every=2)
    assert load_checkpoint(path, build(0)[0], restore_rng=False).n_epochs == 5


def test_the_file_loads_with_weights_only(tmp_path):
    model, opt, sched, stop = build(0)
    path = tmp_path / "c.pt"
    h = run(model, opt, sched, stop, 2, checkpoint=path)
    ckpt = torch.load(path, weights_only=True)
    assert set(ckpt) >= {"model", "optimizer", "scheduler", "batches", "rng", "history", "stop"}
    assert ckpt["rng"]["torch"].dtype == torch.uint8
    assert ckpt["batches"]["generator"].dtype == torch.uint8
    assert ckpt["history"]["steps"] == h.steps and ckpt["history"]["epochs"] == h.epochs


def test_save_and_load_by_hand(tmp_path):
    model, opt, sched, stop = build(0)
    batches = MiniBatches(XT, YT, 16, seed=3)
    h = run(model, opt, sched, stop, 1)
    path = tmp_path / "hand.pt"
    save_checkpoint(path, model, opt, scheduler=sched, history=h, batches=batches)
    other, other_opt, other_sched, _ = build(7)
    other_batches = MiniBatches(XT, YT, 16, seed=0)
    loaded = load_checkpoint(path, other, other_opt, scheduler=other_sched, batches=other_batches)
    assert loaded == h
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), other.parameters()))
    assert torch.equal(batches.generator.get_state(), other_batches.generator.get_state())
    assert other_sched.last_epoch == sched.last_epoch
    with pytest.raises(ValueError, match=r"Invalid stop\b"):
        load_checkpoint(path, other, stop=build(0)[3])


class NotATensor:
    pass


def test_arbitrary_objects_are_never_unpickled(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": "optlib.train.checkpoint/1", "model": NotATensor()}, path)
    with pytest.raises(ValueError, match=r"Invalid checkpoint\b.*refused unread") as err:
        load_checkpoint(path, build(0)[0])
    assert isinstance(err.value.__cause__, pickle.UnpicklingError)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(ValueError, match=r"Invalid checkpoint\b.*not an optlib checkpoint"):
        load_checkpoint(other, build(0)[0])
