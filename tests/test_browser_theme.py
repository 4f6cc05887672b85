"""The player in headless Chromium: the page's dark mode, print, its page API, a long run.

- Dark mode: the book's theme puts ``data-theme="dark"`` on ``<html>`` and toggles it without
  a reload. The player must follow: text and background differ strongly (contrast ratio at
  least 4.5, WCAG AA) in both modes, read from computed styles and from the canvas's pixels,
  and the canvases redraw in the new colours.
- Print: the PDF is printed after a ``beforeprint`` event; the player then shows its complete
  runs with the legend, in light colours, without controls, and ``afterprint`` restores it.
- The page API ``el.optlibPlayer`` (``trajectories``, ``setData``, ``settings``) that the
  in-page engine will drive.
- A 100,000-step path: a frame at step 99,000 costs what a frame at step 10 costs (the paths
  are drawn incrementally); measured, with a one-frame budget.

Pages are files written here; every request that is not ``file://`` is refused. Chromium
comes from the shared ``browser`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import io
import json
import re
import statistics
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from optlib import landscapes as L
from optlib import viz
from optlib.optim import SGD
from optlib.trajectory import run_many

MARKER = "[data-optlib-player]"


@pytest.fixture(scope="module")
def runs():
    return run_many(L.valley, {"lr 0.4": (SGD, {"lr": 0.4}), "lr 1.0 (diverges)": (SGD, {"lr": 1.0})},
                    L.valley.start, 400)


SETTINGS = {"landscape": "valley", "start": [-5.0, -2.0], "steps": 400,
            "runs": [{"optimizer": "SGD", "hparams": {"lr": 0.4}}, {"optimizer": "SGD", "hparams": {"lr": 1.0}}]}


def write_page(path: Path, *players: viz.Player) -> str:
    # the theme's dark page background, as the book's theme sets it
    style = 'html[data-theme="dark"] body { background: #14181e; color: #ced6dd; }'
    body = "".join(f"<p>Text before a figure.</p>{p.to_html()}" for p in players)
    path.write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
                    f"<style>{style}</style></head><body style='max-width:900px;margin:0 auto'>{body}</body></html>",
                    encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def page_url(tmp_path_factory, runs):
    return write_page(tmp_path_factory.mktemp("theme") / "index.html",
                      viz.player(L.valley, runs, note="one run diverges", settings=SETTINGS))


@pytest.fixture
def page(browser, page_url):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(page_url, wait_until="load")
    page.wait_for_function(f"document.querySelector('{MARKER}').optlibPlayer")
    yield page
    assert errors == []
    page.close()


# -- colours -------------------------------------------------------------------------------


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    c = np.asarray(rgb[:3], dtype=np.float64) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def css_rgb(text: str) -> tuple[int, int, int]:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", text)[:3])


def test_contrast_formula_matches_wcag():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def styles(root) -> dict:
    return root.evaluate("""e => {
        const s = getComputedStyle(e), v = (q) => getComputedStyle(e.querySelector(q));
        return {fg: s.color, bg: s.backgroundColor, muted: v('.optlib-val').color,
                button: v('.optlib-btn').color, buttonBg: v('.optlib-btn').backgroundColor,
                play: v('.optlib-play').color, playBg: v('.optlib-play').backgroundColor};
    }""")


def shot(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"))


def canvas_text_contrast(pixels: np.ndarray) -> tuple[tuple[int, ...], float]:
    """The canvas's background (its most common colour) and the strongest contrast of any pixel
    of its left margin against it (the tick labels and the axis title are drawn there)."""
    bg = Counter(map(tuple, pixels.reshape(-1, 3))).most_common(1)[0][0]
    margin = pixels[:, :50].reshape(-1, 3)
    return bg, max(contrast(bg, p) for p in {tuple(p) for p in margin})


def set_theme(page, theme: str | None) -> None:
    js = ("document.documentElement.removeAttribute('data-theme')" if theme is None
          else f"document.documentElement.setAttribute('data-theme', '{theme}')")
    page.evaluate(js)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_dark_mode_is_readable_and_redraws_without_reload(page):
    root = page.locator(MARKER)
    seen = {}
    for theme in (None, "dark", None):
        set_theme(page, theme)
        s = styles(root)
        for fg, bg in [("fg", "bg"), ("muted", "bg"), ("button", "buttonBg"), ("play", "playBg")]:
            assert contrast(css_rgb(s[fg]), css_rgb(s[bg])) >= 4.5, (theme, fg, s)
        loss = shot(root.locator("canvas.optlib-losschart"))
        mapped = shot(root.locator("canvas.optlib-map"))
        bg, best = canvas_text_contrast(loss)
        assert best >= 4.5, (theme, bg, best)
        assert bg == css_rgb(s["bg"])  # the chart is drawn on the card's own background
        seen.setdefault(theme or "light", []).append((s, loss, mapped))
    (light, _, _), (dark, dark_loss, dark_map) = seen["light"][0], seen["dark"][0]
    assert luminance(css_rgb(light["bg"])) > 0.8 and luminance(css_rgb(dark["bg"])) < 0.05
    light_loss, light_map = seen["light"][0][1], seen["light"][0][2]
    # the canvases were redrawn in the new colours: the axis text turned light on dark
    assert (light_loss != dark_loss).mean() > 0.1 and (light_map != dark_map).any()
    assert luminance(canvas_text_pixel(dark_loss)) > 0.5 > luminance(canvas_text_pixel(light_loss))
    # and back: the same pixels as before the toggle
    assert np.array_equal(seen["light"][1][1], light_loss) and np.array_equal(seen["light"][1][2], light_map)
    assert root.evaluate("e => e.optlibPlayer.state().step") == root.evaluate("e => e.optlibPlayer.state().steps")


def canvas_text_pixel(pixels: np.ndarray) -> tuple[int, ...]:
    bg = Counter(map(tuple, pixels.reshape(-1, 3))).most_common(1)[0][0]
    return max({tuple(p) for p in pixels[:, :50].reshape(-1, 3)}, key=lambda p: contrast(bg, p))


def test_the_landscape_stays_a_light_card_in_dark_mode(page):
    root = page.locator(MARKER)
    set_theme(page, "dark")
    r = root.evaluate("e => { const s = e.optlibPlayer.state(); return s; }")
    assert r["steps"] > 0
    pixels = shot(root.locator("canvas.optlib-map"))
    h, w, _ = pixels.shape
    centre = pixels[h // 4: h // 2, w // 2: 3 * w // 4].reshape(-1, 3)  # contours, no path
    assert np.median([luminance(p) for p in centre[::50]]) > 0.4


# -- print ---------------------------------------------------------------------------------


def test_print_shows_the_complete_runs_without_controls(page):
    root = page.locator(MARKER)
    data = json.loads(root.locator("script.optlib-player-data").text_content())
    root.focus()
    page.keyboard.press("Home")
    set_theme(page, "dark")  # a reader in dark mode prints: the paper is light anyway
    page.emulate_media(media="print")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    st = root.evaluate("e => e.optlibPlayer.state()")
    assert st["printing"] and not st["playing"] and st["step"] == st["steps"]
    for m, t in zip(st["markers"], data["traces"]):  # the page recomputed them: 4 digits agree
        assert (m["x"], m["y"]) == pytest.approx((t["x"][-1], t["y"][-1]), rel=5e-4)
    assert root.locator(".optlib-controls").evaluate("e => getComputedStyle(e).display") == "none"
    assert root.locator(".optlib-legend").is_visible()
    assert root.locator(".optlib-badge").nth(1).is_visible()  # the diverged run says so
    assert luminance(css_rgb(styles(root)["bg"])) > 0.8
    bg, best = canvas_text_contrast(shot(root.locator("canvas.optlib-losschart")))
    assert luminance(bg) > 0.8 and best >= 4.5
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    st = root.evaluate("e => e.optlibPlayer.state()")
    assert not st["printing"] and st["step"] == 0
    assert root.locator(".optlib-controls").evaluate("e => getComputedStyle(e).display") != "none"
    assert luminance(css_rgb(styles(root)["bg"])) < 0.05  # dark again


def test_the_print_media_query_alone_makes_the_still(page):
    root = page.locator(MARKER)
    root.focus()
    page.keyboard.press("Home")
    page.emulate_media(media="print")  # what printing from the browser's menu changes
    page.wait_for_function(f"document.querySelector('{MARKER}').optlibPlayer.state().printing")
    assert root.evaluate("e => e.optlibPlayer.state().step") == root.evaluate("e => e.optlibPlayer.state().steps")
    page.emulate_media(media="screen")
    page.wait_for_function(f"!document.querySelector('{MARKER}').optlibPlayer.state().printing")
    assert root.evaluate("e => e.optlibPlayer.state().step") == 0


# -- the page API --------------------------------------------------------------------------


def test_trajectories_are_the_runs_in_order(page, runs):
    root = page.locator(MARKER)
    got = root.evaluate("e => e.optlibPlayer.trajectories()")
    assert [t["label"] for t in got] == list(runs)
    for t, ref in zip(got, runs.values()):
        np.testing.assert_allclose(np.array(t["points"], dtype=float), ref.points, rtol=5e-4)
        np.testing.assert_allclose(np.array(t["losses"], dtype=float), ref.losses, rtol=5e-4)
        assert t["diverged_at"] == ref.diverged_at
    assert root.evaluate("e => e.optlibPlayer.settings()") == SETTINGS


def test_set_data_redraws_from_new_trajectories(page):
    root = page.locator(MARKER)
    before = shot(root.locator("canvas.optlib-map"))
    new = [{"label": "engine", "points": [[-4, 2], [-2, 1], [0, 0.5], [1, 0]], "losses": [11.2, 2.4, 0.5, 0.02]},
           {"label": "blows up", "points": [[-4, -2], [4, 2], [float("nan"), 0]], "losses": [19.2, 9.6, 1.0]}]
    root.evaluate("(e, t) => e.optlibPlayer.setData({traces: t})", new)
    got = root.evaluate("e => e.optlibPlayer.trajectories()")
    assert got[0] == {"label": "engine", "points": new[0]["points"], "losses": new[0]["losses"], "diverged_at": None}
    assert got[1]["points"] == new[1]["points"][:2] and got[1]["diverged_at"] == 2  # cut at the NaN
    st = root.evaluate("e => e.optlibPlayer.state()")
    assert st["steps"] == 3 and st["step"] == 3
    assert root.locator(".optlib-legend .optlib-name").all_text_contents() == ["engine", "blows up"]
    assert root.locator("input.optlib-slider").get_attribute("max") == "3"
    after = shot(root.locator("canvas.optlib-map"))
    assert (before != after).any()
    # what the new data did not say is kept: the landscape, the title, the settings
    assert root.locator(".optlib-note").text_content() == "one run diverges"
    assert root.evaluate("e => e.optlibPlayer.settings()") == SETTINGS
    centre = after[after.shape[0] // 2 - 5: after.shape[0] // 2 + 5, -80:-60].reshape(-1, 3)
    assert len({tuple(p) for p in centre}) > 1  # still the contour picture, not a plain panel


# -- a long run ----------------------------------------------------------------------------


def spiral_runs(steps: int) -> dict:
    t = np.arange(steps + 1, dtype=np.float64)
    out = {}
    for i, (rate, turn) in enumerate([(2e-5, 3e-3), (4e-5, 2e-3), (3e-5, 5e-3)]):
        r = 1.8 * np.exp(-rate * t)
        pts = np.stack([r * np.cos(turn * t + i), r * np.sin(turn * t + i)], axis=1)
        out[f"run {i}"] = {"points": pts, "losses": 0.5 * (pts**2).sum(axis=1)}
    return out


@pytest.mark.slow
def test_a_100000_step_path_plays_smoothly(browser, tmp_path):
    url = write_page(tmp_path / "long.html", viz.player(L.bowl, spiral_runs(100_000)))
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(url, wait_until="load")
    page.wait_for_function(f"document.querySelector('{MARKER}').optlibPlayer")
    # jump near the end with the slider, then step with the keyboard as a reader does; each
    # frame is timed until its canvases are rasterized (getImageData forces the drawing)
    times = page.evaluate("""([from, count]) => {
        const root = document.querySelector("[data-optlib-player]");
        const slider = root.querySelector("input[type=range]");
        const flush = () => root.querySelectorAll("canvas").forEach((c) => c.getContext("2d").getImageData(0, 0, 1, 1));
        slider.value = String(from);
        slider.dispatchEvent(new Event("input"));
        flush();
        const out = [];
        while (out.length < count) {
          const t = performance.now();
          root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
          flush();
          out.push(performance.now() - t);
        }
        return out;
    }""", [99_000, 40])
    st = page.evaluate(f"document.querySelector('{MARKER}').optlibPlayer.state()")
    assert st["step"] == 99_040
    # redrawing 3 x 99,000 segments per frame took seconds; one frame is 16 ms at 60 Hz
    assert statistics.median(times) < 16, times
    page.close()


# -- the book's figures --------------------------------------------------------------------


def test_figures_on_a_light_card_and_players_on_their_own_in_dark_mode(browser, tmp_path, runs):
    # the theme's own style sheet and ours, around a chapter's two kinds of output
    import matplotlib.pyplot as plt
    import pydata_sphinx_theme

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 0])
    fig.savefig(tmp_path / "fig.png")
    plt.close(fig)
    theme_css = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static/styles"
    ours = Path(__file__).resolve().parents[1] / "_static" / "dark.css"
    player = viz.player(L.valley, runs).to_html()
    (tmp_path / "book.html").write_text(
        '<!DOCTYPE html><html data-theme="light"><head>'
        f'<link rel="stylesheet" href="{(theme_css / "pydata-sphinx-theme.css").as_uri()}">'
        f'<link rel="stylesheet" href="{ours.as_uri()}"></head><body><div class="bd-content">'
        f'<div class="cell_output"><div class="output text_html">{player}</div></div>'
        '<div class="cell_output"><img src="fig.png" alt="a line"></div></div></body></html>',
        encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto((tmp_path / "book.html").as_uri(), wait_until="load")
    img, wrapper = page.locator("img"), page.locator("div.text_html")

    def box(loc):
        return loc.evaluate("e => { const s = getComputedStyle(e); return [s.backgroundColor, s.paddingTop]; }")

    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    bg, pad = box(img)
    assert luminance(css_rgb(bg)) > 0.5 and float(pad.rstrip("px")) >= 4
    pixels = shot(img).reshape(-1, 3)  # as drawn, with the theme's dimming filter
    assert contrast(pixels.min(axis=0), css_rgb(bg)) >= 4.5
    # the player's wrapper is no light card: the player is a dark card of its own
    assert box(wrapper) == ["rgba(0, 0, 0, 0)", "0px"]
    player_bg = page.locator(MARKER).evaluate("e => getComputedStyle(e).backgroundColor")
    assert luminance(css_rgb(player_bg)) < 0.05
    page.emulate_media(media="print")
    assert luminance(css_rgb(page.locator(MARKER).evaluate("e => getComputedStyle(e).backgroundColor"))) > 0.8
    page.close()


def test_the_widget_module_mounts_the_same_player_without_a_global(browser, tmp_path, runs):
    # the explorer's second life: anywidget imports _esm and calls render({model, el})
    from optlib.viz.explorer import PlayerWidget
    from optlib.viz.player import background, player_data

    (tmp_path / "blank.html").write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto((tmp_path / "blank.html").as_uri())
    first = player_data({"lr 0.4": runs["lr 0.4"]})
    got = page.evaluate("""async ([esm, css, bg, first, second]) => {
        const style = document.createElement("style");
        style.textContent = css;
        document.head.append(style);
        const mod = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
        const state = { background: bg, data: first }, handlers = {};
        const model = { get: (k) => state[k], on: (e, f) => { handlers[e] = f; }, off: () => {}, send: () => {} };
        const el = document.createElement("div");
        document.body.append(el);
        const cleanup = mod.default.render({ model, el });
        const before = el.optlibPlayer.trajectories().map((t) => t.label);
        state.data = second;
        handlers["change:data"]();
        const after = el.optlibPlayer.trajectories().map((t) => t.label);
        const canvases = el.querySelectorAll("canvas").length;
        cleanup();
        return { before, after, canvases, global: typeof window.optlibPlayer, left: el.children.length };
    }""", [PlayerWidget._esm, PlayerWidget._css, background(L.valley).spec(), first, player_data(runs)])
    assert got == {"before": ["lr 0.4"], "after": list(runs), "canvases": 2, "global": "undefined", "left": 0}
    assert errors == []
    page.close()
