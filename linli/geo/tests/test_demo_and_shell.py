"""The demo street, the home page, language switch, large type, module placeholders."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from linli.core import accounts
from linli.core.models import User
from linli.core.testing import totp_code
from linli.geo import demo
from linli.geo.models import Building, Committee, Household, Resident

pytestmark = pytest.mark.django_db


def test_demo_is_deterministic_and_rebuilds_the_same_street() -> None:
    first = demo.build(with_residents=True)
    sample = list(Resident.objects.order_by("id_hash").values_list("id_hash", "name")[:20])
    areas = sorted(Household.objects.values_list("exclusive_area", flat=True))[:50]
    second = demo.build(with_residents=True)
    assert first == second
    assert sample == list(Resident.objects.order_by("id_hash").values_list("id_hash", "name")[:20])
    assert areas == sorted(Household.objects.values_list("exclusive_area", flat=True))[:50]


def test_demo_street_looks_like_the_article() -> None:
    counts = demo.build(with_residents=False)
    assert counts["committees"] == 16
    names = set(Committee.objects.values_list("name", flat=True))
    assert {"陕新居委", "新乐居委"} <= names
    xinlu = Committee.objects.filter(area__name="新路片区").values_list("name", flat=True)
    assert set(xinlu) == {"陕新居委", "新乐居委"}
    lane = Building.objects.filter(housing_type="lane").count()
    assert lane > Building.objects.count() / 2  # mostly brick-and-timber lane houses
    assert (
        Building.objects.filter(housing_type="lane").exclude(structure="brick_timber").count() == 0
    )
    assert Building.objects.filter(housing_type="commercial", has_lift=True).exists()


def test_demo_residents_are_valid_fictitious_and_marked() -> None:
    demo.build(with_residents=True)
    assert Resident.objects.filter(is_demo=False).count() == 0
    assert (
        Resident.objects.filter(id_masked__startswith="310104").count() == Resident.objects.count()
    )


def test_one_account_per_role_with_the_documented_password() -> None:
    demo.build(with_residents=False)
    for account in demo.ACCOUNTS:
        user = authenticate(username=account.username, password=demo.DEMO_PASSWORD)
        assert user is not None and user.role == account.role
    assert User.objects.get(username="shanxin").committee.name == "陕新居委"
    # 三员分立: one account for each administrator; only two of them reach the Django admin.
    roles = dict(User.objects.values_list("username", "role"))
    assert (roles["sysadmin"], roles["secadmin"], roles["auditor"]) == (
        "system_admin", "security_admin", "auditor"
    )  # fmt: skip
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "sysadmin", "secadmin"
    }  # fmt: skip
    assert not User.objects.filter(is_superuser=True).exists()


def test_home_shows_counts_and_the_committee_diagram(login: Any, street: Any) -> None:
    page = login("street_admin").get("/").content.decode()
    assert "湖南路街道" in page
    assert "陕新居委" in page and "新路片区" in page
    assert "<svg" in page
    # All five domain modules are live: every card links to its module, none says "not built yet".
    assert "建设中，尚未上线" not in page
    assert page.count('<span class="badge ready">') == 5


def test_module_not_built_yet_says_so(login: Any, street: Any) -> None:
    page = login("street_staff").get("/modules/elevator/").content.decode()
    assert "尚未上线" in page and "加装电梯" in page
    assert login("street_staff").get("/modules/nope/").status_code == 404


def test_language_switch_to_english(login: Any, street: Any) -> None:
    client = login("street_admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en"' in page
    assert "Buildings" in page and "Sign out" in page


def test_large_type_toggle(client: Any, street: Any) -> None:
    client.post("/display/large-type/", {"next": "/login/"})
    assert 'class="large-type"' in client.get("/login/").content.decode()
    client.post("/display/large-type/", {"next": "/login/"})
    assert 'class="large-type"' not in client.get("/login/").content.decode()


def test_no_page_loads_anything_from_another_origin(login: Any, street: Any) -> None:
    client = login("street_admin")
    for url in ("/", "/places/buildings/", "/api/docs/", "/login/"):
        page = client.get(url).content.decode()
        assert "http://" not in page.replace("http://testserver", "").replace(
            "http://www.w3.org", ""
        )
        assert "https://" not in page


def test_pages_send_a_strict_content_security_policy(login: Any, street: Any) -> None:
    response = login("street_admin").get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_web_form_edit_is_audited(login: Any, street: Any) -> None:
    from linli.core.models import AuditRecord

    client = login("committee_staff")
    household = street["household1"]
    response = client.post(
        f"/places/households/{household.pk}/edit/",
        {
            "entrance": street["entrance1"].pk,
            "room": "1楼前楼",
            "floor": 1,
            "exclusive_area": "24.75",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert str(household.exclusive_area) == "24.75"
    record = AuditRecord.objects.get(action="geo.household.update")
    assert record.details == {"fields": ["exclusive_area"]}
    assert record.actor_name == "committee_staff"


def test_navigation_names_every_module(login: Any, street: Any) -> None:
    page = login("street_staff").get("/").content.decode()
    for name in ("安全风险", "消防设施", "受理中心", "加装电梯", "党群服务"):
        assert f">{name}</a>" in page


def test_lists_filter_by_a_committee_chosen_by_name(login: Any, street: Any) -> None:
    client = login("street_staff")
    page = client.get("/places/buildings/").content.decode()
    assert f'<option value="{street["c2"].pk}">新乐居委</option>' in page
    filtered = client.get(f"/places/buildings/?committee={street['c2'].pk}").content.decode()
    assert street["estate2"].name in filtered and street["estate1"].name not in filtered
    lanes = client.get("/places/buildings/?has_lift=false&heritage_protected=").content.decode()
    assert street["estate1"].name in lanes


def test_system_admin_manages_accounts_in_admin_and_it_is_audited(login: Any, street: Any) -> None:
    from linli.core.models import AuditRecord, User

    admin = User.objects.get(username="system_admin")
    admin.is_staff = True
    admin.save()
    client = login("system_admin")
    assert client.get("/admin/core/user/").status_code == 200
    assert login("auditor").get("/admin/core/user/").status_code == 302
    user = User.objects.get(username="inspector")
    client = login("system_admin")
    response = client.post(
        f"/admin/core/user/{user.pk}/change/",
        {"username": "inspector", "display_name": "检查员 张", "role": "inspector",
         "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditRecord.objects.filter(action="core.user.update", object_id=str(user.pk)).exists()


def test_chinese_by_default_whatever_the_browser_language(client: Any, street: Any) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans"' in page and "登录邻里" in page


def test_the_demo_admin_has_the_published_authenticator(settings: Any) -> None:
    demo.build(with_residents=False)
    admin = User.objects.get(username="admin")
    device = accounts.totp_device(admin)
    assert device is not None
    assert accounts.base32_secret(device) == accounts.DEMO_TOTP_SECRET
    assert admin.password_change_reason == ""
    client = _password_login("admin", demo.DEMO_PASSWORD)
    assert client.get("/").status_code == 302
    ok = client.post("/account/two-factor/", {"method": "totp", "code": totp_code(device)})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    # Other demo accounts log in with the password alone, and are not forced to change it.
    assert _password_login("safety", demo.DEMO_PASSWORD).get("/").status_code == 200


def _password_login(username: str, password: str) -> Any:
    from django.test import Client

    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client
