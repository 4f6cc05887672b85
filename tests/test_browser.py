"""The static player in a real browser: headless Chromium driven by Playwright.

Two sources of pages:

- every page of the built book under ``_build/html/chapters/`` that holds a player (marked by
  the ``data-optlib-player`` attribute); at least one must exist (``book`` marker: run after
  ``make book``);
- a page of our own with three players (one of them with a diverged run), so the player is
  tested even before a chapter uses it, and so is the independence of several players.

For each player: press play and see the frame counter advance and the markers move (in the
numbers and on the canvas), pause, scrub to the end with the keyboard, use the player's own
keys, check the labels of the controls, and find no page error and no console error at all,
from any script of the page (ours, the theme's, MathJax's). Pages are served on 127.0.0.1
only; every other request is refused, so a player that needed a CDN would fail here.

The browser is conftest's ``browser`` fixture (``make test`` provisions Chromium; see
``_ext/chromium.py``, whose install decisions are tested at the end of this file). A missing
browser is a failure, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The built book; OPTLIB_BUILD_HTML points the test at another build (e.g. a scratch book).
BUILD = Path(os.environ.get("OPTLIB_BUILD_HTML", ROOT / "_build" / "html"))
MARKER = "data-optlib-player"


# -- fixtures (``browser`` is conftest's) --------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def serve():
    """serve(directory) -> base URL of a loopback HTTP server for that directory."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(directory))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="module")
def scratch_site(tmp_path_factory):
    """A page with three players: a 2-D race, a diverging run, a 1-D landscape."""
    from optlib import landscapes as L
    from optlib import viz
    from optlib.optim import SGD, Adam
    from optlib.trajectory import run_many

    race = run_many(L.rosenbrock, {"SGD": (SGD, {"lr": 1e-3}), "momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
                                   "Adam": (Adam, {"lr": 0.05})}, L.rosenbrock.start, 120)
    lrs = run_many(L.valley, {"lr 0.4": (SGD, {"lr": 0.4}), "lr 1.0 (diverges)": (SGD, {"lr": 1.0})}, L.valley.start, 400)
    assert lrs["lr 1.0 (diverges)"].diverged
    one = run_many(L.x_sin, {"GD": (SGD, {"lr": 0.05}), "momentum": (SGD, {"lr": 0.05, "momentum": 0.8})}, 1.2, 60)
    players = [viz.player(L.rosenbrock, race), viz.player(L.valley, lrs, note="one run diverges"), viz.player(L.x_sin, one)]
    body = "".join(f"<h2>Figure {i}</h2><p>Text between figures.</p>{p.to_html()}" for i, p in enumerate(players))
    site = tmp_path_factory.mktemp("players")
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>players</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="max-width:900px;margin:0 auto">{body}</body></html>',
        encoding="utf-8",
    )
    (site / "blank.html").write_text("<!DOCTYPE html><html><body><p>no player</p></body></html>", encoding="utf-8")
    return site


# -- helpers -------------------------------------------------------------------------------


def open_page(browser, url: str, width: int = 1000):
    """A page at ``url`` that may load only from its own server; collects every error it shows."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    base = re.match(r"http://127\.0\.0\.1:\d+/", url).group(0)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            errors.append(f"console: {msg.text} at {msg.location}")

    def on_error(err):
        errors.append(f"uncaught: {err} {getattr(err, 'stack', '') or ''}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.goto(url, wait_until="load")
    return page, errors


def state(root) -> dict:
    return root.evaluate("e => e.optlibPlayer.state()")


def wait_state(page, root, condition: str, timeout: float = 10_000):
    page.wait_for_function(f"e => {{ const s = e.optlibPlayer.state(); return {condition}; }}",
                           arg=root.element_handle(), timeout=timeout)


def exercise(page, root) -> None:
    """Play, pause, scrub and key through one player; assert what a reader would see."""
    root.scroll_into_view_if_needed()
    assert root.evaluate("e => typeof e.optlibPlayer === 'object'"), "the player did not mount: its script failed"
    data = json.loads(root.locator("script.optlib-player-data").text_content())
    st = state(root)
    n = st["steps"]
    assert n > 0 and st["step"] == n and not st["playing"], "a player first shows the whole run"
    assert root.locator("canvas.optlib-map, canvas.optlib-losschart").count() == 2

    # every control has an accessible name
    for b in root.locator("button").all():
        assert b.get_attribute("aria-label"), b.inner_html()
    slider, speed = root.locator("input.optlib-slider"), root.locator("select.optlib-speed")
    assert root.locator(f'label[for="{slider.get_attribute("id")}"]').text_content() == "Step"
    assert root.locator(f'label[for="{speed.get_attribute("id")}"]').text_content() == "Speed"
    assert slider.get_attribute("max") == str(n)

    # play: the frame counter advances and the markers move, in the numbers and in pixels
    speed.select_option("0.25")
    canvas = root.locator("canvas.optlib-map")
    root.locator("button.optlib-play").click()
    wait_state(page, root, "s.playing && s.step > 0 && s.step < 0.8 * s.steps")
    a, shot_a = state(root), canvas.screenshot()
    wait_state(page, root, f"s.step >= {a['step'] + 2}")
    b, shot_b = state(root), canvas.screenshot()
    assert b["step"] > a["step"]
    assert re.fullmatch(rf"step \d+ / {n}", root.locator(".optlib-controls output").text_content())
    moved = [ma["label"] for ma, mb in zip(a["markers"], b["markers"]) if (ma["px"], ma["py"]) != (mb["px"], mb["py"])]
    assert moved, "no marker moved while playing"
    assert shot_a != shot_b, "the canvas did not change while playing"
    assert root.locator("button.optlib-play").get_attribute("aria-label") == "Pause"

    # pause holds the frame
    root.locator("button.optlib-play").click()
    held = state(root)
    page.wait_for_timeout(300)
    assert state(root)["step"] == held["step"] and not state(root)["playing"]

    # scrub to the end (keyboard on the slider): every marker sits on its run's last point
    slider.focus()
    page.keyboard.press("End")
    end = state(root)
    assert end["step"] == n and slider.input_value() == str(n)
    assert root.locator(".optlib-controls output").text_content() == f"step {n} / {n}"
    for m, t in zip(end["markers"], data["traces"]):
        if t["x"]:
            # a live explorer recomputed its runs in the page: they agree to the data's 4 digits
            assert (m["x"], m["y"]) == pytest.approx((t["x"][-1], t["y"][-1]), rel=5e-4), m["label"]
        assert m["diverged"] == (t["diverged_at"] is not None), m["label"]
    badges = root.locator(".optlib-badge")
    for i, t in enumerate(data["traces"]):
        assert badges.nth(i).is_visible() == (t["diverged_at"] is not None)
        if t["diverged_at"] is not None:
            assert badges.nth(i).text_content() == f"diverged at step {t['diverged_at']}"

    # the player's own keys, when it has focus
    root.focus()
    page.keyboard.press("Home")
    assert state(root)["step"] == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert state(root)["step"] == 2
    page.keyboard.press("ArrowLeft")
    assert state(root)["step"] == 1
    page.keyboard.press(" ")
    assert state(root)["playing"]
    page.keyboard.press(" ")
    assert not state(root)["playing"]
    page.keyboard.press("End")
    assert state(root)["step"] == n


# -- our own page --------------------------------------------------------------------------


def test_three_players_on_one_page(browser, serve, scratch_site):
    base = serve(scratch_site)
    page, errors = open_page(browser, base + "index.html")
    roots = page.locator(f"[{MARKER}]")
    assert roots.count() == 3
    ids = [roots.nth(i).get_attribute("id") for i in range(3)]
    assert len(set(ids)) == 3
    for i in range(3):
        exercise(page, roots.nth(i))
    assert errors == []
    page.close()


def test_players_do_not_interfere(browser, serve, scratch_site):
    base = serve(scratch_site)
    blank, _ = open_page(browser, base + "blank.html")
    before = set(blank.evaluate("Object.keys(window)"))
    blank.close()
    page, errors = open_page(browser, base + "index.html")
    assert set(page.evaluate("Object.keys(window)")) - before == {"optlibPlayer"}
    roots = [page.locator(f"[{MARKER}]").nth(i) for i in range(3)]
    others = [state(r)["step"] for r in roots[1:]]
    roots[0].locator("button.optlib-play").click()
    wait_state(page, roots[0], "s.step > 3")
    assert [state(r)["step"] for r in roots[1:]] == others
    assert not any(state(r)["playing"] for r in roots[1:])
    roots[1].focus()
    page.keyboard.press("Home")
    assert state(roots[1])["step"] == 0 and state(roots[2])["step"] == others[1]
    assert errors == []
    page.close()


def test_narrow_screens_stack_the_charts(browser, serve, scratch_site):
    base = serve(scratch_site)
    page, errors = open_page(browser, base + "index.html", width=420)
    root = page.locator(f"[{MARKER}]").first
    top = root.evaluate("e => [e.querySelector('canvas.optlib-map').getBoundingClientRect().top,"
                        " e.querySelector('canvas.optlib-losschart').getBoundingClientRect().top]")
    assert top[1] > top[0] + 100, "the loss chart should move below the landscape"
    assert root.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the player overflows a narrow screen"
    page.set_viewport_size({"width": 1000, "height": 900})
    page.wait_for_timeout(200)
    top = root.evaluate("e => [e.querySelector('canvas.optlib-map').getBoundingClientRect().top,"
                        " e.querySelector('canvas.optlib-losschart').getBoundingClientRect().top]")
    assert abs(top[1] - top[0]) < 2, "side by side on a wide screen"
    assert errors == []
    page.close()


# -- the built book ------------------------------------------------------------------------


def book_pages() -> list[Path]:
    if not BUILD.is_dir():
        return []
    # an element carrying the attribute, not the word inside a script (the grid player's
    # library mentions it too)
    tag = re.compile(r"<\w+[^<>]*\s" + MARKER + r"[\s=>]")
    return sorted(
        p
        for p in (BUILD / "chapters").rglob("*.html")
        if tag.search(p.read_text(encoding="utf-8", errors="replace"))
    )


@pytest.mark.book
@pytest.mark.parametrize("page_path", book_pages() or [None], ids=lambda p: p.stem if p else "none")
def test_book_chapters_with_players(browser, serve, page_path):
    if not BUILD.is_dir():
        pytest.fail(f"no built book at {BUILD}: run `make book` first")
    if page_path is None:
        pytest.fail(
            f"no page under {BUILD / 'chapters'} contains a player (attribute {MARKER}); "
            "a chapter should show one (viz.player(...) or viz.Explorer(...)), or the book "
            "is stale: run `make book`"
        )
    base = serve(BUILD)
    page, errors = open_page(browser, base + page_path.relative_to(BUILD).as_posix())
    roots = page.locator(f"[{MARKER}]")
    count = roots.count()
    assert count >= 1
    ids = [roots.nth(i).get_attribute("id") for i in range(count)]
    assert len(set(ids)) == count, "player ids must be unique on a page"
    for i in range(count):
        exercise(page, roots.nth(i))
    assert errors == [], "\n".join(errors)
    page.close()


def test_numbers_in_the_page_are_the_rounded_runs(scratch_site):
    # the data a browser reads is the data Python wrote (no re-encoding on the way)
    html = (scratch_site / "index.html").read_text(encoding="utf-8")
    blobs = re.findall(r'class="optlib-player-data">(.*?)</script>', html, re.S)
    assert len(blobs) == 3
    for blob in blobs:
        data = json.loads(blob)
        for t in data["traces"]:
            assert np.isfinite(t["x"] + t["y"] + t["loss"]).all()


# -- provisioning: which Chromium, or which install command (_ext/chromium.py) ------------------


@pytest.fixture
def provision(tmp_path, monkeypatch, capsys):
    """provision(chromium, tools, dry_run) -> (exit code, stdout, stderr) of _ext/chromium.py.

    Runs the script's ``main`` with only fake ``tools`` on PATH and no browser anywhere else
    (no /usr/bin/chromium, an empty Playwright cache), so this machine's Chromium stays out of it.
    """
    spec = importlib.util.spec_from_file_location("_chromium_script", ROOT / "_ext" / "chromium.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "SYSTEM", str(tmp_path / "no-system-chromium"))
    monkeypatch.setattr(script, "playwright_chromium", lambda: str(tmp_path / "no-playwright-chromium"))
    ran = []
    monkeypatch.setattr(script.subprocess, "run", lambda cmd, **kw: ran.append(cmd) or subprocess.CompletedProcess(cmd, 0))

    def call(chromium, tools, dry_run=True, root=True):
        fake = tmp_path / "bin"
        fake.mkdir(exist_ok=True)
        for name in tools:
            (fake / name).write_text("#!/bin/sh\nexit 0\n")
            (fake / name).chmod(0o755)
        monkeypatch.setattr(script.os, "environ", {"PATH": str(fake), "CHROMIUM": chromium})
        monkeypatch.setattr(script.os, "geteuid", lambda: 0 if root else 1000)
        code = script.main(["--dry-run"] if dry_run else [])
        out, err = capsys.readouterr()
        return code, out, err, ran

    return call


def test_an_existing_chromium_is_used_as_is(tmp_path, provision):
    exe = tmp_path / "my-chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    code, out, err, ran = provision(str(exe), ["apt-get", "playwright"], dry_run=False)
    assert (code, out.strip(), ran) == (0, str(exe), [])


def test_missing_chromium_as_root_with_apt_installs_the_distribution_package(provision):
    code, out, err, ran = provision("/nonexistent", ["apt-get", "playwright"])
    assert code == 0 and ran == [], err
    assert out.strip() == ("would run: apt-get update && DEBIAN_FRONTEND=noninteractive "
                           "apt-get install -y --no-install-recommends chromium")


def test_missing_chromium_without_root_or_apt_uses_playwright(tmp_path, provision):
    for tools, root in [(["playwright"], True), (["apt-get", "playwright"], False)]:
        code, out, err, ran = provision("/nonexistent", tools, root=root)
        assert code == 0 and ran == [], err
        assert out.strip() == f"would run: {tmp_path / 'bin' / 'playwright'} install chromium"


def test_no_way_to_install_stops_with_one_line(provision):
    code, out, err, ran = provision("/nonexistent", [], dry_run=False)
    assert (code, out, ran) == (1, "", [])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "apt-get install -y chromium" in lines[0] and "playwright install chromium" in lines[0]


def test_an_install_that_leaves_no_browser_stops_with_one_line(provision):
    code, out, err, ran = provision("/nonexistent", ["apt-get"], dry_run=False)
    assert ran and ran[0][:2] == ["sh", "-c"] and "apt-get install" in ran[0][2]
    assert (code, out) == (1, "")
    assert err.strip().splitlines()[-1].startswith("Chromium is missing and could not be installed")


def test_an_install_that_puts_chromium_on_path_is_used(tmp_path, provision):
    code, out, err, ran = provision("/nonexistent", ["apt-get", "chromium"], dry_run=False)
    assert code == 0 and len(ran) == 1, err
    assert out.strip() == str(tmp_path / "bin" / "chromium")
