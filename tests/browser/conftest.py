"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked ``browser``; run them with
``pytest -m browser -p no:xdist tests/browser``. No browser is ever downloaded: the tests
use the system chromium and skip, saying why, when it is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the ORM calls the tests make (fixtures, database checks) from that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
PASSWORD = "pw-for-tests-123"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
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
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of this folder (and only those) as browser tests."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On SQLite, the live server's test database is a file, not shared-cache memory.

    Shared-cache memory locks whole tables: a page reading ``risk_check`` while the white paper
    re-renders makes a concurrent autosave fail at once with "database table is locked" instead
    of waiting. A file in WAL mode behaves as an installation does: readers never block the
    writer, and writers queue (``timeout``, IMMEDIATE transactions; ``settings.base``)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("browser-db") / "linli-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (see scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def server(live_server: Any, transactional_db: None) -> str:
    """The live server's base URL; transactional, so the test and the server share data."""
    return str(live_server.url)


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "rep_call", None)
    return bool(report is not None and report.failed)


def _new_page(
    browser: Any, server: str, request: pytest.FixtureRequest, suffix: str, **options: Any
) -> Iterator[Any]:
    context = browser.new_context(base_url=server, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        if _failed(request):
            out = request.config.rootpath / "test-results"
            out.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop page (1280×800) in a fresh browser context."""
    yield from _new_page(browser, server, request, "", viewport=DESKTOP)


@pytest.fixture
def phone_page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page (390×844, touch) in a fresh browser context."""
    yield from _new_page(
        browser,
        server,
        request,
        "-phone",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait to leave it; an account that needs a
    second factor then types its authenticator's code (enrolled by ``login_as``)."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/account/two-factor/" in page.url:
        from linli.core.accounts import totp_device
        from linli.core.models import User
        from linli.core.testing import totp_code

        device = totp_device(User.objects.get(username=username))
        assert device is not None, f"{username} needs a second factor: enrol it first"
        page.fill("#id_code", totp_code(device))
        page.locator("#otp-form button[type=submit]").click()
        page.wait_for_url(lambda url: "/account/two-factor/" not in url)


@pytest.fixture
def login_as(users: dict[str, Any]) -> Callable[[Any, str], Any]:
    """``login_as(page, "street_admin")``: the user exists (``users`` fixture) and logs in."""

    def as_role(page: Any, username: str) -> Any:
        from linli.core.accounts import needs_two_factor
        from linli.core.testing import enrol_totp

        assert username in users, f"no test user {username!r}"
        if needs_two_factor(users[username]):
            enrol_totp(users[username])  # an authenticator whose codes the test computes
        log_in(page, username)
        return page

    return as_role
