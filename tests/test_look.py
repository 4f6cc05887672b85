"""The book as a reader sees it, on a phone and on a desktop (issue 20).

Every chapter page of the built book (``_build/html``) is opened in headless Chromium twice: as
a phone (390x844 CSS px, 2x, touch) and as a desktop (1280x900). Checked on every chapter:

- phone: the visible menu button (☰) opens the navigation: the sidebar dialog opens, is on
  screen, and a chapter link in it is the element under a tap on its centre; the "on this
  page" button opens the page's table of contents the same way;
- desktop: ☰ collapses the sidebar and a second press brings it back; the page has one
  visible search field (no extra header bar with a second one);
- computed numbers (glue's ``span.pasted-text``) have the weight of the text around them;
- captions (figures and tables) are 14-15 px in weight 400 (the number, "Fig. 5.3", may be
  bold);
- a solution's title bar is at least 44 px tall, holds no link, and a tap on its middle opens
  the solution without leaving the page;
- a table wider than its box scrolls inside it with a shadow cue and a first column that
  stays in place.

On the front page: no "<this repository>" placeholder, and on a phone its chapter map lists
all 13 chapters as links inside the screen, with no horizontal page scroll.
Needs the built book (``book`` marker: run ``make book``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("OPTLIB_BUILD_HTML", ROOT / "_build" / "html"))
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

pytestmark = pytest.mark.book


def url(rel: str) -> str:
    path = BUILD / rel
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make book` first")
    return path.as_uri()


def one_page(browser, device: dict):
    context = browser.new_context(**device)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def phone(browser):
    yield from one_page(browser, PHONE)


@pytest.fixture(scope="module")
def desktop(browser):
    yield from one_page(browser, DESKTOP)


def open_page(page, rel: str) -> None:
    page.goto(url(rel), wait_until="load")
    page.wait_for_timeout(300)  # the themes bind their handlers on DOMContentLoaded


def visible(page, selector: str):
    """The one visible element matching ``selector`` (fails when none or several are)."""
    loc = page.locator(f"{selector} >> visible=true")
    assert loc.count() == 1, f"{loc.count()} visible elements match {selector!r}"
    return loc


# Whether the element at the centre of the first visible match is that element (or inside it).
HIT_TEST = """(sel) => {
  const el = Array.from(document.querySelectorAll(sel)).find(e => e.checkVisibility()
      && e.getBoundingClientRect().width > 0);
  if (!el) return 'none visible';
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  if (r.right <= 0 || r.left >= innerWidth) return 'off screen';
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit && (hit === el || el.contains(hit)) ? 'ok' : 'covered by ' + (hit && hit.outerHTML.slice(0, 80));
}"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_phone_menu_and_page_toc_open(phone, chapter):
    open_page(phone, f"chapters/{chapter}.html")
    dialog = phone.locator("#pst-primary-sidebar-modal")
    visible(phone, ".primary-toggle").tap()
    phone.wait_for_timeout(400)
    assert dialog.evaluate("d => d.open"), "the menu button did not open the navigation"
    assert dialog.evaluate("d => d.getBoundingClientRect().width > 200")
    links = dialog.locator("nav.bd-links a.reference.internal[href*='_']")
    assert links.count() >= len(CHAPTERS) - 1, "the navigation lists no chapters"
    assert (
        phone.evaluate(
            HIT_TEST, "#pst-primary-sidebar-modal nav.bd-links a.reference.internal"
        )
        == "ok"
    )
    phone.keyboard.press("Escape")
    phone.wait_for_timeout(300)
    assert not dialog.evaluate("d => d.open")

    toc = phone.locator("#pst-secondary-sidebar-modal")
    visible(phone, ".secondary-toggle").tap()
    phone.wait_for_timeout(400)
    assert toc.evaluate("d => d.open"), (
        "the 'on this page' button did not open the contents"
    )
    assert toc.locator("nav.page-toc a >> visible=true").count() >= 1
    phone.keyboard.press("Escape")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_desktop_menu_collapses_sidebar(desktop, chapter):
    open_page(desktop, f"chapters/{chapter}.html")
    visible(
        desktop, ".search-button-field"
    )  # one search field, no second one in a top bar
    sidebar = desktop.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    width = desktop.evaluate(
        "() => document.querySelector('.bd-article').getBoundingClientRect().width"
    )
    visible(desktop, ".primary-toggle").click()
    desktop.wait_for_timeout(600)  # the theme's 0.25 s transition
    assert not sidebar.is_visible(), "☰ did not collapse the sidebar"
    assert not desktop.locator("#pst-primary-sidebar-modal").evaluate("d => d.open")
    wider = desktop.evaluate(
        "() => document.querySelector('.bd-article').getBoundingClientRect().width"
    )
    assert wider > width, "the text did not take the sidebar's room"
    visible(desktop, ".primary-toggle").click()
    desktop.wait_for_timeout(600)
    assert sidebar.is_visible(), "a second ☰ did not bring the sidebar back"


WEIGHTS = """() => Array.from(document.querySelectorAll('.bd-article span.pasted-text')).map(s => [
  s.textContent, getComputedStyle(s).fontWeight, getComputedStyle(s.parentElement).fontWeight])"""

CAPTIONS = """() => Array.from(document.querySelectorAll(
    '.bd-article figcaption, .bd-article table > caption')).map(c => {
  const text = c.querySelector('.caption-text') || c;
  const s = getComputedStyle(text);
  return [c.textContent.trim().slice(0, 40), parseFloat(s.fontSize), s.fontWeight];
})"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_numbers_and_captions(desktop, phone, chapter):
    open_page(desktop, f"chapters/{chapter}.html")
    weights = desktop.evaluate(WEIGHTS)
    bold = [(t, w) for t, w, parent in weights if w != parent]
    assert not bold, f"computed numbers drawn heavier than their text: {bold[:5]}"
    for page in (desktop, phone):
        if page is phone:
            open_page(phone, f"chapters/{chapter}.html")
        captions = page.evaluate(CAPTIONS)
        assert captions, "no captions found"
        off = [c for c in captions if not (14 <= c[1] <= 15 and c[2] == "400")]
        assert not off, f"captions outside 14-15 px / weight 400: {off[:5]}"


SOLUTIONS = ".bd-article div.admonition.dropdown.solution"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_title_bar_opens_solution(phone, chapter):
    open_page(phone, f"chapters/{chapter}.html")
    solutions = phone.locator(SOLUTIONS)
    if solutions.count() == 0:
        assert not phone.locator(".bd-article .solution").count(), (
            "solutions not in drop-downs"
        )
        return
    before = phone.url
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        title = solution.locator(":scope > .admonition-title")
        assert title.locator("a").count() == 0, "a link inside the solution's title bar"
        title.scroll_into_view_if_needed()
        box = title.bounding_box()
        assert box["height"] >= 44, f"solution title bar {box['height']:.0f} px tall"
        assert "toggle-hidden" in solution.get_attribute("class")
        phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        phone.wait_for_timeout(200)
        assert phone.url == before, "the tap left the page"
        assert "toggle-hidden" not in solution.get_attribute("class"), (
            "the tap did not open it"
        )
        body = solution.locator(":scope > :not(.admonition-title)").first
        assert body.is_visible()


TABLES = """() => Array.from(document.querySelectorAll(
    '.bd-article .pst-scrollable-table-container, .bd-article div.output.text_html table'))
  .filter(b => b.scrollWidth > b.clientWidth + 1).map(b => {
    const first = b.querySelector('tr > :first-child');
    const clear = e => getComputedStyle(e).backgroundColor === 'rgba(0, 0, 0, 0)';
    // the shadow is the box's background: rows and cells right of the first must not hide it
    const seeThrough = Array.from(b.querySelectorAll('tr')).every(
        r => clear(r) && Array.from(r.children).slice(1).every(clear));
    return [getComputedStyle(b).backgroundImage.includes('gradient') && seeThrough,
            first ? getComputedStyle(first).position : 'none'];
  })"""


def test_wide_tables_scroll_with_a_cue(phone):
    found = 0
    for chapter in CHAPTERS:
        open_page(phone, f"chapters/{chapter}.html")
        for shadow, position in phone.evaluate(TABLES):
            found += 1
            assert shadow, f"{chapter}: a table scrolls with no shadow cue"
            assert position == "sticky", (
                f"{chapter}: a scrolling table's first column moves"
            )
        assert phone.evaluate(
            "() => document.scrollingElement.scrollWidth <= innerWidth"
        ), f"{chapter}: the page scrolls sideways on a phone"
    assert found, "no table scrolls on a phone: the check checked nothing"


def test_front_page(phone):
    open_page(phone, "intro.html")
    text = phone.inner_text(".bd-article")
    assert "<this repository>" not in text and "this repository>" not in text
    assert "git clone <" not in phone.content()
    assert phone.evaluate(
        "() => document.scrollingElement.scrollWidth <= innerWidth"
    ), "the front page scrolls sideways on a phone"
    assert phone.evaluate(
        "() => Array.from(document.querySelectorAll('.chapter-map *'))"
        ".every(e => e.scrollWidth <= e.clientWidth + 1 || e.clientWidth === 0)"
    ), "the chapter map scrolls sideways on a phone"
    links = phone.locator(".bd-article .chapter-map a.reference.internal")
    assert links.count() == len(CHAPTERS)
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            f"chapter link {i + 1} off screen"
        )
    assert "@book{" in text, "no BibTeX entry to cite the book"
    # The title is the sidebar's heading, not repeated as its first navigation item.
    first = phone.locator("#pst-primary-sidebar nav.bd-links a").first
    assert first.get_attribute("href").startswith("chapters/01"), first.get_attribute(
        "href"
    )
