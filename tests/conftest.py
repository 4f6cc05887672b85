"""Shared pytest settings: markers, hypothesis profiles, and a headless matplotlib."""

import os

import matplotlib
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
