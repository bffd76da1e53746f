"""三员分立 through the pages: the system administrator manages accounts, the security
administrator roles and grants, the auditor the audit log; none of them reads personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditRecord, User
from linli.geo.models import Resident

pytestmark = pytest.mark.django_db
NUMBER = "11010519491231002X"


@pytest.fixture
def resident(login: Any, street: Any) -> Resident:
    response = login("street_admin").post(
        "/api/v1/residents/",
        {"household": street["household1"].pk, "name": "王芳", "relation": "head",
         "id_number": NUMBER, "phone": "13912345678"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return Resident.objects.get()


def _change_form(user: User) -> str:
    return reverse("admin:core_user_change", args=[user.pk])


def _post_user(client: Any, user: User, **changes: Any) -> Any:
    data = {
        "username": user.username, "display_name": user.display_name,
        "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "role": user.role, "department": user.department,
        "committee": user.committee_id or "", "organisation": user.organisation_id or "",
    }  # fmt: skip
    data.update(changes)
    return client.post(_change_form(user), {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("role", ["system_admin", "security_admin"])
def test_neither_the_system_nor_the_security_admin_reads_personal_data_or_the_audit_log(
    login: Any, resident: Resident, role: str
) -> None:
    client = login(role)
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("geo:list", args=["residents"])).status_code == 403
    shown = client.post(reverse("geo:reveal", args=[resident.pk]), {"purpose": "x"})
    assert shown.status_code == 403 and NUMBER not in shown.content.decode()
    api = client.post(f"/api/v1/residents/{resident.pk}/reveal/", {"purpose": "x"},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 403
    reads = AuditRecord.objects.filter(action="people.resident.view_identity", outcome="ok")
    assert not reads.filter(actor_name=role).exists()


def test_the_auditor_reads_the_audit_log_but_not_accounts_or_residents(
    login: Any, resident: Resident, users: Any
) -> None:
    client = login("auditor")
    assert client.get(reverse("audit_log")).status_code == 200
    assert client.get(reverse("geo:list", args=["residents"])).status_code == 403
    assert client.get(_change_form(users["window_clerk"])).status_code == 302  # not admin staff


@pytest.mark.parametrize(
    ("role", "shown"),
    [("system_admin", True), ("security_admin", True), ("street_admin", False), ("auditor", False)],
)
def test_the_menu_leads_the_two_administrators_to_accounts_and_roles(
    login: Any, role: str, shown: bool
) -> None:
    page = login(role).get("/").content.decode()
    assert (reverse("admin:core_user_changelist") in page) is shown
    assert ("账号与角色" in page) is shown


def test_the_street_admin_no_longer_manages_accounts(login: Any, users: Any) -> None:
    admin = users["street_admin"]
    admin.is_staff = admin.is_superuser = True  # what older installations gave it
    admin.save()
    client = login("street_admin")
    assert client.get(reverse("admin:core_user_changelist")).status_code == 403
    assert client.get(_change_form(users["window_clerk"])).status_code == 403


def test_the_system_admin_manages_accounts_but_cannot_grant_roles(login: Any, users: Any) -> None:
    sysadmin = users["system_admin"]
    sysadmin.is_staff = True
    sysadmin.save()
    client = login("system_admin")
    clerk = users["window_clerk"]
    page = client.get(_change_form(clerk)).content.decode()
    assert 'name="email"' in page and 'name="role"' not in page  # role shown read-only
    response = _post_user(client, clerk, email="chen@example.org", role="street_admin")
    assert response.status_code == 302, response.content
    clerk.refresh_from_db()
    assert clerk.email == "chen@example.org" and clerk.role == "window_clerk"
    added = client.post(
        reverse("admin:core_user_add"),
        {"username": "clerk11", "usable_password": "true", "password1": "Kiosk-2026-pass",
         "password2": "Kiosk-2026-pass", "display_name": "窗口 新人", "email": ""},
    )  # fmt: skip
    assert added.status_code == 302, added.content
    assert User.objects.get(username="clerk11").role == ""
    password = reverse("admin:auth_user_password_change", args=[clerk.pk])
    assert client.get(password).status_code == 200


def test_the_security_admin_grants_roles_but_not_its_own_nor_accounts(
    login: Any, users: Any
) -> None:
    secadmin = users["security_admin"]
    secadmin.is_staff = True
    secadmin.save()
    client = login("security_admin")
    clerk = users["window_clerk"]
    page = client.get(_change_form(clerk)).content.decode()
    assert 'name="role"' in page and 'name="email"' not in page
    assert "password/" not in page  # no reset link: passwords are the system admin's
    assert _post_user(client, clerk, role="auditor").status_code == 302
    clerk.refresh_from_db()
    assert clerk.role == "auditor" and not clerk.is_staff
    record = AuditRecord.objects.filter(action="core.user.update").latest("seq")
    assert record.actor_name == "security_admin" and record.details["role"] == "auditor"
    # Not its own role: an administrator cannot take a second duty.
    own = _post_user(client, secadmin, role="system_admin")
    assert own.status_code == 200 and "不能更改自己的角色" in own.content.decode()
    secadmin.refresh_from_db()
    assert secadmin.role == "security_admin"
    # Not accounts: no new account, no password reset.
    assert client.get(reverse("admin:core_user_add")).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[clerk.pk])
    assert client.get(password).status_code == 403


def test_a_role_given_by_the_security_admin_opens_the_admin_site_without_superuser(
    login: Any, users: Any
) -> None:
    users["security_admin"].is_staff = True
    users["security_admin"].save()
    target = users["street_staff"]
    _post_user(login("security_admin"), target, role="system_admin")
    target.refresh_from_db()
    assert target.role == "system_admin" and target.is_staff and not target.is_superuser
