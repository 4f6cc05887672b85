"""Show the book's title under its logo at the top of the sidebar.

pydata-sphinx-theme replaces the title by the logo when ``html_logo`` is set, unless its theme
option ``logo.text`` is given; Jupyter Book's ``_config.yml`` has no key for that option. With
the front page left out of the navigation list (``home_page_in_navbar: false``, so the title
is not repeated as the list's first item), the logo and the title together are the link home.
A book that set ``logo.text`` itself keeps its own.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def title_under_logo(app: Sphinx, config) -> None:
    options = config.html_theme_options
    if options is None:
        options = config.html_theme_options = {}
    logo = options.setdefault("logo", {})
    if config.html_logo and config.html_title:
        logo.setdefault("text", config.html_title)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", title_under_logo)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
