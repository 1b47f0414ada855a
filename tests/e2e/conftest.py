"""Browser tests: Playwright driving Debian's Chromium against the app served on a local port.

They skip with a clear reason where /usr/bin/chromium is missing; with REQUIRE_E2E=1 (CI) they fail instead.
A failing test leaves a screenshot in tests/e2e/artifacts/.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run the browser tests")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # as the page's own timeout: a busy CI machine answers slower than 5 s
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def live_server(app):
    app.config["BASE_URL"] = "http://127.0.0.1"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join()
    server.server_close()  # release the listening socket now, not at garbage collection


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="es-CO")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    console = []
    pg.on("console", lambda msg: console.append(msg.text))
    pg.base = live_server
    pg.console_messages = console
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def shoot(pg, name, width=1280):
    """Save a screenshot to look at (artifacts/ is git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg.set_viewport_size({"width": width, "height": 860})
    pg.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    # The screenshot leaves style="" on inputs; htmx would settle it onto swapped-in inputs with the same ids
    # and the CSP (style-src 'self') would report it: a false violation, so remove it.
    pg.evaluate("document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))")
