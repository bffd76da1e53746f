"""Screenshots of the main pages at desktop and phone sizes, for a person to look at.

Opt-in, and written outside the repository: ``LINLI_SHOTS=/tmp/shots pytest -m browser
-p no:xdist tests/browser/test_screens.py``. Besides the pictures it checks that the bundled
Chinese webfont actually loaded (otherwise a machine without CJK fonts shows tofu boxes).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .test_shell import building_rows, xlsx

SHOTS = os.environ.get("LINLI_SHOTS", "")

pytestmark = pytest.mark.skipif(not SHOTS, reason="set LINLI_SHOTS=<folder> to take screenshots")


@pytest.fixture
def resident(street: dict[str, Any], users: dict[str, Any]) -> Any:
    from linli.core.context import Actor
    from linli.core.identity import check_character
    from linli.geo.models import Resident
    from linli.geo.services import do_save_resident

    first17 = "31010419500315123"
    person = Resident(household=street["household1"], name="王秀英", relation="head")
    return do_save_resident(
        Actor(users["street_admin"]),
        person,
        id_number=first17 + check_character(first17),
        phone="13812345678",
    )


def _shoot(page: Any, name: str) -> None:
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_main_pages(
    size: str,
    page: Any,
    phone_page: Any,
    login_as: Any,
    street: dict[str, Any],
    resident: Any,
) -> None:
    screen = page if size == "desktop" else phone_page
    login_as(screen, "street_admin")
    screen.goto("/")
    assert screen.evaluate("document.fonts.check('16px \"Linli Sans\"', '邻里街道')")
    assert screen.evaluate(
        "[...document.fonts].some(f => f.family.includes('Linli Sans') && f.status === 'loaded')"
    ), "the bundled Chinese webfont did not load"
    _shoot(screen, f"{size}-home")

    screen.goto("/places/buildings/")
    _shoot(screen, f"{size}-buildings")

    screen.goto("/places/buildings/import/")
    screen.set_input_files("input[name=file]", xlsx(building_rows(bad_floors="三")))
    screen.get_by_role("button", name="上传并导入").click()
    screen.locator("#import-errors").wait_for()
    _shoot(screen, f"{size}-import-errors")

    screen.goto(f"/places/residents/{resident.pk}/")
    _shoot(screen, f"{size}-resident")

    # A given name with characters outside the common-character set of the bundled font.
    rare = resident.__class__.objects.create(
        household=resident.household, committee=resident.committee, name="陈祎珺", relation="child"
    )
    screen.goto(f"/places/residents/{rare.pk}/")
    _shoot(screen, f"{size}-resident-rare-name")

    screen.get_by_role("button", name="大字模式").click()
    screen.wait_for_function("document.documentElement.classList.contains('large-type')")
    screen.goto("/places/buildings/")
    _shoot(screen, f"{size}-buildings-large")

    screen.get_by_role("button", name="English", exact=True).click()
    screen.wait_for_function("document.documentElement.lang === 'en'")
    screen.goto("/")
    _shoot(screen, f"{size}-home-en-large")

    screen.goto("/places/buildings/999999/")
    _shoot(screen, f"{size}-not-found")
    screen.context.clear_cookies()
    login_as(screen, "committee_staff")
    screen.goto(f"/places/buildings/{street['building2'].pk}/")
    _shoot(screen, f"{size}-forbidden")
    if size == "phone":
        screen.locator("button.nav-toggle").tap()
        _shoot(screen, f"{size}-menu-open")
