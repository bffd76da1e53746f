"""Password and session rules (issue 17, item 2): complexity, expiry with a warning, no reuse of
the last five, a forced change after an administrator set the password, the idle timeout, and
"my sessions" with revocation -- the pure rules directly, the rest through the pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from linli.core import accountrules, accounts
from linli.core.models import AuditRecord, PasswordHistory, User, UserSession
from linli.core.roles import Role

PASSWORD = "Str0ng-enough-pw"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


# --- pure rules -------------------------------------------------------------------------------


def test_character_classes_and_complexity() -> None:
    assert accountrules.character_classes("abcDEF123!") == {"lower", "upper", "digit", "symbol"}
    assert accountrules.character_classes("密码abc") == {"lower", "symbol"}
    assert accountrules.complexity_problems("Abc12345") == []
    assert accountrules.complexity_problems("Ab1") == ["too_short"]
    assert accountrules.complexity_problems("abcdefgh12") == ["too_few_classes"]
    assert accountrules.complexity_problems("Xiaoming-2026", "xiaoming") == ["is_username"]
    assert accountrules.complexity_problems("Gnimoaix-2026", "xiaoming") == ["is_username"]
    # A short user name is not a pattern to refuse.
    assert accountrules.complexity_problems("Li-2026-Safe", "li") == []


def test_expiry_and_warning() -> None:
    changed = NOW - timedelta(days=89)
    assert not accountrules.password_expired(changed, NOW, 90)
    assert accountrules.password_expired(NOW - timedelta(days=90), NOW, 90)
    assert not accountrules.password_expired(NOW - timedelta(days=900), NOW, 0)  # switched off
    assert not accountrules.password_expired(None, NOW, 90)
    assert accountrules.days_until_expiry(NOW - timedelta(days=80), NOW, 90, 14) == 10
    assert accountrules.days_until_expiry(NOW - timedelta(days=70), NOW, 90, 14) is None
    assert accountrules.days_until_expiry(NOW - timedelta(days=95), NOW, 90, 14) is None
    assert accountrules.change_required("reset", NOW, NOW, 90) == "reset"
    assert accountrules.change_required("", NOW - timedelta(days=91), NOW, 90) == "expired"
    assert accountrules.change_required("", NOW, NOW, 90) is None


def test_idle_rules() -> None:
    assert accountrules.idle_expired(1000.0, 1000.0 + 1801, 1800)
    assert not accountrules.idle_expired(1000.0, 1000.0 + 1800, 1800)
    assert not accountrules.idle_expired(None, 5000.0, 1800)
    assert not accountrules.idle_expired(0.0, 1e9, 0)
    assert accountrules.warning_at(1800, 120) == 1680
    assert accountrules.warning_at(60, 120) == 15
    assert accountrules.warning_at(0, 120) == 0  # no timeout, no warning
    assert accountrules.warning_at(-5, 120) == 0


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("13912345678", "13912345678"),
        ("139 1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0086-13912345678", "13912345678"),
        ("(+86) 19912345678", "19912345678"),
        ("+8613912345678", "13912345678"),
        ("+86 12912345678", None),  # no mobile network starts with 12
        ("86 13912345678", None),  # a country code needs its + or 00
        ("+85213912345678", None),
        ("1391234567", None),
        ("", None),
    ],
)
def test_mobile_number_drops_spacing_and_the_country_code(raw: str, number: str | None) -> None:
    assert accountrules.mobile_number(raw) == number


# --- validators --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt!", "password_too_short"),
        ("lowercase-only", "password_too_simple"),
        ("Wangxiaoming-2026", "password_is_username"),
        ("Password123", "password_too_common"),  # Django's list of 20,000, any case
        ("1234567890123", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, code: str) -> None:
    user = User(username="wangxiaoming")
    with pytest.raises(ValidationError) as raised:
        validate_password(password, user)
    assert code in {e.code for e in raised.value.error_list}, raised.value.messages


@pytest.mark.django_db
def test_none_of_the_last_five_passwords_again() -> None:
    user = User.objects.create_user("li", password="First-pass-1")
    used = ["First-pass-1"]
    for i in range(2, 7):
        new = f"Next-pass-{i}"
        validate_password(new, user)
        user.set_password(new)
        user.save()
        used.append(new)
    assert PasswordHistory.objects.filter(user=user).count() == 5  # only five hashes are kept
    for old in used[-5:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(old, user)
    validate_password(used[0], user)  # six changes ago: allowed again
    assert all(
        not h.startswith("Next") for h in PasswordHistory.objects.values_list("password", flat=True)
    )


# --- through the pages ------------------------------------------------------------------------


@pytest.fixture
def clerk(db: Any) -> User:
    return User.objects.create_user("clerk", password=PASSWORD, role=Role.WINDOW_CLERK)


def logged_in(username: str = "clerk", password: str = PASSWORD) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def change(client: Client, old: str, new: str) -> Any:
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": new, "next": "/hall/"},
    )


def test_an_expired_password_forces_a_change(clerk: User) -> None:
    User.objects.filter(pk=clerk.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = logged_in()
    for path in ("/", "/hall/", "/account/sessions/"):
        assert client.get(path)["Location"].startswith("/account/password/?next="), path
    page = client.get("/account/password/").content.decode()
    assert "您的密码已过期" in page
    reused = change(client, PASSWORD, PASSWORD)
    assert reused.status_code == 400 and "最近 5 次" in reused.content.decode()
    weak = change(client, PASSWORD, "alllowercase")
    assert weak.status_code == 400 and "至少 3 类" in weak.content.decode()
    done = change(client, PASSWORD, "New-Secret-2027")
    assert done.status_code == 302 and done["Location"] == "/hall/"
    assert client.get("/").status_code == 200
    clerk.refresh_from_db()
    assert timezone.now() - clerk.password_changed_at < timedelta(minutes=1)
    assert AuditRecord.objects.filter(
        action="core.password.change", object_id=str(clerk.pk)
    ).exists()


def test_a_password_about_to_expire_is_announced_once(clerk: User) -> None:
    User.objects.filter(pk=clerk.pk).update(
        password_changed_at=timezone.now() - timedelta(days=80, hours=1)
    )
    client = logged_in()
    first = client.get("/", follow=True).content.decode()
    assert "您的密码将在 9 天后过期" in first
    assert "密码将在" not in client.get("/").content.decode()


def test_an_account_created_by_an_administrator_must_change_its_password(db: Any) -> None:
    admin = User.objects.create_user("boss", password=PASSWORD, role=Role.SYSTEM_ADMIN,
                                     is_staff=True)  # fmt: skip
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/core/user/add/",
        {"username": "newbie", "password1": "Given-by-admin-1", "password2": "Given-by-admin-1",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = User.objects.get(username="newbie")
    assert newbie.password_change_reason == "first_login"
    own = logged_in("newbie", "Given-by-admin-1")
    assert own.get("/")["Location"].startswith("/account/password/")
    assert "这是您首次登录" in own.get("/account/password/").content.decode()
    assert change(own, "Given-by-admin-1", "Mine-and-only-2").status_code == 302
    assert own.get("/").status_code == 200
    # The administrator resets it (a forgotten password): changed again at the next log-in,
    # and the sessions the account had end.
    reset = client.post(
        f"/admin/core/user/{newbie.pk}/password/",
        {"password1": "Reset-by-admin-3", "password2": "Reset-by-admin-3",
         "usable_password": "true"},
    )  # fmt: skip
    assert reset.status_code == 302
    assert own.get("/")["Location"].startswith("/login/")
    again = logged_in("newbie", "Reset-by-admin-3")
    assert "管理员已重置您的密码" in again.get("/account/password/").content.decode()
    assert again.get("/jobs/")["Location"].startswith("/account/password/")
    assert AuditRecord.objects.filter(action="core.password.reset").count() == 1


def test_idle_timeout_logs_out(clerk: User, settings: Any) -> None:
    settings.LINLI_IDLE_TIMEOUT_MINUTES = 30
    client = logged_in()
    assert client.get("/").status_code == 200
    status = client.get("/account/idle/").json()
    assert 1790 <= status["remaining"] <= 1800
    session = client.session
    session[accounts.SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get("/account/idle/").json()["remaining"] <= 60  # asking is not activity
    assert client.get("/").status_code == 200  # a request within the 30 minutes: still in
    session = client.session
    session[accounts.SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/hall/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fhall%2F"
    assert "已自动退出" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302  # signed out for good
    assert AuditRecord.objects.filter(action="core.session.idle_timeout").count() == 1
    assert not UserSession.objects.filter(user=clerk).exists()


def test_the_page_carries_the_idle_warning_without_inline_script(clerk: User) -> None:
    html = logged_in().get("/").content.decode()
    assert 'data-idle-seconds="1800"' in html and 'data-idle-warn="1680"' in html
    assert 'id="idle-warning"' in html and "/static/linli/js/idle.js" in html
    assert "<script>" not in html


def test_my_sessions_lists_and_revokes(clerk: User) -> None:
    office = logged_in()
    phone = Client(HTTP_USER_AGENT="PhoneBrowser/1.0")
    phone.post("/login/", {"username": "clerk", "password": PASSWORD})
    assert phone.get("/").status_code == 200
    page = office.get("/account/sessions/").content.decode()
    assert "PhoneBrowser/1.0" in page and "当前会话" in page
    rows = UserSession.objects.filter(user=clerk)
    assert rows.count() == 2
    other = rows.get(user_agent="PhoneBrowser/1.0")
    response = office.post(f"/account/sessions/{other.pk}/revoke/")
    assert response.status_code == 302
    assert phone.get("/")["Location"].startswith("/login/")  # that session ended
    assert office.get("/").status_code == 200  # this one goes on
    assert AuditRecord.objects.filter(action="core.session.revoke").count() == 1
    # Nobody else's sessions: another account's row is not found.
    stranger = User.objects.create_user("stranger", password=PASSWORD, role=Role.WINDOW_CLERK)
    theirs = logged_in("stranger")
    assert theirs.get("/").status_code == 200
    row = UserSession.objects.get(user=stranger)
    office.post(f"/account/sessions/{row.pk}/revoke/")
    assert theirs.get("/").status_code == 200


def test_changing_the_password_ends_the_other_sessions(clerk: User) -> None:
    office = logged_in()
    phone = logged_in()
    assert change(office, PASSWORD, "Changed-pass-9").status_code == 302
    assert office.get("/").status_code == 200
    assert phone.get("/")["Location"].startswith("/login/")
