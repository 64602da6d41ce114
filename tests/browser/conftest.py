"""Browser tests: the real server (`alliances serve`) driven by Debian's Chromium.

The tools come from `make test` (Debian's chromium and Java, npm's axe-core and
vnu-jar, PyPI's playwright). On a developer's machine without them these tests
are skipped with the reason; with CI set, a missing tool fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_COURSE = ROOT / "tests" / "fixtures" / "course"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_tools() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if shutil.which("java") is None:
        missing.append("java (Debian package default-jre-headless)")
    if not AXE.exists() or not VNU.exists():
        missing.append("node_modules (npm ci --ignore-scripts)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    return missing


def require_tools() -> None:
    missing = missing_tools()
    if not missing:
        return
    message = "browser tools missing: " + ", ".join(missing) + "; `make test` installs them"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: browser tests may not be skipped)", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LIVE: dict[str, Path] = {}  # the live server's database, for tests that add accounts


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`alliances serve` on a free port, a temporary database, the fixture course."""
    require_tools()
    var = tmp_path_factory.mktemp("live")
    LIVE["database"] = var / "live.db"
    port = _free_port()
    env = {
        **os.environ,
        "ALLIANCES_ENV": "development",
        "ALLIANCES_DATABASE": str(var / "live.db"),
        "ALLIANCES_CONTENT_DIR": str(FIXTURE_COURSE),
        "ALLIANCES_SECRET_KEY": "browser-tests-" + "k" * 32,
        "ALLIANCES_BASE_URL": f"http://127.0.0.1:{port}",
    }
    alliances = Path(sys.executable).with_name("alliances")
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [str(alliances), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        cwd=var,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("alliances serve did not start:\n" + (var / "server.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# Module scope: Playwright's sync API keeps an event loop running while it is open,
# and the other test files need asyncio.run().
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[object]:
    require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_session) -> Iterator[object]:
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
