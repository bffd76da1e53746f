"""Two-factor login and the idle warning in a real browser (issue 17): enrolment by QR code,
logging in with an authenticator's code (computed here as the app would), the warning before
the idle timeout."""

from __future__ import annotations

import base64
import re
from typing import Any

from django_otp.oath import totp

from linli.core.testing import enrol_totp, totp_code

from .conftest import PASSWORD

SHOTS = "test-results"


def _password(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.form-grid button[type=submit]").click()


def test_log_in_with_an_authenticator_code(page: Any, users: dict[str, Any]) -> None:
    device = enrol_totp(users["street_admin"])
    _password(page, "street_admin")
    page.wait_for_url("**/account/two-factor/?next=%2F")
    assert page.locator("h1").inner_text() == "双因素验证"
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="验证", exact=True).click()
    assert "验证码不正确" in page.locator(".errorlist").inner_text()
    page.wait_for_timeout(1100)  # django-otp makes the next try wait 1 s after a wrong code
    page.fill("#id_code", totp_code(device))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    assert "street_admin" in page.locator(".who").inner_text()
    page.goto("/admin/")
    assert page.locator("#site-name").count() == 1  # the Django admin opens in this session


def test_enrol_an_authenticator_from_the_qr_page(
    page: Any, phone_page: Any, users: dict[str, Any], request: Any
) -> None:
    _password(page, "street_admin")
    page.wait_for_url("**/account/two-factor/setup/**")
    assert page.locator("figure.qr svg").is_visible()
    out = request.config.rootpath / SHOTS
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "two-factor-setup-1280.png"), full_page=True)
    secret = page.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_totp_code", str(totp(key)).zfill(6))
    page.locator("#totp button[type=submit]").click()
    codes = page.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.screenshot(path=str(out / "recovery-codes-1280.png"), full_page=True)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    # On a phone: the verify page of the now enrolled account.
    _password(phone_page, "street_admin")
    phone_page.wait_for_url("**/account/two-factor/**")
    phone_page.screenshot(path=str(out / "two-factor-verify-390.png"), full_page=True)
    assert phone_page.locator("#id_code").is_visible()


def test_the_idle_warning_shows_before_the_timeout(
    page: Any, login_as: Any, settings: Any, request: Any
) -> None:
    settings.LINLI_IDLE_TIMEOUT_MINUTES = 1  # warning after 15 s (a quarter of the minute)
    login_as(page, "window_clerk")
    page.goto("/notices/")
    box = page.locator("#idle-warning")
    assert box.is_hidden()
    box.wait_for(state="visible", timeout=30_000)
    assert "秒后自动退出" in box.inner_text()
    left = int(page.locator("#idle-countdown").inner_text())
    assert 0 < left <= 45
    out = request.config.rootpath / SHOTS
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "idle-warning-1280.png"))
    page.get_by_role("button", name="继续使用").click()
    box.wait_for(state="hidden")
    # Staying costs nothing: the page is still signed in.
    page.reload()
    assert page.locator(".who").count() == 1
