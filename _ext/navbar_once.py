"""One navigation toggle of each kind per page, so that the menu and "on this page" work.

pydata-sphinx-theme 0.17 renders a top header (``#pst-header``) whenever its option
``navbar_persistent`` is not set by the book, defaulting it to a search field. That header
holds its own ``.primary-toggle`` and ``.secondary-toggle`` buttons, hidden under
sphinx-book-theme 1.3 (which draws its own in the article header). Both themes' scripts bind
their click handlers with ``document.querySelector(".primary-toggle")``: the first match, the
hidden button. On a phone the visible ☰ and "on this page" buttons then do nothing, and on a
desktop ☰ cannot collapse the sidebar, while the header shows as an empty 64 px bar with a
second search box (pydata-sphinx-theme#2451).

sphinx-book-theme sets every other ``navbar_*`` option empty; setting ``navbar_persistent``
empty too drops the header, so the visible buttons are the only ones and get the handlers.
Search stays where sphinx-book-theme puts it: the field at the top of the sidebar and the
magnifier button in the article header. A book that chose a value keeps it.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def no_persistent_navbar(app: Sphinx, config) -> None:
    options = config.html_theme_options
    if options is None:
        options = config.html_theme_options = {}
    options.setdefault("navbar_persistent", [])


def setup(app: Sphinx) -> dict:
    # config-inited runs before pydata-sphinx-theme's builder-inited default.
    app.connect("config-inited", no_persistent_navbar)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
