"""Live explorers in the static page (issue 15): the engine recomputes as the controls move.

(a) A page with an Explorer's static HTML (built from Python, no book): the learning-rate
slider (keys and input events), a dragged start point, an invalid setting, the 3-D view and
the keyboard; every recomputed run is compared with optlib.trajectory.run to 1e-9 relative.
(b) ``book``: every built chapter page with an explorer, as a reader would use it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from optlib import landscapes as L
from optlib import optim, viz
from optlib.optim import SGD, Adam
from optlib.trajectory import run

ROOT = Path(__file__).resolve().parents[1]
SPEC = {
    "SGD": (SGD, {"lr": 1e-3}),
    "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
    "Adam": (Adam, {"lr": 0.05}),
}
STEPS = 60


@pytest.fixture(scope="module")
def html() -> str:
    return viz.Explorer(L.rosenbrock, SPEC, steps=STEPS).to_html()


@pytest.fixture
def page(browser, html):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_content(f"<!DOCTYPE html><html><body>{html}</body></html>")
    page.errors = errors
    yield page
    assert errors == []
    page.close()


def api(page, call: str):
    return page.evaluate(f"() => document.querySelector('.optlib-player').optlibPlayer.{call}")


def assert_equals_optlib(page, landscape=L.rosenbrock) -> None:
    """Every run on the page equals optlib.trajectory.run of the page's settings, to 1e-9."""
    s, got = api(page, "settings()"), api(page, "trajectories()")
    assert [t["label"] for t in got] == [r["label"] for r in s["runs"]]
    for r, t in zip(s["runs"], got, strict=True):
        hp = {k: tuple(v) if isinstance(v, list) else v for k, v in r["hparams"].items()}
        ref = run(
            landscape,
            getattr(optim, r["optimizer"]),
            tuple(map(float, s["start"])),
            s["steps"],
            **hp,
        )
        assert t["diverged_at"] == ref.diverged_at
        np.testing.assert_allclose(
            np.array(t["points"], dtype=float), ref.points, rtol=1e-9, atol=1e-300
        )
        np.testing.assert_allclose(
            np.array(t["losses"], dtype=float), ref.losses, rtol=1e-9, atol=1e-300
        )


def python_message(cls, **hp) -> str:
    try:
        cls([torch.zeros(2, dtype=torch.float64, requires_grad=True)], **hp)
    except ValueError as err:
        return str(err)
    raise AssertionError("no error")


def test_the_page_recomputes_with_the_engine_at_once(page):
    # on load the runs are the engine's (exact), not the page's 4-digit copy
    assert_equals_optlib(page)
    assert api(page, "settings()")["start"] == list(L.rosenbrock.start)


def test_the_lr_slider_moves_by_keys_and_input_events(page):
    before = api(page, "trajectories()")
    lr = page.locator("input[id$='-r0-lr']")
    assert page.locator(f"label[for='{lr.get_attribute('id')}']").inner_text() == "learning rate"
    lr.focus()
    page.keyboard.press("ArrowRight")
    s = api(page, "settings()")
    assert s["runs"][0]["hparams"]["lr"] == pytest.approx(
        10 ** (math.log10(1e-3) + 0.05), rel=1e-12
    )
    assert api(page, "trajectories()")[0]["points"] != before[0]["points"]
    assert api(page, "trajectories()")[1]["points"] == before[1]["points"]
    assert_equals_optlib(page)
    lr.evaluate("e => { e.value = '-2'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert api(page, "settings()")["runs"][0]["hparams"]["lr"] == pytest.approx(1e-2, rel=1e-12)
    assert_equals_optlib(page)
    # the keys moved the slider, not the step of the animation
    assert api(page, "state()")["step"] == STEPS


def test_dragging_the_start_point_recomputes_from_there(page):
    canvas = page.locator("canvas.optlib-map")
    box = canvas.bounding_box()
    plot = api(page, "state()")["plot"]
    x0, x1, y0, y1 = [-2.0, 2.0, -1.0, 3.0]  # Rosenbrock's domain, the picture's extent

    def pixel(x, y):
        return (
            box["x"] + plot["x"] + (x - x0) / (x1 - x0) * plot["w"],
            box["y"] + plot["y"] + (y1 - y) / (y1 - y0) * plot["h"],
        )

    page.mouse.move(*pixel(-1.5, 2.0))
    page.mouse.down()
    page.mouse.move(*pixel(-0.5, 1.0), steps=5)
    page.mouse.move(*pixel(0.5, -0.5), steps=5)
    page.mouse.up()
    start = api(page, "settings()")["start"]
    px = (x1 - x0) / plot["w"]  # one pixel in data units
    assert start == pytest.approx([0.5, -0.5], abs=2 * px)
    assert_equals_optlib(page)
    first = api(page, "trajectories()")[0]["points"][0]
    assert first == start
    # the start sliders follow
    assert float(page.locator("input[id$='-start0']").input_value()) == pytest.approx(start[0])


def test_invalid_settings_show_pythons_message(page):
    api(page, "set({runs: [{}, {}, {hparams: {eps: -1}}]})")
    msg = page.locator(".optlib-message")
    assert msg.is_visible()
    assert msg.inner_text() == f"Invalid settings: Adam: {python_message(Adam, eps=-1.0)}"
    assert [t["label"] for t in api(page, "trajectories()")] == ["SGD", "momentum"]
    api(page, "set({runs: [{hparams: {lr: -0.5}}, {}, {hparams: {eps: 1e-8}}]})")
    assert msg.inner_text() == f"Invalid settings: SGD: {python_message(SGD, lr=-0.5)}"
    api(page, "set({runs: [{hparams: {lr: 1e-3}}]})")
    assert not msg.is_visible()
    assert_equals_optlib(page)


def test_a_start_outside_the_picture_is_clamped_with_a_note(page):
    s = api(page, "set({start: [10, -7], steps: 20})")
    assert s["start"] == [2.0, -1.0] and s["steps"] == 20
    assert "outside the picture" in page.locator(".optlib-message").inner_text()
    assert_equals_optlib(page)


def test_changing_the_optimizer_keeps_the_learning_rate(page):
    api(page, "set({runs: [{optimizer: 'RMSprop'}]})")
    r = api(page, "settings()")["runs"][0]
    assert r["optimizer"] == "RMSprop" and r["hparams"]["lr"] == 1e-3
    assert page.locator("input[id$='-r0-alpha']").count() == 1  # RMSprop's own knobs appear
    assert_equals_optlib(page)


def pixels(locator) -> str:
    return locator.evaluate("c => c.toDataURL()")


def test_the_3d_view_turns_by_drag_and_keys_and_toggles_back(page):
    surf, flat = page.locator("canvas.optlib-surface"), page.locator("canvas.optlib-map")
    button = page.locator("button.optlib-3d")
    assert not surf.is_visible() and button.get_attribute("aria-pressed") == "false"
    button.click()
    assert (
        surf.is_visible()
        and not flat.is_visible()
        and button.get_attribute("aria-pressed") == "true"
    )
    a = pixels(surf)
    box = surf.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 20, steps=4)
    page.mouse.up()
    b = pixels(surf)
    assert b != a
    surf.focus()
    page.keyboard.press("ArrowLeft")
    assert pixels(surf) != b
    assert api(page, "state()")["step"] == STEPS  # the arrows turned the view, not the step
    # in step with the 2-D view: going to step 0 redraws the surface
    c = pixels(surf)
    page.locator("button.optlib-first").click()
    assert pixels(surf) != c
    # it recomputes there too, and follows the dark theme
    d = pixels(surf)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_function("() => true")
    page.wait_for_timeout(100)
    assert pixels(surf) != d
    button.press("Enter")
    assert (
        flat.is_visible()
        and not surf.is_visible()
        and button.get_attribute("aria-pressed") == "false"
    )


def test_every_new_control_has_a_label_and_works_from_the_keyboard(page):
    controls = page.locator(".optlib-live input, .optlib-live select, button.optlib-3d")
    n = controls.count()
    assert n >= 12
    for i in range(n):
        c = controls.nth(i)
        name = c.evaluate(
            "e => e.getAttribute('aria-label')"
            " || (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent"
        )
        assert name and name.strip(), c.evaluate("e => e.outerHTML")
        assert c.evaluate("e => e.tabIndex") >= 0
    # Tab reaches them in order from the player's own step controls
    page.locator("select.optlib-speed").focus()
    seen = set()
    for _ in range(n + 2):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert any(s.endswith("-r0-lr") for s in seen) and any(s.endswith("-steps") for s in seen)
    # a select by keys, a checkbox by space, a slider by End
    sel = page.locator("select[id$='-r1-opt']")
    sel.focus()
    sel.select_option("Adagrad")  # what the keyboard's choice fires (change), checked below too
    assert api(page, "settings()")["runs"][1]["optimizer"] == "Adagrad"
    flag = page.locator("input[id$='-r0-nesterov']")
    api(page, "set({runs: [{hparams: {momentum: 0.5}}]})")
    flag = page.locator("input[id$='-r0-nesterov']")
    flag.focus()
    page.keyboard.press(" ")
    assert api(page, "settings()")["runs"][0]["hparams"]["nesterov"] is True
    assert api(page, "state()")["playing"] is False  # space on a checkbox does not play
    steps = page.locator("input[id$='-steps']")
    steps.focus()
    page.keyboard.press("End")
    assert api(page, "settings()")["steps"] == 1000
    x = page.locator("input[id$='-start1']")
    x.focus()
    page.keyboard.press("ArrowDown")
    assert api(page, "settings()")["start"][1] == pytest.approx(2.0 - 4 / 200)
    assert_equals_optlib(page)


def test_a_one_dimensional_explorer_is_live_too(browser):
    html = viz.Explorer(
        L.x_sin, {"gradient descent": (SGD, {"lr": 0.05})}, x0=1.2, steps=50
    ).to_html()
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(f"<!DOCTYPE html><html><body>{html}</body></html>")
    assert page.locator("button.optlib-3d").count() == 0  # a curve has no surface
    box, plot = page.locator("canvas.optlib-map").bounding_box(), api(page, "state()")["plot"]
    x0, x1 = L.x_sin.domain[0]
    page.mouse.click(
        box["x"] + plot["x"] + (2.0 - x0) / (x1 - x0) * plot["w"], box["y"] + plot["y"] + 5
    )
    (start,) = api(page, "settings()")["start"]
    assert start == pytest.approx(2.0, abs=2 * (x1 - x0) / plot["w"])
    (t,) = api(page, "trajectories()")
    ref = run(L.x_sin, SGD, start, 50, lr=0.05)
    np.testing.assert_allclose(np.array(t["points"], dtype=float), ref.points, rtol=1e-9)
    np.testing.assert_allclose(np.array(t["losses"], dtype=float), ref.losses, rtol=1e-9)
    assert errors == []
    page.close()


# -- (b) the built book: every explorer, used as a reader would ------------------------------


def live_pages() -> list[Path]:
    from test_browser import book_pages

    return [p for p in book_pages() if '"settings"' in p.read_text(encoding="utf-8")]


@pytest.mark.book
@pytest.mark.parametrize("page_path", live_pages() or [None], ids=lambda p: p.stem if p else "none")
def test_book_explorers_recompute_as_a_reader_moves_them(browser, page_path):
    import functools
    import http.server
    import threading

    from test_browser import BUILD, _Quiet, open_page

    if page_path is None:
        pytest.fail(
            f"no page under {BUILD / 'chapters'} carries an explorer's settings: run `make book`"
        )

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(BUILD))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = (
            f"http://127.0.0.1:{httpd.server_address[1]}/{page_path.relative_to(BUILD).as_posix()}"
        )
        page, errors = open_page(browser, url)
        lives = page.locator("[data-optlib-player]:has(.optlib-live)")
        assert lives.count() >= 1, "an explorer of this page is not live"
        for i in range(lives.count()):
            root = lives.nth(i)
            root.scroll_into_view_if_needed()

            def get(what: str, root=root):
                return root.evaluate(f"e => e.optlibPlayer.{what}()")

            before = get("trajectories")
            root.locator("input[id$='-r0-lr']").focus()
            page.keyboard.press("ArrowRight")
            moved = get("trajectories")
            assert moved[0]["points"] != before[0]["points"], "the lr slider did not recompute"
            box = root.locator("canvas.optlib-map").bounding_box()
            plot = root.evaluate("e => e.optlibPlayer.state().plot")

            def at(u: float, v: float, box=box, plot=plot) -> tuple[float, float]:
                return box["x"] + plot["x"] + u * plot["w"], box["y"] + plot["y"] + v * plot["h"]

            page.mouse.move(*at(0.5, 0.5))
            page.mouse.down()
            page.mouse.move(*at(0.3, 0.35), steps=4)
            page.mouse.up()
            s, after = get("settings"), get("trajectories")
            assert after != moved, "dragging the start did not recompute"
            for t in after:
                if t["points"]:
                    first = t["points"][0]
                    assert (first if isinstance(first, list) else [first]) == s["start"]
        assert errors == [], "\n".join(errors)
        page.close()
    finally:
        httpd.shutdown()
