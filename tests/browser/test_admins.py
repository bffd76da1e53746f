"""三员分立 in the browser: the security administrator grants a role through the menu and the
Django admin but reads neither the audit log nor residents; the system administrator sees roles
read-only and cannot reveal an identity number."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SHOTS = os.environ.get("LINLI_SHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def admins(users: dict[str, Any]) -> dict[str, Any]:
    for name in ("system_admin", "security_admin"):
        users[name].is_staff = True  # what ``linli demo`` and a save in /admin/ give them
        users[name].save()
    return users


def test_the_security_admin_grants_a_role_but_cannot_read_the_audit_log(
    page: Any, login_as: Any, admins: dict[str, Any]
) -> None:
    login_as(page, "security_admin")
    page.locator("#mainnav summary", has_text="系统").click()
    page.get_by_role("link", name="账号与角色").click()
    page.wait_for_url("**/admin/core/user/")
    page.get_by_role("link", name="window_clerk", exact=True).click()
    page.wait_for_url("**/change/")
    page.locator("select[name=role]").wait_for()
    assert page.locator("a[href$='password/']").count() == 0  # passwords: the system admin's
    assert page.locator("input[name=email]").count() == 0  # account fields are read-only here
    _shot(page, "secadmin-user-1280")
    page.select_option("select[name=role]", "auditor")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/core/user/")
    admins["window_clerk"].refresh_from_db()
    assert admins["window_clerk"].role == "auditor"
    assert page.goto("/audit/").status == 403
    assert page.goto("/places/residents/").status == 403


def test_the_system_admin_sees_roles_read_only_and_cannot_reveal(
    page: Any, phone_page: Any, login_as: Any, admins: dict[str, Any], street: Any
) -> None:
    from linli.core.context import Actor
    from linli.geo import services
    from linli.geo.models import Resident

    resident = services.do_save_resident(
        Actor(admins["street_admin"]), Resident(household=street["household1"], name="王芳",
                                                relation="head"),
        id_number="11010519491231002X",
    )  # fmt: skip
    login_as(page, "system_admin")
    page.goto(f"/admin/core/user/{admins['window_clerk'].pk}/change/")
    assert page.locator("input[name=email]").is_visible()
    assert page.locator("select[name=role]").count() == 0
    assert "窗口受理员" in page.locator("#user_form").inner_text()  # shown, not editable
    assert page.locator("a[href$='password/']").count() == 1  # the reset is the system admin's
    _shot(page, "sysadmin-user-1280")
    assert page.goto(f"/places/residents/{resident.pk}/").status == 403
    login_as(phone_page, "system_admin")
    phone_page.goto("/")
    phone_page.get_by_role("button", name="菜单").click()
    phone_page.locator("#mainnav summary", has_text="系统").tap()
    assert phone_page.get_by_role("link", name="账号与角色").is_visible()
    assert phone_page.get_by_role("link", name="审计日志").count() == 0
    _shot(phone_page, "sysadmin-menu-390")
