"""Two-factor login for staff (issue 17, item 1), through the pages a person uses: the login
form, enrolment with a QR code, codes from an authenticator and recovery codes (codes by SMS:
linli/notices/tests/test_login_codes.py; the demo admin: linli/geo/tests/test_demo_and_shell.py), the
throttle shared with the password, the street's switch, the administrator's reset."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core import accountrules, accounts
from linli.core.context import Actor
from linli.core.models import AuditRecord, User
from linli.core.roles import Role
from linli.core.testing import enrol_totp, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "Str0ng-enough-pw"


@pytest.fixture
def admin() -> User:
    return User.objects.create_user(
        "boss", password=PASSWORD, role=Role.STREET_ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def clerk() -> User:
    return User.objects.create_user("clerk", password=PASSWORD, role=Role.WINDOW_CLERK)


def password_login(username: str = "boss", password: str = PASSWORD, **extra: Any) -> Client:
    client = Client(**extra)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, "the password step failed"
    return client


def actions(name: str) -> list[str]:
    return list(
        AuditRecord.objects.filter(action=name).order_by("seq").values_list("outcome", flat=True)
    )


# --- the rule ---------------------------------------------------------------------------------


def test_administrators_always_need_two_factors_others_when_the_street_says() -> None:
    assert accountrules.requires_two_factor(Role.STREET_ADMIN)
    assert accountrules.requires_two_factor(Role.WINDOW_CLERK, is_superuser=True)
    assert not accountrules.requires_two_factor(Role.WINDOW_CLERK)
    assert accountrules.requires_two_factor(Role.WINDOW_CLERK, [Role.WINDOW_CLERK.value])
    assert not accountrules.requires_two_factor("", [Role.WINDOW_CLERK.value])
    # Every administrator role is in the set (a new one joins with one line).
    assert all(accountrules.requires_two_factor(r) for r in accountrules.ADMINISTRATOR_ROLES)


# --- without a second factor: enrolment only ------------------------------------------------


def test_an_admin_without_a_second_factor_reaches_only_enrolment(admin: User) -> None:
    client = password_login()
    for path in ("/", "/places/committees/", "/admin/", "/jobs/", "/account/sessions/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/two-factor/?next="), path
    # The verify page sends an account with nothing enrolled on to enrolment.
    assert client.get("/account/two-factor/")["Location"].startswith("/account/two-factor/setup/")
    api = client.get("/api/v1/committees/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    page = client.get("/account/two-factor/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    # Logging out still works.
    assert client.post("/logout/").status_code == 302


def test_enrolling_an_authenticator_gives_recovery_codes_and_opens_the_site(admin: User) -> None:
    client = password_login()
    html = client.get("/account/two-factor/setup/?next=/places/committees/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    import base64

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    wrong = client.post("/account/two-factor/setup/", {"kind": "totp", "code": "000000"})
    assert wrong.status_code == 400
    time.sleep(1.1)  # after a wrong code the device waits 1 s, then 2, 4, ... (django-otp)
    code = str(totp(key)).zfill(6)
    done = client.post(
        "/account/two-factor/setup/",
        {"kind": "totp", "code": code, "next": "/places/committees/"},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/places/committees/").status_code == 200
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert actions("core.two_factor.enrol") == ["failed", "ok"]
    assert actions("core.two_factor.recovery_codes") == ["ok"]


def test_a_stolen_password_cannot_replace_an_enrolled_factor(admin: User) -> None:
    enrol_totp(admin)
    client = password_login()
    response = client.get("/account/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/?")


# --- logging in with the second factor -----------------------------------------------------


def test_log_in_with_an_authenticator_code(admin: User) -> None:
    device = enrol_totp(admin)
    client = password_login()
    assert client.get("/")["Location"] == "/account/two-factor/?next=%2F"
    page = client.get("/account/two-factor/?next=/places/committees/")
    assert "身份验证器" in page.content.decode()
    bad = client.post("/account/two-factor/", {"method": "totp", "code": "123456", "next": "/"})
    assert bad.status_code == 400 and "验证码不正确" in bad.content.decode()
    assert client.get("/").status_code == 302  # still not through
    code = totp_code(device)
    # Right after a wrong code even the right one waits (1 s, then 2, 4, ...: django-otp).
    hasty = client.post("/account/two-factor/", {"method": "totp", "code": code, "next": "/"})
    assert "尝试过于频繁" in hasty.content.decode()
    time.sleep(2.1)
    ok = client.post(
        "/account/two-factor/", {"method": "totp", "code": code, "next": "/places/committees/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/places/committees/"
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert actions("core.two_factor.verify") == ["failed", "denied", "ok"]
    # The same code does not open a second session (a code works once).
    other = password_login()
    again = other.post("/account/two-factor/", {"method": "totp", "code": code, "next": "/"})
    assert again.status_code == 400


def test_a_recovery_code_works_once(admin: User) -> None:
    enrol_totp(admin)
    codes = accounts.new_recovery_codes(Actor.system("test"), admin)
    client = password_login()
    ok = client.post("/account/two-factor/", {"method": "recovery", "code": codes[0].upper()})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert accounts.recovery_codes_left(admin) == 9
    client.post("/logout/")
    again = password_login()
    reused = again.post("/account/two-factor/", {"method": "recovery", "code": codes[0]})
    assert reused.status_code == 400
    time.sleep(1.1)  # the wait after a wrong code
    assert (
        again.post("/account/two-factor/", {"method": "recovery", "code": codes[1]}).status_code
        == 302
    )


def test_wrong_codes_count_with_wrong_passwords_and_lock_like_them(admin: User) -> None:
    enrol_totp(admin)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    client = password_login(**attacker)
    for _ in range(9):
        response = client.post("/account/two-factor/", {"method": "totp", "code": "000000"})
        assert response.status_code == 400
    locked = client.post("/account/two-factor/", {"method": "totp", "code": "000000"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The half-signed-in session ended, and the password no longer opens from that address.
    assert client.get("/")["Location"].startswith("/login/")
    again = Client(**attacker).post("/login/", {"username": "boss", "password": PASSWORD})
    assert again.status_code == 429
    # A colleague elsewhere is not locked out.
    assert password_login(REMOTE_ADDR="198.51.100.7").get("/").status_code == 302


# --- the street's switch, the admin login, the reset ---------------------------------------


def test_the_street_switches_the_second_factor_on_for_another_role(
    clerk: User, admin: User
) -> None:
    assert password_login("clerk").get("/").status_code == 200
    accounts.save_policy(Actor(admin), [Role.WINDOW_CLERK.value])
    assert password_login("clerk").get("/")["Location"].startswith("/account/two-factor/")
    assert actions("core.security_policy.update") == ["ok"]


def test_the_security_administrator_edits_the_switch_in_the_admin(admin: User, clerk: User) -> None:
    security = User.objects.create_user(
        "sec", password=PASSWORD, role=Role.SECURITY_ADMIN, is_staff=True
    )
    client = Client()
    client.force_login(admin)
    # The street admin runs the street, not its security settings (三员分立).
    assert client.get("/admin/core/securitypolicy/add/").status_code == 403
    client = Client()
    client.force_login(security)
    response = client.post(
        "/admin/core/securitypolicy/add/", {"two_factor_roles": [Role.WINDOW_CLERK.value]}
    )
    assert response.status_code == 302
    assert accounts.street_two_factor_roles() == {Role.WINDOW_CLERK.value}
    assert password_login("clerk").get("/")["Location"].startswith("/account/two-factor/")


def test_the_admin_site_login_leads_to_the_second_factor(admin: User) -> None:
    enrol_totp(admin)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/")["Location"] == "/account/two-factor/?next=%2Fadmin%2F"


def test_an_administrator_resets_a_lost_second_factor(admin: User, clerk: User) -> None:
    colleague = User.objects.create_user("deputy", password=PASSWORD, role=Role.STREET_ADMIN)
    enrol_totp(colleague)
    accounts.new_recovery_codes(Actor.system("test"), colleague)
    signed_in = Client()
    signed_in.force_login(colleague)
    system = User.objects.create_user(
        "sys", password=PASSWORD, role=Role.SYSTEM_ADMIN, is_staff=True
    )
    client = Client()
    client.force_login(system)
    response = client.post(
        "/admin/core/user/",
        {"action": "reset_two_factor", "_selected_action": [colleague.pk]},
    )
    assert response.status_code == 302
    assert not accounts.has_second_factor(colleague)
    assert accounts.recovery_codes_left(colleague) == 0
    assert actions("core.two_factor.reset") == ["ok"]
    # Their sessions ended; at the next log-in they enrol again.
    assert signed_in.get("/")["Location"].startswith("/login/")
    fresh = password_login("deputy")
    assert fresh.get("/account/two-factor/")["Location"].startswith("/account/two-factor/setup/")


def test_accounts_without_the_rule_log_in_with_the_password_alone(clerk: User) -> None:
    client = password_login("clerk")
    assert client.get("/").status_code == 200


def test_an_account_that_enrolled_of_its_own_accord_is_asked_too(clerk: User) -> None:
    device = enrol_totp(clerk)
    client = password_login("clerk")
    assert client.get("/")["Location"].startswith("/account/two-factor/")
    client.post("/account/two-factor/", {"method": "totp", "code": totp_code(device)})
    assert client.get("/").status_code == 200
