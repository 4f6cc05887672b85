"""GridPlayer: the schema and its checks in Python, and the slider in headless Chromium.

The browser half drives a page with two grids and a player as a reader would (keyboard on
the slider, an ``input`` event, the page API) and checks that what is drawn is the shipped
numbers of the chosen setting: the canvas pixels at the projected points have the series'
colour, and the projection is the axis the data asks for (linear, or log).
"""

from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pytest
from PIL import Image

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD
from optlib.trajectory import run_many
from optlib.viz.grid import GridPlayer, quantize

VALUES = [1, 4, 16, 64]
T = 40


def levels(values=VALUES, t=T, scale=1.0) -> list[np.ndarray]:
    """One curve per setting, well apart: setting k sits near level (k + 1) * scale."""
    steps = np.arange(t)
    return [(k + 1) * scale * (1 + 0.15 * np.sin(steps / 4 + k)) for k in range(len(values))]


def grid(**kw) -> GridPlayer:
    curves = {"training loss": levels(), "validation loss": levels(scale=1.3)}
    args = {"axis": "batch size B", "values": VALUES, "xlabel": "epoch", "title": "t"}
    return GridPlayer(curves, **{**args, **kw})


# -- Python: the schema ------------------------------------------------------------------------


def test_schema_carries_every_setting_of_every_series():
    g = grid(value=16, dashes=["validation loss"], note="move it")
    d = g.data
    assert d["v"] == 1 and d["axis"] == "batch size B" and d["note"] == "move it"
    assert d["values"] == VALUES and d["labels"] == ["1", "4", "16", "64"] and d["index"] == 2
    assert [s["name"] for s in d["series"]] == ["training loss", "validation loss"]
    assert [s["dash"] for s in d["series"]] == [False, True]
    assert d["series"][0]["color"] == viz.PALETTE[0] and d["series"][1]["color"] == viz.PALETTE[1]
    for s in d["series"]:
        assert s["x"] == list(range(T)) and len(s["y"]) == len(VALUES)
        assert all(len(row) == T for row in s["y"])
    every = [v for s in d["series"] for row in s["y"] for v in row]
    assert d["ylim"][0] < min(every) and d["ylim"][1] > max(every)  # 5% wider, linear
    assert d["xlim"] == [0, T - 1]
    assert repr(g) == "GridPlayer(batch size B: 1, 4, 16, 64; training loss, validation loss)"


def test_html_is_self_contained_and_json_round_trips():
    g = grid()
    bundle = g._repr_mimebundle_()
    html = bundle["text/html"]
    assert bundle["text/plain"] == repr(g)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no CDN
    text = re.search(r'class="optlib-grid-data">(.*?)</script>', html).group(1)
    assert json.loads(text) == g.data
    assert "mountGrid" in html and html.count('class="optlib-player optlib-grid"') == 1


@pytest.mark.parametrize("digits", [2, 3, 4, 6])
def test_quantization_error_is_bounded_by_the_digits(digits):
    rng = np.random.default_rng(digits)
    v = rng.standard_normal(5000) * 10.0 ** rng.uniform(-12, 12, 5000)
    q = np.array(quantize(v, digits))
    bound = 0.5 * 10.0 ** (1 - digits)
    assert np.all(np.abs(q - v) <= bound * np.abs(v) * (1 + 1e-12))
    assert np.max(np.abs(q - v) / np.abs(v)) > 0.3 * bound  # and it does round
    ys = grid(digits=digits).data["series"][0]["y"]
    err = np.abs(np.array(ys) - np.array(levels())) / np.abs(np.array(levels()))
    assert err.max() <= bound * (1 + 1e-12)


def test_fewer_digits_make_a_smaller_page():
    rng = np.random.default_rng(0)
    curves = {"loss": [rng.random(300) for _ in VALUES]}
    sizes = [len(GridPlayer(curves, axis="B", values=VALUES, digits=d).to_html()) for d in (3, 6)]
    assert sizes[0] < sizes[1] - 2.5 * len(VALUES) * 300  # about 3 characters per number


def test_non_finite_values_are_gaps_shipped_as_null():
    rows = levels()
    rows[1] = rows[1].copy()
    rows[1][5], rows[1][30:] = np.nan, np.inf  # a blow-up, and a run that stopped early
    g = GridPlayer({"loss": rows}, axis="lr", values=VALUES, log_y=True)
    y = g.data["series"][0]["y"][1]
    assert y[5] is None and y[30:] == [None] * (T - 30) and y[4] is not None
    shipped_text = re.search(r'optlib-grid-data">(.*?)</script>', g.to_html()).group(1)
    assert "NaN" not in shipped_text and "Infinity" not in shipped_text
    finite = np.concatenate([r[np.isfinite(r)] for r in rows])
    assert g.data["ylim"] == quantize(np.array([finite.min(), finite.max()]), 4)  # log: as is


def test_x_per_series_and_series_of_different_lengths():
    curves = {"per step": levels(t=50), "per epoch": levels(t=5)}
    g = GridPlayer(curves, axis="B", values=VALUES,
                   x={"per step": np.arange(50) / 10, "per epoch": np.arange(1, 6)})
    assert g.data["series"][1]["x"] == [1, 2, 3, 4, 5] and g.data["xlim"] == [0, 5]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"curves": {"loss": levels()[:3]}}, ValueError,
         r"curves\['loss'\] has 3 curves but values has 4 settings"),
        ({"curves": {"loss": [np.ones(5), np.ones(5), np.ones(4), np.ones(5)]}}, ValueError,
         r"curves\['loss'\] is ragged: setting 2 has 4 points, setting 0 has 5"),
        ({"curves": {"loss": [[] for _ in VALUES]}}, ValueError, r"curves\['loss'\] has no points"),
        ({"curves": {"loss": [np.full(5, np.nan)] * 4}}, ValueError, "curves has no finite value"),
        ({"curves": {}}, TypeError, "curves must be a non-empty mapping"),
        ({"curves": levels()}, TypeError, "curves must be a non-empty mapping"),
        ({"curves": {"loss": 3.0}}, TypeError, r"curves\['loss'\] must be a sequence"),
        ({"values": [1, 2, math.nan, 4]}, ValueError, "values must be a non-empty sequence of finite"),
        ({"values": []}, ValueError, "values must be a non-empty sequence"),
        ({"labels": ["a", "b"]}, ValueError, "labels has 2 entries but values has 4"),
        ({"x": np.arange(T + 1)}, ValueError, r"x has 41 values but curves\['loss'\] has 40 points"),
        ({"x": np.full(T, np.inf)}, ValueError, "x must be finite"),
        ({"value": 5}, ValueError, r"value 5 is not one of values \[1.0, 4.0, 16.0, 64.0\]"),
        ({"digits": 1}, ValueError, "Invalid digits: 1"),
        ({"ylim": (2, 1)}, ValueError, r"Invalid ylim: \[2.0, 1.0\]"),
        ({"curves": {"loss": [r - 1.5 for r in levels()]}, "log_y": True}, ValueError,
         r"log_y needs positive values, but curves\['loss'\] has -"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(kwargs, error, match):
    args = {"curves": {"loss": levels()}, "axis": "B", "values": VALUES}
    args.update(kwargs)
    curves = args.pop("curves")
    with pytest.raises(error, match=match):
        GridPlayer(curves, **args)


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    runs = run_many(L.valley, {"SGD": (SGD, {"lr": 0.4})}, L.valley.start, 30)
    log = GridPlayer({"loss": [r * 10.0 ** k for k, r in enumerate(levels())]}, axis="sigma",
                     values=[0.1, 0.3, 1, 3], log_y=True, title="log grid")
    parts = [viz.player(L.valley, runs).to_html(), grid().to_html(), log.to_html()]
    style = 'html[data-theme="dark"] body { background: #14181e; color: #ced6dd; }'
    path = tmp_path_factory.mktemp("grid") / "index.html"
    path.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>grid</title>'
        f"<style>{style}</style></head><body style='max-width:900px;margin:0 auto'>"
        + "".join(f"<p>Text.</p>{p}" for p in parts) + "</body></html>", encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser, page_url):
    """The page, offline (anything but file:// is refused), failing on any page error."""
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    offline = lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort()
    for event, record in [("pageerror", str), ("console", lambda m: m.type == "error" and m.text)]:
        page.on(event, lambda e, record=record: (msg := record(e)) and errors.append(msg))
    page.route("**/*", offline)
    page.goto(page_url, wait_until="load")
    page.wait_for_function("[...document.querySelectorAll('.optlib-grid')]"
                           ".filter(e => e.optlibPlayer).length === 2")
    yield page
    page.close()
    assert errors == []


def api(root, call: str):
    return root.evaluate(f"e => e.optlibPlayer.{call}")


def canvas_pixels(root) -> np.ndarray:
    """The chart's canvas as RGB pixels (the page's pixel ratio is 1)."""
    png = root.locator("canvas").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])


def inked(pixels: np.ndarray, xy, rgb: np.ndarray, radius: int = 2) -> bool:
    """Whether a pixel within `radius` of canvas point xy has colour rgb (within 40 per channel)."""
    x, y = round(xy[0]), round(xy[1])
    patch = pixels[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]
    return bool((np.abs(patch - rgb).max(axis=-1) <= 40).any())


def check_drawn(root, data: dict, index: int) -> None:
    """What the grid drew is setting `index` of the shipped data, at the axis' positions."""
    st = api(root, "state()")
    assert st["index"] == index and api(root, "settings()")["index"] == index
    shown = api(root, "curves()")
    pixels = canvas_pixels(root)
    box = st["plot"]
    for s, got, drawn in zip(data["series"], shown, st["drawn"]):
        assert got == {"name": s["name"], "x": s["x"], "y": s["y"][index]}
        px = np.array(drawn["pixels"], dtype=float)
        x0, x1 = data["xlim"]
        np.testing.assert_allclose(px[:, 0], box["x"] + box["w"] * (np.array(s["x"]) - x0) / (x1 - x0))
        y = np.log10(s["y"][index]) if data["log_y"] else np.array(s["y"][index])
        slope, icpt = np.polyfit(y, px[:, 1], 1)  # pixels are an affine map of y (or log y)
        assert slope < 0 and np.abs(slope * y + icpt - px[:, 1]).max() < 1e-6
        inside = [p for p in px if box["y"] + 3 < p[1] < box["y"] + box["h"] - 3]
        assert len(inside) > 0.8 * len(px)
        hits = [inked(pixels, p, hex_rgb(s["color"])) for p in inside[1:-1]]
        assert np.mean(hits) > 0.9, s["name"]
        for k, row in enumerate(s["y"]):  # the other settings are only faint, never full ink
            if k == index:
                continue
            other = np.array(row)
            oy = np.log10(other) if data["log_y"] else other
            far = np.abs(oy - y).min() * abs(slope) > 8
            pts = np.c_[px[:, 0], slope * oy + icpt][1:-1]
            if far:
                assert np.mean([inked(pixels, p, hex_rgb(s["color"]), 1) for p in pts]) < 0.2


def shipped(root) -> dict:
    return json.loads(root.locator("script.optlib-grid-data").text_content())


def test_the_slider_moves_by_keyboard_and_input_and_draws_that_setting(page):
    root = page.locator(".optlib-grid").first
    data = shipped(root)
    assert api(root, "settings()") == {"axis": "batch size B", "value": 1, "label": "1", "index": 0}
    check_drawn(root, data, 0)
    slider = root.get_by_role("slider", name="batch size B")  # the slider has its label
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert api(root, "settings()")["value"] == 4
    check_drawn(root, data, 1)
    page.keyboard.press("End")
    assert api(root, "settings()") == {"axis": "batch size B", "value": 64, "label": "64", "index": 3}
    assert slider.get_attribute("aria-valuetext") == "batch size B 64"
    assert root.locator("output").text_content() == "64"
    check_drawn(root, data, 3)
    slider.evaluate("e => { e.value = '2'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert api(root, "settings()")["value"] == 16
    check_drawn(root, data, 2)
    page.keyboard.press("Home")
    check_drawn(root, data, 0)


def test_set_picks_the_nearest_value_and_the_other_grid_is_left_alone(page):
    first, second = page.locator(".optlib-grid").all()
    root_api = "e => e.optlibPlayer.set({value: 20})"
    first.evaluate(root_api)
    assert api(first, "settings()")["value"] == 16 and api(second, "settings()")["index"] == 0
    second.evaluate("e => e.optlibPlayer.set({index: 2})")
    check_drawn(second, shipped(second), 2)
    assert api(first, "settings()")["value"] == 16
    with pytest.raises(Exception, match="needs"):
        first.evaluate("e => e.optlibPlayer.set({})")
    # the player on the same page mounted from the same namespace and still works
    assert page.evaluate("typeof optlibPlayer.mount === 'function' && "
                         "typeof optlibPlayer.mountGrid === 'function'")
    assert page.locator("[data-optlib-player]").first.evaluate("e => e.optlibPlayer.state().steps") == 30


def test_log_axis_ticks_are_powers_and_draws_the_shipped_numbers(page):
    root = page.locator(".optlib-grid").nth(1)
    data = shipped(root)
    assert data["log_y"]
    check_drawn(root, data, 0)
    root.get_by_role("slider", name="sigma").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert api(root, "settings()")["value"] == 1
    check_drawn(root, data, 2)


def luminance(rgb) -> float:
    c = np.asarray(rgb[:3], dtype=np.float64) / 255
    return float(np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) @ [0.2126, 0.7152, 0.0722])


def test_dark_mode_redraws_and_stays_readable_and_prints_light(page):
    root = page.locator(".optlib-grid").first
    data = shipped(root)
    looks = {}
    for theme in ("light", "dark"):
        if theme == "dark":
            page.evaluate("document.documentElement.setAttribute('data-theme', 'dark')")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        px = canvas_pixels(root)
        bg = np.median(px.reshape(-1, 3), axis=0)
        margin = px[:, :55].reshape(-1, 3)  # tick labels and the axis title
        text = max(margin, key=lambda p: abs(luminance(p) - luminance(bg)))
        looks[theme] = (luminance(bg), luminance(text))
        check_drawn(root, data, 0)  # the curves are the same numbers in both themes
    (bg_l, text_l), (bg_d, text_d) = looks["light"], looks["dark"]
    assert bg_l > 0.8 and text_l < 0.1  # dark ink on a light card
    assert bg_d < 0.05 and text_d > 0.5  # light ink on a dark card, redrawn without reload
    page.emulate_media(media="print")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert root.locator(".optlib-controls").evaluate("e => getComputedStyle(e).display") == "none"
    assert luminance(np.median(canvas_pixels(root).reshape(-1, 3), axis=0)) > 0.8
    check_drawn(root, data, 0)
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert luminance(np.median(canvas_pixels(root).reshape(-1, 3), axis=0)) < 0.05
