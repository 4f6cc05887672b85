"""The built book opened from disk with no network: every page whole, no error, nothing fetched.

A student on a train opens ``_build/html/index.html`` from disk. Every HTML page of the build
(the chapters, the landing page, references, search, the index) is loaded here through
``file://`` in headless Chromium, with every request that is not ``file://`` aborted and
recorded. Each page must show no page error and no console error, request nothing outside the
book, and leave no raw TeX in its visible text; MathJax (served from ``_static/mathjax``, see
``_ext/offline_math.py``) must have typeset every formula without an error node, and every
chapter page must hold typeset math. Needs the built book (``book`` marker: run ``make book``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("OPTLIB_BUILD_HTML", ROOT / "_build" / "html"))
SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static"}
RAW_TEX = ["\\(", "\\)", "\\[", "\\]", "$$"]

# Visible text outside code, scripts and typeset math: where raw TeX would show to a reader.
VISIBLE_PROSE = """() => {
  const skip = 'pre, code, script, style, textarea, mjx-container';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (p && !p.closest(skip) && p.checkVisibility()) out.push(n.data);
  }
  return out.join(' ');
}"""

# Every formula MathJax found, after typesetting, with the ones it could not render.
MATH_REPORT = """async () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return null;
  await MathJax.startup.promise;
  const items = Array.from(MathJax.startup.document.math);
  const bad = items.filter(m => {
    const mml = MathJax.startup.toMML(m.root);
    return mml.includes('<merror') || mml.includes('mathcolor="red"');
  });
  return {count: items.length, bad: bad.map(m => m.math),
          containers: document.querySelectorAll('mjx-container').length,
          errorNodes: document.querySelectorAll('mjx-merror, [data-mjx-error]').length};
}"""


def pages() -> list[Path]:
    if not BUILD.is_dir():
        return []
    return sorted(p for p in BUILD.rglob("*.html") if not SKIP_DIRS & set(p.relative_to(BUILD).parts))


def page_id(p: Path | None) -> str:
    return p.relative_to(BUILD).with_suffix("").as_posix() if p else "none"


def open_offline(browser, path: Path):
    """Load ``path`` from disk; return the page, its errors and the requests it tried outside."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text} at {m.location}"))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', path.read_text(encoding="utf-8"))
    if redirect:  # index.html forwards to the first page: check where the reader lands
        page.goto(path.as_uri(), wait_until="commit")
        page.wait_for_url((path.parent / redirect.group(1)).as_uri(), wait_until="load")
    else:
        page.goto(path.as_uri(), wait_until="load")
    return page, errors, outside


@pytest.mark.book
def test_the_book_has_its_pages():
    found = {page_id(p) for p in pages()}
    if not found:
        pytest.fail(f"no built book at {BUILD}: run `make book` first")
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    expected = {"index", "intro", "references", "search", "genindex"} | {f"chapters/{c}" for c in chapters}
    assert expected <= found, sorted(expected - found)


@pytest.mark.book
@pytest.mark.parametrize("path", pages() or [None], ids=page_id)
def test_page_offline(browser, path):
    if path is None:
        pytest.fail(f"no built book at {BUILD}: run `make book` first")
    page, errors, outside = open_offline(browser, path)
    math = page.evaluate(MATH_REPORT)
    page.wait_for_timeout(100)  # let late console messages (a font, a lazy script) arrive
    prose = page.evaluate(VISIBLE_PROSE)
    page.close()
    assert outside == [], f"requests outside the book: {outside}"
    assert errors == [], "\n".join(errors)
    raw = {t: prose.count(t) for t in RAW_TEX if t in prose}
    assert not raw, f"raw TeX in the visible text: {raw}; e.g. ...{prose[prose.find(next(iter(raw))) - 60:][:160]}..."
    if math is not None:
        assert math["bad"] == [] and math["errorNodes"] == 0, f"MathJax could not render: {math['bad'][:5]}"
        assert math["containers"] >= math["count"]
    if path.parent.name == "chapters":
        assert math is not None and math["count"] > 0, "a chapter page without typeset math: MathJax did not run"


@pytest.mark.book
def test_macros_from_the_config_render(browser):
    """``\\R`` (mathjax3_config in _config.yml) renders as a blackboard R, not as an error."""
    uses = [p for p in pages() if re.search(r"\\R\b", p.read_text(encoding="utf-8"))]
    if not uses:
        pytest.fail("no page uses \\R: pick another macro from _config.yml for this test")
    page, errors, outside = open_offline(browser, uses[0])
    mml = page.evaluate("""async () => { await MathJax.startup.promise;
        return Array.from(MathJax.startup.document.math).filter(m => /\\\\R\\b/.test(m.math))
                    .map(m => MathJax.startup.toMML(m.root)); }""")
    page.close()
    assert mml and all("\u211D" in m or 'mathvariant="double-struck"' in m for m in mml), mml[:2]
    assert errors == [] and outside == []
