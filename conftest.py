"""Shared fixtures: a small street with two committees and one user per role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from linli.core.roles import Role


@pytest.fixture(autouse=True)
def _default_language_after_each_test() -> Any:
    """A request in English (Accept-Language, the language cookie) leaves English active in the
    thread; the next test of the worker must start in the default language again."""
    from django.conf import settings as django_settings
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_anchor_file_and_backups(tmp_path_factory: Any, settings: Any) -> None:
    """Each test its own audit anchor file and backup folder: anchors outside the database
    must not leak between tests (nor into var/ of the working copy)."""
    folder = tmp_path_factory.mktemp("var")
    settings.LINLI_AUDIT_ANCHOR_FILE = folder / "audit-anchors.log"
    settings.LINLI_BACKUP_DIR = folder / "backups"
    from django.core.cache import cache

    cache.clear()  # rate-limit counters are per test too
    # Stored files too: the test settings keep them in memory, and a later test that reuses a
    # round's id must not find an earlier test's stored white paper.
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    storages._storages = {}
    default_storage._wrapped = empty


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch: Any) -> None:
    """``client.force_login`` skips the login form, and with it the second factor: the session
    is marked verified for accounts that need one (linli.core.testing). The second factor
    itself is tested through its pages (linli/core/tests/test_two_factor.py)."""
    from django.test import Client

    from linli.core.accounts import forget_policy

    forget_policy()  # the street's switch as this process remembers it: per test too
    original = Client.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        from linli.core.testing import verify_session

        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def street(db: Any) -> dict[str, Any]:
    from linli.geo import divisions
    from linli.geo.models import Area, Building, Committee, Entrance, Estate, Household, Subdistrict

    sub = Subdistrict.objects.create(
        code="S1", name="湖南路街道", district=divisions.district("310104")
    )
    area = Area.objects.create(subdistrict=sub, name="新路片区")
    c1 = Committee.objects.create(subdistrict=sub, area=area, code="HN01", name="陕新居委")
    c2 = Committee.objects.create(subdistrict=sub, code="HN02", name="新乐居委")
    out: dict[str, Any] = {"subdistrict": sub, "area": area, "c1": c1, "c2": c2}
    for key, committee in (("1", c1), ("2", c2)):
        estate = Estate.objects.create(committee=committee, name=f"长乐路{key}00弄", kind="lane")
        building = Building.objects.create(
            estate=estate, committee=committee, name="1支弄", housing_type="lane",
            structure="brick_timber", floors=3, year_built=1930,
        )  # fmt: skip
        entrance = Entrance.objects.create(building=building, number="1号")
        household = Household.objects.create(
            entrance=entrance, committee=committee, room="1楼前楼", floor=1,
            exclusive_area=Decimal("23.50"),
        )  # fmt: skip
        out.update({f"estate{key}": estate, f"building{key}": building,
                    f"entrance{key}": entrance, f"household{key}": household})  # fmt: skip
    return out


@pytest.fixture
def users(street: dict[str, Any]) -> dict[str, Any]:
    from linli.core.models import Organisation, User

    org = Organisation.objects.create(name="徐房物业", kind="property")
    made = {}
    for role in Role:
        user = User(username=role.value, role=role.value)
        if role == Role.COMMITTEE_STAFF:
            user.committee = street["c1"]
        if role == Role.PARTNER:
            user.organisation = org
        user.set_password("pw-for-tests-123")
        user.save()
        made[role.value] = user
    other = User(username="committee_staff_2", role=Role.COMMITTEE_STAFF, committee=street["c2"])
    other.set_password("pw-for-tests-123")
    other.save()
    made["committee_staff_2"] = other
    return made


@pytest.fixture
def login(client: Any, users: dict[str, Any]) -> Any:
    def as_role(role: str) -> Any:
        client.force_login(users[role])
        return client

    return as_role
