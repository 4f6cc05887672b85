"""The explorer widget, on the Python side: controls -> recomputed runs -> player data.

No browser here (the widget view is the player's script, js/*.js, tested in the browser tests
through the static player). What a kernel would do is what these tests do: set a control's
value, and check the runs against `run` and the data the view receives.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD, Adam
from optlib.trajectory import run
from optlib.viz.explorer import Explorer, PlayerWidget
from optlib.viz._assets import library, style

SPEC = {
    "SGD": (SGD, {"lr": 1e-3}),
    "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
    "Adam": (Adam, {"lr": 0.05}),
}
STEPS = 60


@pytest.fixture
def ex() -> Explorer:
    return Explorer(L.rosenbrock, SPEC, steps=STEPS)


def assert_same_run(traj, cls, x0, steps, **hp):
    ref = run(L.rosenbrock, cls, x0, steps, **hp)
    assert traj.diverged_at == ref.diverged_at
    torch.testing.assert_close(torch.from_numpy(traj.points), torch.from_numpy(ref.points), rtol=1e-12, atol=0)


def traces(ex: Explorer) -> dict[str, dict]:
    data = json.loads(json.dumps(ex.player_widget.latest["data"], allow_nan=False))  # what the comm sends
    return {t["label"]: t for t in data["traces"]}


def test_initial_runs_are_the_runs_of_the_settings(ex):
    assert list(ex.trajectories) == list(SPEC) and ex.message == ""
    for label, (cls, hp) in SPEC.items():
        assert_same_run(ex.trajectories[label], cls, L.rosenbrock.start, STEPS, **hp)
    t = traces(ex)
    assert list(t) == list(SPEC) and len(t["SGD"]["x"]) == STEPS + 1
    assert ex.player_widget.latest["background"]["image"].startswith("data:image/png;base64,")


def test_heavy_traits_sync_only_once_a_view_asks(ex):
    w = ex.player_widget
    # no front end yet (like the book build): nothing heavy in the widget state
    assert w.data == {} and w.background == {} and not w.live
    w._handle_custom_msg({"type": "optlib-player-ready"}, [])  # what the view sends on render
    assert w.live and w.data == w.latest["data"] and w.background == w.latest["background"]
    ex.controls["Adam.lr"].value = 0.2  # from now on every change is synced at once
    assert w.data["traces"][2]["x"] == traces(ex)["Adam"]["x"]


def test_controls_follow_the_optimizers_signatures(ex):
    c = ex.controls
    assert {"x0", "y0", "steps"} <= set(c)
    assert {"SGD.lr", "SGD.momentum", "SGD.nesterov", "Adam.lr", "Adam.beta1", "Adam.beta2", "Adam.amsgrad"} <= set(c)
    assert "Adam.momentum" not in c and "SGD.beta1" not in c
    assert isinstance(c["SGD.lr"], __import__("ipywidgets").FloatLogSlider)
    assert c["momentum.momentum"].value == 0.9 and c["Adam.beta2"].value == 0.999
    assert c["x0"].min == -2.0 and c["y0"].max == 3.0


def test_moving_a_control_recomputes_and_updates_the_player(ex):
    before = traces(ex)
    ex.controls["Adam.lr"].value = 0.2
    assert_same_run(ex.trajectories["Adam"], Adam, L.rosenbrock.start, STEPS, lr=ex.controls["Adam.lr"].value)
    after = traces(ex)
    assert after["Adam"]["x"] != before["Adam"]["x"] and after["SGD"] == before["SGD"]

    ex.controls["x0"].value = -1.0
    ex.controls["steps"].value = 25
    for label, (cls, hp) in SPEC.items():
        cls_, hp_ = ex.settings(label)
        assert_same_run(ex.trajectories[label], cls_, (-1.0, L.rosenbrock.start[1]), 25, **hp_)
    assert all(len(t["x"]) == 26 for t in traces(ex).values())

    ex.controls["momentum.momentum"].value = 0.5
    ex.controls["Adam.beta1"].value = 0.5
    assert ex.settings("Adam")[1]["betas"] == (0.5, 0.999)
    assert_same_run(ex.trajectories["momentum"], SGD, ex.start, 25, lr=1e-3, momentum=0.5)


def test_invalid_settings_show_a_message_not_a_traceback(ex):
    ex.controls["momentum.nesterov"].value = True
    ex.controls["momentum.momentum"].value = 0.0  # Nesterov needs momentum > 0
    with pytest.raises(ValueError) as torch_err:
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1e-3, momentum=0.0, nesterov=True)
    assert ex.message == f"momentum: {torch_err.value}"
    assert str(torch_err.value) in ex._message_widget.value and 'role="alert"' in ex._message_widget.value
    assert "momentum" not in traces(ex) and list(traces(ex)) == ["SGD", "Adam"]
    ex.controls["momentum.momentum"].value = 0.5  # fixed: the run comes back, the message goes
    assert ex.message == "" and ex._message_widget.value == "" and "momentum" in traces(ex)


def test_a_diverging_run_is_drawn_and_marked_not_an_error(ex):
    ex.controls["SGD.lr"].value = 5.0
    assert ex.message == "" and ex.trajectories["SGD"].diverged
    t = traces(ex)["SGD"]
    assert t["diverged_at"] == ex.trajectories["SGD"].diverged_at == len(t["x"])


def test_a_failure_inside_the_computation_becomes_a_message():
    class Broken(SGD):
        def step(self, closure=None):
            raise RuntimeError("boom")

    ex = Explorer(L.bowl, {"broken": (Broken, {"lr": 0.1})}, steps=5)
    assert "RuntimeError: boom" in ex.message


def test_show_hides_a_run_and_colors_stay_with_their_optimizer(ex):
    colors = {label: t["color"] for label, t in traces(ex).items()}
    ex.controls["SGD.show"].value = False
    t = traces(ex)
    assert list(t) == ["momentum", "Adam"] and {k: v["color"] for k, v in t.items()} == {
        "momentum": colors["momentum"], "Adam": colors["Adam"]}


def test_unchanged_settings_are_served_from_the_cache(ex, monkeypatch):
    calls = []
    import optlib.viz.explorer as mod

    real = mod.run_many
    monkeypatch.setattr(mod, "run_many", lambda *a, **k: calls.append(list(a[1])) or real(*a, **k))
    ex.controls["Adam.lr"].value = 0.01
    ex.controls["Adam.lr"].value = 0.05  # back to the start value: cached
    assert calls == [["Adam"]]


def test_two_lives_in_one_mimebundle(ex):
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == repr(ex) == "Explorer(Rosenbrock: SGD, momentum, Adam; 60 steps)"
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget.model_id
    html = bundle["text/html"]
    assert html.startswith('<div class="optlib-player"') and "data-optlib-player" in html
    data = json.loads(re.search(r'class="optlib-player-data">(.*?)</script>', html, re.S).group(1))
    assert [t["label"] for t in data["traces"]] == list(SPEC)
    assert [t["x"] for t in data["traces"]] == [t["x"] for t in traces(ex).values()]
    # built-in landscape and optimizers: the page recomputes them (tests/test_live.py)
    assert "drag on the landscape" in data["note"] and data["settings"] == ex.page_settings()

    class MySGD(SGD):  # a student's own optimizer: only the kernel can recompute it
        pass

    own = Explorer(L.rosenbrock, {"mine": (MySGD, {"lr": 1e-3})}, steps=5)
    data = json.loads(re.search(r'class="optlib-player-data">(.*?)</script>', own.to_html(), re.S).group(1))
    assert "run the notebook" in data["note"] and "settings" not in data


def test_the_widget_view_is_the_same_player_script():
    # one source, two lives: the module binds the static player's library to a local name
    assert PlayerWidget._esm.startswith(f"const optlibPlayer = {library()};")
    assert "export default" in PlayerWidget._esm and "render({ model, el })" in PlayerWidget._esm
    assert "optlibPlayer.mount(el, spec)" in PlayerWidget._esm and "player.setData(spec)" in PlayerWidget._esm
    assert "window." not in PlayerWidget._esm.replace(library(), "")  # the module sets no global
    assert PlayerWidget._css == style()


def test_one_dimensional_landscape():
    ex = Explorer(L.x_sin, {"GD": (SGD, {"lr": 0.05}), "Adam": Adam}, steps=30)
    assert "y0" not in ex.controls and ex.start == L.x_sin.start[0]
    ex.controls["x0"].value = 2.0
    ref = run(L.x_sin, SGD, 2.0, 30, lr=0.05)
    np.testing.assert_allclose(ex.trajectories["GD"].points, ref.points, rtol=1e-12)
    t = traces(ex)["GD"]
    assert t["y"] == t["loss"]


def test_lr_slider_range_holds_the_given_learning_rates():
    ex = Explorer(L.bowl, {"tiny": (SGD, {"lr": 1e-6}), "big": (SGD, {"lr": 50.0})}, steps=5)
    assert ex.controls["tiny.lr"].value == pytest.approx(1e-6) and ex.controls["big.lr"].value == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((L.bowl, {}), {}, "Invalid optimizers"),
        ((L.bowl, SPEC), {"steps": 0}, "Invalid steps: 0"),
        ((L.bowl, SPEC), {"x0": (1.0, 2.0, 3.0)}, "Invalid x0"),
        ((L.bowl, SPEC), {"lr_range": (1.0, 0.1)}, "Invalid lr_range"),
        ((L.bowl, SPEC), {"show": ["nope"]}, "Invalid show"),
        (("bowl", SPEC), {}, "Invalid landscape"),
    ],
)
def test_invalid_construction(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Explorer(*args, **kwargs)


def test_viz_exposes_the_explorer_lazily():
    assert viz.Explorer is Explorer


def test_the_static_player_carries_the_settings_of_its_runs(ex):
    ex.controls["Adam.beta1"].value = 0.8
    settings = ex.player().data["settings"]
    assert settings["landscape"] == "rosenbrock" and settings["start"] == list(L.rosenbrock.start)
    assert settings["steps"] == STEPS and [r["label"] for r in settings["runs"]] == list(SPEC)
    adam = settings["runs"][2]
    assert adam["optimizer"] == "Adam" and adam["hparams"]["lr"] == 0.05 and adam["hparams"]["betas"] == [0.8, 0.999]
    # the settings rebuild the runs: what an engine in the page will do
    for r, traj in zip(settings["runs"], ex.trajectories.values()):
        cls = getattr(__import__("optlib.optim", fromlist=["x"]), r["optimizer"])
        hp = {k: tuple(v) if isinstance(v, list) else v for k, v in r["hparams"].items()}
        assert_same_run(traj, cls, tuple(settings["start"]), settings["steps"], **hp)
    json.dumps(settings, allow_nan=False)  # plain JSON


def test_a_students_optimizer_has_no_page_settings():
    class Mine(SGD):
        pass

    assert Explorer(L.bowl, {"mine": (Mine, {"lr": 0.1})}, steps=5).page_settings() is None
