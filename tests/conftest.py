"""Shared pytest settings: markers, hypothesis profiles, a headless matplotlib, and the browser.

Fixture ``browser`` (module scope): a headless Chromium launched through Playwright, for every
browser test (players, offline pages, theme, PDF). Its executable is ``$CHROMIUM`` (``make test``
exports the one ``_ext/chromium.py`` found or installed), else the first Chromium that script
finds on this machine. A missing browser fails the test with what to run; it never skips.
Launch flags: ``CHROMIUM_ARGS``.
"""

import importlib.util
import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# CI and local runs use the same profile: deterministic (derandomized) examples, no deadline
# (a 2-core machine shared with a book build has noisy timings).
settings.register_profile(
    "course",
    derandomize=True,
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("course")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test; still runs in CI")
    config.addinivalue_line("markers", "book: needs the built book in _build/html")


ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_executable() -> str | None:
    """The Chromium the tests drive: ``$CHROMIUM``, else what ``_ext/chromium.py`` finds."""
    spec = importlib.util.spec_from_file_location("_chromium", ROOT / "_ext" / "chromium.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.present(dict(os.environ))


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (Playwright ``Browser``), shared by the tests of one module."""
    exe = chromium_executable()
    if exe is None:
        pytest.fail(
            f"Chromium is missing ({os.environ.get('CHROMIUM') or 'none found'}): run `make browser` "
            "(installs it), or set CHROMIUM=/path/to/chromium. The browser tests never skip."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
