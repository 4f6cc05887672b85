"""Which Chromium the browser tests and the PDF use, and how a fresh machine gets one.

    python _ext/chromium.py            # print the executable's path; install Chromium first
                                       # if needed
    python _ext/chromium.py --dry-run  # print the path, or the install command it would run

Order: ``$CHROMIUM`` when set (then it is the only candidate already present), otherwise
``chromium`` on ``PATH`` or ``/usr/bin/chromium``, otherwise the Chromium that ``playwright
install`` put in Playwright's cache. When none is present it installs one: as root on a
Debian/Ubuntu machine (``apt-get`` on ``PATH``) the distribution's ``chromium``, elsewhere
``playwright install chromium``. When that fails too it stops with one line saying what to run.
The Makefile exports the printed path as ``CHROMIUM`` to the tests (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

SYSTEM = "/usr/bin/chromium"
APT = (
    "apt-get update && DEBIAN_FRONTEND=noninteractive "
    "apt-get install -y --no-install-recommends chromium"
)
HELP = (
    "Chromium is missing and could not be installed: run `sudo apt-get install -y chromium` "
    "(Debian/Ubuntu) or `.venv/bin/playwright install chromium`, or set CHROMIUM=/path/to/chromium"
)


def playwright_chromium() -> str | None:
    """The executable Playwright's own ``install chromium`` provides (present or not)."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            return pw.chromium.executable_path
    except Exception:  # no playwright, or its driver cannot start: no candidate
        return None


def present(env: dict[str, str]) -> str | None:
    """The first Chromium already on this machine, or None."""
    if env.get("CHROMIUM"):
        candidates = [env["CHROMIUM"]]
    else:
        candidates = [
            shutil.which("chromium", path=env.get("PATH", "")),
            SYSTEM,
            playwright_chromium(),
        ]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def install_command(env: dict[str, str], is_root: bool) -> list[str] | None:
    """The shell command that installs Chromium here, or None when there is no way."""
    path = env.get("PATH", "")
    if is_root and shutil.which("apt-get", path=path):
        return ["sh", "-c", APT]
    playwright = shutil.which("playwright", path=path)
    if playwright:
        return [playwright, "install", "chromium"]
    return None


def installed(env: dict[str, str]) -> str | None:
    """Where the install put Chromium (``$CHROMIUM`` no longer counts: it was missing)."""
    return present({k: v for k, v in env.items() if k != "CHROMIUM"})


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    found = present(env)
    if found:
        print(found)
        return 0
    cmd = install_command(env, is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    if cmd is None:
        print(HELP, file=sys.stderr)
        return 1
    if "--dry-run" in argv:
        print("would run: " + (cmd[2] if cmd[:2] == ["sh", "-c"] else " ".join(cmd)))
        return 0
    print("Chromium is missing: " + " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd, stdout=sys.stderr).returncode != 0 or not (found := installed(env)):
        print(HELP, file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
